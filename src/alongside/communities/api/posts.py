"""Posts: one post, editing, deleting, reactions, revealing an anonymous author, edit history, the
moderators' "not professional advice" note."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from alongside.accounts.api_auth import API_AUTH_OR_OPEN_READER
from alongside.communities import access, selectors, services
from alongside.communities.api.common import OPEN_READ, me, post_out, reader
from alongside.communities.api.schemas import (
    READ,
    WRITE,
    ExperienceIn,
    PostOut,
    PostPatch,
    ReactionCounts,
    ReactionOut,
    RequiredReasonIn,
    RevealOut,
    RevisionOut,
)
from alongside.communities.models import ReactionKind
from alongside.core.api import ListOut, PageNumber, page_of, responses
from alongside.core.errors import require
from alongside.safety.services.support import support_suggested

router = Router(tags=["communities"])
REVISIONS_PER_PAGE = 50


@router.post(
    "/posts/{post_id}/experience",
    response=responses({200: PostOut}, *WRITE),
    summary="Note: shared experience, not professional advice (moderators)",
    description="Adds (or with `marked: false` removes) the note under a post, with an optional better resource.",
)
def post_experience(request: HttpRequest, post_id: int, payload: ExperienceIn) -> PostOut:
    user = me(request)
    viewer, post = access.access_post(user, post_id)
    post = services.post_mark_experience(actor=user, post=post, marked=payload.marked, resource=payload.resource)
    return post_out(viewer, post)


@router.get(
    "/posts/{post_id}",
    response=responses({200: PostOut}, *READ),
    auth=API_AUTH_OR_OPEN_READER,
    openapi_extra=OPEN_READ,
    summary="One post",
)
def post_read(request: HttpRequest, post_id: int) -> PostOut:
    viewer, post = access.access_post(reader(request), post_id)
    return post_out(viewer, post)


@router.patch(
    "/posts/{post_id}",
    response=responses({200: PostOut}, *WRITE),
    summary="Edit a post (its author, or a moderator to redact)",
    description="The previous text is kept as a revision for moderators. `title` changes the thread's title "
    "and only applies to the opening post. An edit is screened again and may come back `held`.",
)
def post_edit(request: HttpRequest, post_id: int, payload: PostPatch) -> PostOut:
    user = me(request)
    viewer, post = access.access_post(user, post_id)
    post = services.post_edit(
        actor=user,
        post=post,
        body=payload.body if payload.body is not None else post.body,
        title=payload.title,
        content_warnings=[str(w) for w in payload.content_warnings] if payload.content_warnings is not None else None,
    )
    answer = post_out(viewer, post)
    answer.offer_support = viewer.wrote(post) and support_suggested(post.screening_reasons)
    return answer


@router.delete(
    "/posts/{post_id}",
    response=responses({204: None}, *READ),
    summary="Delete your own post",
    description="Removing the opening post removes the thread. Moderators removing someone else's post use "
    "`POST /posts/{post_id}/remove`, with the reason in the body.",
)
def post_delete(request: HttpRequest, post_id: int) -> Status[None]:
    user = me(request)
    viewer, post = access.access_post(user, post_id)
    require(access.check_delete_post_permission(viewer, post), access.REASON_DELETE)
    require(viewer.wrote(post), access.REASON_REMOVE_WITH_REASON)
    services.post_delete(actor=user, post=post)
    return Status(204, None)


def _reaction_out(viewer: Any, post: Any, kind: str) -> ReactionOut:
    annotated = selectors.post_annotated(viewer=viewer, post=post)
    counts = {k: getattr(annotated, f"{k}_count") for k in ReactionKind.values}
    return ReactionOut(on=bool(getattr(annotated, f"mine_{kind}")), counts=ReactionCounts(**counts))


@router.put(
    "/posts/{post_id}/reactions/{kind}",
    response=responses({200: ReactionOut}, *READ),
    summary="Put your reaction on a post (members)",
    description="Idempotent: doing it again changes nothing, so a retried request never takes it back.",
)
def reaction_put(request: HttpRequest, post_id: int, kind: ReactionKind) -> ReactionOut:
    user = me(request)
    viewer, post = access.access_post(user, post_id)
    services.reaction_set(actor=user, post=post, kind=str(kind), on=True)
    return _reaction_out(viewer, post, str(kind))


@router.delete(
    "/posts/{post_id}/reactions/{kind}",
    response=responses({200: ReactionOut}, *READ),
    summary="Take your reaction back",
    description="Idempotent: taking back a reaction that is not there changes nothing.",
)
def reaction_delete(request: HttpRequest, post_id: int, kind: ReactionKind) -> ReactionOut:
    user = me(request)
    viewer, post = access.access_post(user, post_id)
    services.reaction_set(actor=user, post=post, kind=str(kind), on=False)
    return _reaction_out(viewer, post, str(kind))


@router.post(
    "/posts/{post_id}/reveal",
    response=responses({200: RevealOut}, *WRITE),
    summary="Who wrote an anonymous post (moderators; audited)",
    description="Every call is written to the audit log with your name and reason.",
)
def post_reveal(request: HttpRequest, post_id: int, payload: RequiredReasonIn) -> RevealOut:
    user = me(request)
    _viewer, post = access.access_post(user, post_id)
    author = services.anonymous_author_reveal(actor=user, post=post, reason=payload.reason)
    return RevealOut(pseudonym=author.username if author is not None else None)


@router.get(
    "/posts/{post_id}/revisions",
    response=responses({200: ListOut[RevisionOut]}, *READ),
    summary="A post's earlier versions, newest first (moderators)",
)
def post_revisions(request: HttpRequest, post_id: int, page: PageNumber = 1) -> dict[str, Any]:
    viewer, post = access.access_post(me(request), post_id)
    require(access.check_see_post_history_permission(viewer, post), access.REASON_MODERATORS)
    revisions = selectors.post_revisions(viewer=viewer, post=post)
    return page_of(revisions, page, REVISIONS_PER_PAGE, lambda revision: RevisionOut.of(post, revision))
