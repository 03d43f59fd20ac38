"""The chat app's public vocabulary: kinds, statuses, roles. Other apps may import these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListenerStatus(models.TextChoices):
    TRAINING = "training", _("In training")
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Not approved")


class ConversationKind(models.TextChoices):
    SUPPORT = "support", _("Talk with a listener")
    ROOM = "room", _("Community room")
    OUTREACH = "outreach", _("A responder checking in")


class ConversationStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a listener")
    ACTIVE = "active", _("Talking")
    ENDED = "ended", _("Ended")


class RequestStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ASSIGNED = "assigned", _("A listener joined")
    CANCELLED = "cancelled", _("Cancelled")


class ParticipantRole(models.TextChoices):
    MEMBER = "member", _("Member")
    LISTENER = "listener", _("Listener")
    RESPONDER = "responder", _("Support team")


class MessageStatus(models.TextChoices):
    VISIBLE = "visible", _("Sent")
    HELD = "held", _("Held for review")
    DELETED = "deleted", _("Removed")


class MessageKind(models.TextChoices):
    TEXT = "text", _("Message")
    EVENT = "event", _("Event")  # "Sam joined", "the chat ended": written by the service, never by a person
