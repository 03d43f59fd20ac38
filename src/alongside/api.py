"""The JSON API at /api/v1/ (django-ninja). Each app contributes a router from its api.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from alongside.accounts.api import router as accounts_router
from alongside.communities.api import router as communities_router
from alongside.core.api_support import validation_error_detail

api = NinjaAPI(
    title="Alongside API",
    version="1",
    description=(
        "The Alongside JSON API. Authenticate with a session cookie (plus the CSRF token for writes) "
        "or with `Authorization: Bearer <token>` from `POST /api/v1/auth/tokens`. "
        'Errors are JSON objects with a `detail` field, e.g. `{"detail": "Not found."}`.'
    ),
    urls_namespace="api-1",
)
api.add_router("", accounts_router)
api.add_router("", communities_router)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": validation_error_detail(exc)}, status=422)


@api.exception_handler(PermissionError)
def on_permission_error(request: HttpRequest, exc: PermissionError) -> HttpResponse:
    return api.create_response(request, {"detail": "You do not have permission to do that."}, status=403)


@api.exception_handler(ObjectDoesNotExist)
def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


api.exception_handler(Http404)(on_not_found)
