"""The outcomes dashboard's figures (issue 11.5), each with the number of people behind it, and
small-cell suppression applied (`outcomes.suppression`) before anything leaves this module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from alongside.chat import selectors as chat_selectors
from alongside.communities import selectors as community_selectors
from alongside.core.errors import NotFound
from alongside.outcomes.access import check_see_outcomes
from alongside.outcomes.suppression import Cell, suppress
from alongside.selfcare import selectors as selfcare_selectors
from alongside.selfcare.measures import MEASURES

MONTHS = 6
ENGAGEMENT = ("check-ins", "support chats", "posts and replies")


@dataclass
class MeasureChange:
    name: str
    higher_is_better: bool
    people: int
    first: Cell
    latest: Cell
    change: Cell


@dataclass
class Engagement:
    months: list[str]
    rows: list[list[Cell]]
    totals: list[Cell]

    @property
    def labelled(self) -> list[tuple[str, list[Cell]]]:
        return list(zip(self.months, self.rows, strict=True))


def _mean(values: list[int]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def measure_changes(*, viewer: Any) -> list[MeasureChange]:
    """For each measure, among members with two results or more: the mean first and latest scores
    and the mean change. Hidden whole when fewer than MIN_PEOPLE people took it twice."""
    if not check_see_outcomes(viewer):
        raise NotFound()
    pairs = selfcare_selectors.first_and_latest_scores()
    found = []
    for key, measure in MEASURES.items():
        taken = pairs.get(key, [])
        people = len(taken)
        cells = [
            Cell(_mean([first for first, _latest in taken]), people),
            Cell(_mean([latest for _first, latest in taken]), people),
            Cell(_mean([latest - first for first, latest in taken]), people),
        ]
        suppress([cells], None)
        found.append(MeasureChange(measure.name, measure.higher_is_better, people, *cells))
    return found


def _months_back(count: int) -> list[date]:
    month = timezone.localdate().replace(day=1)
    months = []
    for _step in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def engagement(*, viewer: Any, months: int = MONTHS) -> Engagement:
    """Check-ins, support chats and posts by month, each from how many people, with column totals;
    small cells hidden and, where a total would give one away, a second cell of its column too."""
    if not check_see_outcomes(viewer):
        raise NotFound()
    first = _months_back(months)[0]
    since = timezone.make_aware(datetime(first.year, first.month, 1))
    sources = [
        selfcare_selectors.checkins_by_month(since=since),
        chat_selectors.support_chats_by_month(since=since),
        community_selectors.posts_by_month(since=since),
    ]
    labels = [month.strftime("%Y-%m") for month in _months_back(months)]
    rows = [[Cell(*source.get(label, (0, 0))) for source in sources] for label in labels]
    # A column's people over the whole period are at least its largest month's (distinct people are
    # not additive): counting them so is the cautious side for deciding what to hide.
    totals = [
        Cell(sum(row[column].value for row in rows), max((row[column].people for row in rows), default=0))
        for column in range(len(sources))
    ]
    suppress(rows, totals)
    return Engagement(months=labels, rows=rows, totals=totals)
