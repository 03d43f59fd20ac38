"""The review queue's claims, re-alerts and moderators' "away" (issues 10.3 and 10.9): a claim keeps
two moderators from working one item at once; an item nobody decides re-alerts its moderators in
the task worker, then site moderators, skipping those away while anyone else can be told."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alongside.accounts.enums import Role
from alongside.communities.models import MemberRole, Membership, Post, PostStatus, Visibility
from alongside.communities.tests.conftest import opening_post, quick_community, start_thread
from alongside.core.errors import Invalid
from alongside.moderation import services
from alongside.moderation.enums import ReportStatus
from alongside.moderation.models import Report
from alongside.notifications.models import Notification
from tests.fixtures import api_for, client_for, run_tasks
from tests.personas import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> dict[str, Any]:
    people = {
        "first": make_person("fay_moss"),
        "second": make_person("sol_moss"),
        "writer": make_person("wyn_reed"),
        "reporter": make_person("rae_reed"),
        "other": make_person("oz_reed"),
        "site": make_person("sue_stone", Role.MODERATOR),
    }
    community = quick_community(
        "Rainy days", Visibility.PUBLIC, host=people["first"], members=tuple(people[k] for k in ("second", "writer"))
    )
    Membership.objects.filter(community=community, user=people["second"]).update(role=MemberRole.MODERATOR)
    for name in ("reporter", "other"):
        Membership.objects.create(community=community, user=people[name])
    post = opening_post(start_thread(people["writer"], community, title="Hmm", body="You are all idiots"))
    return {**people, "community": community, "post": post}


def _report(scene: dict[str, Any], reporter: str = "reporter") -> Report:
    return services.report_file(
        actor=scene[reporter], post=scene["post"], writer_id=scene["writer"].pk, reason="harassment"
    )


def test_a_claim_keeps_others_from_deciding_until_it_goes_stale(scene, settings):
    report = _report(scene)
    first, second = scene["first"], scene["second"]
    assert services.report_claim(actor=first, report=report, on=True) == 1
    with pytest.raises(Invalid, match="fay_moss is looking at this now"):
        services.report_decide(actor=second, report=report, remove=False)
    with pytest.raises(Invalid, match="fay_moss is looking at this now"):
        services.report_claim(actor=second, report=report, on=True)
    assert services.report_claim(actor=second, report=report, on=False) == 0  # not theirs to let go

    later = _report(scene, "other")  # a new report of the same post joins the claim
    assert later.claimed_by == first

    page = client_for(second).get(reverse("moderation:queue")).content.decode()
    assert "fay_moss is looking at this" in page
    assert reverse("moderation:decide", args=[report.pk]) not in page
    mine = client_for(first).get(reverse("moderation:queue")).content.decode()
    assert "You're looking at this." in mine
    assert reverse("moderation:decide", args=[report.pk]) in mine

    stale = timezone.now() - timedelta(minutes=settings.MODERATION_CLAIM_MINUTES + 1)
    Report.objects.update(claimed_at=stale)
    assert services.report_decide(actor=second, report=report, remove=False) == 2


def test_the_claimer_can_let_go_and_then_anyone_decides(scene):
    report = _report(scene)
    services.report_claim(actor=scene["first"], report=report, on=True)
    services.report_claim(actor=scene["first"], report=report, on=False)
    assert not Report.objects.filter(claimed_by__isnull=False).exists()
    services.report_decide(actor=scene["second"], report=report, remove=True, reason="Unkind")
    assert Report.objects.get().status == ReportStatus.REMOVED


def _due_now() -> None:
    DBTaskResult.objects.filter(task_path__endswith="report_realert", status="READY").update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


def _told(person: Any) -> int:
    return Notification.objects.filter(recipient=person, subject__contains="has waited").count()


def test_a_waiting_item_re_alerts_its_moderators_then_site_moderators_in_the_worker(
    scene, settings, django_capture_on_commit_callbacks
):
    settings.MODERATION_REALERT_MINUTES, settings.MODERATION_REALERTS = 60, 2
    with django_capture_on_commit_callbacks(execute=True):
        report = _report(scene)
        _report(scene, "other")  # the same post: still one timer
    queued = DBTaskResult.objects.get(task_path__endswith="report_realert")
    assert queued.run_after > timezone.now() + timedelta(minutes=59)
    run_tasks()  # only what is due now
    assert _told(scene["first"]) == 0

    _due_now()
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    assert (_told(scene["first"]), _told(scene["second"]), _told(scene["site"])) == (1, 1, 0)
    _due_now()
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    assert (_told(scene["first"]), _told(scene["second"]), _told(scene["site"])) == (2, 2, 1)  # site staff now
    assert not DBTaskResult.objects.filter(task_path__endswith="report_realert", status="READY").exists()  # at most 2
    assert Report.objects.filter(pk=report.pk, alerts_sent=2).exists()


def test_a_claimed_or_decided_item_does_not_re_alert(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = _report(scene)
    services.report_claim(actor=scene["first"], report=report, on=True)
    _due_now()
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    assert _told(scene["second"]) == 0
    services.report_decide(actor=scene["first"], report=report, remove=False)
    _due_now()
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    assert _told(scene["second"]) == 0
    assert not DBTaskResult.objects.filter(task_path__endswith="report_realert", status="READY").exists()


def test_moderators_away_are_not_re_alerted_unless_everyone_is_away(scene, django_capture_on_commit_callbacks):
    browser = client_for(scene["second"])
    assert browser.post(reverse("moderation:away"), {"away": "on"}).status_code == 302
    assert "I'm back" in browser.get(reverse("moderation:queue")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _report(scene)
    _due_now()
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    assert (_told(scene["first"]), _told(scene["second"])) == (1, 0)

    services.away_set(actor=scene["first"], on=True)
    services.away_set(actor=scene["site"], on=True)
    _due_now()
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    assert (_told(scene["first"]), _told(scene["second"]), _told(scene["site"])) == (2, 1, 1)  # nobody else


def test_appeals_go_to_moderators_who_are_not_away(scene):
    from alongside.moderation import sanctions

    extra = make_person("ivy_moss")  # made last: without "away", the second moderator would be chosen
    Membership.objects.create(community=scene["community"], user=extra, role=MemberRole.MODERATOR)
    services.away_set(actor=scene["second"], on=True)
    warning = sanctions.sanction_impose(
        actor=scene["first"], community=scene["community"], user_id=scene["writer"].pk, kind="warn", reason="Be kind"
    )
    appeal = sanctions.appeal_file(actor=scene["writer"], sanction_id=warning.pk, text="I was upset, sorry.")
    assert appeal.reviewer_id == extra.pk


def test_held_posts_are_in_the_one_queue_and_are_decided_there(scene):
    community = scene["community"]
    held = opening_post(start_thread(scene["writer"], community, title="Hmm", body="Selling cheap pills, DM me"))
    Post.objects.filter(pk=held.pk).update(status=PostStatus.HELD)
    outsider = make_person("olly_moss")
    Membership.objects.create(
        community=quick_community("Elsewhere", Visibility.PUBLIC), user=outsider, role=MemberRole.MODERATOR
    )
    for person, sees in ((scene["second"], True), (scene["site"], True), (outsider, False)):
        page = client_for(person).get(reverse("moderation:queue")).content.decode()
        assert ("Selling cheap pills" in page) == sees
    browser = client_for(scene["second"])
    url = reverse("communities:post_approve", args=[community.slug, held.pk])
    response = browser.post(url, {"back": "queue", "reason": "Fine after all"})
    assert response["Location"] == reverse("moderation:queue")
    held.refresh_from_db()
    assert held.status == PostStatus.VISIBLE
    assert "No posts are held." in browser.get(reverse("moderation:queue")).content.decode()


def test_each_item_comes_with_its_context_and_the_writer_s_recent_history(scene):
    from alongside.communities import services as community_services
    from alongside.moderation import sanctions

    thread = scene["post"].thread
    community_services.post_reply(actor=scene["second"], thread=thread, body="Let's keep it kind, please")
    reply = community_services.post_reply(actor=scene["writer"], thread=thread, body="Shut up, nobody asked you")
    services.report_file(actor=scene["reporter"], post=reply, writer_id=scene["writer"].pk, reason="harassment")
    earlier = opening_post(start_thread(scene["writer"], scene["community"], title="Old", body="Old insult"))
    community_services.post_delete(actor=scene["first"], post=earlier, reason="Unkind")
    sanctions.sanction_impose(
        actor=scene["first"], community=scene["community"], user_id=scene["writer"].pk, kind="warn", reason="Be kind"
    )
    page = client_for(scene["second"]).get(reverse("moderation:queue")).content.decode()
    assert "Just before it:" in page
    assert "Let&#x27;s keep it kind, please" in page
    assert "The writer in the last 90 days: 1 post(s) removed, 1 post(s) reported." in page
    assert "In force now: Warning." in page


def test_short_of_deciding_a_moderator_notes_sends_up_hands_to_responders_or_locks(scene):
    from alongside.safety.models import RiskEvent

    report = _report(scene)
    browser = client_for(scene["second"])
    act = reverse("moderation:act", args=[report.pk])
    browser.post(act, {"do": "note", "note": "Their third this week"})
    others_see = client_for(scene["first"]).get(reverse("moderation:queue")).content.decode()
    assert "Moderators' note: Their third this week" in others_see

    browser.post(act, {"do": "escalate", "note": ""})
    assert Notification.objects.filter(recipient=scene["site"], subject__contains="asked the site moderators").exists()
    refused = api_for(scene["second"]).call("POST", f"/moderation/reports/{report.pk}/escalate", {"note": ""})
    assert refused.status_code == 422  # once is enough
    entry = api_for(scene["site"]).call("GET", "/moderation/queue").json()["items"][0]
    assert entry["escalated"] is True
    assert entry["moderator_note"] == "Their third this week"

    browser.post(act, {"do": "responders", "note": "Sounds low, please check in"})
    event = RiskEvent.objects.get()
    assert (event.subject, event.reporter) == (scene["writer"], scene["second"])
    assert Report.objects.get(pk=report.pk).status == ReportStatus.OPEN  # the post still needs deciding

    lock = browser.post(
        reverse("communities:thread_lock", args=[scene["post"].thread_id]), {"value": "on", "back": "queue"}
    )
    assert lock["Location"] == reverse("moderation:queue")
    scene["post"].thread.refresh_from_db()
    assert scene["post"].thread.is_locked
