"""Who may do what with accounts. One named rule per function."""

from __future__ import annotations

from django.conf import settings

from alongside.accounts.models import User


def check_staff_needs_two_factor(user: User) -> bool:
    """True when this person's role requires two-factor authentication."""
    return bool(user.is_authenticated and user.role in settings.STAFF_ROLES_REQUIRING_MFA)
