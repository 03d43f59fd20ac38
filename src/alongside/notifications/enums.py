"""The notifications app's public vocabulary. Other apps may import these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    REPLY = "reply", _("Reply to your thread")
    MENTION = "mention", _("Mention")
