"""The notifications app's public vocabulary. Other apps may import these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    # One item per person and thread, opened again by each new reply while they follow it; what
    # it counts is worked out when it is shown.
    REPLIES = "replies", _("New replies in a thread you follow")
    MENTION = "mention", _("Mention")
    # A sentence another app wrote for the reader (a responder checking in, a re-alert): shown as is.
    NOTE = "note", _("A note for you")
