"""Writes for notifications. Other apps call notification_create from their services."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from alongside.notifications.models import Notification


def notification_create(
    *, recipient: Any, kind: str, actor_label: str, subject: str, url: str, target: models.Model
) -> Notification:
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        actor_label=actor_label[:64],
        subject=subject[:200],
        url=url,
        target_type=target._meta.label_lower,
        target_id=target.pk,
    )


@transaction.atomic
def notifications_mark_read(*, actor: Any, ids: list[int] | None = None) -> int:
    """Mark the given notifications (or all of them) as read; only the recipient's own."""
    queryset = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())


@transaction.atomic
def notifications_withdraw(*, target_type: str, target_ids: Any, recipient: Any = None) -> int:
    """Remove notifications about things that were removed, or that the recipient may no longer see:
    their text names what they are about (e.g. a thread's title)."""
    queryset = Notification.objects.filter(target_type=target_type, target_id__in=target_ids)
    if recipient is not None:
        queryset = queryset.filter(recipient=recipient)
    deleted, _details = queryset.delete()
    return deleted
