"""Writes for notifications. Other apps call these from their services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import Q
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


def notifications_group_bump(
    *, recipient_ids: Iterable[int], kind: str, subject: str, url: str, target: models.Model
) -> int:
    """Each of these people's one item about `target` (made if they have none) becomes unread again
    and moves to the top. Bounded whatever the number of people: one query finds who has an item
    already, one bulk insert makes the missing ones (left alone by the unique constraint if another
    request made one meanwhile), one update brings them all up. Returns how many were brought up."""
    ids = sorted(set(recipient_ids))
    if not ids:
        return 0
    now = timezone.now()
    target_type, target_id = target._meta.label_lower, target.pk
    items = Notification.objects.filter(kind=kind, target_type=target_type, target_id=target_id)
    have = set(items.filter(recipient_id__in=ids).values_list("recipient_id", flat=True))
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=recipient_id,
                kind=kind,
                actor_label="",
                subject=subject[:200],
                url=url,
                target_type=target_type,
                target_id=target_id,
                created_at=now,
            )
            for recipient_id in ids
            if recipient_id not in have
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    return items.filter(recipient_id__in=ids).update(read_at=None, created_at=now, subject=subject[:200], url=url)


@transaction.atomic
def notifications_mark_read(*, actor: Any, ids: list[int] | None = None) -> int:
    """Mark the given notifications (or all of them) as read; only the recipient's own."""
    queryset = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())


def notifications_mark_read_about(
    *, actor: Any, target_type: str, target_ids: Iterable[int], also: tuple[str, int] | None = None
) -> int:
    """Mark read the person's notifications about these things (what they have just read), and
    about `also` (type, id). One update."""
    about = Q(target_type=target_type, target_id__in=list(target_ids))
    if also is not None:
        about |= Q(target_type=also[0], target_id=also[1])
    return Notification.objects.filter(about, recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def notifications_withdraw_unread(*, kind: str, target: models.Model, unless: Any) -> int:
    """Withdraw the unread items of this kind about `target` for which `unless` (an expression
    over the item, e.g. "still has something new") is false. One query."""
    queryset = Notification.objects.filter(
        kind=kind, target_type=target._meta.label_lower, target_id=target.pk, read_at__isnull=True
    )
    deleted, _details = queryset.exclude(unless).delete()
    return deleted


def notifications_withdraw_unless_recipient(*, target_type: str, target_ids: Any, keep: Any) -> int:
    """Withdraw notifications about these things except for the recipients `keep` (a filter on the
    recipient, e.g. those who may still read them). One query."""
    deleted, _details = (
        Notification.objects.filter(target_type=target_type, target_id__in=target_ids).exclude(keep).delete()
    )
    return deleted


@transaction.atomic
def notifications_withdraw(*, target_type: str, target_ids: Any, recipient: Any = None) -> int:
    """Remove notifications about things that were removed, or that the recipient may no longer see:
    their text names what they are about (e.g. a thread's title)."""
    queryset = Notification.objects.filter(target_type=target_type, target_id__in=target_ids)
    if recipient is not None:
        queryset = queryset.filter(recipient=recipient)
    deleted, _details = queryset.delete()
    return deleted
