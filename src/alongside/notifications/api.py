"""JSON API for notifications: your own; unread mentions first, then other unread items, then read
ones, newest first in each. New replies in a thread you follow are one item per thread (`kind`
`replies`), counting the replies you have not read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Router, Schema

from alongside.core.api import Id, Input, ListOut, PageNumber, responses
from alongside.notifications import selectors, services
from alongside.notifications.presenters import NotificationView, present_notifications

router = Router(tags=["notifications"])


def _me(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


PER_PAGE = 30


class NotificationOut(Schema):
    id: int
    kind: str = Field(..., description="`mention`, or `replies`: new replies in a thread you follow.")
    text: str = Field(..., description="The sentence to show, e.g. “5 new replies in “Evenings are hard””.")
    url: str = Field(
        ...,
        description="Path of the web page it is about (for `replies`, the thread: it opens "
        "at the first reply you have not read).",
    )
    actor_label: str = Field(
        ...,
        description="Who wrote the post it is about (for `replies`, the newest new "
        "reply), as shown to you; empty when there is none to show.",
    )
    count: int | None = Field(
        ...,
        description="For an unread `replies` item: how many replies you have not read "
        "(a reply that mentions you is counted as the mention instead). Null otherwise.",
    )
    snippet: str = Field(..., description="The first words of that post; empty when there is none to show.")
    created_at: datetime = Field(..., description="When it happened; for `replies`, the newest reply.")
    read: bool

    @staticmethod
    def of(view: NotificationView) -> NotificationOut:
        notification = view.notification
        return NotificationOut(
            id=notification.pk,
            kind=notification.kind,
            text=view.text,
            url=notification.url,
            actor_label=view.actor_label,
            count=view.count,
            snippet=view.snippet,
            created_at=notification.created_at,
            read=not view.unread,
        )


class UnreadCountOut(Schema):
    count: int


class MarkReadIn(Input):
    ids: list[Id] | None = Field(..., max_length=1000, description="Notification ids, or null for all of them.")


class MarkReadOut(Schema):
    marked: int


@router.get(
    "/notifications",
    response=responses({200: ListOut[NotificationOut]}, 401, 403),
    summary="Your notifications: unread mentions first, then unread, then read; newest first in each",
    description="Only what you may still read is listed: a notification about something removed, held for "
    "review or in a community you can no longer read is not there.",
)
def notification_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    viewer = _me(request)
    current = Paginator(selectors.notification_list(viewer=viewer), PER_PAGE).get_page(page)
    rows = list(current.object_list)
    views = present_notifications(rows, selectors.notification_details(viewer=viewer, notifications=rows))
    return {
        "items": [NotificationOut.of(view) for view in views],
        "page": current.number,
        "pages": current.paginator.num_pages,
        "count": current.paginator.count,
    }


@router.get(
    "/notifications/unread-count",
    response=responses({200: UnreadCountOut}, 401, 403, invalid=False),
    summary="How many notifications you have not read",
    description="Counted as listed: new replies in one thread are one notification.",
)
def unread_count(request: HttpRequest) -> UnreadCountOut:
    return UnreadCountOut(count=selectors.notification_unread_count(viewer=_me(request)))


@router.post(
    "/notifications/read",
    response=responses({200: MarkReadOut}, 400, 401, 403),
    summary="Mark notifications as read",
    description='`{"ids": [1, 2]}` marks those (only your own); `{"ids": null}` marks all of them.',
)
def mark_read(request: HttpRequest, payload: MarkReadIn) -> MarkReadOut:
    return MarkReadOut(marked=services.notifications_mark_read(actor=_me(request), ids=payload.ids))
