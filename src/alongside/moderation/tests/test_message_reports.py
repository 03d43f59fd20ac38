"""Reporting a message in a community's live room (issue 10.1): any member who can read the room
reports someone else's message; the community's moderators remove it (through the chat's own
removal) or leave it, and every reporter is told; a crisis goes to the safety responders."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.chat.access.conversations import access_room
from alongside.chat.models import Message, MessageStatus
from alongside.chat.services import rooms
from alongside.chat.tests.conftest import say
from alongside.communities.models import MemberRole, Membership, Visibility
from alongside.communities.tests.conftest import quick_community
from alongside.core.errors import Invalid
from alongside.moderation import services
from alongside.moderation.enums import ReportStatus
from alongside.moderation.models import MessageReport
from alongside.notifications.models import Notification
from alongside.safety.models import RiskEvent
from tests.fixtures import ApiClient, api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db
ACTORS = ["reporter", "writer", "member", "c_mod", "o_mod", "host", "site", "admin", "clinician", "anonymous"]
WORDS = "You're all pathetic, log off"

# fmt: off
TABLE: dict[str, tuple[int, ...]] = {
    #                           reporter writer member c_mod o_mod host site admin clin anon
    "report_message_form":      (200,    404,   200,   200,  200,  200, 200, 200,  200, 302),
    "report_message_send":      (200,    404,   200,   200,  200,  200, 200, 200,  200, 302),
    "decide_message":           (404,    404,   404,   302,  404,  302, 302, 302,  404, 302),
    "api_message_report":       (201,    404,   201,   201,  201,  201, 201, 201,  201, 401),
    "api_message_reports":      (404,    404,   404,   200,  200,  200, 200, 200,  404, 401),
    "api_message_report_decide": (404,   404,   404,   200,  404,  200, 200, 200,  404, 401),
    "api_my_message_reports":   (200,    200,   200,   200,  200,  200, 200, 200,  200, 401),
}
# fmt: on


def _scene() -> dict[str, Any]:
    people = {
        "reporter": make_person("rory_lane"),
        "writer": make_person("wade_lane"),
        "member": make_person("meg_lane"),
        "c_mod": make_person("cass_lane"),
        "o_mod": make_person("otto_lane"),
        "host": make_person("hal_lane"),
        "site": make_person("sam_stone", Role.MODERATOR),
        "admin": make_person("ada_stone", Role.ADMIN),
        "clinician": make_person("cleo_brook", Role.CLINICIAN),
    }
    community = quick_community(
        "Evening room",
        Visibility.PUBLIC,
        host=people["host"],
        members=tuple(people[name] for name in ("reporter", "writer", "member", "c_mod")),
    )
    Membership.objects.filter(community=community, user=people["c_mod"]).update(role=MemberRole.MODERATOR)
    Membership.objects.create(
        community=quick_community("Other", Visibility.PUBLIC), user=people["o_mod"], role=MemberRole.MODERATOR
    )
    viewer, _room = access_room(people["host"], community.slug)
    room = rooms.room_open_set(actor=people["host"], community_viewer=viewer, on=True)
    seq = say(people["writer"], room, WORDS).message.seq
    report = services.message_report_file(actor=people["reporter"], slug=community.slug, seq=seq, reason="harassment")
    return {**people, "community": community, "room": room, "seq": seq, "report": report}


def _call(scene: dict[str, Any], actor: str, action: str, *, seq: int, report_id: int) -> Any:
    slug = scene["community"].slug
    if action.startswith("api_"):
        api = ApiClient() if actor == "anonymous" else api_for(scene[actor])
        if action == "api_message_report":
            return api.call("POST", f"/rooms/{slug}/messages/{seq}/report", {"reason": "spam"})
        if action == "api_message_reports":
            return api.call("GET", "/moderation/message-reports")
        if action == "api_my_message_reports":
            return api.call("GET", "/reports/mine/messages")
        body = {"outcome": "remove", "reason": "Unkind"}
        return api.call("POST", f"/moderation/message-reports/{report_id}/decide", body)
    client = Client() if actor == "anonymous" else client_for(scene[actor])
    if action == "report_message_form":
        return client.get(reverse("moderation:report_message", args=[slug, seq]))
    if action == "report_message_send":
        return client.post(reverse("moderation:report_message", args=[slug, seq]), {"reason": "spam", "note": ""})
    url = reverse("moderation:decide_message", args=[report_id])
    return client.post(url, {"outcome": "remove", "reason": "Unkind"})


@pytest.mark.parametrize(
    ("action", "actor", "expected"),
    [
        pytest.param(action, actor, TABLE[action][index], id=f"{action}-{actor}")
        for action in TABLE
        for index, actor in enumerate(ACTORS)
    ],
)
def test_matrix(action: str, actor: str, expected: int) -> None:
    scene = _scene()
    response = _call(scene, actor, action, seq=scene["seq"], report_id=scene["report"].pk)
    assert response.status_code == expected, response.content[:300]
    removed = Message.objects.get(conversation=scene["room"], seq=scene["seq"]).status == MessageStatus.DELETED
    decided = action in ("decide_message", "api_message_report_decide") and expected in (200, 302)
    assert removed == (decided and actor != "anonymous")
    if expected == 404 and action not in ("api_message_reports",):
        missing = _call(scene, actor, action, seq=999, report_id=987654321)
        assert missing.status_code == 404


def test_removing_closes_every_report_of_the_message_and_tells_each_reporter():
    scene = _scene()
    services.message_report_file(actor=scene["member"], slug=scene["community"].slug, seq=scene["seq"], reason="hate")
    queue = client_for(scene["c_mod"]).get(reverse("moderation:queue")).content.decode()
    assert "Reported 2 times, in Evening room's live room" in queue
    assert "You&#x27;re all pathetic, log off" in queue
    assert "rory_lane" not in queue  # reporters are never named
    with pytest.raises(Invalid, match="give a reason"):
        services.message_report_decide(actor=scene["c_mod"], report_id=scene["report"].pk, remove=True, reason="")
    closed = services.message_report_decide(
        actor=scene["c_mod"], report_id=scene["report"].pk, remove=True, reason="Unkind to everyone"
    )
    assert closed == 2
    assert set(MessageReport.objects.values_list("status", flat=True)) == {ReportStatus.REMOVED}
    assert Message.objects.get(conversation=scene["room"], seq=scene["seq"]).status == MessageStatus.DELETED
    for person in (scene["reporter"], scene["member"]):
        assert Notification.objects.filter(recipient=person, subject__contains="has been removed").exists()
    mine = client_for(scene["reporter"]).get(reverse("moderation:mine")).content.decode()
    assert "The moderator said: Unkind to everyone" in mine


def test_a_crisis_in_a_room_goes_to_the_responders_not_the_moderators():
    scene = _scene()
    page = client_for(scene["member"]).post(
        reverse("moderation:report_message", args=[scene["community"].slug, scene["seq"]]),
        {"reason": "crisis", "note": "They sound really low"},
    )
    assert page.status_code == 200
    assert "Our safety responders have it" in page.content.decode()
    event = RiskEvent.objects.get()
    assert (event.subject, event.reporter) == (scene["writer"], scene["member"])
    assert MessageReport.objects.count() == 1  # only the scene's own report


def test_the_room_shows_a_report_link_on_other_people_s_messages_only():
    scene = _scene()
    say(scene["reporter"], scene["room"], "I'm here too")
    page = client_for(scene["reporter"]).get(reverse("chat:room", args=[scene["community"].slug])).content.decode()
    report_url = reverse("moderation:report_message", args=[scene["community"].slug, scene["seq"]])
    assert report_url in page
    own = reverse("moderation:report_message", args=[scene["community"].slug, scene["seq"] + 1])
    assert own not in page
