"""Site-wide request handling: the page handler for domain errors, and response headers that
protect people on shared or watched devices."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from alongside.core.errors import DomainError, Invalid, NotAllowed, NotFound, field_errors


class DomainErrorMiddleware:
    """The one place where NotFound, NotAllowed and Invalid become pages (the API has its own).

    NotFound looks exactly like a missing page; NotAllowed shows its reason kindly; Invalid that no
    form caught (a tampered request) is a 400 page listing what was wrong. Never a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return render(request, "404.html", status=404)
        if isinstance(exception, NotAllowed):
            return render(request, "403.html", {"reason": exception.message}, status=403)
        if isinstance(exception, Invalid):
            messages = [message for group in field_errors(exception).values() for message in group]
            return render(request, "400.html", {"problems": messages}, status=400)
        if isinstance(exception, DomainError):
            return render(request, "400.html", {"problems": [exception.message]}, status=exception.status)
        return None


class ProtectiveHeadersMiddleware:
    """Signed-in pages are never kept in the browser's cache, and no page may use the camera,
    microphone, location and other powerful features.

    After "Quick exit" or logging out on a shared device, the Back button must not bring a private
    page back out of the cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)  # includes no-store
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response
