"""Who may train as a listener, apply, decide on applications and change listener settings.

Rules in words:
- Any active, signed-in person may take the training (read the lessons, take the quizzes, accept
  the code of conduct) and apply. Whether their training is complete is the service's question.
- Only administrators decide on applications, and never on their own.
- An approved listener changes their own listener settings; nobody else does, and nobody who is not
  (or no longer) approved.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from alongside.accounts.enums import Role
from alongside.chat.enums import ListenerStatus
from alongside.chat.models import ListenerProfile
from alongside.chat.training import Lesson, lesson_by_slug
from alongside.core.errors import NotFound

REASON_SIGN_IN = _("Please log in to take the listener training.")
REASON_ADMINS = _("Only administrators decide on listener applications, and never on their own.")
REASON_APPROVED_ONLY = _("Listener settings open once your application to listen has been approved.")


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def check_train_permission(user: Any) -> bool:
    """Reading the lessons, taking the quizzes and accepting the code of conduct."""
    return _active(user)


def check_apply_permission(user: Any) -> bool:
    """Sending an application (the training must be complete too; the service checks that)."""
    return _active(user)


def check_decide_listener_permission(actor: Any, profile: ListenerProfile) -> bool:
    return _active(actor) and actor.role == Role.ADMIN and actor.pk != profile.user_id


def check_edit_listener_settings_permission(actor: Any, profile: ListenerProfile | None) -> bool:
    return (
        _active(actor)
        and profile is not None
        and profile.user_id == actor.pk
        and profile.status == ListenerStatus.APPROVED
    )


def access_lesson(viewer: Any, slug: str) -> Lesson:
    """The lesson, for someone who may train; NotFound otherwise (and for an unknown lesson)."""
    lesson = lesson_by_slug(slug)
    if lesson is None or not check_train_permission(viewer):
        raise NotFound
    return lesson
