"""Safety plans: building one, the pages and the API, encryption at rest, and sharing with a listener."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from alongside.chat.services import conversations as chat_services
from alongside.chat.tests.conftest import on_duty, viewer_of
from alongside.core.errors import Invalid, NotAllowed
from alongside.core.models import AuditEntry
from alongside.safety import selectors
from alongside.safety.models import SafetyPlan, SafetyPlanShare
from alongside.safety.services import plans as services
from alongside.safety.tests.plan_scenes import PLAN, SECRET, make_plan, open_chat, share
from tests.fixtures import api_for, client_for
from tests.personas import make_person
from tests.support import check_answer

pytestmark = pytest.mark.django_db


# --- Services ------------------------------------------------------------------------------


def test_a_plan_keeps_each_section_as_short_lines(member):
    services.safety_plan_save(
        actor=member,
        sections={"warning_signs": "  Not sleeping  \n\n\nSkipping   meals\n", "reasons_for_living": ["My cat", " "]},
    )
    sections = {s.key: s for s in selectors.safety_plan_sections(selectors.safety_plan_of(owner=member))}
    assert sections["warning_signs"].items == ["Not sleeping", "Skipping meals"]
    assert sections["reasons_for_living"].items == ["My cat"]
    assert sections["distractions"].items == []
    assert next(s.key for s in sections.values()) == "warning_signs"
    assert len(sections) == 7


def test_saving_again_replaces_the_plan(member):
    make_plan(member)
    services.safety_plan_save(actor=member, sections={"warning_signs": "Only this"})
    plan = SafetyPlan.objects.get(owner=member)
    assert plan.warning_signs == "Only this"
    assert plan.coping_strategies == ""
    assert SafetyPlan.objects.count() == 1


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        ({"warning_signs": "\n".join(f"line {n}" for n in range(21))}, "warning_signs"),
        ({"distractions": "x" * 301}, "distractions"),
        ({"not_a_section": "hello"}, "not_a_section"),
        ({"people_to_ask": [1, 2]}, "people_to_ask"),
    ],
)
def test_too_much_or_the_wrong_shape_is_refused_and_nothing_is_saved(member, sections, field):
    with pytest.raises(Invalid) as refused:
        services.safety_plan_save(actor=member, sections=sections)
    assert field in refused.value.message_dict
    assert not SafetyPlan.objects.exists()


def test_every_section_is_encrypted_at_rest(member):
    plan = make_plan(member)
    columns = ", ".join(PLAN)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM safety_safetyplan WHERE id = %s", [plan.pk])  # noqa: S608
        raw = cursor.fetchone()
    for stored, (key, text) in zip(raw, PLAN.items(), strict=True):
        assert stored.startswith("fernet:"), key
        for line in text.splitlines():
            assert line not in stored
            for word in line.split():
                if len(word) > 4:
                    assert word not in stored, (key, word)
    assert SafetyPlan.objects.get(pk=plan.pk).coping_strategies.endswith(SECRET)


def test_deleting_removes_the_plan_and_its_shares(member, listener):
    conversation = open_chat(member, listener)
    make_plan(member)
    share(member, conversation)
    assert services.safety_plan_delete(actor=member) is True
    assert not SafetyPlan.objects.exists()
    assert not SafetyPlanShare.objects.exists()
    assert services.safety_plan_delete(actor=member) is False


# --- Pages ---------------------------------------------------------------------------------


def test_signed_out_the_plan_page_explains_and_offers_a_blank_to_print():
    page = Client().get("/help/plan/").content.decode()
    assert "A safety plan is a short list you write for yourself" in page
    assert "Log in to make your plan" in page
    blank = Client().get("/help/plan/print/").content.decode()
    assert blank.count('class="write-line"') == 7 * 3
    assert "My warning signs" in blank
    assert "My reasons for living" in blank


def test_a_member_builds_their_plan_without_javascript(member):
    client = client_for(member)
    assert "Make my safety plan" in client.get("/help/plan/").content.decode()
    form = client.get("/help/plan/edit/").content.decode()
    assert 'name="warning_signs"' in form
    assert "One thing per line." in form
    response = client.post("/help/plan/edit/", PLAN)
    assert response.status_code == 302
    assert response["Location"] == "/help/plan/"
    page = client.get("/help/plan/").content.decode()
    assert "Your safety plan is saved" in page
    assert "<li>Not sleeping</li>" in page
    assert SECRET in page
    assert "Print my plan" in page
    assert "Change my plan" in page
    # Editing again starts from what was saved.
    assert "Not sleeping\nSkipping meals</textarea>" in client.get("/help/plan/edit/").content.decode()


def test_a_refused_plan_comes_back_with_what_to_fix(member):
    response = client_for(member).post("/help/plan/edit/", {**PLAN, "distractions": "y" * 301})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error:" in page
    assert "Please keep each line under 300 characters" in page
    assert not SafetyPlan.objects.exists()


def test_the_printable_plan_hides_the_site_around_it(member):
    make_plan(member)
    page = client_for(member).get("/help/plan/print/").content.decode()
    assert SECRET in page
    assert "safety/safety.css" in page  # its print rules hide the header, menu and footer
    assert 'class="no-print"' in page
    assert "write-line" not in page  # a written plan prints as written
    assert "data-print hidden" in page  # the Print button appears only with JavaScript


def test_a_member_deletes_their_plan(member):
    make_plan(member)
    client = client_for(member)
    assert client.post("/help/plan/delete/").status_code == 302
    assert not SafetyPlan.objects.exists()
    assert "Make my safety plan" in client.get("/help/plan/").content.decode()


def test_the_plan_is_one_click_from_the_help_page_and_the_support_panel(member):
    client = client_for(member)
    for path in ("/help/", "/help/support/"):
        assert 'href="/help/plan/">Make a safety plan</a>' in client.get(path).content.decode()
    make_plan(member)
    for path in ("/help/", "/help/support/"):
        assert 'href="/help/plan/">Open my safety plan</a>' in client.get(path).content.decode()


def test_the_admin_does_not_list_plans(admin_user, member):
    make_plan(member)
    admin = client_for(admin_user)
    assert admin.get("/admin/safety/safetyplan/").status_code == 404
    assert "safetyplan" not in admin.get("/admin/").content.decode().lower()


# --- Sharing with the listener ----------------------------------------------------------------


def test_the_member_shares_with_their_listener_who_reads_it_and_each_reading_is_audited(member, listener):
    conversation = open_chat(member, listener)
    make_plan(member)
    owner = client_for(member)
    chat_page = owner.get(f"/chat/{conversation.pk}/").content.decode()
    assert "Share my safety plan with my listener" in chat_page
    response = owner.post(f"/help/plan/share/{conversation.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/chat/{conversation.pk}/"
    assert "Stop sharing my safety plan" in owner.get(f"/chat/{conversation.pk}/").content.decode()
    shared = SafetyPlanShare.objects.get()
    assert AuditEntry.objects.filter(action="safety.plan.shared", target_id=str(shared.plan_id)).count() == 1

    reader = client_for(listener)
    listener_chat = reader.get(f"/chat/{conversation.pk}/").content.decode()
    assert f'href="/help/plan/shared/{shared.pk}/"' in listener_chat
    for _ in range(2):
        page = reader.get(f"/help/plan/shared/{shared.pk}/")
        assert page.status_code == 200
        assert SECRET in page.content.decode()
        assert "Change my plan" not in page.content.decode()
        assert "<textarea" not in page.content.decode()
    views = AuditEntry.objects.filter(action="safety.plan.viewed_by_listener", actor_id=listener.pk)
    assert views.count() == 2
    assert views.first().data == {"conversation_id": conversation.pk, "share_id": shared.pk}
    assert SECRET not in str(list(AuditEntry.objects.values_list("data", "reason")))


def test_sharing_twice_keeps_one_share(member, listener):
    conversation = open_chat(member, listener)
    make_plan(member)
    assert share(member, conversation).pk == share(member, conversation).pk
    assert SafetyPlanShare.objects.count() == 1


def test_stopping_ends_the_listeners_view_at_once(member, listener):
    conversation = open_chat(member, listener)
    make_plan(member)
    shared = share(member, conversation)
    reader = client_for(listener)
    assert reader.get(f"/help/plan/shared/{shared.pk}/").status_code == 200
    assert client_for(member).post(f"/help/plan/share/{conversation.pk}/stop/").status_code == 302
    assert reader.get(f"/help/plan/shared/{shared.pk}/").status_code == 404
    assert "Read their safety plan" not in reader.get(f"/chat/{conversation.pk}/").content.decode()
    assert AuditEntry.objects.filter(action="safety.plan.share_stopped").count() == 1


def test_a_listener_who_handed_over_or_a_chat_that_ended_no_longer_shows_it(member, listener):
    conversation = open_chat(member, listener)
    make_plan(member)
    shared = share(member, conversation)
    chat_services.conversation_hand_over(actor=listener, viewer=viewer_of(listener, conversation))
    # The first listener stays until the next one joins. Then neither reads it: it was shared with
    # the first, and the member decides whether to share with the next.
    assert client_for(listener).get(f"/help/plan/shared/{shared.pk}/").status_code == 200
    next_listener = on_duty(make_person("next_listener", "listener"))
    chat_services.queue_match()
    conversation.refresh_from_db()
    assert conversation.listener_id == next_listener.pk
    assert client_for(listener).get(f"/help/plan/shared/{shared.pk}/").status_code == 404
    assert client_for(next_listener).get(f"/help/plan/shared/{shared.pk}/").status_code == 404
    assert "Read their safety plan" not in client_for(next_listener).get(f"/chat/{conversation.pk}/").content.decode()
    owner_chat = client_for(member).get(f"/chat/{conversation.pk}/").content.decode()
    assert "your new listener can" in owner_chat
    assert "see it unless you share it again" in owner_chat

    again = share(member, conversation)
    assert again.pk != shared.pk
    assert again.listener_id == next_listener.pk
    assert SafetyPlanShare.objects.filter(stopped_at__isnull=True).count() == 1
    assert client_for(next_listener).get(f"/help/plan/shared/{again.pk}/").status_code == 200

    chat_services.conversation_end(actor=member, viewer=viewer_of(member, conversation))
    assert client_for(next_listener).get(f"/help/plan/shared/{again.pk}/").status_code == 404


def test_there_is_nothing_to_share_without_a_plan_or_a_listener(member, listener):
    make_plan(member)
    from alongside.chat.tests.conftest import ask

    waiting = ask(member).conversation
    with pytest.raises(NotAllowed):
        share(member, waiting)
    assert "Share my safety plan" not in client_for(member).get(f"/chat/{waiting.pk}/").content.decode()

    other = make_person("planless_member")
    conversation = open_chat(other, listener)
    page = client_for(other).post(f"/help/plan/share/{conversation.pk}/", follow=True).content.decode()
    assert "Make your safety plan first" in page
    assert not SafetyPlanShare.objects.exists()


# --- The API -------------------------------------------------------------------------------


def test_the_api_reads_and_replaces_your_own_plan(member, openapi_spec):
    call = api_for(member)
    empty = check_answer(openapi_spec, "GET", "/safety/plan", call.call("GET", "/safety/plan"))
    assert empty["exists"] is False
    assert all(s["items"] == [] for s in empty["sections"])
    body = {key: text.splitlines() for key, text in PLAN.items()}
    saved = check_answer(openapi_spec, "PUT", "/safety/plan", call.call("PUT", "/safety/plan", body))
    assert saved["exists"] is True
    assert saved["sections"][1]["items"] == ["Cold water on my face", SECRET]
    again = check_answer(openapi_spec, "GET", "/safety/plan", call.call("GET", "/safety/plan"))
    assert again == saved


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"warning_signs": ["x" * 301]}, 422),
        ({"warning_signs": [f"{n}" for n in range(21)]}, 422),
        ({"unknown": ["x"]}, 422),
        ({"warning_signs": "not a list"}, 422),
    ],
)
def test_the_api_refuses_bad_plans_with_json_errors(member, openapi_spec, body, status):
    response = api_for(member).call("PUT", "/safety/plan", body)
    assert response.status_code == status
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"]
    check_answer(openapi_spec, "PUT", "/safety/plan", response)
    assert not SafetyPlan.objects.exists()


def test_the_api_needs_you_signed_in(api, openapi_spec):
    for method in ("GET", "PUT"):
        response = api.call(method, "/safety/plan", {} if method == "PUT" else None)
        assert response.status_code == 401
        assert set(response.json()) == {"detail", "code"}
