"""Staff roles (moderators, facilitators, clinicians, administrators) must use two-factor
authentication, in every session: a session counts only once it has passed the code step itself.

Having an authenticator is not enough: a session that started with a password alone (say, before
the person was made a moderator) must confirm a code before it carries staff powers. API calls with
a bearer token are judged by their token instead (accounts.api_auth)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from alongside.accounts import access, selectors
from alongside.accounts.api_auth import TwoFactorRequired
from alongside.core.api import error_response

# Paths a staff member can reach before the code step: setting it up or confirming it, leaving, help.
_ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/help/",
    "/static/",
    "/healthz",
)


def session_passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session itself passed a two-factor step (allauth records each step it passes)."""
    return access.check_session_passed_second_factor(request.session)


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            access.check_staff_needs_two_factor(user)
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and not session_passed_second_factor(request)
        ):
            if request.path.startswith("/api/"):
                return error_response(
                    TwoFactorRequired(_("Your role needs two-factor authentication. Confirm your code first."))
                )
            if selectors.user_has_totp(user=user):  # type: ignore[arg-type]
                messages.info(request, _("Please confirm it's you with the code from your authenticator app."))
                return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
            messages.info(request, _("Your role needs two-factor authentication. Please set it up to continue."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)
