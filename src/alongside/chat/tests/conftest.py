"""Shared set-up for the chat tests: approved listeners on duty, and a member's chat."""

from __future__ import annotations

from typing import Any

import pytest

from alongside.accounts.models import User
from alongside.chat.access.conversations import access_conversation
from alongside.chat.models import ListenerProfile, ListenerStatus
from alongside.chat.services import conversations as services
from tests.personas import make_person


def on_duty(
    user: User, *, languages: tuple[str, ...] = ("en",), topics: tuple[str, ...] = (), capacity: int = 2
) -> User:
    """An approved listener, online (set-up state, written with the ORM)."""
    ListenerProfile.objects.update_or_create(
        user=user,
        defaults={
            "status": ListenerStatus.APPROVED,
            "languages": list(languages),
            "topics": list(topics),
            "capacity": capacity,
            "is_online": True,
        },
    )
    return user


def ask(member: User, **kwargs: Any) -> Any:
    return services.support_request(actor=member, language=kwargs.pop("language", "en"), **kwargs)


def viewer_of(user: User, conversation: Any) -> Any:
    return access_conversation(user, conversation.pk)


def say(user: User, conversation: Any, body: str, client_id: str = "") -> Any:
    return services.message_send(actor=user, viewer=viewer_of(user, conversation), body=body, client_id=client_id)


@pytest.fixture
def duty_listener(listener: User) -> User:
    return on_duty(listener)


@pytest.fixture
def second_listener(db: Any) -> User:
    return on_duty(make_person("second_listener", "listener"))
