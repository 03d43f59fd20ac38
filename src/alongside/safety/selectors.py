"""Reads for the crisis resources page. Crisis lines are public: no viewer restrictions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django_countries import countries

from alongside.safety.models import CrisisLine

COUNTRIES_CACHE_KEY = "safety:crisis-countries:v1"


def crisis_countries() -> list[tuple[str, str]]:
    """(code, name) of every country that has at least one line, by name. Cached: the crisis page must
    stay fast under load, and the list changes only when an administrator edits lines (which clears it)."""
    cached: list[tuple[str, str]] | None = cache.get(COUNTRIES_CACHE_KEY)
    if cached is not None:
        return cached
    codes = set(CrisisLine.objects.filter(is_active=True).values_list("country", flat=True).distinct())
    result = sorted(((code, str(countries.name(code))) for code in codes), key=lambda item: item[1])
    cache.set(COUNTRIES_CACHE_KEY, result, timeout=60 * 60)
    return result


def crisis_countries_forget() -> None:
    cache.delete(COUNTRIES_CACHE_KEY)


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
