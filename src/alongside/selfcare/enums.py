"""The self-care app's public vocabulary. Other apps may import these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mood(models.TextChoices):
    """How someone feels, in words (a 5-point scale, 1 the hardest)."""

    VERY_LOW = "1", _("Really struggling")
    LOW = "2", _("Low")
    OKAY = "3", _("Getting by")
    GOOD = "4", _("Fairly good")
    VERY_GOOD = "5", _("Really good")


class Feeling(models.TextChoices):
    """Feelings to pick from with a check-in (optional, any number)."""

    CALM = "calm", _("Calm")
    HOPEFUL = "hopeful", _("Hopeful")
    GRATEFUL = "grateful", _("Grateful")
    TIRED = "tired", _("Tired")
    ANXIOUS = "anxious", _("Anxious")
    SAD = "sad", _("Sad")
    ANGRY = "angry", _("Angry")
    LONELY = "lonely", _("Lonely")
    OVERWHELMED = "overwhelmed", _("Overwhelmed")
    NUMB = "numb", _("Numb")
