"""Threads: one thread, its posts, replying, and following or muting a thread."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from alongside.accounts.api_auth import API_AUTH_OR_OPEN_READER
from alongside.communities import access, selectors, services
from alongside.communities.api.common import OPEN_READ, follow_out, me, post_out, reader, thread_out
from alongside.communities.api.schemas import READ, WRITE, FollowOut, PostOut, ReplyIn, ThreadOut
from alongside.communities.presenters import PostPresenter
from alongside.core.api import ListOut, PageNumber, page_fields, responses
from alongside.core.errors import Invalid, NotFound, require
from alongside.safety.services.support import support_suggested

router = Router(tags=["communities"])


@router.get(
    "/threads/{thread_id}",
    response=responses({200: ThreadOut}, *READ),
    auth=API_AUTH_OR_OPEN_READER,
    openapi_extra=OPEN_READ,
    summary="A thread and its opening post",
)
def thread_read(request: HttpRequest, thread_id: int) -> ThreadOut:
    viewer, thread = access.access_thread(reader(request), thread_id)
    return thread_out(viewer, thread)


@router.get(
    "/threads/{thread_id}/posts",
    response=responses({200: ListOut[PostOut]}, *READ),
    summary="A thread's posts, opening post first",
    description="Removed posts keep their place with `status` `removed` and nothing else of them. Reading a "
    "page is reading it, as on the web: your reading position in the thread moves to its newest post, and "
    "your notifications about its posts (and, on the last page, about new replies in the thread) are marked read.",
    auth=API_AUTH_OR_OPEN_READER,
    openapi_extra=OPEN_READ,
)
def thread_posts(request: HttpRequest, thread_id: int, page: PageNumber = 1) -> dict[str, Any]:
    user = reader(request)
    viewer, thread = access.access_thread(user, thread_id)
    posts = selectors.thread_posts(viewer=viewer, thread=thread, page=page)
    if user.is_authenticated:  # a visitor has no reading position and no notifications
        services.thread_read(
            actor=user,
            thread=thread,
            state=selectors.thread_state(viewer=viewer, thread=thread),
            post_ids=[p.pk for p in posts.object_list],
            saw_newest=not posts.has_next(),
        )
    presenter = PostPresenter(viewer, thread, collapsed=set())
    return page_fields(posts, lambda post: PostOut.of(presenter.present(post)))


@router.post(
    "/threads/{thread_id}/posts",
    response=responses({201: PostOut}, *WRITE),
    summary="Reply to a thread (members; locked threads: moderators only)",
    description="A reply may also come back with `status` `held`: see starting a thread.",
)
def thread_reply(request: HttpRequest, thread_id: int, payload: ReplyIn) -> Status[PostOut]:
    user = me(request)
    viewer, thread = access.access_thread(user, thread_id)
    quote = None
    if payload.quote_post_id is not None:
        try:
            _quote_viewer, quote = access.access_post(user, payload.quote_post_id)
        except NotFound:
            quote = None
        # Refused here rather than by the service, so that the error names this endpoint's field.
        if quote is None or not access.check_quote_post_permission(viewer, thread, quote):
            require(
                access.check_reply_permission(viewer, thread), access.reason_for(viewer, access.REASON_REPLIES_CLOSED)
            )
            raise Invalid({"quote_post_id": access.REASON_QUOTE})
    post = services.post_reply(
        actor=user,
        thread=thread,
        body=payload.body,
        is_anonymous=payload.is_anonymous,
        content_warnings=[str(w) for w in payload.content_warnings],
        quote=quote,
    )
    answer = post_out(viewer, post)
    answer.offer_support = support_suggested(post.screening_reasons)
    return Status(201, answer)


def _follow(request: HttpRequest, thread_id: int, *, setting: str, on: bool) -> FollowOut:
    user = me(request)
    viewer, thread = access.access_thread(user, thread_id)
    if setting == "follow":
        services.thread_follow_set(actor=user, thread=thread, on=on)
    else:
        services.thread_mute_set(actor=user, thread=thread, on=on)
    return follow_out(viewer, thread)


@router.put(
    "/threads/{thread_id}/follow",
    response=responses({200: FollowOut}, *READ),
    summary="Follow a thread: hear of its new replies (this also ends a mute)",
    description="Idempotent. New replies come as one notification per thread that counts them. Members "
    "banned from the community cannot follow (403).",
)
def follow_put(request: HttpRequest, thread_id: int) -> FollowOut:
    return _follow(request, thread_id, setting="follow", on=True)


@router.delete(
    "/threads/{thread_id}/follow",
    response=responses({200: FollowOut}, *READ),
    summary="Stop following a thread",
    description="Idempotent. The choice stays: replying later does not make you follow it again.",
)
def follow_delete(request: HttpRequest, thread_id: int) -> FollowOut:
    return _follow(request, thread_id, setting="follow", on=False)


@router.put(
    "/threads/{thread_id}/mute",
    response=responses({200: FollowOut}, *READ),
    summary="Mute a thread: hear nothing from it, not even mentions",
    description="Idempotent. A muted thread also leaves your list of threads waiting for a reply.",
)
def mute_put(request: HttpRequest, thread_id: int) -> FollowOut:
    return _follow(request, thread_id, setting="mute", on=True)


@router.delete(
    "/threads/{thread_id}/mute",
    response=responses({200: FollowOut}, *READ),
    summary="Unmute a thread (you then do not follow it)",
    description="Idempotent.",
)
def mute_delete(request: HttpRequest, thread_id: int) -> FollowOut:
    return _follow(request, thread_id, setting="mute", on=False)
