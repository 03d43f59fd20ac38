"""Where the triage guide can send someone. One best destination per message."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Destination(models.TextChoices):
    LISTENER = "listener", _("Talk with a listener")
    COMMUNITY = "community", _("Communities")
    BREATHING = "breathing", _("A slow breathing exercise")
    GROUNDING = "grounding", _("5-4-3-2-1 grounding")
    THOUGHT_RECORD = "thought_record", _("A thought record")
    CRISIS = "crisis", _("Crisis support")


# The exercise page each exercise destination opens (`safety:exercise` slugs).
EXERCISE_SLUGS: dict[str, str] = {
    Destination.BREATHING: "breathing",
    Destination.GROUNDING: "grounding",
    Destination.THOUGHT_RECORD: "thought-record",
}
