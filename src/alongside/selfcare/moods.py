"""Reads of a member's own mood check-ins, and the chart of them (authorization applied here).

`mood_series` reads the check-ins of the last 7, 30 or 90 days in one query and gives each day's
average, a plain summary, and, once there are at least `PATTERN_MIN_CHECKINS` check-ins, what
tends to go with better days: each tag noted on at least `PATTERN_MIN_TAGGED` check-ins (and absent
from as many) whose check-ins average at least `PATTERN_MIN_DIFFERENCE` higher than the others.
It is described as what went together, never as a cause or a diagnosis.

`chart_svg` draws the series on the server as an SVG (no JavaScript): a line over the days with
the five moods in words on the side, coloured by the page's own colours (so dark mode follows),
with a title and a description; the page shows the same numbers as a text summary and a table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from alongside.core.errors import NotFound
from alongside.selfcare.access import check_own_journal
from alongside.selfcare.enums import Mood
from alongside.selfcare.models import MoodCheckIn

WINDOWS = (7, 30, 90)
PATTERN_MIN_CHECKINS = 14
PATTERN_MIN_TAGGED = 3
PATTERN_MIN_DIFFERENCE = 0.5


@dataclass(frozen=True)
class MoodDay:
    day: date
    average: float
    count: int

    @property
    def word(self) -> str:
        return str(Mood(str(round(self.average))).label)


@dataclass(frozen=True)
class GoesWith:
    tag: str
    with_tag: float
    without_tag: float
    times: int


@dataclass
class MoodSeries:
    days: int
    start: date
    end: date
    points: list[MoodDay] = field(default_factory=list)
    checkins: int = 0
    goes_with: list[GoesWith] = field(default_factory=list)

    @property
    def average(self) -> float | None:
        total = sum(point.average * point.count for point in self.points)
        return round(total / self.checkins, 1) if self.checkins else None

    @property
    def average_word(self) -> str:
        return str(Mood(str(round(self.average))).label) if self.average is not None else ""

    @property
    def enough_for_patterns(self) -> bool:
        return self.checkins >= PATTERN_MIN_CHECKINS

    def table(self) -> list[tuple[str, str, str, int]]:
        """The page's table, one row a day, formatted once here (up to 90 rows: cheaper than in the
        template)."""
        words = {level: str(Mood(str(level)).label) for level in range(1, 6)}
        return [
            (date_format(point.day, "l j F"), words[round(point.average)], f"{point.average:.1f}", point.count)
            for point in self.points
        ]


def mood_series(*, user: Any, days: int) -> MoodSeries:
    if not check_own_journal(user):
        raise NotFound()
    if days not in WINDOWS:
        days = 30
    end = timezone.localdate()
    start = end - timedelta(days=days - 1)
    since = timezone.make_aware(datetime(start.year, start.month, start.day))
    rows = list(MoodCheckIn.objects.filter(owner=user, created_at__gte=since).only("mood", "created_at", "tags"))
    by_day: dict[date, list[int]] = defaultdict(list)
    for row in rows:
        by_day[timezone.localtime(row.created_at).date()].append(row.mood)
    points = [MoodDay(day, round(sum(moods) / len(moods), 2), len(moods)) for day, moods in sorted(by_day.items())]
    series = MoodSeries(days=days, start=start, end=end, points=points, checkins=len(rows))
    if series.enough_for_patterns:
        series.goes_with = _goes_with(rows)
    return series


def _goes_with(rows: list[MoodCheckIn]) -> list[GoesWith]:
    tagged: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        for tag in {tag.casefold() for tag in row.tag_list}:
            tagged[tag].append(row.mood)
    found = []
    for tag, moods in tagged.items():
        others = len(rows) - len(moods)
        if len(moods) < PATTERN_MIN_TAGGED or others < PATTERN_MIN_TAGGED:
            continue
        with_tag = sum(moods) / len(moods)
        without = (sum(row.mood for row in rows) - sum(moods)) / others
        if with_tag - without >= PATTERN_MIN_DIFFERENCE:
            found.append(GoesWith(tag, round(with_tag, 1), round(without, 1), len(moods)))
    return sorted(found, key=lambda item: item.without_tag - item.with_tag)[:5]


# --- The chart ------------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 130, 16, 16, 34


def _x(series: MoodSeries, day: date) -> float:
    span = max(series.days - 1, 1)
    return LEFT + (WIDTH - LEFT - RIGHT) * (day - series.start).days / span


def _y(mood: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (5 - mood) / 4


def chart_svg(series: MoodSeries) -> SafeString:
    """The series as an SVG image with a title and a description (what a screen reader reads; the
    page's table holds every number)."""
    levels = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="label" x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, _y(level), _y(level), LEFT - 8, _y(level), Mood(str(level)).label)
            for level in range(1, 6)
        ),
    )
    ends = format_html(
        '<text class="label" x="{}" y="{}">{}</text><text class="label" x="{}" y="{}" text-anchor="end">{}</text>',
        LEFT,
        HEIGHT - 10,
        series.start.strftime("%-d %b"),
        WIDTH - RIGHT,
        HEIGHT - 10,
        series.end.strftime("%-d %b"),
    )
    coordinates = [(round(_x(series, point.day), 1), round(_y(point.average), 1)) for point in series.points]
    line = (
        format_html('<polyline class="line" points="{}"></polyline>', " ".join(f"{x},{y}" for x, y in coordinates))
        if len(coordinates) > 1
        else ""
    )
    dots = format_html_join(
        "",
        '<circle class="dot" cx="{}" cy="{}" r="4"><title>{}: {}</title></circle>',
        (
            (x, y, point.day.strftime("%-d %B"), point.word)
            for (x, y), point in zip(coordinates, series.points, strict=True)
        ),
    )
    title = _("Your mood over the last %(days)d days") % {"days": series.days}
    if series.checkins:
        description = _("%(count)d check-ins on %(days)d days; on average “%(word)s” (%(average)s of 5).") % {
            "count": series.checkins,
            "days": len(series.points),
            "word": series.average_word,
            "average": series.average,
        }
    else:
        description = _("No check-ins in these days yet.")
    return format_html(
        '<svg class="mood-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="mood-chart-title mood-chart-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="mood-chart-title">{}</title><desc id="mood-chart-desc">{}</desc>'
        "{}{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        description,
        levels,
        ends,
        line,
        dots,
    )
