"""Reads of a member's own journal (authorization applied here).

Search happens in memory over the member's own decrypted entries: the words are never put in a
shared index, so nothing readable is stored. At a member's scale (hundreds, a few thousand
entries) this is quick; `SEARCH_LIMIT` bounds the work."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.core.aggregates import count_by_month
from alongside.core.errors import NotFound
from alongside.selfcare.access import check_own_journal
from alongside.selfcare.models import JournalEntry, JournalSettings, MoodCheckIn

PER_PAGE = 20
SEARCH_LIMIT = 5000

PROMPTS = [
    _("What helped a little today?"),
    _("What is one thing you'd like someone to know about how you feel?"),
    _("What was the hardest moment today, and how did you get through it?"),
    _("Who or what made you feel less alone lately?"),
    _("What would you say to a friend who felt the way you do?"),
    _("What is something small you're looking forward to?"),
    _("What did your body need today?"),
]


def prompt_for(day: datetime.date | None = None) -> str:
    """A gentle prompt for people who don't know what to write, a different one each day."""
    day = day or timezone.localdate()
    return str(PROMPTS[day.toordinal() % len(PROMPTS)])


def journal_entries(*, user: Any) -> QuerySet[JournalEntry]:
    """The person's own entries, newest first."""
    if not check_own_journal(user):
        raise NotFound()
    return JournalEntry.objects.filter(owner=user)


def journal_page(*, user: Any, page: Any = 1) -> Page[JournalEntry]:
    return Paginator(journal_entries(user=user), PER_PAGE).get_page(page)


def journal_search(*, user: Any, query: str) -> list[JournalEntry]:
    """The person's entries whose title, words or tags contain every word of `query` (any case),
    newest first."""
    words = [word.casefold() for word in query.split() if word.strip()]
    if not words:
        return []
    found = []
    for entry in journal_entries(user=user)[:SEARCH_LIMIT]:
        text = f"{entry.title}\n{entry.body}\n{entry.tags}".casefold()
        if all(word in text for word in words):
            found.append(entry)
    return found


def journal_settings(*, user: Any) -> JournalSettings:
    if not check_own_journal(user):
        raise NotFound()
    return JournalSettings.objects.filter(owner=user).first() or JournalSettings(owner=user)


def checkins_of(*, user: Any) -> QuerySet[MoodCheckIn]:
    """The person's check-ins, newest first."""
    if not check_own_journal(user):
        raise NotFound()
    return MoodCheckIn.objects.filter(owner=user)


def recent_checkins(*, user: Any, limit: int = 10) -> list[MoodCheckIn]:
    return list(checkins_of(user=user)[:limit])


# --- For the outcomes app: anonymous totals only, never a person ----------------------------------


def first_and_latest_scores() -> dict[str, list[tuple[int, int]]]:
    """Per measure, one (first score, latest score) pair per member with at least two results. No
    member is named; the outcomes app applies small-cell suppression before showing anything."""
    from alongside.selfcare.models import MeasureResult

    pairs: dict[str, dict[int, list[int]]] = {}
    rows = MeasureResult.objects.order_by("created_at", "pk").values_list("measure", "owner_id", "score")
    for measure, owner_id, score in rows:
        pairs.setdefault(measure, {}).setdefault(owner_id, []).append(score)
    return {
        measure: [(scores[0], scores[-1]) for scores in by_owner.values() if len(scores) >= 2]
        for measure, by_owner in pairs.items()
    }


def checkins_by_month(*, since: Any) -> dict[str, tuple[int, int]]:
    """Per month ("2026-11"): how many check-ins, and from how many people."""
    return count_by_month(MoodCheckIn.objects.filter(created_at__gte=since), person="owner_id")
