"""Reads for notifications: only ever the viewer's own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from alongside.notifications.models import Notification


def notification_list(*, viewer: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=viewer)


def notification_unread_count(*, viewer: Any) -> int:
    if not viewer.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=viewer, read_at__isnull=True).count()
