"""Who may see and do what with journals.

Rules in words:
- A journal is its owner's alone: only they write, read, search, change or delete its entries and
  its settings. For everyone else, other members, listeners, moderators, clinicians and
  administrators alike, an entry does not exist (not-found), and there is no staff path to it (the
  journal is not in the Django admin).
- Signed out, the journal pages ask to log in.
"""

from __future__ import annotations

from typing import Any

from alongside.core.errors import NotFound
from alongside.selfcare.models import JournalEntry


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
