"""Writes for notifications. Other apps call these from their services.

Whenever a person's unread count may have changed, their open pages hear of it after commit:
`notifications_changed` on their live group (core/live.py). The push names no count: each of that
person's sockets reads the count itself (notifications/consumers.py), so a change for a thousand
followers costs the request no query per person, only people with a page open pay one, and a
socket always sends the count as it is once the change is visible, whatever order pushes arrive in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from alongside.core import live
from alongside.notifications.models import Notification

CHANGED = live.frame_event({"type": "notifications_changed"})


def _counts_changed(recipient_ids: Iterable[int]) -> None:
    """These people's unread counts changed: their open pages hear of it after commit."""
    live.push_to_many_after_commit((live.person_group(pk) for pk in recipient_ids), CHANGED)


def _unread_recipients(queryset: QuerySet[Notification]) -> list[int]:
    """Who has an unread item among these (about to be withdrawn: their counts go down). One query."""
    return list(queryset.filter(read_at__isnull=True).order_by().values_list("recipient_id", flat=True).distinct())


def notification_create(
    *, recipient: Any, kind: str, actor_label: str, subject: str, url: str, target: models.Model
) -> Notification:
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        actor_label=actor_label[:64],
        subject=subject[:200],
        url=url,
        target_type=target._meta.label_lower,
        target_id=target.pk,
    )
    _counts_changed([notification.recipient_id])
    return notification


def notifications_group_bump(
    *, recipient_ids: Iterable[int], kind: str, subject: str, url: str, target: models.Model
) -> int:
    """Each of these people's one item about `target` (made if they have none) becomes unread again
    and moves to the top. Bounded whatever the number of people: one query finds who has an item
    already, one bulk insert makes the missing ones (left alone by the unique constraint if another
    request made one meanwhile), one update brings them all up. Returns how many were brought up.
    Only those who had no unread item here hear of it live: the others' counts stay the same."""
    ids = sorted(set(recipient_ids))
    if not ids:
        return 0
    now = timezone.now()
    target_type, target_id = target._meta.label_lower, target.pk
    items = Notification.objects.filter(kind=kind, target_type=target_type, target_id=target_id)
    have = dict(items.filter(recipient_id__in=ids).values_list("recipient_id", "read_at"))
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
    brought_up = items.filter(recipient_id__in=ids).update(read_at=None, created_at=now, subject=subject[:200], url=url)
    _counts_changed(recipient_id for recipient_id in ids if recipient_id not in have or have[recipient_id] is not None)
    return brought_up


@transaction.atomic
def notifications_mark_read(*, actor: Any, ids: list[int] | None = None) -> int:
    """Mark the given notifications (or all of them) as read; only the recipient's own."""
    queryset = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    marked = queryset.update(read_at=timezone.now())
    if marked:
        _counts_changed([actor.pk])
    return marked


def notifications_mark_read_about(
    *, actor: Any, target_type: str, target_ids: Iterable[int], also: tuple[str, int] | None = None
) -> int:
    """Mark read the person's notifications about these things (what they have just read), and
    about `also` (type, id). One update."""
    about = Q(target_type=target_type, target_id__in=list(target_ids))
    if also is not None:
        about |= Q(target_type=also[0], target_id=also[1])
    marked = Notification.objects.filter(about, recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        _counts_changed([actor.pk])
    return marked


def notifications_withdraw_unread(*, kind: str, target: models.Model, unless: Any) -> int:
    """Withdraw the unread items of this kind about `target` for which `unless` (an expression
    over the item, e.g. "still has something new") is false. One query, and one more for whose
    unread count it changes."""
    queryset = Notification.objects.filter(
        kind=kind, target_type=target._meta.label_lower, target_id=target.pk, read_at__isnull=True
    ).exclude(unless)
    unread_for = _unread_recipients(queryset)
    deleted, _details = queryset.delete()
    _counts_changed(unread_for)
    return deleted


def notifications_withdraw_unless_recipient(*, target_type: str, target_ids: Any, keep: Any) -> int:
    """Withdraw notifications about these things except for the recipients `keep` (a filter on the
    recipient, e.g. those who may still read them). One query, and one more for whose unread
    count it changes."""
    queryset = Notification.objects.filter(target_type=target_type, target_id__in=target_ids).exclude(keep)
    unread_for = _unread_recipients(queryset)
    deleted, _details = queryset.delete()
    _counts_changed(unread_for)
    return deleted


@transaction.atomic
def notifications_withdraw(*, target_type: str, target_ids: Any, recipient: Any = None) -> int:
    """Remove notifications about things that were removed, or that the recipient may no longer see:
    their text names what they are about (e.g. a thread's title)."""
    queryset = Notification.objects.filter(target_type=target_type, target_id__in=target_ids)
    if recipient is not None:
        queryset = queryset.filter(recipient=recipient)
    unread_for = _unread_recipients(queryset)
    deleted, _details = queryset.delete()
    _counts_changed(unread_for)
    return deleted
