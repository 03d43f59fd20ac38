"""Counting by calendar month, for anonymous totals (the outcomes dashboard)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth


def count_by_month(queryset: Any, *, person: str, field: str = "created_at") -> dict[str, tuple[int, int]]:
    """Per month ("2026-11", the site's time zone): how many rows, and how many distinct `person`s."""
    rows = (
        queryset.annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("pk"), people=Count(person, distinct=True))
    )
    return {row["month"].strftime("%Y-%m"): (row["n"], row["people"]) for row in rows}
