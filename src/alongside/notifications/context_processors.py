"""The unread-notification count shown in every page's header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from alongside.notifications.selectors import notification_unread_count


def unread_count(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    # Lazy: only pages that render the header pay for the count query.
    return {"unread_notifications": SimpleLazyObject(lambda: notification_unread_count(viewer=user)) if user else 0}
