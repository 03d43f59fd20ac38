"""Risk events and the people who respond to them.

A risk event is raised when screening rates something someone wrote as a concern or worse, when a
listener asks responders for help in a chat, or when a member says they are worried about someone.
Responders (moderators and clinicians on the responder duty) work them from one queue, most severe
and oldest first. The words that raised an event, and every note about it, are encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.core.crypto import EncryptedTextField
from alongside.safety.enums import RiskLevel


class RiskSource(models.TextChoices):
    THREAD = "thread", _("A new thread")
    REPLY = "reply", _("A reply")
    CHAT = "chat", _("A chat message")
    JOURNAL = "journal", _("A journal entry")
    WORRY = "worry", _("Someone is worried about them")
    ESCALATION = "escalation", _("A listener asked for help")
    QUESTIONNAIRE = "questionnaire", _("A questionnaire answer")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a responder")
    ACKNOWLEDGED = "acknowledged", _("A responder is on it")
    HANDLED = "handled", _("Handled")
    FALSE_ALARM = "false_alarm", _("False alarm")


OPEN_STATUSES = (RiskStatus.OPEN, RiskStatus.ACKNOWLEDGED)


class Responder(models.Model):
    """The responder duty: a moderator or clinician who answers risk events. Administrators give it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="responder_duty")
    on_duty = models.BooleanField(_("on duty"), default=True)
    since = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"responder {self.user_id} ({'on' if self.on_duty else 'off'} duty)"


class RiskEvent(models.Model):
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="risk_events")
    source = models.CharField(max_length=14, choices=RiskSource.choices)
    level = models.CharField(max_length=8, choices=RiskLevel.choices)
    level_rank = models.PositiveSmallIntegerField()  # RiskLevel.rank: the queue's first sort key
    score = models.FloatField(null=True, blank=True)
    assessment = models.JSONField(default=dict, blank=True)  # the classifier's reasons, no text
    content = EncryptedTextField(blank=True)  # what they wrote (a copy: the original may be edited)
    note = EncryptedTextField(blank=True)  # the worried member's or the listener's words
    link = models.CharField(max_length=200, blank=True)  # where it was written, for the responder
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    conversation_id = models.PositiveBigIntegerField(null=True, blank=True)  # a chat it came from
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="worry_reports"
    )
    status = models.CharField(max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)  # new words added to an open event
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outreach_conversation_id = models.PositiveBigIntegerField(null=True, blank=True)
    alerts_sent = models.PositiveSmallIntegerField(default=1)  # the first alert and each re-alert

    class Meta:
        indexes = [
            models.Index(fields=["status", "-level_rank", "created_at"]),
            models.Index(fields=["subject", "created_at"]),
            models.Index(fields=["reporter", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"risk event {self.pk} ({self.level}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RiskAction(models.Model):
    """One step in an event's history, as its responders see it (the audit log has each one too)."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        UPDATED = "updated", _("More words added")
        ACKNOWLEDGED = "acknowledged", _("Picked up")
        REACHED_OUT = "reached_out", _("Reached out in a private chat")
        JOINED_CHAT = "joined_chat", _("Joined the chat beside the listener")
        ESCALATED = "escalated", _("Escalated")
        HANDLED = "handled", _("Marked handled")
        FALSE_ALARM = "false_alarm", _("Marked a false alarm")
        REALERTED = "realerted", _("Nobody had picked it up: responders alerted again")

    event = models.ForeignKey(RiskEvent, on_delete=models.CASCADE, related_name="actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=14, choices=Kind.choices)
    note = EncryptedTextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.event_id}"
