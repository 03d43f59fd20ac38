"""Goals (issue 11.3): small steps and a progress bar, a streak that forgives a missed day, gentle
daily reminders from the task worker outside quiet hours (never holding the goal's words), and a
milestone shared with a community only when the member chooses."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alongside.communities.models import Thread, Visibility
from alongside.communities.tests.conftest import quick_community
from alongside.core.errors import Invalid, NotFound
from alongside.notifications.models import Notification
from alongside.selfcare import goals
from alongside.selfcare.access import access_goal
from alongside.selfcare.models import Goal, GoalStep
from tests.fixtures import api_for, client_for, run_tasks
from tests.personas import make_person

pytestmark = pytest.mark.django_db


def test_a_goal_with_steps_shows_its_progress_and_steps_can_be_ticked():
    person = make_person("ivy_g")
    browser = client_for(person)
    made = browser.post(
        reverse("selfcare:goal_new"),
        {
            "title": "Walk to the park",
            "why": "Fresh air helps",
            "steps": "Shoes by the door\nTo the corner\nTo the park",
            "remind_hour": "19",
        },
    )
    assert made.status_code == 302
    goal = Goal.objects.get()
    first = GoalStep.objects.filter(goal=goal).first()
    browser.post(reverse("selfcare:goal_act", args=[goal.pk]), {"do": "step", "step": first.pk})
    page = browser.get(reverse("selfcare:goals")).content.decode()
    assert "1 of 3 steps done" in page
    assert '<progress id="progress-' in page
    assert 'value="33"' in page
    assert [item["percent"] for item in api_for(person).call("GET", "/goals").json()] == [33]


@pytest.mark.parametrize(
    ("days_ago", "streak"),
    [([0, 1], 2), ([0, 2], 2), ([0, 2, 4], 3), ([0, 3], 1), ([1], 1), ([2, 3], 2), ([3], 0), ([], 0)],
)
def test_the_streak_forgives_one_missed_day(days_ago, streak):
    today = date(2026, 12, 2)
    assert goals.streak_of([today - timedelta(days=n) for n in days_ago], today=today) == streak


def test_reminders_come_from_the_worker_outside_quiet_hours_and_never_hold_the_goal(
    django_capture_on_commit_callbacks,
):
    person = make_person("ivy_g")
    with django_capture_on_commit_callbacks(execute=True):
        goal = goals.goal_save(actor=person, title="Call my sister", remind=True, remind_hour=23)
    queued = DBTaskResult.objects.get(task_path__endswith="goal_remind")
    assert timezone.localtime(queued.run_after).hour == 8  # 23:00 is in the quiet hours (22 to 8)
    later = goals.next_reminder_at(goal, after=timezone.make_aware(datetime(2026, 12, 2, 9, 0)))
    assert timezone.localtime(later) == timezone.make_aware(datetime(2026, 12, 3, 8, 0))
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_tasks() == 1
    told = Notification.objects.get(recipient=person)
    assert "Call my sister" not in told.subject
    assert "gentle nudge" in told.subject
    assert DBTaskResult.objects.filter(task_path__endswith="goal_remind", status="READY").count() == 1  # tomorrow's

    goals.goal_complete(actor=person, goal_id=goal.pk, done=True)
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    assert Notification.objects.filter(recipient=person).count() == 1  # a finished goal is not nagged


def test_a_milestone_is_shared_only_when_chosen_and_only_where_they_belong():
    person, other = make_person("ivy_g"), make_person("oak_g")
    mine = quick_community("Small wins", Visibility.PUBLIC, members=(person,))
    quick_community("Elsewhere", Visibility.PUBLIC)
    goal = goals.goal_save(actor=person, title="Ten minutes outside", steps=["Shoes", "Door"])
    assert not Thread.objects.exists()
    page = client_for(person).post(
        reverse("selfcare:goal_share", args=[goal.pk]),
        {"community": mine.slug, "message": "I did it three days running!"},
    )
    assert page.status_code == 302
    thread = Thread.objects.get()
    assert thread.title == "Milestone: Ten minutes outside"
    assert "Shoes" not in thread.posts.get().body  # only what they wrote is shared
    refused = client_for(person).post(
        reverse("selfcare:goal_share", args=[goal.pk]), {"community": "elsewhere", "message": "Hi"}
    )
    assert refused.status_code == 422  # not a community of theirs
    assert client_for(other).get(reverse("selfcare:goal_share", args=[goal.pk])).status_code == 404
    assert client_for(other).post(reverse("selfcare:goal_act", args=[goal.pk]), {"do": "delete"}).status_code == 404
    assert api_for(other).call("DELETE", f"/goals/{goal.pk}").status_code == 404
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_bad_input_is_refused_and_nothing_is_saved():
    person = make_person("ivy_g")
    with pytest.raises(Invalid) as refused:
        goals.goal_save(actor=person, title=" ", steps=["x"] * 21, remind_hour=25)
    assert set(refused.value.message_dict) == {"title", "steps", "remind_hour"}
    api = api_for(person)
    assert api.call("POST", "/goals", {"title": "", "remind_hour": 5}).status_code == 422
    assert api.call("POST", "/goals", {"title": "ok", "remind_hour": 24}).status_code == 422
    assert client_for(person).post(reverse("selfcare:goal_new"), {"title": "", "remind_hour": "19"}).status_code == 422
    assert not Goal.objects.exists()
    with pytest.raises(NotFound):
        access_goal(person, 987654)


def test_the_member_s_own_quiet_hours_move_a_reminder():
    from alongside.selfcare import services

    person = make_person("ivy_g")
    goal = goals.goal_save(actor=person, title="Stretch", remind=False, remind_hour=21)
    morning = timezone.make_aware(datetime(2026, 12, 2, 9, 0))
    assert timezone.localtime(goals.next_reminder_at(goal, after=morning)).hour == 21
    services.settings_save(actor=person, screen_for_crisis=False, quiet_start=20, quiet_end=7)
    assert timezone.localtime(goals.next_reminder_at(goal, after=morning)).hour == 7
    with pytest.raises(Invalid):
        services.settings_save(actor=person, screen_for_crisis=False, quiet_start=24, quiet_end=7)
