"""The moderation log (a community's moderators read what was done there, and why) and the monthly
transparency summary (counts for every member, never a name) (issue 10.3)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.communities import services as community_services
from alongside.communities.models import MemberRole, Membership, Visibility
from alongside.communities.tests.conftest import opening_post, quick_community, start_thread
from alongside.moderation import sanctions, services
from alongside.moderation.models import Report
from tests.fixtures import api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> dict[str, Any]:
    host, writer, reporter = make_person("hope_dale"), make_person("quill_dale"), make_person("tattle_dale")
    community = quick_community("Grief", Visibility.PUBLIC, host=host, members=(writer, reporter))
    other = quick_community("Elsewhere", Visibility.PUBLIC, host=make_person("ezra_dale"), members=(writer,))
    named = opening_post(start_thread(writer, community, title="Named", body="You lot are useless"))
    hidden = opening_post(start_thread(writer, community, title="Hidden", body="Buy my course", is_anonymous=True))
    services.report_file(actor=reporter, post=named, writer_id=writer.pk, reason="harassment")
    report = Report.objects.get()
    services.report_decide(actor=host, report=report, remove=True, reason="Unkind to everyone")
    sanctions.sanction_impose(
        actor=host, community=community, user_id=writer.pk, kind="mute", reason="Cool off", days=2, post=hidden
    )
    elsewhere = opening_post(start_thread(writer, other, title="Other", body="Hi"))
    community_services.post_delete(actor=other.memberships.get(role=MemberRole.HOST).user, post=elsewhere, reason="X")
    return {"host": host, "writer": writer, "reporter": reporter, "community": community}


def test_the_log_shows_what_was_done_here_and_why_but_never_who_reported_or_whom(scene):
    page = client_for(scene["host"]).get(reverse("moderation:log", args=[scene["community"].slug]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Removed a post" in text
    assert "Unkind to everyone" in text
    assert "Decided on a report: Removed" in text
    assert "Warned, muted or banned someone: Mute" in text
    assert "Cool off" in text
    assert "hope_dale" in text  # the moderator who acted
    for hidden in ("tattle_dale", "quill_dale"):  # the reporter; the person sanctioned (and anonymous writer)
        assert hidden not in text
    assert "Elsewhere" not in text
    assert ">X<" not in text  # another community's removal


def test_the_log_api_pages_the_same_lines(scene):
    body = api_for(scene["host"]).call("GET", f"/communities/{scene['community'].slug}/moderation-log").json()
    whats = [item["what"] for item in body["items"]]
    assert whats[0] == "Warned, muted or banned someone: Mute"  # newest first
    assert "Removed a post" in whats
    assert body["count"] == len(whats)
    assert all("tattle_dale" not in str(item) for item in body["items"])


def test_the_monthly_summary_counts_without_names(scene):
    browser = client_for(scene["reporter"])
    text = browser.get(reverse("moderation:transparency")).content.decode()
    assert "Harassment or bullying" in text
    for name in ("tattle_dale", "quill_dale", "hope_dale", "Grief"):
        assert name not in text.split("<main", 1)[1].split("</main>", 1)[0]
    summary = api_for(scene["reporter"]).call("GET", "/moderation/transparency").json()
    assert summary["month"] == timezone.localdate().strftime("%Y-%m")
    assert summary["reports"] == 1
    assert summary["reports_by_reason"] == [{"label": "Harassment or bullying", "count": 1}]
    assert summary["decided"] == [{"label": "Removed", "count": 1}]
    assert summary["removed_by_moderators"] == 2  # the reported post, and one elsewhere
    assert summary["sanctions"] == [{"label": "Mute", "count": 1}]
    assert summary["median_hours_to_decide"] == 0.0


def test_last_month_is_its_own_and_a_bad_month_is_refused_kindly(scene):
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    api = api_for(scene["reporter"])
    assert api.call("GET", f"/moderation/transparency?month={last_month}").json()["reports"] == 0
    for bad in ("2026-13", "soon", "2999-01", "1999-12"):
        refused = api.call("GET", f"/moderation/transparency?month={bad}")
        assert refused.status_code == 422, bad
        assert refused.json()["detail"]
    page = client_for(scene["reporter"]).get(reverse("moderation:transparency"), {"month": "soon"})
    assert page.status_code == 400
    assert "like 2026-11" in page.content.decode()


def test_moderators_of_other_communities_do_not_see_this_log(scene):
    outsider = make_person("otis_dale")
    Membership.objects.create(
        community=quick_community("Third", Visibility.PUBLIC), user=outsider, role=MemberRole.MODERATOR
    )
    assert client_for(outsider).get(reverse("moderation:log", args=[scene["community"].slug])).status_code == 404
