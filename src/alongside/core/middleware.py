"""Response headers that protect people on shared or watched devices."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivatePagesNoStoreMiddleware:
    """Pages shown to a signed-in person are never kept in the browser's cache.

    After "Quick exit" or signing out on a shared device, the Back button must not bring a
    private page back out of the cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)  # includes no-store
        return response
