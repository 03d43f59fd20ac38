"""Reads of the safety app, with authorization applied. Crisis lines are public: no viewer
restrictions. Risk events are for on-duty responders alone (`access.risk`). A safety plan is read
by its owner, or by a chat's listener through `access.plans.access_shared_plan`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django_countries import countries

from alongside.core.errors import NotFound
from alongside.safety.access.risk import check_responder
from alongside.safety.models import OPEN_STATUSES, CrisisLine, RiskAction, RiskEvent, RiskStatus
from alongside.safety.models.plans import PLAN_SECTIONS, SafetyPlan, SafetyPlanShare

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


def crisis_country_for(*, viewer: Any, requested: str = "", **hints: str) -> str:
    """The country to show, or "" when nothing tells us (the page then asks, and never pretends).
    `hints` are those of `crisis_country_guess`."""
    return crisis_country_guess(viewer=viewer, requested=requested, **hints).code


def crisis_lines_for(*, country: str, languages: Sequence[str] = ()) -> list[CrisisLine]:
    """A country's lines; with `languages` (most wanted first), lines in those languages come first,
    then lines for any language (emergency numbers), then the rest, each group in the admins' order."""
    if not country:
        return []
    lines = list(CrisisLine.objects.filter(country=country, is_active=True).order_by("position", "name"))
    wanted = [_language_family(code) for code in languages if code]
    if not wanted:
        return lines

    def rank(line: CrisisLine) -> int:
        codes = {_language_family(code) for code in line.language_code_list}
        if not codes:
            return len(wanted)
        found = [i for i, code in enumerate(wanted) if code in codes]
        return found[0] if found else len(wanted) + 1

    return sorted(lines, key=rank)  # stable: the admins' order within each group


# --- Risk events (responders only) -----------------------------------------------------------


@dataclass(frozen=True)
class QueueCount:
    responder: bool
    open: int = 0


def risk_queue_count(*, viewer: Any) -> QueueCount:
    if not check_responder(viewer):
        return QueueCount(responder=False)
    return QueueCount(responder=True, open=RiskEvent.objects.filter(status=RiskStatus.OPEN).count())


def risk_queue(*, viewer: Any, closed: bool = False, limit: int = 100) -> list[RiskEvent]:
    """Open events, most severe first and then oldest first (or the latest closed ones)."""
    if not check_responder(viewer):
        raise NotFound()
    events = RiskEvent.objects.select_related("subject", "acknowledged_by", "reporter")
    if closed:
        return list(events.exclude(status__in=OPEN_STATUSES).order_by("-closed_at", "-pk")[:limit])
    return list(events.filter(status__in=OPEN_STATUSES).order_by("-level_rank", "created_at", "pk")[:limit])


def risk_history(event: RiskEvent, *, limit: int = 10) -> list[RiskEvent]:
    """The person's other recent events (the responder already passed `access_risk_event`)."""
    return list(
        RiskEvent.objects.filter(subject_id=event.subject_id).exclude(pk=event.pk).order_by("-created_at")[:limit]
    )


def risk_actions(event: RiskEvent) -> list[RiskAction]:
    return list(event.actions.select_related("actor"))


@dataclass(frozen=True)
class ReporterRecord:
    """How a worried member's earlier reports turned out, so repeated unfounded ones show."""

    reports: int
    false_alarms: int


def reporter_record(event: RiskEvent, *, days: int = 90) -> ReporterRecord | None:
    if event.reporter_id is None:
        return None
    since = timezone.now() - timedelta(days=days)
    earlier = RiskEvent.objects.filter(reporter_id=event.reporter_id, created_at__gte=since)
    return ReporterRecord(reports=earlier.count(), false_alarms=earlier.filter(status=RiskStatus.FALSE_ALARM).count())


def responder_verdicts() -> dict[str, dict[str, int]]:
    """For the evaluation: per level and source of screening-raised events, how responders closed
    them (handled: a real concern; false alarm: not). No words, only counts."""
    rows = RiskEvent.objects.exclude(status__in=OPEN_STATUSES).values_list("level", "source", "status").order_by()
    verdicts: dict[str, dict[str, int]] = {}
    for level, source, status in rows:
        counts = verdicts.setdefault(f"{source}/{level}", {"handled": 0, "false_alarm": 0})
        counts["handled" if status == RiskStatus.HANDLED else "false_alarm"] += 1
    return verdicts


# --- Whose country: guessing it for the crisis resources ---------------------------------------

# Where the page keeps a country the person chose, and the cookie a tiny script sets with the time
# zone their browser reports (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
CHOSEN_COUNTRY_SESSION_KEY = "safety_country"
TIME_ZONE_COOKIE = "tz"
_TZ_TABLE = Path(__file__).resolve().parent / "data" / "tz_countries.json"


@dataclass(frozen=True)
class CountryGuess:
    """The country to show and how we know it: "asked" (in the address), "chosen" (earlier, this
    session), "profile", "time_zone", "language" (the browser's language region), or "" (unknown)."""

    code: str
    source: str

    @property
    def known(self) -> bool:
        return bool(self.code)

    @property
    def guessed(self) -> bool:
        """From the browser, not from the person: the page says so and offers to change it."""
        return self.source in ("time_zone", "language")


@lru_cache(maxsize=1)
def _time_zone_countries() -> dict[str, str]:
    """IANA zone -> country, generated from the tz database by tools/make_tz_countries.py."""
    zones: dict[str, str] = json.loads(_TZ_TABLE.read_text(encoding="utf-8"))["zones"]
    return zones


def country_of_time_zone(zone: str) -> str:
    return _time_zone_countries().get(zone.strip(), "") if zone else ""


def _accept_language_tags(header: str) -> list[str]:
    """The language tags of an Accept-Language header, most wanted first (q=0 ones dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, index, tag.strip()))
    return [tag for _q, _i, tag in sorted(weighted)]


def country_of_accept_language(header: str) -> str:
    """The region of the most wanted language tag that has one: en-GB -> GB, es-419 -> nothing."""
    for tag in _accept_language_tags(header):
        parts = tag.replace("_", "-").split("-")
        for part in parts[1:]:
            if len(part) == 2 and part.isalpha() and part.upper() in countries:
                return part.upper()
    return ""


def _language_family(code: str) -> str:
    primary = code.strip().lower().replace("_", "-").split("-")[0]
    return "no" if primary in ("nb", "nn") else primary  # Norwegian: one line answers both


def preferred_languages(*, viewer: Any = None, accept_language: str = "") -> list[str]:
    """The person's languages, most wanted first: their browser's, then those in their profile."""
    found: list[str] = []
    profile = getattr(viewer, "profile", None) if getattr(viewer, "is_authenticated", False) else None
    spoken = list(getattr(profile, "languages", None) or [])
    for code in [*_accept_language_tags(accept_language), *spoken]:
        family = _language_family(str(code))
        if family and family.isalpha() and family not in found:
            found.append(family)
    return found


def _valid_country(code: str) -> str:
    code = (code or "").strip().upper()
    return code if len(code) == 2 and code in countries else ""


def crisis_country_guess(
    *, viewer: Any, requested: str = "", chosen: str = "", accept_language: str = "", time_zone: str = ""
) -> CountryGuess:
    """Whose country, most trusted first: the one asked for in the address, the one chosen earlier
    in this session, the member's profile, the time zone (theirs in the profile, or the browser's),
    then the browser's language region. The time zone comes before the language because browsers
    often say en-US wherever they are. Nothing known: "" (never a default country)."""
    for code, source in ((requested, "asked"), (chosen, "chosen")):
        if _valid_country(code):
            return CountryGuess(_valid_country(code), source)
    profile = getattr(viewer, "profile", None) if getattr(viewer, "is_authenticated", False) else None
    if profile is not None and profile.country:
        return CountryGuess(str(profile.country.code), "profile")
    zone_country = country_of_time_zone(str(getattr(profile, "time_zone", "") or "")) or country_of_time_zone(time_zone)
    if zone_country:
        return CountryGuess(zone_country, "time_zone")
    language_country = country_of_accept_language(accept_language)
    if language_country:
        return CountryGuess(language_country, "language")
    return CountryGuess("", "")


def crisis_country_for_request(request: HttpRequest, *, requested: str = "") -> CountryGuess:
    """`crisis_country_guess` with what a request tells: the session, the browser's languages and the
    time zone cookie. One place, so the help page and the support panel always agree."""
    session = getattr(request, "session", None)
    return crisis_country_guess(
        viewer=getattr(request, "user", None),
        requested=requested,
        chosen=str(session.get(CHOSEN_COUNTRY_SESSION_KEY, "")) if session is not None else "",
        accept_language=request.headers.get("Accept-Language", "")[:500],
        time_zone=unquote(request.COOKIES.get(TIME_ZONE_COOKIE, "")[:200])[:64],  # the script URL-encodes it
    )


def crisis_languages_for_request(request: HttpRequest) -> list[str]:
    return preferred_languages(
        viewer=getattr(request, "user", None), accept_language=request.headers.get("Accept-Language", "")[:500]
    )


# --- Safety plans (each member's own; a listener reads one only through an active share) -------


@dataclass(frozen=True)
class PlanSection:
    """One section of a plan as both the pages and the API show it."""

    key: str
    heading: str
    prompt: str
    items: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.items)


def safety_plan_of(*, owner: Any) -> SafetyPlan | None:
    """The person's own plan, if they made one (nobody else's, ever)."""
    if not getattr(owner, "is_authenticated", False):
        return None
    return SafetyPlan.objects.filter(owner=owner).first()


def safety_plan_sections(plan: SafetyPlan | None) -> list[PlanSection]:
    """Every section in order, with its lines (none for a plan not made yet: a blank to fill in)."""
    return [
        PlanSection(
            key=key,
            heading=str(heading),
            prompt=str(prompt),
            items=[line for line in (getattr(plan, key, "") or "").splitlines() if line.strip()]
            if plan is not None
            else [],
        )
        for key, heading, prompt in PLAN_SECTIONS
    ]


def safety_plan_share_active(*, plan: SafetyPlan | None, conversation_id: int) -> SafetyPlanShare | None:
    if plan is None:
        return None
    return SafetyPlanShare.objects.filter(plan=plan, conversation_id=conversation_id, stopped_at__isnull=True).first()


def safety_plan_share_in_chat(*, conversation_id: int, listener: Any) -> SafetyPlanShare | None:
    """The plan shared with this listener in a chat now, if any (the caller checked they are its listener)."""
    return (
        SafetyPlanShare.objects.filter(conversation_id=conversation_id, listener=listener, stopped_at__isnull=True)
        .order_by("-shared_at")
        .first()
    )
