"""Demo people: one account per role with a known password; staff get a known TOTP secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.db import transaction

from alongside.accounts import selectors as account_selectors
from alongside.accounts import services as account_services
from alongside.accounts.access import check_staff_needs_two_factor
from alongside.accounts.enums import Role

if TYPE_CHECKING:
    from alongside.accounts.models import User

DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105  (demo only: printed by seed_demo so staff demo log-ins work)
# Friendly display names: a staff role shows as a badge beside the name, never in it.
DISPLAY_NAMES = {
    Role.MEMBER: "Robin",
    Role.LISTENER: "Kai",
    Role.MODERATOR: "Jordan",
    Role.FACILITATOR: "Priya",
    Role.CLINICIAN: "Sam",
    Role.ADMIN: "Alex",
}


@transaction.atomic
def demo_users_create() -> list[tuple[User, str, str]]:
    """(user, password, two-factor secret) for each role. Never in production."""
    if settings.PRODUCTION:
        raise RuntimeError("Demo accounts are never created in production.")
    created = []
    for role in Role:
        # Not "demo_admin": pseudonyms may not hold staff words, and a password may not echo the pseudonym.
        pseudonym = f"demo_{DISPLAY_NAMES[role].lower()}"
        password = f"{role.value}-demo-pass"
        user = account_selectors.user_by_pseudonym(pseudonym)
        if user is None:
            user = account_services.user_register(pseudonym=pseudonym, password=password)
            account_services.user_role_set(actor=None, user=user, role=role, reason="demo account")
            account_services.profile_update(actor=user, user=user, values={"display_name": DISPLAY_NAMES[role]})
        secret = ""
        if check_staff_needs_two_factor(user):
            secret = DEMO_TOTP_SECRET
            if not account_selectors.user_has_totp(user=user):
                TOTP.activate(user, secret)
        created.append((user, password, secret))
    return created
