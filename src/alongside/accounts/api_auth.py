"""How the JSON API knows who is calling: a bearer token, or a session cookie (plus the CSRF token
for writes). Every app's router uses these; the staff two-factor rule holds for both."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from alongside.accounts import access, services
from alongside.core.errors import NotAllowed


class TwoFactorRequired(NotAllowed):
    """The same code a staff session without two-factor authentication gets (accounts.middleware)."""

    error_code = "two_factor_required"


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`. Staff roles may only use tokens issued with a two-factor
    code (the staff middleware cannot see token users: it runs before the API authenticates)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        api_token = services.api_token_authenticate(token)
        if api_token is None:
            return None
        user = api_token.user
        if access.check_staff_needs_two_factor(user) and not api_token.second_factor:
            raise TwoFactorRequired(
                _("Your role needs two-factor authentication: log in again with your authenticator code.")
            )
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]  # "log out" revokes exactly this one
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's session. A request with no signed-in session is simply not authenticated
    (401, as documented); only a signed-in session's writes need the CSRF token (else 403)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        key: str | None = super()._get_key(request)
        return key


def _signed_out_visitor(request: HttpRequest) -> bool:
    """Lets a request without credentials through as a signed-out visitor. A request that sends an
    Authorization header but a wrong token is still refused (401), so a broken client notices."""
    return "Authorization" not in request.headers


# Token first: an API client that also holds a session cookie is judged by its token.
API_AUTH = [BearerTokenAuth(), SessionAuth()]
# For the few reads that signed-out visitors may make too.
API_AUTH_OR_VISITOR = [*API_AUTH, _signed_out_visitor]


def _visitor_where_open(request: HttpRequest) -> bool:
    """A signed-out visitor, only where the operator lets visitors read open communities."""
    return bool(settings.OPEN_COMMUNITIES_READABLE_SIGNED_OUT) and _signed_out_visitor(request)


# Reading an open community's threads and posts: members always, visitors where the site allows it
# (OPEN_COMMUNITIES_READABLE_SIGNED_OUT). The person is then `request.user` (anonymous for visitors).
API_AUTH_OR_OPEN_READER = [*API_AUTH, _visitor_where_open]
