"""Who may see program outcomes: administrators, and clinicians where the operator allows it
(OUTCOMES_FOR_CLINICIANS, off by default). Everyone else gets not-found. Only anonymous totals with
small-cell suppression are ever shown; no person's data."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from alongside.accounts.enums import Role


def check_see_outcomes(user: Any) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return bool(user.role == Role.ADMIN or (user.role == Role.CLINICIAN and settings.OUTCOMES_FOR_CLINICIANS))
