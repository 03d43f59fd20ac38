"""Export and erase for the journal and moods (issue 11.6): a member downloads everything of theirs
as JSON and the journal as Markdown files in a zip, and erases all of it; erasure leaves no rows,
and nothing of theirs was ever stored readable."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from alongside.core.models import AuditEntry
from alongside.selfcare import services
from alongside.selfcare.models import JournalEntry, JournalSettings, MoodCheckIn
from tests.fixtures import api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db
SECRET = "the letter I never sent to my father"


def _fill(person: Any) -> None:
    services.entry_save(actor=person, title="Sunday", body=f"I wrote {SECRET}.", mood="2", tags="family")
    services.entry_save(actor=person, title="Sunday", body="Second one the same day.")
    services.checkin_save(actor=person, mood=4, feelings=["hopeful"], note="Better after the call", tags="call")
    services.settings_save(actor=person, screen_for_crisis=True)
    services.measure_submit(actor=person, key="who5", answers=[3, 3, 2, 2, 1])
    services.measure_schedule_set(actor=person, key="who5", every_weeks=4)


def test_the_member_downloads_everything_as_json_and_the_journal_as_markdown():
    person, other = make_person("wren_e"), make_person("moss_e")
    _fill(person)
    services.entry_save(actor=other, body="Not theirs to take")
    browser = client_for(person)
    response = browser.get(reverse("selfcare:export_json"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert [entry["title"] for entry in data["journal"]] == ["Sunday", "Sunday"]
    assert SECRET in data["journal"][0]["body"]
    checkin = data["mood_check_ins"][0]
    assert (checkin["mood"], checkin["feelings"], checkin["note"]) == (4, ["hopeful"], "Better after the call")
    assert data["journal_settings"] == {"screen_for_crisis": True}
    assert data["questionnaires"][0]["answers"] == [3, 3, 2, 2, 1]
    assert data["questionnaires"][0]["score"] == 44
    assert data["questionnaire_schedules"] == {"who5": 4}
    assert "Not theirs to take" not in response.content.decode()
    assert api_for(person).call("GET", "/journal/export").json()["journal"][0]["tags"] == ["family"]

    archive = zipfile.ZipFile(io.BytesIO(browser.get(reverse("selfcare:export_zip")).content))
    names = sorted(archive.namelist())
    assert len(names) == 2
    assert names[0].endswith("-sunday-2.md") or names[1].endswith("-sunday-2.md")
    first = archive.read(next(name for name in names if not name.endswith("-2.md"))).decode()
    assert first.startswith("# Sunday\n")
    assert "Mood: Low" in first
    assert SECRET in first


def test_erasing_leaves_no_rows_and_nothing_readable_and_asks_first():
    person, other = make_person("wren_e"), make_person("moss_e")
    _fill(person)
    services.entry_save(actor=other, body="Someone else's entry stays")
    browser = client_for(person)
    unsure = browser.post(reverse("selfcare:erase"), {})
    assert unsure.status_code == 422
    assert "Please tick the box" in unsure.content.decode()
    assert JournalEntry.objects.filter(owner=person).count() == 2
    with connection.cursor() as cursor:
        for table in ("selfcare_journalentry", "selfcare_moodcheckin"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
            assert SECRET not in str(cursor.fetchall())  # encrypted: never readable, before or after
    assert browser.post(reverse("selfcare:erase"), {"sure": "on"}).status_code == 302
    assert not JournalEntry.objects.filter(owner=person).exists()
    assert not MoodCheckIn.objects.filter(owner=person).exists()
    assert not JournalSettings.objects.filter(owner=person).exists()
    assert JournalEntry.objects.filter(owner=other).count() == 1
    entry = AuditEntry.objects.get(action="selfcare.erased")
    assert entry.data == {
        "journal_entries": 2,
        "mood_check_ins": 1,
        "journal_settings": 1,
        "journal_shares": 0,
        "questionnaires": 1,
        "questionnaire_schedules": 1,
        "goals": 0,
    }
    assert SECRET not in json.dumps(entry.data)


def test_the_api_erases_too():
    person = make_person("wren_e")
    _fill(person)
    assert api_for(person).call("DELETE", "/journal").status_code == 204
    assert not JournalEntry.objects.exists()
    assert not MoodCheckIn.objects.exists()
