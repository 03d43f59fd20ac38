"""Reports about a person in a chat reach the site moderators' review queue, and the reporter is told
what they did (issue 10.1: a report that nobody sees is a harm). The chat stays private: the queue
shows the reporter's words, the two people and when, never the chat."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.chat.access.conversations import access_conversation
from alongside.chat.models import ChatReport
from alongside.chat.services import conversations as chat_services
from alongside.chat.tests.conftest import ask, on_duty
from alongside.communities.models import MemberRole, Membership, Visibility
from alongside.communities.tests.conftest import quick_community
from alongside.notifications.models import Notification
from tests.fixtures import ApiClient, api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db
ACTORS = ["reporter", "reported", "member", "community_moderator", "site_moderator", "admin", "clinician", "anonymous"]
REASON = "They kept asking for my phone number."

# fmt: off
TABLE: dict[str, tuple[int, ...]] = {
    #                       reporter reported member c_mod site admin clin anon
    "answer_chat_report":   (404,    404,     404,   404,  302, 302,  404, 302),
    "api_chat_reports":     (404,    404,     404,   404,  200, 200,  404, 401),
    "api_chat_report_answer": (404,  404,     404,   404,  200, 200,  404, 401),
    "api_my_chat_reports":  (200,    200,     200,   200,  200, 200,  200, 401),
}
# fmt: on


def _scene() -> dict[str, Any]:
    people = {
        "reporter": make_person("iris_vale"),
        "reported": on_duty(make_person("leo_vale", Role.LISTENER)),
        "member": make_person("mia_vale"),
        "community_moderator": make_person("cal_vale"),
        "site_moderator": make_person("sam_stone", Role.MODERATOR),
        "admin": make_person("ada_stone", Role.ADMIN),
        "clinician": make_person("cleo_brook", Role.CLINICIAN),
    }
    Membership.objects.create(
        community=quick_community("Somewhere", Visibility.PUBLIC),
        user=people["community_moderator"],
        role=MemberRole.MODERATOR,
    )
    request = ask(people["reporter"])
    chat_services.queue_match()
    viewer = access_conversation(people["reporter"], request.conversation_id)
    report = chat_services.person_report(actor=people["reporter"], viewer=viewer, reason=REASON)
    return {**people, "report": report}


def _call(scene: dict[str, Any], actor: str, action: str, report_id: int) -> Any:
    if action == "answer_chat_report":
        client = Client() if actor == "anonymous" else client_for(scene[actor])
        url = reverse("moderation:answer_chat_report", args=[report_id])
        return client.post(url, {"note": "We talked to them; it won't happen again."})
    api = ApiClient() if actor == "anonymous" else api_for(scene[actor])
    if action == "api_chat_reports":
        return api.call("GET", "/moderation/chat-reports")
    if action == "api_my_chat_reports":
        return api.call("GET", "/reports/mine/chats")
    return api.call("POST", f"/moderation/chat-reports/{report_id}/answer", {"note": "We talked to them."})


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
    response = _call(scene, actor, action, scene["report"].pk)
    assert response.status_code == expected, response.content[:300]
    answered = ChatReport.objects.get().resolved_at is not None
    assert answered == (
        action in ("answer_chat_report", "api_chat_report_answer") and actor in ("site_moderator", "admin")
    )
    if expected == 404 and action != "api_chat_reports":
        assert _call(scene, actor, action, 987654321).status_code == 404


def test_the_site_moderators_answer_and_the_reporter_is_told():
    scene = _scene()
    desk = client_for(scene["site_moderator"])
    queue = desk.get(reverse("moderation:queue")).content.decode()
    assert "iris_vale reported leo_vale" in queue
    assert REASON in queue
    others = client_for(scene["community_moderator"]).get(reverse("moderation:queue")).content.decode()
    assert REASON not in others  # community moderators answer their communities, not private chats

    api = api_for(scene["site_moderator"])
    path = f"/moderation/chat-reports/{scene['report'].pk}/answer"
    assert api.call("POST", path, {"note": "  "}).status_code == 422
    answered = api.call("POST", path, {"note": "We talked to them; it won't happen again."})
    assert answered.status_code == 200
    assert api.call("POST", path, {"note": "Again"}).status_code == 422  # already answered: nothing changes

    told = Notification.objects.get(recipient=scene["reporter"])
    assert "See what they said" in told.subject
    mine = client_for(scene["reporter"]).get(reverse("moderation:mine")).content.decode()
    assert "The moderator said: We talked to them; it won&#x27;t happen again." in mine
    listed = api_for(scene["reporter"]).call("GET", "/reports/mine/chats").json()["items"]
    assert listed[0]["answered"] is True
    assert listed[0]["outcome"].startswith("We talked to them")
    assert "No reports from chats are waiting." in desk.get(reverse("moderation:queue")).content.decode()
