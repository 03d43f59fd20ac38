"""Who may see and do what with journals.

Rules in words:
- A journal, and its mood check-ins, are their owner's alone: only they write, read, search,
  change or delete its entries, check-ins and settings. For everyone else, other members,
  listeners, moderators, clinicians and administrators alike, an entry or check-in does not exist
  (not-found), and there is no staff path to them (they are not in the Django admin).
- Signed out, the journal pages ask to log in.
"""

from __future__ import annotations

from typing import Any

from alongside.core.errors import NotFound
from alongside.selfcare.models import Goal, JournalEntry, MeasureResult, MoodCheckIn


def check_own_journal(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def access_entry(user: Any, entry_id: Any) -> JournalEntry:
    """One of the person's own entries, else NotFound (missing and someone else's alike)."""
    if not check_own_journal(user):
        raise NotFound()
    try:
        return JournalEntry.objects.get(pk=int(entry_id), owner=user)
    except (TypeError, ValueError, JournalEntry.DoesNotExist):
        raise NotFound() from None


def access_checkin(user: Any, checkin_id: Any) -> MoodCheckIn:
    """One of the person's own check-ins, else NotFound."""
    if not check_own_journal(user):
        raise NotFound()
    try:
        return MoodCheckIn.objects.get(pk=int(checkin_id), owner=user)
    except (TypeError, ValueError, MoodCheckIn.DoesNotExist):
        raise NotFound() from None


def access_result(user: Any, result_id: Any) -> MeasureResult:
    """One of the person's own questionnaire results, else NotFound."""
    if not check_own_journal(user):
        raise NotFound()
    try:
        return MeasureResult.objects.get(pk=int(result_id), owner=user)
    except (TypeError, ValueError, MeasureResult.DoesNotExist):
        raise NotFound() from None


def access_goal(user: Any, goal_id: Any) -> Goal:
    """One of the person's own goals, else NotFound (missing and someone else's alike)."""
    if not check_own_journal(user):
        raise NotFound()
    try:
        return Goal.objects.get(pk=int(goal_id), owner=user)
    except (TypeError, ValueError, Goal.DoesNotExist):
        raise NotFound() from None
