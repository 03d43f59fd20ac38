"""JSON API for notifications: your own, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from alongside.core.api import Id, Input, ListOut, PageNumber, page_of, responses
from alongside.notifications import selectors, services
from alongside.notifications.models import Notification
from alongside.notifications.presenters import notification_text

router = Router(tags=["notifications"])


def _me(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


PER_PAGE = 30


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str = Field(..., description="Path of the web page it is about.")
    actor_label: str
    created_at: datetime
    read: bool

    @staticmethod
    def of(notification: Notification) -> NotificationOut:
        return NotificationOut(
            id=notification.pk,
            kind=notification.kind,
            text=notification_text(notification),
            url=notification.url,
            actor_label=notification.actor_label,
            created_at=notification.created_at,
            read=notification.read_at is not None,
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
    summary="Your notifications, newest first",
)
def notification_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    return page_of(selectors.notification_list(viewer=_me(request)), page, PER_PAGE, NotificationOut.of)


@router.get(
    "/notifications/unread-count",
    response=responses({200: UnreadCountOut}, 401, 403, invalid=False),
    summary="How many notifications you have not read",
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
