"""Timers of the chat, run by the task worker (never in a request or a sleeping coroutine): a request
unanswered for a while, a listener whose desk closed, a preferred listener's turn running out."""

from __future__ import annotations

from django_tasks import task

from alongside.chat.services import conversations


@task()
def request_unanswered(*, request_id: int) -> bool:
    return conversations.request_offer_alternatives(request_id=request_id)


@task()
def listener_grace_over(*, user_id: int) -> bool:
    return conversations.listener_grace_over(user_id=user_id)


@task()
def queue_match() -> int:
    return len(conversations.queue_match())
