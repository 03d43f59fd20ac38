"""Values every template needs: site name, quick-exit target, unread notification count."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def site(request: HttpRequest) -> dict[str, Any]:
    from alongside.notifications.selectors import notification_unread_count

    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "QUICK_EXIT_URL": settings.QUICK_EXIT_URL,
        # Lazy: only pages that render the header pay for the count query.
        "unread_notifications": SimpleLazyObject(lambda: notification_unread_count(viewer=user)) if user else 0,
    }
