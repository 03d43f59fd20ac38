"""Staff roles (moderators, facilitators, clinicians, administrators) must use two-factor authentication."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from alongside.accounts import access, selectors

# Paths a staff member without 2FA can still reach: setting it up, leaving, and help.
_ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/help/",
    "/static/",
    "/healthz",
)
_SESSION_FLAG = "alongside_totp_confirmed"


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            access.check_staff_needs_two_factor(user)  # type: ignore[arg-type]
            and not request.session.get(_SESSION_FLAG)
            and not request.path.startswith(_ALLOWED_PREFIXES)
        ):
            # Staff cannot remove their authenticator (MFAAdapter), so the flag stays true once set.
            if selectors.user_has_totp(user=user):  # type: ignore[arg-type]
                request.session[_SESSION_FLAG] = True
            elif request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Your role needs two-factor authentication. Turn it on first.")}, status=403
                )
            else:
                messages.info(request, _("Your role needs two-factor authentication. Please set it up to continue."))
                return redirect("mfa_activate_totp")
        return self.get_response(request)
