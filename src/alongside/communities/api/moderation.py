"""Moderation: one endpoint per action. Held posts, removing with a reason, locking and pinning,
requests to join, invitations, bans and community roles. Reasons travel in the body."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.params import P, PathEx

from alongside.communities import access, selectors, services
from alongside.communities.access import CommunityViewer
from alongside.communities.api.common import community_for, me, person_named, post_out, thread_out
from alongside.communities.api.schemas import (
    READ,
    WRITE,
    BanIn,
    DecisionOut,
    JoinRequestOut,
    MemberOut,
    PostOut,
    PseudonymIn,
    ReasonIn,
    RoleIn,
    ThreadOut,
)
from alongside.communities.models import Membership
from alongside.communities.presenters import PostPresenter
from alongside.core.api import MAX_ID, ListOut, PageNumber, page_of, responses
from alongside.core.errors import NotFound, require
from alongside.moderation import sanctions
from alongside.moderation.enums import SanctionKind

router = Router(tags=["moderation"])
PER_PAGE = 50
UserId = PathEx[int, P(ge=1, le=MAX_ID)]  # larger ids cannot exist: keep them away from the database


# --- Posts and threads ------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/held",
    response=responses({200: ListOut[PostOut]}, *READ),
    summary="Posts screening held back, oldest first (moderators)",
)
def held_posts(request: HttpRequest, slug: str, page: PageNumber = 1) -> dict[str, Any]:
    viewer = access.access_moderated_community(me(request), slug)

    def build(post: Any) -> PostOut:
        return PostOut.of(PostPresenter(viewer, post.thread, collapsed=set()).present(post))

    return page_of(selectors.held_posts(viewer=viewer), page, PER_PAGE, build)


@router.post(
    "/posts/{post_id}/approve",
    response=responses({200: PostOut}, *WRITE),
    summary="Approve a held post: it becomes visible (moderators)",
)
def post_approve(request: HttpRequest, post_id: int, payload: ReasonIn) -> PostOut:
    user = me(request)
    viewer, post = access.access_post(user, post_id)
    post = services.post_review(actor=user, post=post, approve=True, reason=payload.reason)
    return post_out(viewer, post)


@router.post(
    "/posts/{post_id}/reject",
    response=responses({204: None}, *WRITE),
    summary="Reject a held post: it is removed (moderators)",
)
def post_reject(request: HttpRequest, post_id: int, payload: ReasonIn) -> Status[None]:
    user = me(request)
    _viewer, post = access.access_post(user, post_id)
    services.post_review(actor=user, post=post, approve=False, reason=payload.reason)
    return Status(204, None)


@router.post(
    "/posts/{post_id}/remove",
    response=responses({204: None}, *WRITE),
    summary="Remove a post, with a reason for the moderation log (moderators)",
    description="Removing the opening post removes the thread. The author does not see the reason.",
)
def post_remove(request: HttpRequest, post_id: int, payload: ReasonIn) -> Status[None]:
    user = me(request)
    _viewer, post = access.access_post(user, post_id)
    services.post_delete(actor=user, post=post, reason=payload.reason)
    return Status(204, None)


def _thread_flag(request: HttpRequest, thread_id: int, field: str, value: bool) -> ThreadOut:
    user = me(request)
    viewer, thread = access.access_thread(user, thread_id)
    if field == "lock":
        thread = services.thread_lock(actor=user, thread=thread, locked=value)
    else:
        thread = services.thread_pin(actor=user, thread=thread, pinned=value)
    return thread_out(viewer, thread)


@router.put(
    "/threads/{thread_id}/lock",
    response=responses({200: ThreadOut}, *READ),
    summary="Lock a thread: only moderators can reply (moderators)",
)
def thread_lock(request: HttpRequest, thread_id: int) -> ThreadOut:
    return _thread_flag(request, thread_id, "lock", True)


@router.delete(
    "/threads/{thread_id}/lock",
    response=responses({200: ThreadOut}, *READ),
    summary="Unlock a thread (moderators)",
)
def thread_unlock(request: HttpRequest, thread_id: int) -> ThreadOut:
    return _thread_flag(request, thread_id, "lock", False)


@router.put(
    "/threads/{thread_id}/pin",
    response=responses({200: ThreadOut}, *READ),
    summary="Pin a thread to the top of its community (moderators)",
)
def thread_pin(request: HttpRequest, thread_id: int) -> ThreadOut:
    return _thread_flag(request, thread_id, "pin", True)


@router.delete(
    "/threads/{thread_id}/pin",
    response=responses({200: ThreadOut}, *READ),
    summary="Unpin a thread (moderators)",
)
def thread_unpin(request: HttpRequest, thread_id: int) -> ThreadOut:
    return _thread_flag(request, thread_id, "pin", False)


# --- Membership -------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/requests",
    response=responses({200: ListOut[JoinRequestOut]}, *READ),
    summary="Requests to join, waiting for a decision (moderators)",
)
def join_requests(request: HttpRequest, slug: str, page: PageNumber = 1) -> dict[str, Any]:
    viewer = access.access_moderated_community(me(request), slug)
    pending = selectors.pending_memberships(viewer=viewer).order_by("created_at", "pk")
    return page_of(pending, page, PER_PAGE, JoinRequestOut.of)


def _pending(viewer: CommunityViewer, user_id: int) -> Membership:
    membership = selectors.pending_memberships(viewer=viewer).filter(user_id=user_id).first()
    if membership is None:
        raise NotFound
    return membership


@router.post(
    "/communities/{slug}/requests/{user_id}/approve",
    response=responses({200: DecisionOut}, *READ),
    summary="Let someone in who asked to join (moderators)",
)
def join_request_approve(request: HttpRequest, slug: str, user_id: UserId) -> DecisionOut:
    viewer = access.access_moderated_community(me(request), slug)
    decided = services.membership_decide(actor=me(request), membership=_pending(viewer, user_id), approve=True)
    return DecisionOut(user_id=user_id, status=decided.status if decided is not None else None)


@router.post(
    "/communities/{slug}/requests/{user_id}/deny",
    response=responses({200: DecisionOut}, *READ),
    summary="Decline a request to join (moderators)",
)
def join_request_deny(request: HttpRequest, slug: str, user_id: UserId) -> DecisionOut:
    viewer = access.access_moderated_community(me(request), slug)
    services.membership_decide(actor=me(request), membership=_pending(viewer, user_id), approve=False)
    return DecisionOut(user_id=user_id, status=None)


@router.post(
    "/communities/{slug}/invitations",
    response=responses({200: MemberOut}, *WRITE),
    summary="Invite someone by pseudonym (moderators)",
    description="Someone who asked to join is let in at once. Invitations are how people join hidden communities.",
)
def community_invite(request: HttpRequest, slug: str, payload: PseudonymIn) -> MemberOut:
    # Before the pseudonym look-up: only moderators learn who exists.
    viewer = access.access_moderated_community(me(request), slug)
    invitee = person_named(payload.pseudonym)
    return MemberOut.of(services.community_invite(actor=me(request), community=viewer.community, invitee=invitee))


@router.post(
    "/communities/{slug}/bans",
    response=responses({200: MemberOut}, *WRITE),
    summary="Ban someone from the community (moderators)",
)
def community_ban(request: HttpRequest, slug: str, payload: BanIn) -> MemberOut:
    viewer = access.access_moderated_community(me(request), slug)
    person = person_named(payload.pseudonym)
    sanctions.sanction_impose(  # a sanction: they are told why, and may appeal
        actor=me(request), community=viewer.community, user_id=person.pk, kind=SanctionKind.BAN, reason=payload.reason
    )
    membership = selectors.membership_of(community=viewer.community, user=person)
    assert membership is not None  # the ban is its status
    return MemberOut.of(membership)


@router.post(
    "/communities/{slug}/roles",
    response=responses({200: MemberOut}, *WRITE),
    summary="Make a member a moderator or host, or a member again (hosts)",
)
def community_role(request: HttpRequest, slug: str, payload: RoleIn) -> MemberOut:
    viewer = community_for(me(request), slug)
    require(access.check_edit_community_permission(viewer), access.REASON_HOSTS)
    person = person_named(payload.pseudonym)
    membership = services.member_role_set(actor=me(request), community=viewer.community, user=person, role=payload.role)
    return MemberOut.of(membership)
