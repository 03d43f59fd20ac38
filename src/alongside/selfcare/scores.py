"""A member's questionnaire results for the pages: each measure with its latest result, band and
schedule, and a chart of its scores over time drawn on the server as SVG (the page's table holds
every number). Authorization is applied here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from alongside.core.errors import NotFound
from alongside.selfcare.access import check_own_journal
from alongside.selfcare.measures import MEASURES, Band, Measure
from alongside.selfcare.models import MeasureResult, MeasureSchedule


@dataclass
class MeasureHistory:
    measure: Measure
    results: list[MeasureResult] = field(default_factory=list)  # oldest first
    every_weeks: int = 0

    @property
    def latest(self) -> MeasureResult | None:
        return self.results[-1] if self.results else None

    @property
    def latest_band(self) -> Band | None:
        return self.measure.band(self.latest.score) if self.latest else None

    @property
    def due(self) -> bool:
        if not self.every_weeks:
            return False
        return self.latest is None or self.latest.created_at <= timezone.now() - timedelta(weeks=self.every_weeks)

    @property
    def rows(self) -> list[tuple[MeasureResult, Band | None]]:
        return [(result, self.measure.band(result.score)) for result in reversed(self.results)]

    def chart(self) -> SafeString:
        return scores_svg(self.measure, self.results)


def histories(*, user: Any) -> list[MeasureHistory]:
    """Every measure, with the person's results (two queries whatever the number)."""
    if not check_own_journal(user):
        raise NotFound()
    found = {key: MeasureHistory(measure) for key, measure in MEASURES.items()}
    for result in MeasureResult.objects.filter(owner=user).order_by("created_at", "pk").defer("answers"):
        if result.measure in found:
            found[result.measure].results.append(result)
    for schedule in MeasureSchedule.objects.filter(owner=user):
        if schedule.measure in found:
            found[schedule.measure].every_weeks = schedule.every_weeks
    return list(found.values())


def crisis_answered(result: MeasureResult) -> bool:
    measure = MEASURES[result.measure]
    if measure.crisis_question is None:
        return False
    return int(json.loads(result.answers)[measure.crisis_question]) > 0


WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 220, 48, 16, 12, 28


def scores_svg(measure: Measure, results: list[MeasureResult]) -> SafeString:
    """The scores over time, with each band's lower edge as a line and its name."""

    def y(score: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - score / measure.maximum)

    span = max(len(results) - 1, 1)
    points = [
        (round(LEFT + (WIDTH - LEFT - RIGHT) * index / span, 1), round(y(result.score), 1), result)
        for index, result in enumerate(results)
    ]
    bands = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, y(band.low), y(band.low), WIDTH - RIGHT, y(band.low) - 3, band.name)
            for band in measure.bands
        ),
    )
    line = (
        format_html('<polyline class="line" points="{}"></polyline>', " ".join(f"{x},{yy}" for x, yy, _r in points))
        if len(points) > 1
        else ""
    )
    dots = format_html_join(
        "",
        '<circle class="dot" cx="{}" cy="{}" r="4"><title>{}: {}</title></circle>',
        ((x, yy, timezone.localtime(r.created_at).strftime("%-d %B %Y"), r.score) for x, yy, r in points),
    )
    title = _("Your %(name)s scores over time") % {"name": measure.name}
    if results:
        description = _("%(count)d results; the latest %(score)d of %(maximum)d.") % {
            "count": len(results),
            "score": results[-1].score,
            "maximum": measure.maximum,
        }
    else:
        description = _("No results yet.")
    key = measure.key
    return format_html(
        '<svg class="mood-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        key,
        key,
        key,
        title,
        key,
        description,
        bands,
        line,
        dots,
    )
