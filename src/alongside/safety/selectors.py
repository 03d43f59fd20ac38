"""Reads for the crisis resources page. Crisis lines are public: no viewer restrictions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_countries import countries

from alongside.safety.models import CrisisLine


def crisis_countries() -> list[tuple[str, str]]:
    """(code, name) of every country that has at least one line, by name."""
    codes = set(CrisisLine.objects.filter(is_active=True).values_list("country", flat=True).distinct())
    return sorted(((code, str(countries.name(code))) for code in codes), key=lambda item: item[1])


def crisis_country_for(*, viewer: Any, requested: str = "") -> str:
    """The country to show: the one asked for, else the member's profile country, else the default."""
    requested = requested.strip().upper()
    if requested and requested in countries:
        return requested
    profile = getattr(viewer, "profile", None) if getattr(viewer, "is_authenticated", False) else None
    if profile is not None and profile.country:
        return str(profile.country.code)
    return str(settings.DEFAULT_COUNTRY)


def crisis_lines_for(*, country: str) -> list[CrisisLine]:
    return list(CrisisLine.objects.filter(country=country, is_active=True).order_by("position", "name"))
