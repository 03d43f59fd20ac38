"""Safety plans (the Stanley-Brown structure) and their shares with a chat's listener.

A plan belongs to one member and is theirs alone: staff never see it. Every section is encrypted at
rest. A member may share it with the listener of one of their support chats; the listener can read
it while the share is active and they are still that chat's listener, and each reading is audited.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.core.crypto import EncryptedTextField


class SafetyPlan(models.Model):
    """One member's safety plan. Each section is a few short lines, one per line, encrypted."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_plan")
    warning_signs = EncryptedTextField(blank=True)
    coping_strategies = EncryptedTextField(blank=True)
    distractions = EncryptedTextField(blank=True)
    people_to_ask = EncryptedTextField(blank=True)
    professionals = EncryptedTextField(blank=True)
    safer_surroundings = EncryptedTextField(blank=True)
    reasons_for_living = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        # Never the contents: this string shows up in the admin and in logs.
        return f"safety plan {self.pk}"


class SafetyPlanShare(models.Model):
    """A member letting the listener of one support chat read their plan, until they stop it. It is
    for the listener they shared it with: after a hand-over the next listener does not see it unless
    the member shares again."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="shares")
    conversation_id = models.PositiveBigIntegerField()
    listener = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["conversation_id", "stopped_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "conversation_id"],
                condition=models.Q(stopped_at__isnull=True),
                name="safety_one_active_share_per_chat",
            )
        ]

    def __str__(self) -> str:
        return f"plan share {self.pk} (chat {self.conversation_id})"

    @property
    def is_active(self) -> bool:
        return self.stopped_at is None


# The sections in the order the plan is built and printed: (field name, heading, prompt).
PLAN_SECTIONS: tuple[tuple[str, Any, Any], ...] = (
    (
        "warning_signs",
        _("My warning signs"),
        _("Thoughts, feelings or situations that tell me a hard time may be starting."),
    ),
    (
        "coping_strategies",
        _("Things I can do on my own that help"),
        _("Small things that take my mind off it or calm me, without needing anyone else."),
    ),
    (
        "distractions",
        _("People and places that take my mind off things"),
        _("Friends to be around, or places where I feel a bit better, like a café or a park."),
    ),
    (
        "people_to_ask",
        _("People I can ask for help"),
        _("Someone I trust and can tell how I feel, with how to reach them."),
    ),
    (
        "professionals",
        _("Professionals and crisis lines"),
        _("My doctor or counsellor, a local crisis line, and the emergency number."),
    ),
    (
        "safer_surroundings",
        _("Making my surroundings safer"),
        _("Things I can do, or ask someone to do, to keep myself safer when things are hard."),
    ),
    (
        "reasons_for_living",
        _("My reasons for living"),
        _("The people, things and hopes that matter most to me."),
    ),
)
