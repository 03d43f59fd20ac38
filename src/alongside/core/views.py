"""Site-wide pages: home and the health check."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alongside.core.api import error_response
from alongside.core.errors import NotFound

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The welcome page for visitors. Signed-in people get their own home (communities.views.home,
    wired in alongside.urls: core imports no app)."""
    return render(request, "core/home.html")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except Exception:
        logger.exception("Health check: database did not answer")
        return False


def _redis_ok() -> bool:
    if not settings.REDIS_URL:
        return True
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        logger.exception("Health check: Redis did not answer")
        return False


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Unknown addresses: the API answers in its own shape, every other path with the 404 page."""
    if request.path.startswith("/api/"):
        return error_response(NotFound())
    return render(request, "404.html", status=404)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The database and Redis decide whether this server can serve (503 if not). The apps' own
    checks (`settings.HEALTH_CHECKS`: the crisis model, say) can only make it "degraded": the site
    still works without them, but whoever runs it should know."""
    checks: dict[str, Any] = {"database": _database_ok(), "redis": _redis_ok() if settings.REDIS_URL else None}
    healthy = all(value is not False for value in checks.values())
    degraded = False
    for name, path in settings.HEALTH_CHECKS.items():
        result = import_string(path)()
        checks[name] = result
        degraded = degraded or not result.get("ok", False)
    status = "unavailable" if not healthy else "degraded" if degraded else "ok"
    return JsonResponse({"status": status, "checks": checks}, status=200 if healthy else 503)
