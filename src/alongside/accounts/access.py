"""Who may do what with accounts. One named rule per function; each has its own test."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

from alongside.accounts.enums import STAFF_ROLES, Role


def check_staff_needs_two_factor(user: Any) -> bool:
    """Staff roles (moderators, facilitators, clinicians, administrators) must use two-factor
    authentication: on the web, in the Django admin and for every API token."""
    return bool(user is not None and user.is_authenticated and user.role in STAFF_ROLES)


def check_session_passed_second_factor(session: Any) -> bool:
    """Whether this session itself passed a two-factor step (allauth records each step it passes)."""
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY) or [] if session is not None else []
    return any(record.get("method") == "mfa" for record in records)


def check_session_may_act(user: Any, session: Any) -> bool:
    """A signed-in session acts for its person, except a staff member's before its own two-factor
    step (the rule web pages, the API and WebSockets share)."""
    return not check_staff_needs_two_factor(user) or check_session_passed_second_factor(session)


def socket_person(scope: dict[str, Any]) -> Any:
    """The signed-in person behind a WebSocket (from its session), or None: a staff member's session
    counts only after its two-factor step, as on web pages and the API. Call from a database thread."""
    user = scope.get("user")
    if user is None or not user.is_authenticated or not check_session_may_act(user, scope.get("session")):
        return None
    return user


def check_manage_account_permission(actor: Any, user: Any) -> bool:
    """A person manages their own account (profile, recovery e-mail, deletion); administrators
    may manage anyone's."""
    return bool(actor.is_authenticated and actor.is_active and (actor.pk == user.pk or actor.role == Role.ADMIN))


def check_change_role_permission(actor: Any) -> bool:
    """Only administrators change roles."""
    return bool(actor.is_authenticated and actor.is_active and actor.role == Role.ADMIN)
