"""Who may see and do what with risk events.

Rules in words:
- The responders' queue, every risk event and every action on one belong to responders alone:
  moderators, clinicians and administrators who hold the responder duty and are on duty. Everyone
  else (members, listeners, staff without the duty, the person the event is about) gets not-found.
- Any signed-in member may say they are worried about someone else (never about themselves: the
  support panel is for that), at most SAFETY_WORRY_REPORTS_PER_DAY times a day. It raises a risk
  event; nothing is ever sent from them to the person.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from alongside.accounts.enums import Role
from alongside.core.errors import NotFound
from alongside.safety.models import Responder, RiskEvent

RESPONDER_ROLES = (Role.MODERATOR, Role.CLINICIAN, Role.ADMIN)

REASON_NOT_YOURSELF = _(
    "This is for when you're worried about someone else. If you're struggling, you'll find people "
    "and lines to reach on the Get help now page."
)
REASON_CLOSED = _("This has already been closed. Nothing has changed.")


def check_responder(user: Any) -> bool:
    """A responder on duty (staff two-factor is enforced before any view, API or socket sees them)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.role not in RESPONDER_ROLES:
        return False
    return Responder.objects.filter(user=user, on_duty=True).exists()


def access_risk_event(user: Any, event_id: Any) -> RiskEvent:
    """A risk event for a responder, or NotFound (missing and forbidden alike)."""
    if not check_responder(user):
        raise NotFound()
    try:
        return RiskEvent.objects.select_related("subject__profile", "reporter").get(pk=int(event_id))
    except (TypeError, ValueError, RiskEvent.DoesNotExist):
        raise NotFound() from None


def check_worry_permission(actor: Any, subject: Any) -> str:
    """ "" if the actor may say they are worried about the subject, else why not."""
    if subject is None or getattr(actor, "pk", None) == subject.pk:
        return str(REASON_NOT_YOURSELF)
    return ""
