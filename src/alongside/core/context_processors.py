"""Values every template needs: site name, quick-exit target, and whether pages must be discreet."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "QUICK_EXIT_URL": settings.QUICK_EXIT_URL,
        "DISCREET_TITLE": settings.DISCREET_TITLE,
        "discreet": bool(getattr(user, "discreet", False)),
    }
