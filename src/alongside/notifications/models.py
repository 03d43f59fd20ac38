"""In-app notifications. Delivery channels (live push, e-mail digests) read the same rows later."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from alongside.notifications.enums import NotificationKind

__all__ = ["Notification", "NotificationKind"]


class Notification(models.Model):
    """Something a person is told. A mention is one row per post. New replies in a thread someone
    follows are one row per person and thread (`kind` replies, its target the thread): each new
    reply opens it again as unread and moves it up (`created_at` is then its latest activity), and
    how many replies it stands for, and the newest one's words, are worked out when it is shown,
    from what the person may read then (so a removed or held reply is never counted or quoted)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    # Who caused it, as shown to the recipient ("Anonymous member" for anonymous posts): a label,
    # so an anonymous author is never linked to the recipient's notification.
    actor_label = models.CharField(max_length=64)
    # What it is about, in a few words (a thread's title); the sentence is made when it is shown.
    subject = models.CharField(max_length=200)
    url = models.CharField(max_length=300)
    # What it is about, so it can be withdrawn if the thing is removed or no longer readable.
    target_type = models.CharField(max_length=40)
    target_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # for e-mail digests, later

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "target_type", "target_id"],
                condition=Q(kind=NotificationKind.REPLIES),
                name="notifications_one_replies_item_per_thread",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
