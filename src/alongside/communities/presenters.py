"""What communities, threads and posts look like to a given viewer: labels, badges, what they may
do, and where things are. Built here once and used by the HTML pages and the JSON API alike, so
the two can never drift (for example, an anonymous author's name can't leak through one of them).

Removed content is never presented: a removed post keeps its place as "removed", with no author,
text or reactions.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.accounts import selectors as account_selectors
from alongside.accounts.enums import STAFF_ROLES, Role, Topic
from alongside.communities import access
from alongside.communities.access import CommunityViewer
from alongside.communities.models import (
    Community,
    ContentWarning,
    MemberRole,
    Post,
    PostStatus,
    ReactionKind,
    Thread,
    ThreadState,
    Visibility,
)
from alongside.core.markdown import link_mentions, mentioned_pseudonyms

ANONYMOUS_LABEL = gettext_lazy("Anonymous member")
DELETED_LABEL = gettext_lazy("Deleted member")
QUOTE_EXCERPT_CHARS = 280

_REACTION_CHOICES = tuple(ReactionKind.choices)
_ROLE_LABELS = dict(Role.choices)
_WARNING_LABELS = dict(ContentWarning.choices)
_TOPIC_LABELS = dict(Topic.choices)
_VISIBILITY_SHORT = {
    Visibility.PRIVATE: gettext_lazy("Private"),
    Visibility.HIDDEN: gettext_lazy("Invitation only"),
}


@dataclass(frozen=True, slots=True)
class AuthorView:
    label: str  # a display name, "Anonymous member" or "Deleted member"
    pseudonym: str | None  # never for anonymous posts, to anyone
    badge: str | None  # a staff role ("Moderator"), "Peer listener", or the community's "Host": always shown
    badge_key: str = ""  # its anchor on the page that says what each badge means (/badges/)

    @property
    def signature(self) -> str:
        """The label as plain text, with the badge where there is one: "Sam (Moderator)"."""
        if self.badge is None:
            return self.label
        return _("%(name)s (%(role)s)") % {"name": self.label, "role": self.badge}


_COMMUNITY_BADGES: dict[str, Any] = {
    MemberRole.HOST: gettext_lazy("Host"),
    MemberRole.MODERATOR: gettext_lazy("Community moderator"),
}


def badge_of(user: Any, community_role: str | None = None) -> tuple[str | None, str]:
    """(label, key) of the badge a person carries: their staff role, else "Peer listener" (trained
    and approved, see chat.training), else their role in this community (host, moderator)."""
    if user.role in STAFF_ROLES or user.role == Role.LISTENER:
        return str(_ROLE_LABELS[user.role]), str(user.role)
    if community_role in _COMMUNITY_BADGES:
        return str(_COMMUNITY_BADGES[community_role]), f"community-{community_role}"
    return None, ""


def person(user: Any, community_role: str | None = None) -> AuthorView:
    """A named person as others see them (with their role in the community being read, if any)."""
    badge, key = badge_of(user, community_role)
    return AuthorView(account_selectors.user_display_name(user), user.username, badge, key)


def author_of(post: Post) -> AuthorView:
    """An anonymous post carries no badge either: a badge would narrow down who wrote it."""
    if post.is_anonymous:
        return AuthorView(str(ANONYMOUS_LABEL), None, None)
    if post.author is None:
        return AuthorView(str(DELETED_LABEL), None, None)
    return person(post.author, getattr(post, "author_community_role", None))


def author_label(post: Post) -> str:
    """How a post's author is named in plain text (quotes, search, notifications, moderation):
    staff carry their badge in the text, since there is no separate badge beside it."""
    return author_of(post).signature


def warning_labels(codes: list[str]) -> list[str]:
    return [str(_WARNING_LABELS.get(code, code)) for code in codes]


def topic_label(code: str) -> str:
    return str(_TOPIC_LABELS.get(code, code))


def visibility_short(value: str) -> str:
    """The badge on a community. "Open" says who can read it, which follows the operator's setting."""
    if value == Visibility.PUBLIC:
        if settings.OPEN_COMMUNITIES_READABLE_SIGNED_OUT:
            return _("Open to everyone")
        return _("Open to all members")
    return str(_VISIBILITY_SHORT.get(value, ""))  # type: ignore[call-overload]


def visibility_choices() -> list[tuple[str, str]]:
    """What a host chooses from, worded for this site's setting."""
    everyone = settings.OPEN_COMMUNITIES_READABLE_SIGNED_OUT
    return [
        (
            Visibility.PUBLIC,
            _("Open: anyone can read it, even without logging in; members join in one tap")
            if everyone
            else _("Open: anyone with an account can read it and join in one tap"),
        ),
        (Visibility.PRIVATE, str(Visibility.PRIVATE.label)),
        (Visibility.HIDDEN, str(Visibility.HIDDEN.label)),
    ]


def mentions_in(items: list[PostView]) -> set[str]:
    """Every pseudonym the page's posts mention (lower-cased)."""
    return set().union(*(mentioned_pseudonyms(item.body) for item in items if item.body))


def with_mention_links(items: list[PostView], people: Iterable[Any]) -> list[PostView]:
    """The page's posts with each @mention of one of `people` (those the reader may look up:
    selectors.people_seen_by) linked to their page; other mentions stay text."""
    urls = {person.username.lower(): reverse("communities:person", args=[person.username]) for person in people}
    if not urls:
        return items
    return [replace(item, body_html=link_mentions(item.body_html, urls)) if item.body else item for item in items]


def plain_text(body_html: str) -> str:
    """Sanitised post HTML as plain text, for snippets (templates escape it again)."""
    return " ".join(html.unescape(strip_tags(body_html or "")).split())


def excerpt(body_html: str, limit: int = QUOTE_EXCERPT_CHARS) -> str:
    text = plain_text(body_html)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- Posts ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReactionView:
    kind: str
    label: str
    count: int
    mine: bool


@dataclass(frozen=True, slots=True)
class QuoteView:
    post_id: int
    author: str
    excerpt: str

    @property
    def caption(self) -> str:
        return _("%(who)s wrote:") % {"who": self.author}


@dataclass(frozen=True, slots=True)
class PostView:
    """A post as one viewer sees it."""

    post: Post
    author: AuthorView | None  # None when removed
    is_mine: bool
    body: str
    body_html: str
    warnings: list[str]  # content-warning codes
    warning_labels: list[str]
    collapsed: bool
    quote: QuoteView | None
    reactions: list[ReactionView]
    can_react: bool
    can_quote: bool
    can_edit: bool
    can_delete: bool
    can_reveal: bool
    can_see_history: bool
    urls: dict[str, str]  # react, edit, delete, reveal, history, worry, report, block
    can_worry: bool = False  # "I'm worried about this person", "Report", "Block": a visible post by someone else
    can_mark_experience: bool = False  # moderators: "shared experience, not professional advice"
    blocked: bool = False  # written by someone the viewer blocked: shown as hidden, nothing of it

    @property
    def is_removed(self) -> bool:
        return self.post.status == PostStatus.REMOVED

    @property
    def is_held(self) -> bool:
        return self.post.status == PostStatus.HELD

    @property
    def author_display(self) -> str:
        """The author's label as the page shows it: the writer of an anonymous post sees "(you)"."""
        if self.author is None:
            return ""
        if self.is_mine and self.post.is_anonymous:
            return _("%(label)s (you)") % {"label": self.author.label}
        return self.author.label

    # Wording for the page (the API does not need it, so it is made only when a template asks).
    @property
    def created_iso(self) -> str:
        return self.post.created_at.isoformat()

    @property
    def created_ago(self) -> str:
        return str(naturaltime(self.post.created_at))

    @property
    def whose(self) -> str:
        return _("%(who)s's post") % {"who": self.author.label if self.author else ""}

    @property
    def warning_line(self) -> str:
        return _("Content warning: %(labels)s") % {"labels": ", ".join(self.warning_labels)}

    @property
    def warning_summary(self) -> str:
        return _("Content warning: %(labels)s — open to read") % {"labels": ", ".join(self.warning_labels)}


def page_text() -> dict[str, str]:
    """The fixed wording of a thread's posts, translated once per page instead of once per post."""
    return {
        "removed": _("This post was removed."),
        "blocked": _("Hidden: you blocked the person who wrote this."),
        "edited": _("(edited)"),
        "held": _("Awaiting review"),
        "held_hint": _("Only you and the moderators can see this until a moderator has reviewed it."),
        "responses": _("Responses to this post"),
        "quote": _("Quote"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "reveal": _("Reveal author"),
        "history": _("Edit history"),
        "worry": _("I'm worried about this person"),
        "report": _("Report"),
        "block": _("Block"),
        "review": _("Review"),
        "new_since": _("New since your last visit"),
        "badges_url": reverse("communities:badges"),
        "experience": _("A moderator's note: this is one person's own experience, not professional advice."),
        "experience_resource": _("A moderator suggests this resource."),
        "mark_experience": _("Note: not professional advice"),
    }


_POST_URL_NAMES = {
    "react": "communities:react",
    "edit": "communities:post_edit",
    "delete": "communities:post_delete",
    "reveal": "communities:post_reveal",
    "history": "communities:post_history",
    "experience": "communities:post_experience",
}
_PK_PLACEHOLDER = 2_147_483_647


class PostPresenter:
    """Presents many posts of one thread to one viewer. Per-post URLs are reversed once with a
    placeholder id (reversing them for every post was a large part of a thread page's time), and
    everything is decided from data already loaded, so presenting N posts costs no queries."""

    def __init__(self, viewer: CommunityViewer, thread: Thread, *, collapsed: set[str] | None = None) -> None:
        self.viewer = viewer
        self.thread = thread
        self.collapsed = collapsed if collapsed is not None else set(ContentWarning.values)
        self.can_reply = access.check_reply_permission(viewer, thread)
        self._patterns = {key: reverse(name, args=[_PK_PLACEHOLDER]) for key, name in _POST_URL_NAMES.items()}
        self._worry = reverse("safety:worried")
        self._report = reverse("moderation:report")
        self._block = reverse("moderation:block")
        self._reaction_labels = [(kind, str(label)) for kind, label in _REACTION_CHOICES]
        self._authors: dict[int | None, AuthorView] = {}  # the same people write many posts of a page

    def _author(self, post: Post) -> AuthorView:
        if post.is_anonymous or post.author is None:
            return author_of(post)
        author = self._authors.get(post.author_id)
        if author is None:
            author = self._authors[post.author_id] = author_of(post)
        return author

    def _urls(self, pk: int) -> dict[str, str]:
        placeholder, value = str(_PK_PLACEHOLDER), str(pk)
        urls = {key: pattern.replace(placeholder, value) for key, pattern in self._patterns.items()}
        urls["worry"] = f"{self._worry}?post={pk}"
        urls["report"] = f"{self._report}?post={pk}"
        urls["block"] = f"{self._block}?post={pk}"
        return urls

    def _quote(self, post: Post) -> QuoteView | None:
        quoted = post.quoted_post if post.quoted_post_id is not None else None
        if quoted is None or quoted.status != PostStatus.VISIBLE:
            return None  # a quote of something removed or held shows nothing of it
        return QuoteView(quoted.pk, author_label(quoted), excerpt(quoted.body_html))

    def present(self, post: Post) -> PostView:
        """`post` as loaded by selectors.thread_posts/post_annotated (reaction counts annotated)."""
        viewer = self.viewer
        post.thread = self.thread  # permission checks read it: no query per post
        blocked = bool(getattr(post, "blocked_author", False)) and not viewer.wrote(post)
        removed = post.status == PostStatus.REMOVED or blocked  # either way, nothing of it is shown
        visible = post.status == PostStatus.VISIBLE and not blocked
        reactions = (
            []
            if removed
            else [
                ReactionView(
                    kind=kind,
                    label=label,
                    count=int(getattr(post, f"{kind}_count", 0)),
                    mine=bool(getattr(post, f"mine_{kind}", False)),
                )
                for kind, label in self._reaction_labels
            ]
        )
        warnings = [] if removed else list(post.content_warnings)
        return PostView(
            post=post,
            author=None if removed else self._author(post),
            is_mine=viewer.wrote(post),
            body="" if removed else post.body,
            body_html="" if removed else post.body_html,
            warnings=warnings,
            warning_labels=warning_labels(warnings),
            collapsed=any(code in self.collapsed for code in warnings),
            quote=None if removed else self._quote(post),
            reactions=reactions,
            can_react=not blocked and access.check_react_permission(viewer, post),
            can_quote=visible and self.can_reply,
            can_edit=access.check_edit_post_permission(viewer, post),
            can_delete=access.check_delete_post_permission(viewer, post),
            can_reveal=access.check_reveal_anonymous_author_permission(viewer, post),
            can_see_history=post.edited_at is not None and access.check_see_post_history_permission(viewer, post),
            urls=self._urls(post.pk),
            can_worry=visible and viewer.user.is_authenticated and not viewer.wrote(post),
            can_mark_experience=visible and access.check_moderate_community_permission(viewer),
            blocked=blocked,
        )


def revision_editor(post: Post, revision: Any) -> AuthorView:
    """Who made an earlier version: an anonymous author's own edits name nobody, so the history
    never bypasses the audited reveal."""
    if revision.by_author:
        return author_of(post)
    if revision.edited_by is None:
        return AuthorView(str(DELETED_LABEL), None, None)
    return person(revision.edited_by)


# --- Threads and communities -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThreadView:
    thread: Thread
    title: str
    author: AuthorView
    warnings: list[str]
    warning_labels: list[str]
    url: str


def thread_url(thread: Thread, community: Community | None = None) -> str:
    slug = (community or thread.community).slug
    return reverse("communities:thread", args=[slug, thread.pk])


def present_thread(thread: Thread, opening: Post | None, community: Community | None = None) -> ThreadView:
    """A thread in a list or at the top of its page (lists only ever hold threads one may see)."""
    warnings = list(opening.content_warnings) if opening is not None else []
    return ThreadView(
        thread=thread,
        title=thread.title,
        author=author_of(opening) if opening is not None else AuthorView(str(DELETED_LABEL), None, None),
        warnings=warnings,
        warning_labels=warning_labels(warnings),
        url=thread_url(thread, community),
    )


def listed_thread(thread: Thread, community: Community | None = None) -> ThreadView:
    """A thread from a list selector, which prefetches its opening post as `opening_posts`."""
    openings = getattr(thread, "opening_posts", None) or []
    return present_thread(thread, openings[0] if openings else None, community)


@dataclass(frozen=True, slots=True)
class FollowView:
    """What the viewer hears about a thread, and what they may change."""

    following: bool
    muted: bool
    can_follow: bool
    can_mute: bool  # also: stop following, unmute

    @property
    def sentence(self) -> str:
        if self.muted:
            return _("You've muted this thread: you won't hear about anything here, not even mentions.")
        if self.following:
            return _("You're following this thread: we'll let you know about new replies.")
        if self.can_follow:
            return _("Follow this thread to hear about new replies.")
        return ""


def present_follow(viewer: CommunityViewer, thread: Thread, state: ThreadState | None) -> FollowView:
    return FollowView(
        following=state is not None and state.following,
        muted=state is not None and state.muted,
        can_follow=access.check_follow_thread_permission(viewer, thread),
        can_mute=access.check_mute_thread_permission(viewer, thread),
    )
