"""Shared pieces for every app's JSON API: authentication and error shapes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        from alongside.accounts.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


# Token first: an API client that also holds a session cookie is judged by its token.
# Session auth checks the CSRF token on unsafe methods.
AUTH = [BearerTokenAuth(), SessionAuth()]


def validation_error_detail(exc: ValidationError) -> list[dict[str, Any]]:
    """Django ValidationError -> the same list shape ninja uses for schema errors."""
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", field], "msg": str(message), "type": "value_error"}
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    return [{"loc": ["body"], "msg": str(message), "type": "value_error"} for message in exc.messages]
