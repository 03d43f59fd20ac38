"""Reports and feedback: the reporter is told the outcome, the reported person never learns who
reported, reports never remove anything by themselves, floods are refused, and the anonymous
form keeps out robots and floods without any outside service."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.communities.models import MemberRole, Membership, PostStatus, Visibility
from alongside.communities.tests.conftest import opening_post, quick_community, start_thread
from alongside.core.errors import Invalid, NotAllowed, NotFound, RateLimited
from alongside.core.models import AuditEntry
from alongside.moderation import selectors, services
from alongside.moderation.enums import ReportStatus
from alongside.moderation.models import Feedback, Report
from alongside.notifications.models import Notification
from alongside.safety.models import RiskEvent
from tests.fixtures import api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> dict[str, Any]:
    writer, first, second, host = (
        make_person(name) for name in ("wren_member", "fay_member", "gus_member", "hal_member")
    )
    room = quick_community("Low days", Visibility.PUBLIC, host=host, members=(writer, first, second))
    post = opening_post(start_thread(writer, room, title="Deals", body="Cheap watches, message me"))
    return {"writer": writer, "first": first, "second": second, "host": host, "room": room, "post": post}


def _report(scene: dict[str, Any], who: str, reason: str = "spam", note: str = "") -> Report:
    return services.report_file(
        actor=scene[who], post=scene["post"], writer_id=scene["writer"].pk, reason=reason, note=note
    )


def test_every_reporter_is_told_the_outcome_and_the_writer_is_not_told_who(scene):
    _report(scene, "first", note="Selling in every thread")
    _report(scene, "second", reason="off_platform")
    queue = selectors.report_queue(viewer=scene["host"])
    assert [(entry.post.pk, entry.count) for entry in queue] == [(scene["post"].pk, 2)]

    services.report_decide(actor=scene["host"], report=queue[0].first, remove=True, reason="Selling isn't allowed here")

    scene["post"].refresh_from_db()
    assert scene["post"].status == PostStatus.REMOVED
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.REMOVED}
    for who in ("first", "second"):
        told = Notification.objects.get(recipient=scene[who])
        assert "removed" in told.subject
        assert told.url == reverse("moderation:mine")
        page = client_for(scene[who]).get(reverse("moderation:mine")).content.decode()
        assert "Selling isn&#x27;t allowed here" in page
    writer_sees = " ".join(Notification.objects.filter(recipient=scene["writer"]).values_list("subject", flat=True))
    assert "fay_member" not in writer_sees
    assert "gus_member" not in writer_sees
    assert AuditEntry.objects.filter(action="moderation.report.decided").count() == 1
    assert AuditEntry.objects.filter(action="communities.post.removed").count() == 1


def test_leaving_a_post_up_tells_the_reporter_too(scene):
    report = _report(scene, "first", reason="harassment")
    services.report_decide(actor=scene["host"], report=report, remove=False)
    scene["post"].refresh_from_db()
    assert scene["post"].status == PostStatus.VISIBLE
    assert "left it up" in Notification.objects.get(recipient=scene["first"]).subject
    with pytest.raises(Invalid):  # the second moderator to press the button changes nothing
        services.report_decide(actor=scene["host"], report=report, remove=True, reason="Late")


def test_removing_needs_a_reason_and_nothing_changes_without_one(scene):
    report = _report(scene, "first")
    with pytest.raises(Invalid):
        services.report_decide(actor=scene["host"], report=report, remove=True, reason=" ")
    scene["post"].refresh_from_db()
    assert scene["post"].status == PostStatus.VISIBLE
    assert Report.objects.get().status == ReportStatus.OPEN


def test_many_reports_never_remove_a_post_by_themselves(scene):
    for n in range(8):
        reporter = make_person(f"new_member_{n}")
        Membership.objects.create(community=scene["room"], user=reporter)
        services.report_file(actor=reporter, post=scene["post"], writer_id=scene["writer"].pk, reason="spam")
    scene["post"].refresh_from_db()
    assert scene["post"].status == PostStatus.VISIBLE
    assert selectors.report_queue(viewer=scene["host"])[0].count == 8


def test_reporting_again_adds_nothing_and_one_cannot_report_oneself(scene):
    first = _report(scene, "first")
    assert _report(scene, "first", reason="hate") == first
    assert Report.objects.count() == 1
    with pytest.raises(NotAllowed):
        _report(scene, "writer")


def test_a_flood_of_reports_is_refused_kindly(scene, settings):
    settings.MODERATION_REPORTS_PER_HOUR = 3
    posts = [opening_post(start_thread(scene["writer"], scene["room"], title=f"T{n}", body="x")) for n in range(4)]
    for post in posts[:3]:
        services.report_file(actor=scene["first"], post=post, writer_id=scene["writer"].pk, reason="spam")
    with pytest.raises(RateLimited):
        services.report_file(actor=scene["first"], post=posts[3], writer_id=scene["writer"].pk, reason="spam")
    response = client_for(scene["first"]).post(
        reverse("moderation:report"), {"post": posts[3].pk, "reason": "spam", "note": ""}
    )
    assert response.status_code == 429
    assert "a lot of reports" in response.content.decode()
    assert Report.objects.count() == 3


def test_a_crisis_report_goes_to_the_responders_not_the_moderators(scene):
    client = client_for(scene["first"])
    response = client.post(reverse("moderation:report"), {"post": scene["post"].pk, "reason": "crisis"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('safety:worried')}?post={scene['post'].pk}"
    assert not Report.objects.exists()
    client.post(response["Location"], {"post": scene["post"].pk, "note": ""})
    assert RiskEvent.objects.filter(subject=scene["writer"], reporter=scene["first"]).exists()


def test_bad_input_is_a_form_error_not_a_500(scene):
    client = client_for(scene["first"])
    response = client.post(reverse("moderation:report"), {"post": scene["post"].pk, "reason": "nonsense"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode() or "choose" in response.content.decode()
    assert client.get(reverse("moderation:report"), {"post": "abc"}).status_code == 404
    assert not Report.objects.exists()


def test_a_moderator_of_another_community_cannot_decide(scene):
    report = _report(scene, "first")
    elsewhere = make_person("oli_member")
    Membership.objects.create(
        community=quick_community("Elsewhere", Visibility.PUBLIC), user=elsewhere, role=MemberRole.MODERATOR
    )
    assert selectors.report_queue(viewer=elsewhere) == []
    with pytest.raises(NotFound):
        services.report_decide(actor=elsewhere, report=report, remove=True, reason="No")
    site = make_person("sam_stone", Role.MODERATOR)
    assert len(selectors.report_queue(viewer=site)) == 1


def test_report_notes_are_stored_encrypted(scene):
    report = _report(scene, "first", note="He messaged me privately too")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM moderation_report WHERE id = %s", [report.pk])
        raw = cursor.fetchone()[0]
    assert "messaged" not in str(raw)
    assert Report.objects.get().note == "He messaged me privately too"


# --- The anonymous feedback form ------------------------------------------------------------


FORM = {
    "about": "moderator",
    "community": "",
    "link": "",
    "message": "A moderator was rude to me in a thread.",
    "reply_to": "",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def test_feedback_without_an_account_reaches_the_site_moderators_only(scene):
    room = scene["room"]
    response = Client().post(
        reverse("feedback"),
        {**FORM, "community": room.slug, "link": f"/c/{room.slug}/", "reply_to": "me@example.org"},
    )
    assert response.status_code == 200
    assert "we have your message" in response.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.about, feedback.community, feedback.link, feedback.reply_to) == (
        "moderator",
        room,
        f"/c/{room.slug}/",
        "me@example.org",
    )
    site = make_person("sam_stone", Role.MODERATOR)
    assert "A moderator was rude" in client_for(site).get(reverse("moderation:queue")).content.decode()
    assert "A moderator was rude" not in client_for(scene["host"]).get(reverse("moderation:queue")).content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT message, reply_to FROM moderation_feedback")
        raw = " ".join(str(value) for value in cursor.fetchone())
    assert "rude" not in raw
    assert "example.org" not in raw


def test_feedback_refuses_robots_floods_and_bad_input(settings):
    robot = Client().post(reverse("feedback"), {**FORM, "website": "http://spam.example"})
    assert robot.status_code == 200  # thanked, so it learns nothing
    assert not Feedback.objects.exists()

    bad = Client().post(
        reverse("feedback"), {**FORM, "message": "short", "link": "https://elsewhere.example/x", "reply_to": "nope"}
    )
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "at least 10 characters" in page
    assert "a page on this site" in page
    assert "e-mail address" in page
    assert not Feedback.objects.exists()

    too_long = Client().post(reverse("feedback"), {**FORM, "message": "x" * 5001})
    assert too_long.status_code == 422
    assert not Feedback.objects.exists()

    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "feedback": "2/h/ip"}
    statuses = [Client().post(reverse("feedback"), FORM).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert Feedback.objects.count() == 2


def test_the_contact_address_is_shown_when_set(settings):
    settings.FEEDBACK_CONTACT_EMAIL = "care@example.org"
    page = Client().get(reverse("feedback")).content.decode()
    assert 'href="mailto:care@example.org"' in page


def test_the_api_files_reports_and_sends_a_crisis_to_the_responders(scene):
    caller = api_for(scene["first"])
    filed = caller.call("POST", "/reports", {"post": scene["post"].pk, "reason": "spam", "note": "Again"})
    assert filed.status_code == 201
    assert filed.json()["sent_to"] == "moderators"
    crisis = caller.call("POST", "/reports", {"post": scene["post"].pk, "reason": "crisis"})
    assert crisis.status_code == 201
    assert crisis.json()["sent_to"] == "responders"
    assert RiskEvent.objects.filter(subject=scene["writer"], reporter=scene["first"]).count() == 1
    assert Report.objects.count() == 1
    bad = caller.call("POST", "/reports", {"post": scene["post"].pk, "reason": "nonsense", "extra": 1})
    assert bad.status_code == 422
    assert "detail" in bad.json()
    decided = api_for(scene["host"]).call(
        "POST", f"/moderation/reports/{filed.json()['id']}/decide", {"outcome": "remove", "reason": ""}
    )
    assert decided.status_code == 422  # a removal needs a reason
    assert caller.call("GET", "/reports/mine").json()["items"][0]["status"] == "open"


def test_upsetting_items_stay_hidden_until_asked_for_and_a_break_is_suggested(scene, settings):
    settings.MODERATION_BREAK_AFTER = 2
    host = client_for(scene["host"])
    _report(scene, "first", reason="spam")
    page = host.get(reverse("moderation:queue")).content.decode()
    assert "Cheap watches, message me" in page
    assert "This may be upsetting" not in page  # spam is shown as it is
    _report(scene, "second", reason="harassment")
    page = host.get(reverse("moderation:queue")).content.decode()
    assert '<details class="upsetting">' in page  # hidden until opened (no JavaScript needed)
    assert "upsetting items today" not in page
    hurtful = opening_post(
        start_thread(scene["writer"], scene["room"], title="Hard", body="A hard story", content_warnings=["violence"])
    )
    services.report_file(actor=scene["first"], post=hurtful, writer_id=scene["writer"].pk, reason="other")
    first_report = Report.objects.filter(post=scene["post"]).first()
    assert first_report is not None
    services.report_decide(actor=scene["host"], report=first_report, remove=False)
    page = host.get(reverse("moderation:queue")).content.decode()
    assert "You have looked at 1 upsetting item today." in page
    assert "Please take a break" not in page
    services.report_decide(actor=scene["host"], report=Report.objects.get(post=hurtful), remove=False)
    page = host.get(reverse("moderation:queue")).content.decode()
    assert "You have looked at 2 upsetting items today." in page
    assert "Please take a break" in page
    # Another moderator's count is their own.
    assert selectors.upsetting_handled_today(viewer=scene["first"]) == 0
    # The API says the same of each item, for apps to hide it likewise.
    hidden = opening_post(
        start_thread(scene["writer"], scene["room"], title="More", body="x", content_warnings=["abuse"])
    )
    services.report_file(actor=scene["first"], post=hidden, writer_id=scene["writer"].pk, reason="spam")
    items = api_for(scene["host"]).call("GET", "/moderation/queue").json()["items"]
    assert [(item["post"], item["upsetting"]) for item in items] == [(hidden.pk, True)]
