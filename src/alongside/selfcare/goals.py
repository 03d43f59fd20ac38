"""Goals with small steps (issue 11.3): writes and reads, each write in a transaction.

- Progress is the share of steps done. The streak counts the days the member said "I worked on it
  today" in the current run, and forgives a single missed day between two such days (a run is
  current while its last day is at most two days ago), so one bad day never wipes it out.
- Reminders: with `remind` on, the task worker sends one gentle notification a day at the hour the
  member chose, moved to the end of their quiet hours when it falls inside them. The notification
  never holds the goal's words (it is stored readable): "A gentle nudge about one of your goals."
  Each change bumps `remind_version`; a reminder queued for an older version does nothing.
- A goal can be shared with a community as a "milestone" thread, in words the member writes, only
  when they choose to (through the communities app's own thread creation and its rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.communities import access as community_access
from alongside.communities import services as community_services
from alongside.core.errors import Invalid, NotFound
from alongside.core.text import clean_text
from alongside.notifications import services as notifications
from alongside.notifications.enums import NotificationKind
from alongside.selfcare.access import access_goal, check_own_journal
from alongside.selfcare.models import Goal, GoalDay, GoalStep, JournalSettings

TITLE_MAX, WHY_MAX, STEP_MAX, STEPS_MAX = 150, 1000, 200, 20


@transaction.atomic
def goal_save(
    *,
    actor: Any,
    title: Any,
    why: Any = "",
    due_date: date | None = None,
    remind: bool = False,
    remind_hour: Any = 19,
    steps: list[Any] | None = None,
    goal_id: Any = None,
) -> Goal:
    goal = access_goal(actor, goal_id) if goal_id is not None else Goal(owner=actor)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field, value, maximum, required in (("title", title, TITLE_MAX, True), ("why", why, WHY_MAX, False)):
        try:
            values[field] = clean_text(
                value, field, maximum=maximum, minimum=1 if required else 0, missing=_("Please write a few words.")
            )
        except Invalid as error:
            errors.update(error.message_dict)
    step_texts = [str(step).strip() for step in (steps or []) if str(step).strip()]
    if len(step_texts) > STEPS_MAX or any(len(step) > STEP_MAX or "\x00" in step for step in step_texts):
        errors["steps"] = [_("Up to %(count)d steps, each a short line.") % {"count": STEPS_MAX}]
    if str(remind_hour) not in {str(hour) for hour in range(24)}:
        errors["remind_hour"] = [_("Please choose an hour of the day.")]
    if errors:
        raise Invalid(errors)
    goal.title, goal.why, goal.due_date = values["title"], values["why"], due_date
    reminder_changed = goal.pk is None or goal.remind != bool(remind) or goal.remind_hour != int(remind_hour)
    goal.remind, goal.remind_hour = bool(remind), int(remind_hour)
    if reminder_changed:
        goal.remind_version += 1
    goal.save()
    for position, text in enumerate(step_texts, start=goal.steps.count()):
        GoalStep.objects.create(goal=goal, text=text, position=position)
    if reminder_changed and goal.remind:
        _schedule_reminder(goal)
    return goal


@transaction.atomic
def step_toggle(*, actor: Any, step_id: Any) -> GoalStep:
    try:
        step = GoalStep.objects.select_related("goal").get(pk=int(step_id), goal__owner=actor)
    except (TypeError, ValueError, GoalStep.DoesNotExist):
        raise NotFound() from None
    step.done_at = None if step.done_at else timezone.now()
    step.save(update_fields=["done_at"])
    return step


@transaction.atomic
def worked_today(*, actor: Any, goal_id: Any) -> None:
    GoalDay.objects.get_or_create(goal=access_goal(actor, goal_id), day=timezone.localdate())


@transaction.atomic
def goal_complete(*, actor: Any, goal_id: Any, done: bool) -> Goal:
    goal = access_goal(actor, goal_id)
    goal.completed_at = timezone.now() if done else None
    goal.remind_version += 1  # no more reminders for a finished goal
    goal.save(update_fields=["completed_at", "remind_version"])
    if not done and goal.remind:
        _schedule_reminder(goal)
    return goal


@transaction.atomic
def goal_delete(*, actor: Any, goal_id: Any) -> None:
    access_goal(actor, goal_id).delete()


def goal_share(*, actor: Any, goal_id: Any, slug: str, message: Any) -> Any:
    """Share a goal with a community as a milestone thread, in the member's own words."""
    goal = access_goal(actor, goal_id)
    viewer = community_access.access_community(actor, slug)
    body = clean_text(message, "message", maximum=5000, minimum=1, missing=_("Please write a few words."))
    return community_services.thread_create(
        actor=actor,
        community=viewer.community,
        title=(_("Milestone: %(goal)s") % {"goal": goal.title})[:150],
        body=body,
    )


# --- Reads -----------------------------------------------------------------------------------------


@dataclass
class GoalView:
    goal: Goal
    steps: list[GoalStep]
    days: list[date]

    @property
    def done(self) -> int:
        return sum(1 for step in self.steps if step.done_at)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.steps)) if self.steps else (100 if self.goal.completed_at else 0)

    @property
    def streak(self) -> int:
        return streak_of(self.days, today=timezone.localdate())

    @property
    def worked_today(self) -> bool:
        return timezone.localdate() in self.days


def streak_of(days: list[date], *, today: date) -> int:
    """Days worked in the current run, forgiving one missed day between two worked days."""
    ordered = sorted(set(days), reverse=True)
    if not ordered or (today - ordered[0]).days > 2:
        return 0
    run = 1
    for newer, older in pairwise(ordered):
        if (newer - older).days > 2:
            break
        run += 1
    return run


def goals_of(*, user: Any) -> list[GoalView]:
    """The person's goals with their steps and days (three queries whatever the number)."""
    if not check_own_journal(user):
        raise NotFound()
    goals = list(Goal.objects.filter(owner=user))
    steps: dict[int, list[GoalStep]] = {goal.pk: [] for goal in goals}
    for step in GoalStep.objects.filter(goal__in=goals):
        steps[step.goal_id].append(step)
    days: dict[int, list[date]] = {goal.pk: [] for goal in goals}
    for goal_id, day in GoalDay.objects.filter(goal__in=goals).values_list("goal_id", "day"):
        days[goal_id].append(day)
    return [GoalView(goal, steps[goal.pk], days[goal.pk]) for goal in goals]


# --- Reminders (the task worker) ---------------------------------------------------------------


def _quiet(hour: int, start: int, end: int) -> bool:
    """Whether `hour` is in the quiet hours from `start` to `end` (which may span midnight; the same
    hour twice means no quiet hours)."""
    if start == end:
        return False
    return start <= hour < end if start < end else (hour >= start or hour < end)


def _quiet_hours(owner_id: int) -> tuple[int, int]:
    found = JournalSettings.objects.filter(owner_id=owner_id).first()
    return (found.quiet_start, found.quiet_end) if found else (22, 8)


def next_reminder_at(goal: Goal, *, after: datetime) -> datetime:
    """The next time to remind: the chosen hour, or the end of the quiet hours if it falls in them."""
    start, end = _quiet_hours(goal.owner_id)
    hour = end if _quiet(goal.remind_hour, start, end) else goal.remind_hour
    local = timezone.localtime(after)
    when = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return when if when > local else when + timedelta(days=1)


def quiet_adjusted(owner_id: int, when: datetime) -> datetime:
    """`when`, or the end of the owner's quiet hours if it falls in them (for any reminder)."""
    start, end = _quiet_hours(owner_id)
    local = timezone.localtime(when)
    if not _quiet(local.hour, start, end):
        return when
    moved = local.replace(hour=end, minute=0, second=0, microsecond=0)
    return moved if moved > local else moved + timedelta(days=1)


def _schedule_reminder(goal: Goal) -> None:
    from alongside.selfcare import tasks

    run_after, goal_id, version = next_reminder_at(goal, after=timezone.now()), goal.pk, goal.remind_version
    transaction.on_commit(
        lambda: tasks.goal_remind.using(run_after=run_after).enqueue(goal_id=goal_id, version=version)
    )


@transaction.atomic
def goal_remind(*, goal_id: int, version: int) -> bool:
    """The task: one gentle reminder, then the next one queued. False when it is no longer wanted."""
    goal = Goal.objects.select_for_update().filter(pk=goal_id, remind=True, completed_at=None).first()
    if goal is None or goal.remind_version != version:
        return False
    notifications.notification_create(
        recipient=goal.owner,
        kind=NotificationKind.NOTE,
        actor_label="",
        subject=_("A gentle nudge about one of your goals. Any small step counts."),
        url=reverse("selfcare:goals"),
        target=goal,
    )
    _schedule_reminder(goal)
    return True
