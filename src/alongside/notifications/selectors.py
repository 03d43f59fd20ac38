"""Reads for notifications: only ever the viewer's own.

Each row is one item, as listed and as counted in the header (new replies in one thread are one
row). What an item says is worked out when it is shown, from what the person may read then
(communities.selectors): how many replies are new to them, the newest one's words, a thread's
title. A removed or held post is never counted or quoted, and an item about something they can
no longer read says nothing of it (the services also withdraw such items as soon as it happens).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from alongside.communities import selectors as community_selectors
from alongside.notifications.enums import NotificationKind
from alongside.notifications.models import Notification


def mentioned_posts(*, recipient: Any) -> QuerySet[Notification, Any]:
    """The posts this person was told of as mentions, as a subquery (`recipient` may be an
    OuterRef): an item about new replies does not count them again, so a reply that mentions
    someone is one notification for them, not two."""
    return Notification.objects.filter(
        recipient=recipient, kind=NotificationKind.MENTION, target_type=community_selectors.POST_TARGET
    ).values("target_id")


def notification_list(*, viewer: Any) -> QuerySet[Notification]:
    """Unread first, mentions first among them (a personal mention is never buried under items
    about new replies), then read ones; newest first in each."""
    if not viewer.is_authenticated:
        return Notification.objects.none()
    rank = Case(
        When(read_at__isnull=True, kind=NotificationKind.MENTION, then=Value(0)),
        When(read_at__isnull=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return Notification.objects.filter(recipient=viewer).alias(rank=rank).order_by("rank", "-created_at", "-pk")


def notification_unread_count(*, viewer: Any) -> int:
    """Unread items, as listed: new replies in one thread count once."""
    if not viewer.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=viewer, read_at__isnull=True).count()


@dataclass
class Details:
    """What a page of notifications stands for now, loaded at once: for unread items about new
    replies, (how many, the newest one's id) by thread; the titles of the threads items are about,
    by id; the posts they name, by id. Only what the viewer may read is in them."""

    counts: dict[int, tuple[int, int]] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)
    posts: dict[int, Any] = field(default_factory=dict)


def notification_details(*, viewer: Any, notifications: list[Notification]) -> Details:
    """Three queries at most, for any number of notifications."""
    groups = [n for n in notifications if n.kind == NotificationKind.REPLIES]
    titles = community_selectors.readable_thread_titles(user=viewer, thread_ids=[n.target_id for n in groups])
    counts = community_selectors.new_reply_counts(
        user=viewer,
        thread_ids=[n.target_id for n in groups if n.read_at is None and n.target_id in titles],
        excluding=mentioned_posts(recipient=viewer),
    )
    post_ids = {n.target_id for n in notifications if n.target_type == community_selectors.POST_TARGET}
    post_ids |= {newest for _count, newest in counts.values()}
    posts = community_selectors.readable_posts_by_id(user=viewer, post_ids=post_ids)
    return Details(counts=counts, titles=titles, posts=posts)
