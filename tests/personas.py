"""The one persona factory. Every test makes people here, the same way the product does: through
the accounts services (sign-up, then a role change by the system, then two-factor for staff).

Tests run with a fast password hasher (see conftest.py), so making a person costs about a
millisecond; tests that check the real hasher ask for Argon2 back with `argon2_passwords`.
"""

from __future__ import annotations

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time

from alongside.accounts import services as account_services
from alongside.accounts.access import check_staff_needs_two_factor
from alongside.accounts.enums import Role
from alongside.accounts.models import User

PASSWORD = "a calm harbour at dawn"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def make_person(
    pseudonym: str,
    role: str = Role.MEMBER,
    *,
    email: str = "",
    display_name: str = "",
    two_factor: bool | None = None,
) -> User:
    """A person with a profile. Staff roles get two-factor authentication unless `two_factor=False`.
    An `email` is confirmed, as if they had opened the link mailed to it."""
    user = account_services.user_register(pseudonym=pseudonym, password=PASSWORD, email=email)
    if email:
        user = account_services.user_email_confirm(token=account_services.email_confirmation_token(user=user))
    if role != Role.MEMBER:
        account_services.user_role_set(actor=None, user=user, role=Role(role), reason="test persona")
    if display_name:
        account_services.profile_update(actor=user, user=user, values={"display_name": display_name})
    if two_factor if two_factor is not None else check_staff_needs_two_factor(user):
        TOTP.activate(user, TOTP_SECRET)
    return user


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The authenticator app's current code. Never one in the last seconds of its period: a code
    that expired while the server checked the password made tests flaky."""
    remaining = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if remaining < 3:
        time.sleep(remaining + 0.1)
    counter = next(iter(yield_hotp_counters_from_time()))
    return str(format_hotp_value(hotp_value(secret, counter)))


def session_cookie(user: User) -> str:
    """A logged-in session for `user` in the configured session store, as the value of its
    `sessionid` cookie: for sockets and servers driven without going through the log-in pages."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


__all__ = ["PASSWORD", "TOTP_SECRET", "make_person", "session_cookie", "totp_code"]
