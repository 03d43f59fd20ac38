"""Demo chat: the demo listener trains, applies and is approved the way any listener is, and the
first demo community opens its live room. Never in production (the demo app is not installed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from alongside.chat import selectors as chat_selectors
from alongside.chat.access.conversations import approved_listener
from alongside.chat.services import listeners, rooms
from alongside.chat.training import LESSONS
from alongside.communities import access as community_access

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.communities.models import Community


@transaction.atomic
def chat_demo_create(*, admin: User, listener: User, community: Community | None) -> None:
    if approved_listener(listener) is not None:
        return  # seeded before
    for lesson in LESSONS:
        right = {q.id: next(o.id for o in q.options if o.correct) for q in lesson.questions}
        listeners.listener_lesson_submit(actor=listener, lesson=lesson, answers=right)
    listeners.listener_conduct_accept(actor=listener)
    profile = listeners.listener_apply(actor=listener)
    listeners.listener_decide(actor=admin, profile=profile, approve=True, reason="Demo listener.")
    listeners.listener_settings_update(actor=listener, topics=["anxiety", "loneliness"], languages=["en"], capacity=3)
    if community is not None and not chat_selectors.room_is_open(community):
        viewer = community_access.community_viewer(admin, community)
        rooms.room_open_set(actor=admin, community_viewer=viewer, on=True)
