"""Mood check-ins (issue 11.2): one tap from the home page, the journal or after a chat; the chart of
the last 7, 30 or 90 days drawn on the server with a summary and a table; what went with better
days once there is enough; every check-in its owner's alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.enums import Role
from alongside.selfcare import services
from alongside.selfcare.models import MoodCheckIn
from alongside.selfcare.moods import mood_series
from tests.fixtures import ApiClient, api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db


def _check_in(person: Any, mood: int, *, days_ago: int = 0, tags: str = "") -> MoodCheckIn:
    checkin = services.checkin_save(actor=person, mood=mood, tags=tags)
    when = timezone.now() - timedelta(days=days_ago)
    MoodCheckIn.objects.filter(pk=checkin.pk).update(created_at=when)
    return checkin


def test_one_tap_from_home_journal_or_a_chat_returns_there():
    person = make_person("poppy_m")
    browser = client_for(person)
    home = browser.get("/").content.decode()
    assert "How are you right now?" in home
    assert browser.post(reverse("selfcare:check_in"), {"mood": "4", "back": "home"})["Location"] == "/"
    back = browser.post(reverse("selfcare:check_in"), {"mood": "2", "back": "journal"})["Location"]
    assert back == reverse("selfcare:journal")
    elsewhere = browser.post(reverse("selfcare:check_in"), {"mood": "3", "back": "https://evil.example/"})
    assert elsewhere["Location"] == reverse("selfcare:moods")  # never an address from the form
    assert list(MoodCheckIn.objects.order_by("pk").values_list("mood", flat=True)) == [4, 2, 3]


def test_the_chart_page_draws_the_days_with_a_summary_and_a_table():
    person = make_person("poppy_m")
    _check_in(person, 2, days_ago=3)
    _check_in(person, 4, days_ago=1)
    _check_in(person, 4, days_ago=40)
    page = client_for(person).get(reverse("selfcare:moods"), {"days": 7}).content.decode()
    assert '<svg class="mood-chart"' in page
    assert 'role="img"' in page
    assert '<title id="mood-chart-title">Your mood over the last 7 days</title>' in page
    assert "2 check-ins, on average “Getting by” (3.0 of 5)" in page
    assert page.count("<circle") == 2
    assert "<caption>Each day's mood (the average when you checked in more than once)</caption>" in page
    ninety = client_for(person).get(reverse("selfcare:moods"), {"days": 90}).content.decode()
    assert ninety.count("<circle") == 3  # the check-in 40 days ago too
    assert mood_series(user=person, days=30).checkins == 2


def test_what_went_with_better_days_needs_enough_check_ins_and_is_worded_plainly():
    person = make_person("poppy_m")
    for day in range(6):
        _check_in(person, 4, days_ago=day, tags="walk")
        _check_in(person, 2, days_ago=day, tags="work")
    page = client_for(person).get(reverse("selfcare:moods")).content.decode()
    assert "What went with better days" not in page  # 12 check-ins: not yet
    assert "After a couple of weeks" in page
    _check_in(person, 5, days_ago=7, tags="walk, friends")
    _check_in(person, 3, days_ago=8)
    page = client_for(person).get(reverse("selfcare:moods")).content.decode()
    assert "What went with better days" in page
    assert "When you noted “walk” (7 times), your mood was 4.1 of 5 on average, against 2.1 otherwise." in page
    assert "not causes, and not a diagnosis" in page
    assert "work" not in [item.tag for item in mood_series(user=person, days=30).goes_with]


def test_bad_input_is_refused_and_nothing_is_saved():
    person = make_person("poppy_m")
    browser = client_for(person)
    page = browser.post(reverse("selfcare:check_in"), {"mood": "9"})
    assert page.status_code == 422
    api = api_for(person)
    for body in ({"mood": "6"}, {"mood": "3", "feelings": ["bored"]}, {"mood": "3", "note": "x" * 1001}, {}):
        response = api.call("POST", "/moods", body)
        assert response.status_code == 422, body
        assert response.json()["detail"]
    assert api.call("GET", "/moods?days=45").status_code == 422
    assert not MoodCheckIn.objects.exists()
    made = api.call("POST", "/moods", {"mood": "3", "feelings": ["tired", "hopeful"], "tags": ["walk"]})
    assert made.status_code == 201
    assert made.json()["mood_word"] == "Getting by"


def test_check_ins_are_their_owner_s_alone_on_every_path():
    owner = make_person("poppy_m")
    checkin = _check_in(owner, 1, tags="secret-tag")
    for role, name in ((Role.MEMBER, "other_m"), (Role.LISTENER, "lis_m"), (Role.MODERATOR, "sam_stone")):
        other = make_person(name, role)
        assert "secret-tag" not in client_for(other).get(reverse("selfcare:moods")).content.decode()
        deleted = client_for(other).post(reverse("selfcare:checkin_delete", args=[checkin.pk]))
        assert deleted.status_code == 404
        assert api_for(other).call("DELETE", f"/moods/check-ins/{checkin.pk}").status_code == 404
        assert api_for(other).call("GET", "/moods").json()["check_ins"] == 0
    assert Client().get(reverse("selfcare:moods")).status_code == 302
    assert ApiClient().call("GET", "/moods").status_code == 401
    assert MoodCheckIn.objects.filter(pk=checkin.pk).exists()
    assert api_for(owner).call("DELETE", f"/moods/check-ins/{checkin.pk}").status_code == 204
    assert not MoodCheckIn.objects.exists()


def test_the_chart_page_costs_the_same_queries_for_7_or_90_days_of_check_ins():
    person = make_person("poppy_m")
    browser = client_for(person)
    counts = []
    for days, check_ins in ((7, 7), (90, 180)):
        MoodCheckIn.objects.all().delete()
        for n in range(check_ins):
            _check_in(person, 1 + n % 5, days_ago=n % days, tags="walk")
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(reverse("selfcare:moods"), {"days": days}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 10
