"""Community pages: the directory, a community, its threads and posts, moderation, search.

Thin: parse input with a form, reach objects only through `access`, read with `selectors`,
write with `services`, render. A service saying no (`Forbidden`) becomes a kind 403 page; a
`ValidationError` goes back into the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.communities import access, selectors, services
from alongside.communities.access import CommunityViewer
from alongside.communities.forms import (
    BanForm,
    CommunityEditForm,
    InviteForm,
    MembershipDecisionForm,
    PostDeleteForm,
    PostEditForm,
    ReactionForm,
    ReadingPreferenceForm,
    ReplyForm,
    RevealForm,
    ReviewForm,
    RoleForm,
    SearchForm,
    ThreadFlagForm,
    ThreadForm,
)
from alongside.communities.models import (
    ContentWarning,
    MemberRole,
    MembershipStatus,
    Post,
    PostStatus,
    ReactionKind,
    Thread,
    Visibility,
)

HELD_MESSAGE = gettext_lazy("Thanks — your post is awaiting review by a moderator before others can see it.")
WAITING_PER_PAGE = 20


# --- Small helpers ----------------------------------------------------------------------------


def _me(request: HttpRequest) -> User:
    """The signed-in person (views that call this are behind login_required)."""
    return cast(User, request.user)


def _forbidden(request: HttpRequest, *, reason: str = "", back_url: str = "") -> HttpResponse:
    return render(request, "communities/forbidden.html", {"reason": reason, "back_url": back_url}, status=403)


def _add_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the matching visible field, or on the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        visible = name in form.fields and not form.fields[name].widget.is_hidden
        form.add_error(name if visible else None, errors)


def _thread_url(thread: Thread) -> str:
    return reverse("communities:thread", args=[thread.community.slug, thread.pk])


def _post_location(viewer: CommunityViewer, post: Post) -> str:
    """The thread page the post is on, with its anchor."""
    number = selectors.post_page_number(viewer=viewer, post=post)
    query = f"?page={number}" if number > 1 else ""
    return f"{_thread_url(post.thread)}{query}#post-{post.pk}"


def _warning_labels(codes: list[str]) -> list[str]:
    labels = dict(ContentWarning.choices)
    return [str(labels.get(code, code)) for code in codes]


@dataclass(frozen=True)
class Reaction:
    kind: str
    label: str
    count: int
    mine: bool


@dataclass(frozen=True)
class PostItem:
    """A post as the thread page shows it: what this viewer may do with it is decided here, once,
    from data already loaded, so the page's query count does not grow with its posts."""

    post: Post
    author: str
    warnings: list[str]
    collapsed: bool
    reactions: list[Reaction]
    can_react: bool
    can_quote: bool
    can_edit: bool
    can_delete: bool
    can_reveal: bool
    can_see_history: bool
    urls: dict[str, str]  # react, edit, delete, reveal, history: built without a reverse() per post

    @property
    def is_removed(self) -> bool:
        return self.post.status == PostStatus.REMOVED

    @property
    def is_held(self) -> bool:
        return self.post.status == PostStatus.HELD


@dataclass(frozen=True)
class SearchResult:
    """A search hit; its snippet stays folded when the reader collapses one of its warnings."""

    post: Post
    warnings: list[str]
    collapsed: bool


_POST_URL_NAMES = {
    "react": "communities:react",
    "edit": "communities:post_edit",
    "delete": "communities:post_delete",
    "reveal": "communities:post_reveal",
    "history": "communities:post_history",
}
_PK_PLACEHOLDER = 2_147_483_647


def _post_url_patterns() -> dict[str, str]:
    """Each per-post URL reversed once, with a placeholder for the post's id: a 50-post page would
    otherwise reverse URLs hundreds of times, a large part of its rendering time."""
    return {key: reverse(name, args=[_PK_PLACEHOLDER]) for key, name in _POST_URL_NAMES.items()}


def _post_item(
    viewer: CommunityViewer,
    thread: Thread,
    post: Post,
    collapsed: set[str],
    can_reply: bool,
    url_patterns: dict[str, str] | None = None,
) -> PostItem:
    visible = post.status == PostStatus.VISIBLE
    patterns = url_patterns or _post_url_patterns()
    placeholder = str(_PK_PLACEHOLDER)
    reactions = [
        Reaction(
            kind=kind,
            label=str(label),
            count=int(getattr(post, f"{kind}_count", 0)),
            mine=bool(getattr(post, f"mine_{kind}", False)),
        )
        for kind, label in ReactionKind.choices
    ]
    author = services.author_label(post)
    if post.is_anonymous and viewer.signed_in and post.author_id == viewer.user.pk:
        author = _("%(label)s (you)") % {"label": author}  # so the author knows it worked
    return PostItem(
        post=post,
        author=author,
        warnings=_warning_labels(post.content_warnings),
        collapsed=any(code in collapsed for code in post.content_warnings),
        reactions=reactions,
        can_react=access.check_react_permission(viewer, post),
        can_quote=visible and can_reply,
        can_edit=access.check_edit_post_permission(viewer, post),
        can_delete=access.check_delete_post_permission(viewer, post),
        can_reveal=post.is_anonymous
        and post.status != PostStatus.REMOVED
        and access.check_reveal_anonymous_author_permission(viewer),
        can_see_history=post.edited_at is not None and access.check_moderate_community_permission(viewer),
        urls={key: pattern.replace(placeholder, str(post.pk)) for key, pattern in patterns.items()},
    )


def _membership_context(viewer: CommunityViewer) -> dict[str, Any]:
    status = viewer.status
    return {
        "viewer": viewer,
        "community": viewer.community,
        "is_pending": status == MembershipStatus.PENDING,
        "is_invited": status == MembershipStatus.INVITED,
        "is_banned": status == MembershipStatus.BANNED,
        "can_moderate": access.check_moderate_community_permission(viewer),
        "can_edit_community": access.check_edit_community_permission(viewer),
    }


# --- Directory and community ------------------------------------------------------------------


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    communities = selectors.community_directory(user=request.user)
    return render(request, "communities/directory.html", {"communities": communities})


@require_GET
def community(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_community(request.user, slug)
    context = _membership_context(viewer)
    if viewer.can_read:
        context["waiting"] = selectors.waiting_threads(user=request.user, community=viewer.community, limit=5)
        context["threads"] = selectors.community_threads(viewer=viewer, page=request.GET.get("page", 1))
    return render(request, "communities/community.html", context)


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_community(request.user, slug)
    community = viewer.community
    try:
        membership = services.community_join(actor=_me(request), community=community)
    except services.Forbidden:
        return _forbidden(
            request,
            reason=_("You can't join this community right now."),
            back_url=reverse("communities:community", args=[community.slug]),
        )
    if membership.status == MembershipStatus.PENDING:
        messages.success(request, _("Thanks for asking to join. A moderator will look at your request soon."))
    else:
        messages.success(request, _("Welcome to %(name)s. We're glad you're here.") % {"name": community.name})
    return redirect("communities:community", slug=community.slug)


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_community(request.user, slug)
    try:
        services.community_leave(actor=_me(request), community=viewer.community)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("You have left %(name)s. You're welcome back any time.") % {"name": viewer.community.name}
        )
    if viewer.community.visibility == Visibility.HIDDEN:
        return redirect("communities:directory")  # a hidden community is no longer there for them
    return redirect("communities:community", slug=viewer.community.slug)


@login_required
@require_http_methods(["GET", "POST"])
def community_edit(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_community(request.user, slug)
    community = viewer.community
    back_url = reverse("communities:community", args=[community.slug])
    if not access.check_edit_community_permission(viewer):
        return _forbidden(request, reason=_("Only the community's hosts can change its details."), back_url=back_url)
    initial = {
        "name": community.name,
        "description": community.description,
        "rules": "\n".join(community.rules),
        "visibility": community.visibility,
    }
    form = CommunityEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in ("name", "description", "rules", "visibility")}
        try:
            services.community_update(actor=_me(request), community=community, values=values)
        except services.Forbidden:
            return _forbidden(request, back_url=back_url)
        except ValidationError as error:
            _add_errors(form, error)
            community.refresh_from_db()  # the page header shows the saved name, not the rejected one
        else:
            messages.success(request, _("The community's details are saved."))
            return redirect(back_url)
    return render(request, "communities/community_edit.html", {**_membership_context(viewer), "form": form})


# --- Threads ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def thread_new(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_community(request.user, slug)
    community = viewer.community
    if not viewer.can_post:
        return _forbidden(
            request,
            reason=_("Join this community first, then you can start a thread."),
            back_url=reverse("communities:community", args=[community.slug]),
        )
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_create(
                actor=_me(request),
                community=community,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                is_anonymous=form.cleaned_data["is_anonymous"],
                content_warnings=form.cleaned_data["content_warnings"],
            )
        except services.Forbidden:
            return _forbidden(request, back_url=reverse("communities:community", args=[community.slug]))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if thread.status == PostStatus.HELD:
                messages.info(request, HELD_MESSAGE)
            else:
                messages.success(request, _("Your thread is posted. Thank you for sharing."))
            return redirect("communities:thread", slug=community.slug, thread_id=thread.pk)
    first_post = not selectors.has_posted_in(user=request.user, community=community)
    context = {**_membership_context(viewer), "form": form, "first_post": first_post}
    return render(request, "communities/thread_new.html", context)


@login_required
@require_GET
def thread(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    viewer, thread = access.access_thread(request.user, thread_id)
    if thread.community.slug != slug:
        return redirect(_thread_url(thread))
    page = selectors.thread_posts(viewer=viewer, thread=thread, page=request.GET.get("page", 1))
    collapsed = selectors.collapsed_warnings_for(user=request.user)
    can_reply = access.check_reply_permission(viewer, thread)
    patterns = _post_url_patterns()
    items = [_post_item(viewer, thread, post, collapsed, can_reply, patterns) for post in page.object_list]
    context = {
        **_membership_context(viewer),
        "thread": thread,
        "page": page,
        "items": items,
        "has_warnings": any(item.warnings for item in items),
        "can_reply": can_reply,
        "reply_form": ReplyForm() if can_reply else None,
        "reply_url": reverse("communities:reply", args=[thread.community.slug, thread.pk]),
    }
    return render(request, "communities/thread.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    viewer, thread = access.access_thread(request.user, thread_id)
    thread_url = _thread_url(thread)
    if not access.check_reply_permission(viewer, thread):
        return _forbidden(request, reason=_("Replies are closed for you in this thread."), back_url=thread_url)
    form = ReplyForm(request.POST or None, initial={"quote": request.GET.get("quote")})
    quote_id = request.POST.get("quote") or request.GET.get("quote")
    quote: Post | None = None
    if quote_id and str(quote_id).isdigit():
        _viewer, quote = access.access_post(request.user, int(quote_id))
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_reply(
                actor=_me(request),
                thread=thread,
                body=form.cleaned_data["body"],
                is_anonymous=form.cleaned_data["is_anonymous"],
                content_warnings=form.cleaned_data["content_warnings"],
                quote=quote,
            )
        except services.Forbidden:
            return _forbidden(request, back_url=thread_url)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if post.status == PostStatus.HELD:
                messages.info(request, HELD_MESSAGE)
            else:
                messages.success(request, _("Your reply is posted."))
            return redirect(_post_location(viewer, post))
    context = {
        **_membership_context(viewer),
        "thread": thread,
        "form": form,
        "quote": quote,
        "quote_author": services.author_label(quote) if quote else "",
    }
    return render(request, "communities/reply.html", context)


def _thread_flag(request: HttpRequest, thread_id: int, *, field: str) -> HttpResponse:
    _viewer, thread = access.access_thread(request.user, thread_id)
    form = ThreadFlagForm(request.POST)
    value = bool(form.is_valid() and form.cleaned_data["value"])
    try:
        if field == "lock":
            services.thread_lock(actor=_me(request), thread=thread, locked=value)
            text = (
                _("The thread is locked. Only moderators can reply now.")
                if value
                else _("The thread is open for replies again.")
            )
        else:
            services.thread_pin(actor=_me(request), thread=thread, pinned=value)
            text = _("The thread is pinned to the top.") if value else _("The thread is no longer pinned.")
    except services.Forbidden:
        return _forbidden(request, reason=_("Only moderators can do this."), back_url=_thread_url(thread))
    messages.success(request, text)
    return redirect(_thread_url(thread))


@login_required
@require_POST
def thread_lock(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _thread_flag(request, thread_id, field="lock")


@login_required
@require_POST
def thread_pin(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _thread_flag(request, thread_id, field="pin")


# --- Posts ------------------------------------------------------------------------------------


@login_required
@require_GET
def post(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer, post = access.access_post(request.user, post_id)
    return redirect(_post_location(viewer, post))


@login_required
@require_POST
def react(request: HttpRequest, post_id: int) -> HttpResponse:
    """A plain form post that comes back to the post; with htmx, only the reaction bar is swapped."""
    viewer, post = access.access_post(request.user, post_id)
    form = ReactionForm(request.POST)
    if form.is_valid():
        try:
            services.reaction_toggle(actor=_me(request), post=post, kind=form.cleaned_data["kind"])
        except services.Forbidden:
            return _forbidden(
                request, reason=_("Join this community to respond to posts."), back_url=_thread_url(post.thread)
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    return redirect(_post_location(viewer, post))


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer, post = access.access_post(request.user, post_id)
    thread = post.thread
    if not access.check_edit_post_permission(viewer, post):
        return _forbidden(request, reason=_("This post can't be edited now."), back_url=_thread_url(thread))
    initial = {"title": thread.title, "body": post.body, "content_warnings": post.content_warnings}
    form = PostEditForm(request.POST or None, initial=initial, with_title=post.is_opening)
    if request.method == "POST" and form.is_valid():
        try:
            edited = services.post_edit(
                actor=_me(request),
                post=post,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title"),
                content_warnings=form.cleaned_data["content_warnings"],
            )
        except services.Forbidden:
            return _forbidden(request, back_url=_thread_url(thread))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if edited.status == PostStatus.HELD:
                messages.info(request, HELD_MESSAGE)
            else:
                messages.success(request, _("Your changes are saved."))
            return redirect(_post_location(viewer, edited))
    context = {**_membership_context(viewer), "thread": thread, "post": post, "form": form}
    return render(request, "communities/post_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer, post = access.access_post(request.user, post_id)
    thread = post.thread
    if not access.check_delete_post_permission(viewer, post):
        return _forbidden(request, reason=_("This post can't be removed by you."), back_url=_thread_url(thread))
    by_someone_else = post.author_id != request.user.pk
    form = PostDeleteForm(request.POST or None, with_reason=by_someone_else)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_delete(actor=_me(request), post=post, reason=form.cleaned_data.get("reason", ""))
        except services.Forbidden:
            return _forbidden(request, back_url=_thread_url(thread))
        if post.is_opening:
            messages.success(request, _("The thread was removed."))
            return redirect("communities:community", slug=thread.community.slug)
        messages.success(request, _("The post was removed."))
        return redirect(_thread_url(thread))
    context = {
        **_membership_context(viewer),
        "thread": thread,
        "post": post,
        "form": form,
        "by_someone_else": by_someone_else,
    }
    return render(request, "communities/post_delete.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_reveal(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer, post = access.access_post(request.user, post_id)
    thread = post.thread
    if not post.is_anonymous or not access.check_reveal_anonymous_author_permission(viewer):
        return _forbidden(request, reason=_("Only moderators can do this."), back_url=_thread_url(thread))
    form = RevealForm(request.POST or None)
    context: dict[str, Any] = {**_membership_context(viewer), "thread": thread, "post": post, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            author = services.anonymous_author_reveal(actor=_me(request), post=post, reason=form.cleaned_data["reason"])
        except services.Forbidden:
            return _forbidden(request, back_url=_thread_url(thread))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            # Shown once, not redirected to: every look is a new audit entry.
            return render(request, "communities/post_revealed.html", {**context, "author": author})
    return render(request, "communities/post_reveal.html", context)


@login_required
@require_GET
def post_history(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer, post = access.access_post(request.user, post_id)
    if not access.check_moderate_community_permission(viewer):
        return _forbidden(request, reason=_("Edit history is for moderators."), back_url=_post_location(viewer, post))
    context = {
        **_membership_context(viewer),
        "thread": post.thread,
        "post": post,
        "revisions": selectors.post_revisions(viewer=viewer, post=post),
    }
    return render(request, "communities/post_history.html", context)


# --- Moderation -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = access.access_community(request.user, slug)
    community = viewer.community
    here = reverse("communities:moderate", args=[community.slug])
    if not access.check_moderate_community_permission(viewer):
        return _forbidden(
            request,
            reason=_("This page is for the community's moderators."),
            back_url=reverse("communities:community", args=[community.slug]),
        )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    invite_form = InviteForm(request.POST if action == "invite" else None)
    ban_form = BanForm(request.POST if action == "ban" else None)
    role_form = RoleForm(request.POST if action == "role" else None)
    pending = list(selectors.pending_memberships(viewer=viewer))
    try:
        if action == "review":
            review = ReviewForm(request.POST)
            if review.is_valid():
                _viewer, held = access.access_post(request.user, review.cleaned_data["post"])
                approve = review.cleaned_data["approve"]
                services.post_review(
                    actor=_me(request), post=held, approve=approve, reason=review.cleaned_data["reason"]
                )
                messages.success(request, _("The post is now visible.") if approve else _("The post was removed."))
            return redirect(here)
        if action == "decide":
            decision = MembershipDecisionForm(request.POST)
            if decision.is_valid():
                chosen = next((m for m in pending if m.pk == decision.cleaned_data["membership"]), None)
                if chosen is not None:
                    approve = decision.cleaned_data["approve"]
                    services.membership_decide(actor=_me(request), membership=chosen, approve=approve)
                    messages.success(
                        request, _("They are now a member.") if approve else _("The request was declined.")
                    )
            return redirect(here)
        if action == "invite" and invite_form.is_valid():
            invitee = invite_form.cleaned_data["pseudonym"]
            services.community_invite(actor=_me(request), community=community, invitee=invitee)
            messages.success(request, _("%(name)s is invited.") % {"name": invitee.username})
            return redirect(here)
        if action == "ban" and ban_form.is_valid():
            banned = ban_form.cleaned_data["pseudonym"]
            services.membership_ban(
                actor=_me(request), community=community, user=banned, reason=ban_form.cleaned_data["reason"]
            )
            messages.success(request, _("%(name)s can no longer take part here.") % {"name": banned.username})
            return redirect(here)
        if action == "role" and role_form.is_valid():
            person, role = role_form.cleaned_data["pseudonym"], role_form.cleaned_data["role"]
            services.member_role_set(actor=_me(request), community=community, user=person, role=role)
            label = dict(MemberRole.choices)[role]
            messages.success(request, _("%(name)s is now: %(role)s.") % {"name": person.username, "role": label})
            return redirect(here)
    except services.Forbidden:
        return _forbidden(request, reason=_("Only the community's hosts can do this."), back_url=here)
    except ValidationError as error:
        if action in ("review", "decide"):
            for message in error.messages:
                messages.error(request, message)
            return redirect(here)
        _add_errors({"invite": invite_form, "ban": ban_form, "role": role_form}.get(action, ban_form), error)
    context = {
        **_membership_context(viewer),
        "held": selectors.held_posts(viewer=viewer),
        "pending": pending,
        "invite_form": invite_form,
        "ban_form": ban_form,
        "role_form": role_form,
    }
    return render(request, "communities/moderate.html", context)


# --- Across communities -----------------------------------------------------------------------


@login_required
@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    page = selectors.feed_threads(user=request.user, page=request.GET.get("page", 1))
    return render(request, "communities/feed.html", {"page": page})


@login_required
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    threads = selectors.waiting_threads(user=request.user)
    page = Paginator(threads, WAITING_PER_PAGE).get_page(request.GET.get("page", 1))
    return render(request, "communities/waiting.html", {"page": page})


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    posts = selectors.post_search(user=request.user, query=query) if query else []
    collapsed = selectors.collapsed_warnings_for(user=request.user) if posts else set()
    results = [
        SearchResult(
            post=post,
            warnings=_warning_labels(post.content_warnings),
            collapsed=any(code in collapsed for code in post.content_warnings),
        )
        for post in posts
    ]
    return render(request, "communities/search.html", {"form": form, "query": query, "results": results})


@login_required
@require_http_methods(["GET", "POST"])
def reading_preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.collapsed_warnings_for(user=request.user)
    initial = {"collapsed_warnings": [code for code in ContentWarning.values if code in current]}
    form = ReadingPreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.reading_preference_update(
                actor=_me(request), collapsed_warnings=form.cleaned_data["collapsed_warnings"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your reading preferences are saved."))
            return redirect("communities:reading_preferences")
    return render(request, "communities/reading_preferences.html", {"form": form})
