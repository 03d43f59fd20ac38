"""JSON API for the journal and mood check-ins (mobile apps), with the pages' rules
(`selfcare/access.py`): every entry and check-in is its owner's alone; for anyone else it does not
exist."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from alongside.core.api import Input, ListOut, PageNumber, Text, page_of, responses
from alongside.selfcare import access, export, fhir, goals, scores, selectors, services
from alongside.selfcare.enums import Feeling, Mood
from alongside.selfcare.measures import MEASURES
from alongside.selfcare.moods import mood_series

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.selfcare.models import JournalEntry, MeasureResult, MoodCheckIn

router = Router(tags=["journal"])


def _me(request: HttpRequest) -> User:
    return cast("User", request.auth)  # type: ignore[attr-defined]


class EntryIn(Input):
    title: Text = Field("", max_length=services.TITLE_MAX)
    body: Text = Field(..., max_length=services.BODY_MAX, description="Markdown.")
    mood: Mood | None = Field(None, description="1 (really struggling) to 5 (really good), or none.")
    tags: list[Text] = Field(default_factory=list, max_length=services.TAGS_MAX)


class EntryOut(Schema):
    id: int
    title: str
    body: str
    mood: str = Field(..., description="1 to 5, or empty.")
    tags: list[str]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(entry: JournalEntry) -> EntryOut:
        return EntryOut(
            id=entry.pk,
            title=entry.title,
            body=entry.body,
            mood=entry.mood,
            tags=entry.tag_list,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
        )


class SavedOut(EntryOut):
    offer_support: bool = Field(
        ...,
        description="You turned on crisis screening and the words read as a crisis: show the crisis "
        "resources. Nobody else is told.",
    )


class SettingsIo(Input):
    screen_for_crisis: bool
    quiet_start: int = Field(22, ge=0, le=23, description="No goal reminders from this hour...")
    quiet_end: int = Field(8, ge=0, le=23, description="...until this one (the site's time).")


def _saved(result: services.Saved) -> SavedOut:
    return SavedOut(**EntryOut.of(result.entry).dict(), offer_support=result.offer_support)


@router.get(
    "/journal/entries",
    response=responses({200: ListOut[EntryOut]}, 401, 403, 404),
    summary="Your journal entries, newest first, or those with every word of `q`",
)
def entries(request: HttpRequest, q: str = "", page: PageNumber = 1) -> dict[str, Any]:
    user = _me(request)
    found = selectors.journal_search(user=user, query=q[:200]) if q.strip() else selectors.journal_entries(user=user)
    return page_of(found, page, selectors.PER_PAGE, EntryOut.of)


@router.post("/journal/entries", response=responses({201: SavedOut}, 400, 401, 403), summary="Write an entry")
def entry_create(request: HttpRequest, payload: EntryIn) -> Status[SavedOut]:
    saved = services.entry_save(actor=_me(request), **payload.dict(exclude_none=True))
    return Status(201, _saved(saved))


@router.get("/journal/entries/{entry_id}", response=responses({200: EntryOut}, 401, 403, 404), summary="One entry")
def entry_get(request: HttpRequest, entry_id: int) -> EntryOut:
    return EntryOut.of(access.access_entry(_me(request), entry_id))


@router.put(
    "/journal/entries/{entry_id}", response=responses({200: SavedOut}, 400, 401, 403, 404), summary="Change an entry"
)
def entry_put(request: HttpRequest, entry_id: int, payload: EntryIn) -> SavedOut:
    return _saved(services.entry_save(actor=_me(request), entry_id=entry_id, **payload.dict(exclude_none=True)))


@router.delete(
    "/journal/entries/{entry_id}", response=responses({204: None}, 401, 403, 404), summary="Delete an entry for good"
)
def entry_delete(request: HttpRequest, entry_id: int) -> Status[None]:
    services.entry_delete(actor=_me(request), entry_id=entry_id)
    return Status(204, None)


@router.get("/journal/settings", response=responses({200: SettingsIo}, 401, 403), summary="Your journal settings")
def settings_get(request: HttpRequest) -> SettingsIo:
    found = selectors.journal_settings(user=_me(request))
    return SettingsIo(
        screen_for_crisis=found.screen_for_crisis, quiet_start=found.quiet_start, quiet_end=found.quiet_end
    )


@router.put(
    "/journal/settings", response=responses({200: SettingsIo}, 400, 401, 403), summary="Change your journal settings"
)
def settings_put(request: HttpRequest, payload: SettingsIo) -> SettingsIo:
    saved = services.settings_save(actor=_me(request), **payload.dict())
    return SettingsIo(
        screen_for_crisis=saved.screen_for_crisis, quiet_start=saved.quiet_start, quiet_end=saved.quiet_end
    )


# --- Mood check-ins ------------------------------------------------------------------------------


class CheckInIn(Input):
    mood: Mood = Field(..., description="1 (really struggling) to 5 (really good).")
    feelings: list[Feeling] = Field(default_factory=list, max_length=len(Feeling.values))
    note: Text = Field("", max_length=services.NOTE_MAX)
    tags: list[Text] = Field(default_factory=list, max_length=services.TAGS_MAX)


class CheckInOut(Schema):
    id: int
    mood: int
    mood_word: str
    feelings: list[str]
    note: str
    tags: list[str]
    created_at: datetime

    @staticmethod
    def of(checkin: MoodCheckIn) -> CheckInOut:
        return CheckInOut(
            id=checkin.pk,
            mood=checkin.mood,
            mood_word=checkin.mood_word,
            feelings=checkin.feeling_list,
            note=checkin.note,
            tags=checkin.tag_list,
            created_at=checkin.created_at,
        )


class DayOut(Schema):
    day: date
    average: float
    check_ins: int


class GoesWithOut(Schema):
    tag: str
    with_tag: float
    without_tag: float
    times: int


class SeriesOut(Schema):
    days: int
    check_ins: int
    average: float | None
    points: list[DayOut]
    goes_with: list[GoesWithOut] = Field(..., description="What went with better days (not a cause).")


@router.post("/moods", response=responses({201: CheckInOut}, 400, 401, 403), summary="Check in with your mood")
def checkin_create(request: HttpRequest, payload: CheckInIn) -> Status[CheckInOut]:
    checkin = services.checkin_save(actor=_me(request), **payload.dict())
    return Status(201, CheckInOut.of(checkin))


@router.get(
    "/moods",
    response=responses({200: SeriesOut}, 401, 403),
    summary="Your moods over the last 7, 30 or 90 days, day by day",
)
def moods(request: HttpRequest, days: Literal[7, 30, 90] = 30) -> SeriesOut:
    series = mood_series(user=_me(request), days=days)
    return SeriesOut(
        days=series.days,
        check_ins=series.checkins,
        average=series.average,
        points=[DayOut(day=p.day, average=p.average, check_ins=p.count) for p in series.points],
        goes_with=[GoesWithOut(**vars(item)) for item in series.goes_with],
    )


@router.get(
    "/moods/check-ins", response=responses({200: ListOut[CheckInOut]}, 401, 403), summary="Your check-ins, newest first"
)
def checkins(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    return page_of(selectors.checkins_of(user=_me(request)), page, selectors.PER_PAGE, CheckInOut.of)


@router.delete(
    "/moods/check-ins/{checkin_id}", response=responses({204: None}, 401, 403, 404), summary="Delete a check-in"
)
def checkin_delete(request: HttpRequest, checkin_id: int) -> Status[None]:
    services.checkin_delete(actor=_me(request), checkin_id=checkin_id)
    return Status(204, None)


# --- Export and erase ------------------------------------------------------------------------------


@router.get(
    "/journal/export",
    response=responses({200: dict[str, Any]}, 401, 403),
    summary="Everything of yours here: journal entries, journal settings and mood check-ins",
)
def export_all(request: HttpRequest) -> dict[str, Any]:
    return export.export_data(user=_me(request))


@router.get(
    "/journal/export/fhir",
    response=responses({200: dict[str, Any]}, 401, 403),
    summary="Your questionnaire results as a FHIR R4 Bundle, for a clinician you choose",
    description="QuestionnaireResponse and Observation resources for an anonymous Patient (docs/selfcare.md).",
)
def export_fhir(request: HttpRequest) -> dict[str, Any]:
    return fhir.questionnaire_bundle(user=_me(request))


@router.delete(
    "/journal",
    response=responses({204: None}, 401, 403),
    summary="Erase your journal, your mood check-ins and their settings, for good",
)
def erase_all(request: HttpRequest) -> Status[None]:
    export.erase_all(actor=_me(request))
    return Status(204, None)


# --- Validated measures ------------------------------------------------------------------------------


class AnswersIn(Input):
    answers: list[int] = Field(..., max_length=20, description="One value per question, in order.")


class ResultOut(Schema):
    id: int
    measure: str
    score: int
    maximum: int
    band: str
    meaning: str
    created_at: datetime
    crisis: bool = Field(
        False, description="PHQ-9 question 9 above 'not at all': show the crisis panel; responders were told."
    )


class MeasureOut(Schema):
    key: str
    name: str
    stem: str
    questions: list[str]
    answers: list[tuple[int, str]]
    every_weeks: int
    due: bool
    results: list[ResultOut]


class ScheduleIn(Input):
    every_weeks: Literal[0, 2, 4]


def _result(result: MeasureResult, *, crisis: bool = False) -> ResultOut:
    measure = MEASURES[result.measure]
    band = measure.band(result.score)
    return ResultOut(
        id=result.pk,
        measure=result.measure,
        score=result.score,
        maximum=measure.maximum,
        band=str(band.name) if band else "",
        meaning=str(band.plain) if band else "",
        created_at=result.created_at,
        crisis=crisis,
    )


@router.get(
    "/measures", response=responses({200: list[MeasureOut]}, 401, 403), summary="The questionnaires and your results"
)
def measures(request: HttpRequest) -> list[MeasureOut]:
    return [
        MeasureOut(
            key=history.measure.key,
            name=history.measure.name,
            stem=str(history.measure.stem),
            questions=[str(question) for question in history.measure.questions],
            answers=[(value, str(label)) for value, label in history.measure.answers],
            every_weeks=history.every_weeks,
            due=history.due,
            results=[_result(result) for result in history.results],
        )
        for history in scores.histories(user=_me(request))
    ]


@router.post(
    "/measures/{key}",
    response=responses({201: ResultOut}, 400, 401, 403, 404),
    summary="Answer a questionnaire",
    description="PHQ-9's question 9 answered above 0 raises an event for the safety responders (say so first).",
)
def measure_answer(request: HttpRequest, key: str, payload: AnswersIn) -> Status[ResultOut]:
    answered = services.measure_submit(actor=_me(request), key=key, answers=payload.answers)
    return Status(201, _result(answered.result, crisis=answered.crisis))


@router.delete(
    "/measures/results/{result_id}", response=responses({204: None}, 401, 403, 404), summary="Delete a result"
)
def measure_delete(request: HttpRequest, result_id: int) -> Status[None]:
    services.measure_delete(actor=_me(request), result_id=result_id)
    return Status(204, None)


@router.put(
    "/measures/{key}/schedule",
    response=responses({200: ScheduleIn}, 400, 401, 403, 404),
    summary="Offer a questionnaire every 2 or 4 weeks, or only when you choose (0)",
)
def measure_schedule(request: HttpRequest, key: str, payload: ScheduleIn) -> ScheduleIn:
    weeks = services.measure_schedule_set(actor=_me(request), key=key, every_weeks=payload.every_weeks)
    return ScheduleIn(every_weeks=weeks)  # type: ignore[arg-type]


# --- Goals ----------------------------------------------------------------------------------------


class GoalIn(Input):
    title: Text = Field(..., max_length=goals.TITLE_MAX)
    why: Text = Field("", max_length=goals.WHY_MAX)
    due_date: date | None = None
    remind: bool = False
    remind_hour: int = Field(19, ge=0, le=23)
    steps: list[Text] = Field(default_factory=list, max_length=goals.STEPS_MAX)


class StepOut(Schema):
    id: int
    text: str
    done: bool


class GoalOut(Schema):
    id: int
    title: str
    why: str
    due_date: date | None
    remind: bool
    remind_hour: int
    completed: bool
    percent: int
    streak: int = Field(..., description="Days worked in this run (one missed day in between is forgiven).")
    worked_today: bool
    steps: list[StepOut]

    @staticmethod
    def of(item: goals.GoalView) -> GoalOut:
        goal = item.goal
        return GoalOut(
            id=goal.pk,
            title=goal.title,
            why=goal.why,
            due_date=goal.due_date,
            remind=goal.remind,
            remind_hour=goal.remind_hour,
            completed=goal.completed_at is not None,
            percent=item.percent,
            streak=item.streak,
            worked_today=item.worked_today,
            steps=[StepOut(id=step.pk, text=step.text, done=step.done_at is not None) for step in item.steps],
        )


class GoalActIn(Input):
    do: Literal["today", "done", "undone"]


@router.get(
    "/goals", response=responses({200: list[GoalOut]}, 401, 403), summary="Your goals, with progress and streaks"
)
def goals_list(request: HttpRequest) -> list[GoalOut]:
    return [GoalOut.of(item) for item in goals.goals_of(user=_me(request))]


@router.post("/goals", response=responses({201: GoalOut}, 400, 401, 403), summary="Set a goal")
def goal_create(request: HttpRequest, payload: GoalIn) -> Status[GoalOut]:
    goal = goals.goal_save(actor=_me(request), **payload.dict())
    return Status(201, GoalOut.of(next(item for item in goals.goals_of(user=_me(request)) if item.goal.pk == goal.pk)))


@router.post(
    "/goals/{goal_id}", response=responses({204: None}, 400, 401, 403, 404), summary="Worked on it today, or done"
)
def goal_act(request: HttpRequest, goal_id: int, payload: GoalActIn) -> Status[None]:
    if payload.do == "today":
        goals.worked_today(actor=_me(request), goal_id=goal_id)
    else:
        goals.goal_complete(actor=_me(request), goal_id=goal_id, done=payload.do == "done")
    return Status(204, None)


@router.post(
    "/goals/steps/{step_id}/toggle", response=responses({204: None}, 401, 403, 404), summary="Mark a step done, or not"
)
def goal_step_toggle(request: HttpRequest, step_id: int) -> Status[None]:
    goals.step_toggle(actor=_me(request), step_id=step_id)
    return Status(204, None)


@router.delete("/goals/{goal_id}", response=responses({204: None}, 401, 403, 404), summary="Delete a goal")
def goal_delete(request: HttpRequest, goal_id: int) -> Status[None]:
    goals.goal_delete(actor=_me(request), goal_id=goal_id)
    return Status(204, None)
