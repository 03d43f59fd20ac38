"""Set-up shared by the safety plan tests: a member's plan and an open support chat with a listener."""

from __future__ import annotations

from typing import Any

from alongside.accounts.models import User
from alongside.chat.services import conversations as chat_services
from alongside.chat.tests.conftest import ask, on_duty, viewer_of
from alongside.safety.models import SafetyPlan, SafetyPlanShare
from alongside.safety.services import plans as services

SECRET = "Walk to the canal with Juniper"  # a line of the owner's plan: never shown to anyone else

PLAN = {
    "warning_signs": "Not sleeping\nSkipping meals",
    "coping_strategies": "Cold water on my face\n" + SECRET,
    "distractions": "The library on Park Street",
    "people_to_ask": "My sister, 07700 900123",
    "professionals": "My GP surgery\nSamaritans 116 123",
    "safer_surroundings": "Ask my sister to keep my tablets",
    "reasons_for_living": "My cat Pepper\nSeeing the sea again",
}


def make_plan(owner: User) -> SafetyPlan:
    return services.safety_plan_save(actor=owner, sections=PLAN)


def open_chat(member: User, listener: User) -> Any:
    """A support chat the listener has joined (status active)."""
    on_duty(listener)
    request = ask(member)
    chat_services.queue_match()
    request.refresh_from_db()
    return request.conversation


def share(member: User, conversation: Any) -> SafetyPlanShare:
    return services.safety_plan_share_start(actor=member, viewer=viewer_of(member, conversation))
