"""The support panel after someone writes words that read as high risk: the page they land on next
shows it once (`safety.context_processors`), calmly, above what they wrote. Not an error, and what
they wrote is published as usual unless their community holds such posts for a moderator."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest

from alongside.safety.enums import RiskLevel
from alongside.safety.screening import CHECK

SESSION_KEY = "safety:support"


def support_suggested(stored_reasons: Iterable[Mapping[str, Any]]) -> bool:
    """Whether screening reasons stored beside some content (`ScreeningReason.as_dict`) ask for the panel."""
    return any(
        reason.get("check") == CHECK
        and reason.get("rule") in RiskLevel.values
        and RiskLevel(reason["rule"]).shows_support
        for reason in stored_reasons
    )


def offer_support(request: HttpRequest, stored_reasons: Iterable[Mapping[str, Any]]) -> bool:
    """Show the support panel on the next page when the reasons ask for it; True if so."""
    if not support_suggested(stored_reasons):
        return False
    remember_support(request)
    return True


def remember_support(request: HttpRequest) -> None:
    """Show the support panel on the next page (the caller already knows it should)."""
    request.session[SESSION_KEY] = True


def take_support_offer(request: HttpRequest) -> bool:
    """The next page asks once: True (and forgotten) when the panel should show."""
    session = getattr(request, "session", None)
    return bool(session.pop(SESSION_KEY, False)) if session is not None and SESSION_KEY in session else False
