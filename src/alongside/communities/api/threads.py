"""Threads: one thread, its posts, and replying."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from alongside.communities import access, selectors, services
from alongside.communities.api.common import me, post_out, thread_out
from alongside.communities.api.schemas import READ, WRITE, PostOut, ReplyIn, ThreadOut
from alongside.communities.presenters import PostPresenter
from alongside.core.api import ListOut, PageNumber, page_fields, responses
from alongside.core.errors import Invalid, NotFound, require

router = Router(tags=["communities"])


@router.get(
    "/threads/{thread_id}",
    response=responses({200: ThreadOut}, *READ),
    summary="A thread and its opening post",
)
def thread_read(request: HttpRequest, thread_id: int) -> ThreadOut:
    viewer, thread = access.access_thread(me(request), thread_id)
    return thread_out(viewer, thread)


@router.get(
    "/threads/{thread_id}/posts",
    response=responses({200: ListOut[PostOut]}, *READ),
    summary="A thread's posts, opening post first",
    description="Removed posts keep their place with `status` `removed` and nothing else of them.",
)
def thread_posts(request: HttpRequest, thread_id: int, page: PageNumber = 1) -> dict[str, Any]:
    viewer, thread = access.access_thread(me(request), thread_id)
    posts = selectors.thread_posts(viewer=viewer, thread=thread, page=page)
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
            require(access.check_reply_permission(viewer, thread), access.REASON_REPLIES_CLOSED)
            raise Invalid({"quote_post_id": access.REASON_QUOTE})
    post = services.post_reply(
        actor=user,
        thread=thread,
        body=payload.body,
        is_anonymous=payload.is_anonymous,
        content_warnings=[str(w) for w in payload.content_warnings],
        quote=quote,
    )
    return Status(201, post_out(viewer, post))
