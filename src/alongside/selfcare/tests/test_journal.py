"""The private journal (issue 11.1): written, read, searched, changed and deleted by its owner
alone, on every path; stored encrypted; crisis screening only when the owner asks, and then only
for their own eyes."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.core.errors import Invalid
from alongside.notifications.models import Notification
from alongside.safety.models import RiskEvent
from alongside.selfcare import selectors, services
from alongside.selfcare.models import JournalEntry
from tests.fixtures import ApiClient, api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db
WORDS = "Slept badly again. The walk by the river helped a little."
CRISIS = "I want to kill myself tonight. I have the pills ready and I can't do this anymore."

ACTORS = ["owner", "member", "listener", "site_moderator", "admin", "clinician", "anonymous"]
# fmt: off
TABLE: dict[str, tuple[int, ...]] = {
    #                owner member listener site admin clin anon
    "entry":         (200,  404,   404,     404,  404,  404, 302),
    "edit_form":     (200,  404,   404,     404,  404,  404, 302),
    "edit_send":     (302,  404,   404,     404,  404,  404, 302),
    "delete":        (302,  404,   404,     404,  404,  404, 302),
    "journal":       (200,  200,   200,     200,  200,  200, 302),
    "api_get":       (200,  404,   404,     404,  404,  404, 401),
    "api_put":       (200,  404,   404,     404,  404,  404, 401),
    "api_delete":    (204,  404,   404,     404,  404,  404, 401),
    "api_list":      (200,  200,   200,     200,  200,  200, 401),
    "settings":      (200,  200,   200,     200,  200,  200, 302),
    "api_settings":  (200,  200,   200,     200,  200,  200, 401),
    "export":        (200,  200,   200,     200,  200,  200, 302),
    "export_json":   (200,  200,   200,     200,  200,  200, 302),
    "export_zip":    (200,  200,   200,     200,  200,  200, 302),
    "export_fhir":   (200,  200,   200,     200,  200,  200, 302),
    "erase":         (302,  302,   302,     302,  302,  302, 302),
    "api_export":    (200,  200,   200,     200,  200,  200, 401),
    "api_export_fhir": (200, 200,  200,     200,  200,  200, 401),
    "api_erase":     (204,  204,   204,     204,  204,  204, 401),
}
# fmt: on


def _people() -> dict[str, Any]:
    return {
        "owner": make_person("juniper_k"),
        "member": make_person("marlow_k"),
        "listener": make_person("lark_k", Role.LISTENER),
        "site_moderator": make_person("sam_stone", Role.MODERATOR),
        "admin": make_person("ada_stone", Role.ADMIN),
        "clinician": make_person("cleo_brook", Role.CLINICIAN),
    }


def _write(person: Any, **fields: Any) -> JournalEntry:
    return services.entry_save(actor=person, **{"body": WORDS, **fields}).entry


def _call(people: dict[str, Any], actor: str, action: str, entry_id: int) -> Any:
    if action.startswith("api_"):
        api = ApiClient() if actor == "anonymous" else api_for(people[actor])
        path = f"/journal/entries/{entry_id}"
        calls = {
            "api_get": ("GET", path, None),
            "api_put": ("PUT", path, {"body": "Changed"}),
            "api_delete": ("DELETE", path, None),
            "api_list": ("GET", "/journal/entries", None),
            "api_settings": ("GET", "/journal/settings", None),
            "api_export": ("GET", "/journal/export", None),
            "api_export_fhir": ("GET", "/journal/export/fhir", None),
            "api_erase": ("DELETE", "/journal", None),
        }
        method, url, body = calls[action]
        return api.call(method, url, body)
    client = Client() if actor == "anonymous" else client_for(people[actor])
    urls = {
        "entry": reverse("selfcare:entry", args=[entry_id]),
        "edit_form": reverse("selfcare:entry_edit", args=[entry_id]),
        "edit_send": reverse("selfcare:entry_edit", args=[entry_id]),
        "delete": reverse("selfcare:entry_delete", args=[entry_id]),
        "journal": reverse("selfcare:journal"),
        "settings": reverse("selfcare:settings"),
        "export": reverse("selfcare:export"),
        "export_json": reverse("selfcare:export_json"),
        "export_zip": reverse("selfcare:export_zip"),
        "export_fhir": reverse("selfcare:export_fhir"),
        "erase": reverse("selfcare:erase"),
    }
    if action == "erase":
        return client.post(urls[action], {"sure": "on"})
    if action == "edit_send":
        return client.post(urls[action], {"body": "Changed", "mood": "", "tags": ""})
    if action == "delete":
        return client.post(urls[action])
    return client.get(urls[action])


@pytest.mark.parametrize(
    ("action", "actor", "expected"),
    [
        pytest.param(action, actor, TABLE[action][index], id=f"{action}-{actor}")
        for action in TABLE
        for index, actor in enumerate(ACTORS)
    ],
)
def test_matrix(action: str, actor: str, expected: int) -> None:
    people = _people()
    entry = _write(people["owner"], title="Tuesday")
    response = _call(people, actor, action, entry.pk)
    assert response.status_code == expected, response.content[:300]
    if actor not in ("owner", "anonymous") and action == "export_zip":
        assert zipfile.ZipFile(io.BytesIO(response.content)).namelist() == []  # their own: nothing
    elif actor not in ("owner", "anonymous"):
        assert WORDS not in response.content.decode()  # never someone else's words
        assert "Tuesday" not in response.content.decode()
    still = JournalEntry.objects.filter(pk=entry.pk).first()
    assert (still is None) == (action in ("delete", "api_delete", "erase", "api_erase") and actor == "owner")
    if still is not None:
        assert (still.body == "Changed") == (action in ("edit_send", "api_put") and actor == "owner")
    if expected == 404:
        assert _call(people, actor, action, 987654321).status_code == 404


def test_an_entry_is_stored_encrypted_and_is_not_in_the_admin():
    owner = make_person("juniper_k")
    entry = _write(owner, title="About my sister", tags="family, sleep")
    with connection.cursor() as cursor:
        cursor.execute("SELECT title, body, tags FROM selfcare_journalentry WHERE id = %s", [entry.pk])
        stored = " ".join(str(value) for value in cursor.fetchone())
    for plain in ("About my sister", "river", "family"):
        assert plain not in stored
    assert JournalEntry not in admin.site._registry


def test_bad_input_is_refused_field_by_field_and_nothing_is_saved():
    owner = make_person("juniper_k")
    with pytest.raises(Invalid) as refused:
        services.entry_save(actor=owner, title="x" * 151, body=" ", mood="9", tags=",".join(["t"] * 11))
    assert set(refused.value.message_dict) == {"title", "body", "mood", "tags"}
    api = api_for(owner)
    for body in ({"body": ""}, {"body": "ok", "mood": "7"}, {"body": "a\x00b"}, {"title": 5, "body": "x"}):
        response = api.call("POST", "/journal/entries", body)
        assert response.status_code == 422, body
        assert response.json()["detail"]
    page = client_for(owner).post(reverse("selfcare:entry_new"), {"body": "", "mood": ""})
    assert page.status_code == 422
    assert "Please fill in “What&#x27;s on your mind?”." in page.content.decode()
    assert not JournalEntry.objects.exists()


def test_search_finds_every_word_in_title_words_or_tags_in_one_s_own_journal_only():
    owner, other = make_person("juniper_k"), make_person("marlow_k")
    river = _write(owner, title="A better day")
    _write(owner, body="Work was loud.", tags="work, Noise")
    _write(other, body="The river was calm today.")
    assert selectors.journal_search(user=owner, query="RIVER helped") == [river]
    assert [e.body for e in selectors.journal_search(user=owner, query="noise")] == ["Work was loud."]
    assert selectors.journal_search(user=owner, query="calm") == []
    page = client_for(owner).get(reverse("selfcare:journal"), {"q": "river"}).content.decode()
    assert "1 entry with “river”" in page
    listed = api_for(owner).call("GET", "/journal/entries?q=better").json()
    assert [item["title"] for item in listed["items"]] == ["A better day"]


def test_crisis_screening_only_when_asked_and_only_for_the_owner(django_capture_on_commit_callbacks):
    owner = make_person("juniper_k")
    browser = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("selfcare:entry_new"), {"body": CRISIS, "mood": "1"}, follow=True)
    assert "sounds really hard" not in browser.get(reverse("selfcare:journal")).content.decode()
    browser.post(reverse("selfcare:settings"), {"screen_for_crisis": "on", "quiet_start": "22", "quiet_end": "8"})
    with django_capture_on_commit_callbacks(execute=True):
        page = browser.post(reverse("selfcare:entry_new"), {"body": CRISIS, "mood": "1"}, follow=True)
    assert "What you wrote sounds really hard" in page.content.decode()
    saved = api_for(owner).call("POST", "/journal/entries", {"body": CRISIS}).json()
    assert saved["offer_support"] is True
    assert not RiskEvent.objects.exists()  # nobody else is ever told
    assert not Notification.objects.exists()


def test_a_prompt_for_people_who_don_t_know_what_to_write_changes_each_day():
    first, second = selectors.prompt_for(date(2026, 12, 1)), selectors.prompt_for(date(2026, 12, 2))
    assert first != second
    owner = make_person("juniper_k")
    assert selectors.prompt_for() in client_for(owner).get(reverse("selfcare:journal")).content.decode()
