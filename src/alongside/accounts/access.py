"""Who may do what with accounts. One named rule per function; each has its own test."""

from __future__ import annotations

from typing import Any

from alongside.accounts.enums import STAFF_ROLES, Role


def check_staff_needs_two_factor(user: Any) -> bool:
    """Staff roles (moderators, facilitators, clinicians, administrators) must use two-factor
    authentication: on the web, in the Django admin and for every API token."""
    return bool(user is not None and user.is_authenticated and user.role in STAFF_ROLES)


def check_manage_account_permission(actor: Any, user: Any) -> bool:
    """A person manages their own account (profile, recovery e-mail, deletion); administrators
    may manage anyone's."""
    return bool(actor.is_authenticated and actor.is_active and (actor.pk == user.pk or actor.role == Role.ADMIN))


def check_change_role_permission(actor: Any) -> bool:
    """Only administrators change roles."""
    return bool(actor.is_authenticated and actor.is_active and actor.role == Role.ADMIN)
