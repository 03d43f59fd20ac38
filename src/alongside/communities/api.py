"""JSON API for communities and notifications: the same rules as the HTML product, through the same
access functions, selectors and services.

Errors: a community, thread or post the caller may not see is 404 `{"detail": "Not found."}`,
exactly like a missing one; an action the caller may not take on something they can see is 403;
input the services reject is 422. Every endpoint needs a sign-in (bearer token, or session plus
CSRF token for writes) except the community directory, which also answers signed-out visitors.
Anonymous posts never carry their author: moderators ask for it through the audited reveal endpoint.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, cast

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.params import P, QueryEx
from pydantic import AfterValidator

from alongside.accounts.models import User
from alongside.communities import access, selectors, services
from alongside.communities.access import CommunityViewer, NotFound
from alongside.communities.forms import BanForm, InviteForm, RoleForm, SearchForm
from alongside.communities.models import (
    Community,
    ContentWarning,
    Membership,
    Post,
    PostStatus,
    ReactionKind,
    Thread,
    Visibility,
)
from alongside.core.api_support import AUTH
from alongside.notifications import selectors as notification_selectors
from alongside.notifications import services as notification_services
from alongside.notifications.models import Notification

router = Router()

TAGS = ["communities"]
NOTIFICATION_TAGS = ["notifications"]
NOTIFICATIONS_PER_PAGE = 30
MAX_ID = 2**63 - 1  # larger ids cannot exist; keep them away from the database
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def _signed_out_visitor(request: HttpRequest) -> bool:
    """Lets a request without credentials through as a signed-out visitor. A request that sends an
    Authorization header but a wrong token is still refused (401), so a broken client notices."""
    return "Authorization" not in request.headers


# Token, then session, then signed out: for the few reads that signed-out visitors may make.
OPTIONAL_AUTH = [*AUTH, _signed_out_visitor]


# --- Schemas ------------------------------------------------------------------------------


def _storable_text(value: str) -> str:
    # JSON can carry what no database column takes (NUL, lone surrogates): refuse it as bad input.
    if "\x00" in value:
        raise ValueError("Text cannot contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode.") from None
    return value


Text = Annotated[str, AfterValidator(_storable_text)]
Tag = Annotated[str, AfterValidator(_storable_text), Field(max_length=200)]
PageNumber = QueryEx[int, P(ge=1, description="Page number, from 1. Past the last page, the last page.")]


class Detail(Schema):
    detail: str


class ValidationDetail(Schema):
    detail: list[dict[str, Any]] = Field(..., description="One entry per problem: `loc`, `msg` and `type`.")


ERRORS = frozenset({400, 401, 403, 404})
READ_ERRORS = frozenset({401, 404})


def responses(ok: dict[int, Any], *, errors: frozenset[int] = ERRORS, invalid: bool = True) -> dict[Any, Any]:
    """The response map of an endpoint: its success shapes plus the JSON error shapes it can give."""
    result: dict[Any, Any] = {**ok, errors: Detail}
    if invalid:
        result[422] = ValidationDetail
    return result


class CommunityRef(Schema):
    slug: str
    name: str


class MembershipOut(Schema):
    status: str = Field(..., description="active, pending (asked to join), invited or banned.")
    role: str = Field(..., description="member, moderator or host.")


class CommunitySummary(Schema):
    slug: str
    name: str
    description: str
    topics: list[str]
    visibility: str
    member_count: int
    my_status: str | None = Field(..., description="The caller's membership status, or null.")


class CommunityOut(Schema):
    slug: str
    name: str
    description: str
    rules: list[str]
    topics: list[str]
    visibility: str
    created_at: datetime
    member_count: int
    membership: MembershipOut | None
    can_read: bool
    can_post: bool
    can_join: bool = Field(..., description="Join (public), ask to join (private) or accept an invitation (hidden).")
    can_moderate: bool
    can_edit: bool


class CommunityIn(Schema):
    name: Text = Field(..., max_length=80)
    slug: Text = Field("", max_length=80, description="The address; made from the name when left out.")
    description: Text = Field("", max_length=2000)
    rules: list[Tag] = Field(default_factory=list, max_length=50)
    topics: list[Tag] = Field(default_factory=list, max_length=50)
    visibility: Visibility = Visibility.PUBLIC


class CommunityPatch(Schema):
    name: Text | None = Field(None, max_length=80)
    description: Text | None = Field(None, max_length=2000)
    rules: list[Tag] | None = Field(None, max_length=50)
    topics: list[Tag] | None = Field(None, max_length=50)
    visibility: Visibility | None = None


class MemberOut(Schema):
    user_id: int
    pseudonym: str
    status: str
    role: str


class JoinRequestOut(Schema):
    user_id: int
    pseudonym: str
    requested_at: datetime


class DecisionIn(Schema):
    approve: bool


class DecisionOut(Schema):
    user_id: int
    status: str | None = Field(..., description="`active` when approved, null when the request was denied.")


class InviteIn(Schema):
    pseudonym: Text = Field(..., min_length=1, max_length=31)


class RoleIn(Schema):
    pseudonym: Text = Field(..., min_length=1, max_length=31)
    role: Text = Field(..., max_length=20, description="member, moderator or host")


class BanIn(Schema):
    pseudonym: Text = Field(..., min_length=1, max_length=31)
    reason: Text = Field(..., max_length=500, description="For the moderation log.")


class AuthorOut(Schema):
    label: str = Field(..., description="What to show: a display name, 'Anonymous member' or 'Deleted member'.")
    pseudonym: str | None = Field(..., description="Null for anonymous posts (to everyone) and deleted accounts.")


class ReactionCounts(Schema):
    relate: int
    support: int
    helped: int


class PostOut(Schema):
    id: int
    thread_id: int
    is_opening: bool
    author: AuthorOut
    body: str = Field(..., description="Markdown source; empty when the post was removed.")
    body_html: str = Field(..., description="Sanitised HTML rendering of the body; empty when removed.")
    content_warnings: list[str]
    status: str = Field(
        ..., description="visible, held (awaiting review: only its author and moderators see it) or removed."
    )
    quoted_post_id: int | None
    created_at: datetime
    edited_at: datetime | None
    reactions: ReactionCounts
    my_reactions: list[str]
    is_mine: bool = Field(..., description="Whether you wrote it (also for your own anonymous posts).")
    can_react: bool
    can_edit: bool
    can_delete: bool
    can_reveal: bool = Field(..., description="Whether you may ask who wrote this anonymous post.")


class ThreadSummary(Schema):
    id: int
    community: CommunityRef
    title: str
    status: str
    author: AuthorOut
    content_warnings: list[str]
    is_locked: bool
    is_pinned: bool
    reply_count: int
    created_at: datetime
    last_activity_at: datetime


class ThreadOut(ThreadSummary):
    opening_post: PostOut | None
    can_reply: bool
    can_moderate: bool


class PageMeta(Schema):
    page: int
    pages: int
    count: int


class ThreadPage(PageMeta):
    items: list[ThreadSummary]


class PostPage(PageMeta):
    items: list[PostOut]


class ThreadIn(Schema):
    # Lengths are checked by the service too, with kinder messages; these bounds stop giant bodies early.
    title: Text = Field(..., max_length=1000)
    body: Text = Field(..., max_length=100_000)
    is_anonymous: bool = False
    content_warnings: list[ContentWarning] = Field(default_factory=list, max_length=20)


class ReplyIn(Schema):
    body: Text = Field(..., max_length=100_000)
    is_anonymous: bool = False
    content_warnings: list[ContentWarning] = Field(default_factory=list, max_length=20)
    quote_post_id: int | None = Field(None, ge=1, le=MAX_ID, description="A visible post in this thread to quote.")


class PostPatch(Schema):
    body: Text | None = Field(None, max_length=100_000)
    title: Text | None = Field(None, max_length=1000, description="Only for the opening post; ignored otherwise.")
    content_warnings: list[ContentWarning] | None = Field(None, max_length=20)


class LockIn(Schema):
    locked: bool


class PinIn(Schema):
    pinned: bool


class ReactionIn(Schema):
    kind: ReactionKind


class ReactionOut(Schema):
    on: bool = Field(..., description="Whether the caller's reaction of this kind is now on.")
    counts: ReactionCounts


class RevealIn(Schema):
    reason: Text = Field(..., max_length=500, description="Kept in the audit log, with your name.")


class RevealOut(Schema):
    pseudonym: str | None = Field(..., description="Null if the author has deleted their account.")


class ReviewIn(Schema):
    approve: bool
    reason: Text = Field("", max_length=500)


class RevisionOut(Schema):
    body: str
    title: str
    edited_by: AuthorOut
    created_at: datetime


class SearchHit(Schema):
    post_id: int
    thread_id: int
    thread_title: str
    community: CommunityRef
    author: AuthorOut
    body: str
    body_html: str
    content_warnings: list[str]
    created_at: datetime


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str = Field(..., description="Path of the web page it is about.")
    actor_label: str
    created_at: datetime
    read: bool


class NotificationPage(PageMeta):
    items: list[NotificationOut]


class UnreadCountOut(Schema):
    count: int


class MarkReadIn(Schema):
    ids: list[int] | None = Field(..., max_length=1000, description="Notification ids, or null for all of them.")


class MarkReadOut(Schema):
    marked: int


class ReadingPreferenceIO(Schema):
    collapsed_warnings: list[ContentWarning] = Field(
        ..., max_length=20, description="Posts with these warnings stay folded until the reader opens them."
    )


# --- Building responses -------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _page_meta(page: Page[Any]) -> dict[str, int]:
    return {"page": page.number, "pages": page.paginator.num_pages, "count": page.paginator.count}


def _author(post: Post) -> AuthorOut:
    """Never the pseudonym of an anonymous author, to anyone."""
    pseudonym = None if post.is_anonymous or post.author is None else post.author.username
    return AuthorOut(label=services.author_label(post), pseudonym=pseudonym)


def _counts(values: dict[str, int]) -> ReactionCounts:
    return ReactionCounts(**{kind: values.get(kind, 0) for kind in ReactionKind.values})


def _post_out(viewer: CommunityViewer, post: Post, counts: dict[str, int], mine: list[str]) -> PostOut:
    removed = post.status == PostStatus.REMOVED
    return PostOut(
        id=post.pk,
        thread_id=post.thread_id,
        is_opening=post.is_opening,
        author=_author(post),
        body="" if removed else post.body,
        body_html="" if removed else post.body_html,
        content_warnings=[] if removed else list(post.content_warnings),
        status=post.status,
        quoted_post_id=post.quoted_post_id,
        created_at=post.created_at,
        edited_at=post.edited_at,
        reactions=_counts(counts),
        my_reactions=mine,
        is_mine=viewer.signed_in and post.author_id is not None and post.author_id == viewer.user.pk,
        can_react=access.check_react_permission(viewer, post),
        can_edit=access.check_edit_post_permission(viewer, post),
        can_delete=access.check_delete_post_permission(viewer, post),
        can_reveal=post.is_anonymous and not removed and access.check_reveal_anonymous_author_permission(viewer),
    )


def _annotated_post_out(viewer: CommunityViewer, post: Post) -> PostOut:
    """A post from selectors.thread_posts, which annotates reaction counts and the viewer's own."""
    counts = {kind: getattr(post, f"{kind}_count", 0) for kind in ReactionKind.values}
    mine = [kind for kind in ReactionKind.values if getattr(post, f"mine_{kind}", False)]
    return _post_out(viewer, post, counts, mine)


def _single_post_out(viewer: CommunityViewer, post: Post) -> PostOut:
    return _annotated_post_out(viewer, selectors.post_annotated(viewer=viewer, post=post))


def _thread_fields(thread: Thread, opening: Post | None) -> dict[str, Any]:
    removed = thread.status == PostStatus.REMOVED
    return {
        "id": thread.pk,
        "community": CommunityRef(slug=thread.community.slug, name=thread.community.name),
        # Removed content is never served again, titles included.
        "title": "" if removed else thread.title,
        "status": thread.status,
        "author": _author(opening) if opening is not None else AuthorOut(label=_("Deleted member"), pseudonym=None),
        "content_warnings": [] if removed or opening is None else list(opening.content_warnings),
        "is_locked": thread.is_locked,
        "is_pinned": thread.is_pinned,
        "reply_count": thread.reply_count,
        "created_at": thread.created_at,
        "last_activity_at": thread.last_activity_at,
    }


def _thread_summary(thread: Thread) -> ThreadSummary:
    """A thread from a list selector, which prefetches its opening post as `opening_posts`."""
    openings = getattr(thread, "opening_posts", [])
    return ThreadSummary(**_thread_fields(thread, openings[0] if openings else None))


def _thread_page(page: Page[Thread], community: Community | None = None) -> ThreadPage:
    threads = list(page.object_list)
    if community is not None:
        for thread in threads:
            thread.community = community  # the list selector did not join it: avoid one query per thread
    return ThreadPage(items=[_thread_summary(t) for t in threads], **_page_meta(page))


def _thread_out(viewer: CommunityViewer, thread: Thread) -> ThreadOut:
    """The thread with its opening post as this viewer sees it (posts come opening post first)."""
    posts = list(selectors.thread_posts(viewer=viewer, thread=thread, page=1).object_list[:1])
    opening = posts[0] if posts and posts[0].is_opening else None
    if opening is not None:
        opening.thread = thread
    return ThreadOut(
        **_thread_fields(thread, opening),
        opening_post=_annotated_post_out(viewer, opening) if opening is not None else None,
        can_reply=access.check_reply_permission(viewer, thread),
        can_moderate=access.check_moderate_community_permission(viewer),
    )


def _community_out(viewer: CommunityViewer) -> CommunityOut:
    community = viewer.community
    listed = selectors.community_directory(user=viewer.user).filter(pk=community.pk).first()
    membership = viewer.membership
    return CommunityOut(
        slug=community.slug,
        name=community.name,
        description=community.description,
        rules=list(community.rules),
        topics=list(community.topics),
        visibility=community.visibility,
        created_at=community.created_at,
        member_count=getattr(listed, "member_count", 0),
        membership=MembershipOut(status=membership.status, role=membership.role) if membership else None,
        can_read=viewer.can_read,
        can_post=viewer.can_post,
        can_join=viewer.can_join,
        can_moderate=access.check_moderate_community_permission(viewer),
        can_edit=access.check_edit_community_permission(viewer),
    )


def _member_out(membership: Membership) -> MemberOut:
    return MemberOut(
        user_id=membership.user_id,
        pseudonym=membership.user.username,
        status=membership.status,
        role=membership.role,
    )


def _community(user: Any, slug: str) -> CommunityViewer:
    """access.access_community, for any text in the address: what cannot be a slug (say, a NUL
    character, which PostgreSQL refuses outright) is simply not found."""
    if not SLUG.fullmatch(slug):
        raise NotFound
    return access.access_community(user, slug)


def _readable_community(user: User, slug: str) -> CommunityViewer:
    """A community whose threads the caller may read; otherwise, as for a missing one, 404."""
    viewer = _community(user, slug)
    if not viewer.can_read:
        raise NotFound
    return viewer


def _require_moderator(viewer: CommunityViewer) -> None:
    if not access.check_moderate_community_permission(viewer):
        raise services.Forbidden


def _form_errors(form: Any) -> ValidationError:
    return ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})


# --- Communities and membership -----------------------------------------------------------


@router.get(
    "/communities",
    response=responses({200: list[CommunitySummary]}, errors=frozenset({401}), invalid=False),
    auth=OPTIONAL_AUTH,
    openapi_extra={"security": [{}]},  # OpenAPI's way to say "or no credentials at all"
    tags=TAGS,
    summary="The community directory",
    description="Public and private communities, and hidden ones you belong to or are invited to. "
    "Works signed out too (then `my_status` is always null).",
)
def community_directory(request: HttpRequest) -> list[CommunitySummary]:
    return [
        CommunitySummary(
            slug=c.slug,
            name=c.name,
            description=c.description,
            topics=list(c.topics),
            visibility=c.visibility,
            member_count=c.member_count,  # type: ignore[attr-defined]
            my_status=getattr(c, "my_status", None),
        )
        for c in selectors.community_directory(user=request.user)
    ]


@router.post(
    "/communities",
    response=responses({201: CommunityOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Create a community (administrators)",
)
def community_create(request: HttpRequest, payload: CommunityIn) -> Status[CommunityOut]:
    user = _user(request)
    community = services.community_create(
        actor=user,
        name=payload.name,
        slug=payload.slug,
        description=payload.description,
        rules=payload.rules,
        topics=payload.topics,
        visibility=payload.visibility,
    )
    return Status(201, _community_out(_community(user, community.slug)))


@router.get(
    "/communities/{slug}",
    response=responses({200: CommunityOut}, errors=READ_ERRORS, invalid=False),
    auth=AUTH,
    tags=TAGS,
    summary="A community: about, rules, your membership and what you may do",
)
def community_read(request: HttpRequest, slug: str) -> CommunityOut:
    return _community_out(_community(_user(request), slug))


@router.patch(
    "/communities/{slug}",
    response=responses({200: CommunityOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Change a community (hosts and administrators)",
)
def community_update(request: HttpRequest, slug: str, payload: CommunityPatch) -> CommunityOut:
    user = _user(request)
    viewer = _community(user, slug)
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "visibility" in values:
        values["visibility"] = str(Visibility(values["visibility"]))
    services.community_update(actor=user, community=viewer.community, values=values)
    return _community_out(_community(user, slug))


@router.post(
    "/communities/{slug}/join",
    response=responses({200: MembershipOut}, invalid=False),
    auth=AUTH,
    tags=TAGS,
    summary="Join, ask to join (private) or accept an invitation (hidden)",
    description="The answer's `status` is `active` when you are in, `pending` when the moderators decide.",
)
def community_join(request: HttpRequest, slug: str) -> MembershipOut:
    user = _user(request)
    membership = services.community_join(actor=user, community=_community(user, slug).community)
    return MembershipOut(status=membership.status, role=membership.role)


@router.post(
    "/communities/{slug}/leave",
    response=responses({204: None}),
    auth=AUTH,
    tags=TAGS,
    summary="Leave a community (or withdraw a request to join)",
)
def community_leave(request: HttpRequest, slug: str) -> Status[None]:
    user = _user(request)
    services.community_leave(actor=user, community=_community(user, slug).community)
    return Status(204, None)


@router.get(
    "/communities/{slug}/requests",
    response=responses({200: list[JoinRequestOut]}, errors=frozenset({401, 403, 404}), invalid=False),
    auth=AUTH,
    tags=TAGS,
    summary="Requests to join, waiting for a decision (moderators)",
)
def join_requests(request: HttpRequest, slug: str) -> list[JoinRequestOut]:
    viewer = _community(_user(request), slug)
    _require_moderator(viewer)
    return [
        JoinRequestOut(user_id=m.user_id, pseudonym=m.user.username, requested_at=m.created_at)
        for m in selectors.pending_memberships(viewer=viewer).order_by("created_at", "pk")
    ]


@router.post(
    "/communities/{slug}/requests/{user_id}",
    response=responses({200: DecisionOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Approve or deny a request to join (moderators)",
)
def join_request_decide(request: HttpRequest, slug: str, user_id: int, payload: DecisionIn) -> DecisionOut:
    user = _user(request)
    viewer = _community(user, slug)
    _require_moderator(viewer)
    membership = (
        selectors.pending_memberships(viewer=viewer).filter(user_id=user_id).first() if user_id <= MAX_ID else None
    )
    if membership is None:
        raise NotFound
    decided = services.membership_decide(actor=user, membership=membership, approve=payload.approve)
    return DecisionOut(user_id=user_id, status=decided.status if decided is not None else None)


@router.post(
    "/communities/{slug}/invitations",
    response=responses({200: MemberOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Invite someone by pseudonym (moderators)",
    description="Someone who asked to join is let in at once. Invitations are how people join hidden communities.",
)
def community_invite(request: HttpRequest, slug: str, payload: InviteIn) -> MemberOut:
    user = _user(request)
    viewer = _community(user, slug)
    _require_moderator(viewer)  # before the pseudonym lookup: only moderators learn who exists
    form = InviteForm(data={"invite-pseudonym": payload.pseudonym})
    if not form.is_valid():
        raise _form_errors(form)
    membership = services.community_invite(
        actor=user, community=viewer.community, invitee=form.cleaned_data["pseudonym"]
    )
    return _member_out(membership)


@router.post(
    "/communities/{slug}/bans",
    response=responses({200: MemberOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Ban someone from the community (moderators)",
)
def community_ban(request: HttpRequest, slug: str, payload: BanIn) -> MemberOut:
    user = _user(request)
    viewer = _community(user, slug)
    _require_moderator(viewer)
    form = BanForm(data={"ban-pseudonym": payload.pseudonym, "ban-reason": payload.reason})
    if not form.is_valid():
        raise _form_errors(form)
    membership = services.membership_ban(
        actor=user, community=viewer.community, user=form.cleaned_data["pseudonym"], reason=payload.reason
    )
    return _member_out(membership)


@router.post(
    "/communities/{slug}/roles",
    response=responses({200: MemberOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Make a member a moderator or host, or a member again (hosts)",
)
def community_role(request: HttpRequest, slug: str, payload: RoleIn) -> MemberOut:
    user = _user(request)
    viewer = _community(user, slug)
    if not access.check_edit_community_permission(viewer):
        raise services.Forbidden
    form = RoleForm(data={"role-pseudonym": payload.pseudonym, "role-role": payload.role})
    if not form.is_valid():
        raise _form_errors(form)
    membership = services.member_role_set(
        actor=user, community=viewer.community, user=form.cleaned_data["pseudonym"], role=form.cleaned_data["role"]
    )
    return _member_out(membership)


# --- Threads ------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/threads",
    response=responses({200: ThreadPage}, errors=READ_ERRORS),
    auth=AUTH,
    tags=TAGS,
    summary="A community's threads: pinned first, then latest activity",
)
def community_threads(request: HttpRequest, slug: str, page: PageNumber = 1) -> ThreadPage:
    viewer = _readable_community(_user(request), slug)
    return _thread_page(selectors.community_threads(viewer=viewer, page=page), viewer.community)


@router.get(
    "/communities/{slug}/waiting",
    response=responses({200: ThreadPage}, errors=READ_ERRORS),
    auth=AUTH,
    tags=TAGS,
    summary="Threads in this community nobody has answered yet, oldest first (members)",
)
def community_waiting(request: HttpRequest, slug: str, page: PageNumber = 1) -> ThreadPage:
    user = _user(request)
    viewer = _readable_community(user, slug)
    threads = selectors.waiting_threads(user=user, community=viewer.community)
    return _thread_page(Paginator(threads, selectors.THREADS_PER_PAGE).get_page(page))


@router.post(
    "/communities/{slug}/threads",
    response=responses({201: ThreadOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Start a thread (members)",
    description="Check `status` in the answer: `held` means screening kept it back for a moderator to review; "
    "until then only you and the moderators can see it.",
)
def thread_create(request: HttpRequest, slug: str, payload: ThreadIn) -> Status[ThreadOut]:
    user = _user(request)
    viewer = _readable_community(user, slug)
    thread = services.thread_create(
        actor=user,
        community=viewer.community,
        title=payload.title,
        body=payload.body,
        is_anonymous=payload.is_anonymous,
        content_warnings=[str(w) for w in payload.content_warnings],
    )
    return Status(201, _thread_out(viewer, thread))


@router.get(
    "/threads/{thread_id}",
    response=responses({200: ThreadOut}, errors=READ_ERRORS, invalid=False),
    auth=AUTH,
    tags=TAGS,
    summary="A thread and its opening post",
)
def thread_read(request: HttpRequest, thread_id: int) -> ThreadOut:
    viewer, thread = access.access_thread(_user(request), thread_id)
    return _thread_out(viewer, thread)


@router.get(
    "/threads/{thread_id}/posts",
    response=responses({200: PostPage}, errors=READ_ERRORS),
    auth=AUTH,
    tags=TAGS,
    summary="A thread's posts, opening post first",
    description="Removed posts keep their place with `status` `removed` and an empty body.",
)
def thread_posts(request: HttpRequest, thread_id: int, page: PageNumber = 1) -> PostPage:
    viewer, thread = access.access_thread(_user(request), thread_id)
    posts = selectors.thread_posts(viewer=viewer, thread=thread, page=page)
    items = []
    for post in posts.object_list:
        post.thread = thread  # permission checks read it: no query per post
        items.append(_annotated_post_out(viewer, post))
    return PostPage(items=items, **_page_meta(posts))


@router.post(
    "/threads/{thread_id}/posts",
    response=responses({201: PostOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Reply to a thread (members; locked threads: moderators only)",
    description="A reply may also come back with `status` `held`: see starting a thread.",
)
def thread_reply(request: HttpRequest, thread_id: int, payload: ReplyIn) -> Status[PostOut]:
    user = _user(request)
    viewer, thread = access.access_thread(user, thread_id)
    quote = None
    if payload.quote_post_id is not None:
        try:
            _quote_viewer, quote = access.access_post(user, payload.quote_post_id)
        except NotFound:
            raise ValidationError({"quote_post_id": _("You can only quote a visible post in this thread.")}) from None
    post = services.post_reply(
        actor=user,
        thread=thread,
        body=payload.body,
        is_anonymous=payload.is_anonymous,
        content_warnings=[str(w) for w in payload.content_warnings],
        quote=quote,
    )
    return Status(201, _post_out(viewer, post, {}, []))


@router.post(
    "/threads/{thread_id}/lock",
    response=responses({200: ThreadOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Lock or unlock a thread (moderators)",
    description="A locked thread takes replies only from moderators.",
)
def thread_lock(request: HttpRequest, thread_id: int, payload: LockIn) -> ThreadOut:
    user = _user(request)
    viewer, thread = access.access_thread(user, thread_id)
    return _thread_out(viewer, services.thread_lock(actor=user, thread=thread, locked=payload.locked))


@router.post(
    "/threads/{thread_id}/pin",
    response=responses({200: ThreadOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Pin or unpin a thread (moderators)",
)
def thread_pin(request: HttpRequest, thread_id: int, payload: PinIn) -> ThreadOut:
    user = _user(request)
    viewer, thread = access.access_thread(user, thread_id)
    return _thread_out(viewer, services.thread_pin(actor=user, thread=thread, pinned=payload.pinned))


# --- Posts --------------------------------------------------------------------------------


@router.get(
    "/posts/{post_id}",
    response=responses({200: PostOut}, errors=READ_ERRORS, invalid=False),
    auth=AUTH,
    tags=TAGS,
    summary="One post",
)
def post_read(request: HttpRequest, post_id: int) -> PostOut:
    viewer, post = access.access_post(_user(request), post_id)
    return _single_post_out(viewer, post)


@router.patch(
    "/posts/{post_id}",
    response=responses({200: PostOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Edit a post (its author, or a moderator to redact)",
    description="The previous text is kept as a revision for moderators. `title` changes the thread's title "
    "and only applies to the opening post. An edit is screened again and may come back `held`.",
)
def post_edit(request: HttpRequest, post_id: int, payload: PostPatch) -> PostOut:
    user = _user(request)
    viewer, post = access.access_post(user, post_id)
    post = services.post_edit(
        actor=user,
        post=post,
        body=payload.body if payload.body is not None else post.body,
        title=payload.title,
        content_warnings=[str(w) for w in payload.content_warnings] if payload.content_warnings is not None else None,
    )
    return _single_post_out(viewer, post)


@router.delete(
    "/posts/{post_id}",
    response=responses({204: None}),
    auth=AUTH,
    tags=TAGS,
    summary="Remove a post (its author, or a moderator)",
    description="Removing the opening post removes the thread. Moderators may give a `reason` for the log.",
)
def post_delete(request: HttpRequest, post_id: int, reason: QueryEx[str, P(max_length=500)] = "") -> Status[None]:
    user = _user(request)
    _viewer, post = access.access_post(user, post_id)
    try:
        _storable_text(reason)
    except ValueError as error:
        raise ValidationError({"reason": str(error)}) from None
    services.post_delete(actor=user, post=post, reason=reason)
    return Status(204, None)


@router.post(
    "/posts/{post_id}/reactions",
    response=responses({200: ReactionOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Toggle a reaction (members)",
)
def post_react(request: HttpRequest, post_id: int, payload: ReactionIn) -> ReactionOut:
    user = _user(request)
    viewer, post = access.access_post(user, post_id)
    on = services.reaction_toggle(actor=user, post=post, kind=str(payload.kind))
    annotated = selectors.post_annotated(viewer=viewer, post=post)
    return ReactionOut(
        on=on, counts=_counts({kind: getattr(annotated, f"{kind}_count") for kind in ReactionKind.values})
    )


@router.post(
    "/posts/{post_id}/reveal",
    response=responses({200: RevealOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Who wrote an anonymous post (moderators; audited)",
    description="Every call is written to the audit log with your name and reason.",
)
def post_reveal(request: HttpRequest, post_id: int, payload: RevealIn) -> RevealOut:
    user = _user(request)
    _viewer, post = access.access_post(user, post_id)
    if not post.is_anonymous:
        raise services.Forbidden  # as on the web: there is nothing to reveal
    author = services.anonymous_author_reveal(actor=user, post=post, reason=payload.reason)
    return RevealOut(pseudonym=author.username if author is not None else None)


@router.get(
    "/posts/{post_id}/revisions",
    response=responses({200: list[RevisionOut]}, errors=frozenset({401, 403, 404}), invalid=False),
    auth=AUTH,
    tags=TAGS,
    summary="A post's earlier versions, newest first (moderators)",
)
def post_revisions(request: HttpRequest, post_id: int) -> list[RevisionOut]:
    viewer, post = access.access_post(_user(request), post_id)
    _require_moderator(viewer)
    result = []
    for revision in selectors.post_revisions(viewer=viewer, post=post):
        # The selector masks an anonymous author's own edits; the pseudonym is shown only where the label is one.
        unmasked = revision.edited_by is not None and revision.editor_label == revision.edited_by.username
        edited_by = AuthorOut(label=revision.editor_label, pseudonym=revision.editor_label if unmasked else None)
        result.append(
            RevisionOut(body=revision.body, title=revision.title, edited_by=edited_by, created_at=revision.created_at)
        )
    return result


# --- Moderation queue ---------------------------------------------------------------------


@router.get(
    "/communities/{slug}/held",
    response=responses({200: list[PostOut]}, errors=frozenset({401, 403, 404}), invalid=False),
    auth=AUTH,
    tags=TAGS,
    summary="Posts screening held back, oldest first (moderators)",
)
def held_posts(request: HttpRequest, slug: str) -> list[PostOut]:
    viewer = _community(_user(request), slug)
    _require_moderator(viewer)
    return [_post_out(viewer, post, {}, []) for post in selectors.held_posts(viewer=viewer)]


@router.post(
    "/posts/{post_id}/review",
    response=responses({200: PostOut}),
    auth=AUTH,
    tags=TAGS,
    summary="Approve or reject a held post (moderators)",
)
def post_review(request: HttpRequest, post_id: int, payload: ReviewIn) -> PostOut:
    user = _user(request)
    viewer, post = access.access_post(user, post_id)
    post = services.post_review(actor=user, post=post, approve=payload.approve, reason=payload.reason)
    return _single_post_out(viewer, post)


# --- Across communities -------------------------------------------------------------------


@router.get(
    "/feed",
    response=responses({200: ThreadPage}, errors=frozenset({401})),
    auth=AUTH,
    tags=TAGS,
    summary="Latest activity in the communities you belong to",
)
def feed(request: HttpRequest, page: PageNumber = 1) -> ThreadPage:
    return _thread_page(selectors.feed_threads(user=_user(request), page=page))


@router.get(
    "/waiting",
    response=responses({200: ThreadPage}, errors=frozenset({401})),
    auth=AUTH,
    tags=TAGS,
    summary="Threads nobody has answered yet in your communities, oldest first",
)
def waiting(request: HttpRequest, page: PageNumber = 1) -> ThreadPage:
    threads = selectors.waiting_threads(user=_user(request))
    return _thread_page(Paginator(threads, selectors.THREADS_PER_PAGE).get_page(page))


@router.get(
    "/search",
    response=responses({200: list[SearchHit]}, errors=frozenset({401})),
    auth=AUTH,
    tags=TAGS,
    summary="Search the posts you may read",
    description="Up to 50 matching visible posts. An empty query finds nothing.",
)
def search(request: HttpRequest, q: QueryEx[str, P(max_length=200)] = "") -> list[SearchHit]:
    form = SearchForm(data={"q": q})
    if not form.is_valid():
        raise _form_errors(form)
    return [
        SearchHit(
            post_id=post.pk,
            thread_id=post.thread_id,
            thread_title=post.thread.title,
            community=CommunityRef(slug=post.thread.community.slug, name=post.thread.community.name),
            author=_author(post),
            body=post.body,
            body_html=post.body_html,
            content_warnings=list(post.content_warnings),
            created_at=post.created_at,
        )
        for post in selectors.post_search(user=_user(request), query=form.cleaned_data["q"])
    ]


@router.get(
    "/me/reading-preferences",
    response=responses({200: ReadingPreferenceIO}, errors=frozenset({401}), invalid=False),
    auth=AUTH,
    tags=TAGS,
    summary="Which content warnings you want folded away",
    description="Until you choose, every content warning is folded.",
)
def reading_preferences_read(request: HttpRequest) -> ReadingPreferenceIO:
    collapsed = selectors.collapsed_warnings_for(user=_user(request))
    return ReadingPreferenceIO(collapsed_warnings=[ContentWarning(w) for w in ContentWarning.values if w in collapsed])


@router.put(
    "/me/reading-preferences",
    response=responses({200: ReadingPreferenceIO}, errors=frozenset({400, 401})),
    auth=AUTH,
    tags=TAGS,
    summary="Choose which content warnings to fold away",
)
def reading_preferences_update(request: HttpRequest, payload: ReadingPreferenceIO) -> ReadingPreferenceIO:
    preference = services.reading_preference_update(
        actor=_user(request), collapsed_warnings=[str(w) for w in payload.collapsed_warnings]
    )
    return ReadingPreferenceIO(collapsed_warnings=[ContentWarning(w) for w in preference.collapsed_warnings])


# --- Notifications ------------------------------------------------------------------------


def _notification_out(notification: Notification) -> NotificationOut:
    return NotificationOut(
        id=notification.pk,
        kind=notification.kind,
        text=notification.text,
        url=notification.url,
        actor_label=notification.actor_label,
        created_at=notification.created_at,
        read=notification.read_at is not None,
    )


@router.get(
    "/notifications",
    response=responses({200: NotificationPage}, errors=frozenset({401})),
    auth=AUTH,
    tags=NOTIFICATION_TAGS,
    summary="Your notifications, newest first",
)
def notification_list(request: HttpRequest, page: PageNumber = 1) -> NotificationPage:
    notifications = Paginator(notification_selectors.notification_list(viewer=_user(request)), NOTIFICATIONS_PER_PAGE)
    current = notifications.get_page(page)
    return NotificationPage(items=[_notification_out(n) for n in current.object_list], **_page_meta(current))


@router.get(
    "/notifications/unread-count",
    response=responses({200: UnreadCountOut}, errors=frozenset({401}), invalid=False),
    auth=AUTH,
    tags=NOTIFICATION_TAGS,
    summary="How many notifications you have not read",
)
def notification_unread_count(request: HttpRequest) -> UnreadCountOut:
    return UnreadCountOut(count=notification_selectors.notification_unread_count(viewer=_user(request)))


@router.post(
    "/notifications/read",
    response=responses({200: MarkReadOut}, errors=frozenset({400, 401})),
    auth=AUTH,
    tags=NOTIFICATION_TAGS,
    summary="Mark notifications as read",
    description='`{"ids": [1, 2]}` marks those (only your own); `{"ids": null}` marks all of them.',
)
def notification_mark_read(request: HttpRequest, payload: MarkReadIn) -> MarkReadOut:
    ids = None if payload.ids is None else [i for i in payload.ids if 0 < i <= MAX_ID]
    return MarkReadOut(marked=notification_services.notifications_mark_read(actor=_user(request), ids=ids))
