"""Every write of the self-care app, each in a transaction; keyword-only arguments.

- `entry_save`: write a new journal entry or change one's own. Refused with a reason per field
  (nothing saved) for empty or over-long words, a mood off the scale, or too many tags. When the
  owner turned on `screen_for_crisis`, the words are read by the safety screening and the answer
  (whether they read as a crisis) is returned for the page to offer the crisis resources to the
  owner; nobody else is ever told.
- `entry_delete`: gone for good (no copy is kept).
- `settings_save`: the owner's journal settings.
- `checkin_save` / `checkin_delete`: a mood check-in, and taking one back.
- `measure_submit` / `measure_delete` / `measure_schedule_set`: a completed questionnaire (the
  crisis route for PHQ-9's question 9), deleting a result, and how often one is offered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.core.errors import Invalid, NotFound
from alongside.core.screening import screen_content
from alongside.notifications import services as notifications
from alongside.notifications.enums import NotificationKind
from alongside.safety.services import risk as safety_risk
from alongside.selfcare.access import access_checkin, access_entry, access_result, check_own_journal
from alongside.selfcare.enums import Feeling, Mood
from alongside.selfcare.measures import MEASURES
from alongside.selfcare.models import (
    JournalEntry,
    JournalSettings,
    JournalShare,
    MeasureResult,
    MeasureSchedule,
    MoodCheckIn,
)

TITLE_MAX = 150
BODY_MAX = 20_000
TAGS_MAX = 10
TAG_MAX = 30


@dataclass(frozen=True)
class Saved:
    entry: JournalEntry
    offer_support: bool  # the owner asked to be screened, and the words read as a crisis


def _clean(title: Any, body: Any, mood: Any, tags: Any) -> tuple[str, str, str, str]:
    errors: dict[str, list[str]] = {}
    title, body, mood = str(title or "").strip(), str(body or "").strip(), str(mood or "")
    for field, text in (("title", title), ("body", body)):
        if "\x00" in text:
            errors[field] = [_("This text has a character we can't store. Please remove it and try again.")]
    if len(title) > TITLE_MAX:
        errors["title"] = [_("Please keep the title under %(max)d characters.") % {"max": TITLE_MAX}]
    if not body:
        errors["body"] = [_("Write a few words first; even one line is enough.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("Please keep an entry under %(max)d characters.") % {"max": BODY_MAX}]
    if mood not in ("", *Mood.values):
        errors["mood"] = [_("Please choose one of the moods, or none.")]
    try:
        clean_tags = _clean_tags(tags)
    except Invalid as error:
        errors.update(error.message_dict)
    if errors:
        raise Invalid(errors)
    return title, body, mood, clean_tags


def _clean_tags(tags: Any) -> str:
    raw = tags if isinstance(tags, list) else str(tags or "").split(",")
    tag_list = [str(tag).strip() for tag in raw if str(tag).strip()]
    if len(tag_list) > TAGS_MAX or any(len(tag) > TAG_MAX or "," in tag or "\x00" in tag for tag in tag_list):
        raise Invalid(
            {
                "tags": [
                    _("Up to %(count)d tags of up to %(max)d characters each.") % {"count": TAGS_MAX, "max": TAG_MAX}
                ]
            }
        )
    return ", ".join(dict.fromkeys(tag_list))


@transaction.atomic
def entry_save(
    *, actor: Any, title: Any = "", body: Any, mood: Any = "", tags: Any = "", entry_id: Any = None
) -> Saved:
    if not check_own_journal(actor):
        raise NotFound()
    entry = access_entry(actor, entry_id) if entry_id is not None else JournalEntry(owner=actor)
    entry.title, entry.body, entry.mood, entry.tags = _clean(title, body, mood, tags)
    entry.updated_at = timezone.now()
    entry.save()
    offer = False
    if JournalSettings.objects.filter(owner=actor, screen_for_crisis=True).exists():
        decision = screen_content(text=f"{entry.title}\n{entry.body}", author=actor, kind="journal", context="journal")
        offer = safety_risk.reads_as_high_risk(decision)  # for the owner's eyes only: nothing is raised
    return Saved(entry=entry, offer_support=offer)


@transaction.atomic
def entry_delete(*, actor: Any, entry_id: Any) -> None:
    """Gone for good, with every copy of it shared with a listener."""
    entry = access_entry(actor, entry_id)
    JournalShare.objects.filter(entry=entry).delete()
    entry.delete()


@transaction.atomic
def settings_save(
    *, actor: Any, screen_for_crisis: bool, quiet_start: Any = None, quiet_end: Any = None
) -> JournalSettings:
    """The owner's journal settings; quiet hours (no goal reminders) are whole hours, 0 to 23."""
    if not check_own_journal(actor):
        raise NotFound()
    values: dict[str, Any] = {"screen_for_crisis": bool(screen_for_crisis)}
    for field, hour in (("quiet_start", quiet_start), ("quiet_end", quiet_end)):
        if hour is None:
            continue
        if str(hour) not in {str(n) for n in range(24)}:
            raise Invalid({field: [_("Please choose an hour of the day.")]})
        values[field] = int(hour)
    found, _created = JournalSettings.objects.update_or_create(owner=actor, defaults=values)
    return found


# --- Mood check-ins ------------------------------------------------------------------------------

NOTE_MAX = 1000


@transaction.atomic
def checkin_save(*, actor: Any, mood: Any, feelings: Any = (), note: Any = "", tags: Any = "") -> MoodCheckIn:
    """One tap: a mood from 1 (really struggling) to 5 (really good); feelings, a note and tags are
    optional. Refused with a reason per field, nothing saved."""
    if not check_own_journal(actor):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if str(mood) not in Mood.values:
        errors["mood"] = [_("Please choose how you feel, from “Really struggling” to “Really good”.")]
    chosen = [str(feeling) for feeling in (feelings or [])]
    if any(feeling not in Feeling.values for feeling in chosen):
        errors["feelings"] = [_("Please choose feelings from the list.")]
    note = str(note or "").strip()
    if len(note) > NOTE_MAX or "\x00" in note:
        errors["note"] = [_("Please keep the note under %(max)d characters.") % {"max": NOTE_MAX}]
    try:
        clean_tags = _clean_tags(tags)
    except Invalid as error:
        errors.update(error.message_dict)
    if errors:
        raise Invalid(errors)
    return MoodCheckIn.objects.create(
        owner=actor, mood=int(mood), feelings=", ".join(dict.fromkeys(chosen)), note=note, tags=clean_tags
    )


@transaction.atomic
def checkin_delete(*, actor: Any, checkin_id: Any) -> None:
    access_checkin(actor, checkin_id).delete()


# --- Validated measures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    result: MeasureResult
    crisis: bool  # the crisis question was answered above "not at all": responders are told


def measure_submit(*, actor: Any, key: str, answers: Any) -> Answered:
    """A completed questionnaire: every question answered with one of its answers, else refused
    (nothing saved). PHQ-9's question 9 above "not at all" raises an event for the safety responders
    (the member was told before starting), even when the rest is incomplete and refused."""
    if not check_own_journal(actor):
        raise NotFound()
    measure = MEASURES.get(key)
    if measure is None:
        raise NotFound()
    values = list(answers) if isinstance(answers, list | tuple) else []
    crisis_answer = crisis_answer_of(measure, values)
    if crisis_answer:
        with transaction.atomic():  # kept whatever becomes of the rest
            assert measure.crisis_question is not None
            safety_risk.risk_from_questionnaire(
                subject=actor,
                answer=crisis_answer,
                question=f"{measure.name} {measure.crisis_question + 1}: {measure.questions[measure.crisis_question]}",
                link=reverse("safety:help"),
            )
    allowed = {value for value, _label in measure.answers}
    try:
        numbers = [int(value) for value in values]
    except (TypeError, ValueError):
        numbers = []
    if len(numbers) != len(measure.questions) or any(number not in allowed for number in numbers):
        raise Invalid({"answers": [_("Please answer every question; each has its own choices.")]})
    with transaction.atomic():
        result = MeasureResult.objects.create(
            owner=actor, measure=key, answers=json.dumps(numbers), score=measure.score(numbers)
        )
        schedule = MeasureSchedule.objects.filter(owner=actor, measure=key).first()
        if schedule is not None:  # the next offer counts from this result
            _schedule_measure_reminder(schedule, after=result.created_at)
    return Answered(result=result, crisis=bool(crisis_answer))


def crisis_answer_of(measure: Any, values: list[Any]) -> int:
    """The answer (1 to 3) to the measure's crisis question when it is above "not at all", else 0."""
    index = measure.crisis_question
    if index is None or index >= len(values):
        return 0
    try:
        answer = int(values[index])
    except (TypeError, ValueError):
        return 0
    return answer if answer in (1, 2, 3) else 0


@transaction.atomic
def measure_delete(*, actor: Any, result_id: Any) -> None:
    access_result(actor, result_id).delete()


@transaction.atomic
def measure_schedule_set(*, actor: Any, key: str, every_weeks: Any) -> int:
    """Offer a questionnaire every 2 or 4 weeks, or (0) only when the member chooses."""
    if not check_own_journal(actor):
        raise NotFound()
    if key not in MEASURES:
        raise NotFound()
    if str(every_weeks) not in ("0", "2", "4"):
        raise Invalid({"every_weeks": [_("Please choose every 2 weeks, every 4 weeks, or only when you choose.")]})
    weeks = int(every_weeks)
    if weeks:
        schedule, _created = MeasureSchedule.objects.update_or_create(
            owner=actor, measure=key, defaults={"every_weeks": weeks}
        )
        _schedule_measure_reminder(schedule, after=timezone.now())
    else:
        MeasureSchedule.objects.filter(owner=actor, measure=key).delete()
    return weeks


def _measure_due_at(schedule: MeasureSchedule) -> Any:
    latest = (
        MeasureResult.objects.filter(owner_id=schedule.owner_id, measure=schedule.measure)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return (latest + timedelta(weeks=schedule.every_weeks)) if latest else schedule.created_at


def _schedule_measure_reminder(schedule: MeasureSchedule, *, after: Any) -> None:
    from alongside.selfcare import goals, tasks  # tasks import this module

    run_after = goals.quiet_adjusted(schedule.owner_id, max(after, _measure_due_at(schedule)))
    schedule_id = schedule.pk
    transaction.on_commit(lambda: tasks.measure_remind.using(run_after=run_after).enqueue(schedule_id=schedule_id))


@transaction.atomic
def measure_remind(*, schedule_id: int) -> bool:
    """The task: when a questionnaire the member asked to be offered is due, one gentle notification
    (outside their quiet hours, once per due period), then the next look queued. False when the
    schedule is gone or nothing was due."""
    schedule = MeasureSchedule.objects.select_for_update().filter(pk=schedule_id).first()
    if schedule is None:
        return False
    now, due_at = timezone.now(), _measure_due_at(schedule)
    if due_at > now:
        _schedule_measure_reminder(schedule, after=due_at)
        return False
    if schedule.reminded_at is not None and schedule.reminded_at >= due_at:
        return False  # already told for this period; a newer result or schedule queues the next look
    schedule.reminded_at = now
    schedule.save(update_fields=["reminded_at"])
    notifications.notification_create(
        recipient=schedule.owner,
        kind=NotificationKind.NOTE,
        actor_label="",
        subject=_("A check-up questionnaire you asked for is due, whenever you're ready. It's never required."),
        url=reverse("selfcare:measures"),
        target=schedule,
    )
    _schedule_measure_reminder(schedule, after=now + timedelta(weeks=schedule.every_weeks))
    return True
