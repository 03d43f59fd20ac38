"""The sanctions authorization matrix: every persona through every path of sanctions and appeals, on
the scene of the moderation matrix (test_access_matrix) plus, on the reported person: a warning
from the community's moderator, appealed (given to the host, the community's other moderator),
and a mute from the same moderator. The rules in words are in `moderation/access.py`.

Suspending is for administrators only: the community's moderators, its host and site moderators
are told so (422); everyone else who moderates nothing there gets not-found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alongside.moderation import sanctions
from alongside.moderation.enums import AppealStatus, SanctionKind
from alongside.moderation.models import Appeal, Sanction
from alongside.moderation.tests.test_access_matrix import ACTORS, MISSING
from alongside.moderation.tests.test_access_matrix import Scene as BaseScene
from alongside.moderation.tests.test_access_matrix import _scene as base_scene
from tests.fixtures import ApiClient, api_for, client_for

# fmt: off
TABLE: dict[str, tuple[int, ...]] = {
    #                  member reporter reported c_mod o_mod host site admin clin anon
    "sanction_form":   (404,  404,     404,     200,  404,  200, 200, 200,  404, 302),
    "sanction_send":   (404,  404,     404,     302,  404,  302, 302, 302,  404, 302),
    "suspend_send":    (404,  404,     404,     422,  404,  422, 422, 302,  404, 302),
    "standing":        (200,  200,     200,     200,  200,  200, 200, 200,  200, 302),
    "acknowledge":     (404,  404,     302,     404,  404,  404, 404, 404,  404, 302),
    "appeal":          (404,  404,     302,     404,  404,  404, 404, 404,  404, 302),
    "sanctions":       (404,  404,     404,     200,  200,  200, 200, 200,  404, 302),
    "lift":            (404,  404,     404,     302,  404,  302, 302, 302,  404, 302),
    "appeals":         (404,  404,     404,     200,  200,  200, 200, 200,  404, 302),
    "decide_appeal":   (404,  404,     404,     404,  404,  302, 404, 302,  404, 302),
    "api_sanction":    (404,  404,     404,     201,  404,  201, 201, 201,  404, 401),
    "api_suspend":     (404,  404,     404,     422,  404,  422, 422, 201,  404, 401),
    "api_my_sanctions":(200,  200,     200,     200,  200,  200, 200, 200,  200, 401),
    "api_acknowledge": (404,  404,     200,     404,  404,  404, 404, 404,  404, 401),
    "api_appeal":      (404,  404,     201,     404,  404,  404, 404, 404,  404, 401),
    "api_lift":        (404,  404,     404,     200,  404,  200, 200, 200,  404, 401),
    "api_appeals":     (404,  404,     404,     200,  200,  200, 200, 200,  404, 401),
    "api_appeal_decide":(404,  404,     404,     404,  404,  200, 404, 200,  404, 401),
}
# fmt: on
WEB_NAMES = {"sanction", "sanctions", "lift", "standing", "acknowledge", "appeal", "appeals", "decide_appeal"}


@dataclass
class Scene:
    base: BaseScene
    warning: Sanction
    mute: Sanction
    appeal: Appeal

    @property
    def people(self) -> dict[str, Any]:
        return self.base.people


def _scene() -> Scene:
    base = base_scene()
    moderator, reported, community = base.people["community_moderator"], base.people["reported"], base.post.thread
    common = {"actor": moderator, "community": community.community, "user_id": reported.pk, "post": base.post}
    warning = sanctions.sanction_impose(kind=SanctionKind.WARN, reason="Please don't advertise here.", **common)
    mute = sanctions.sanction_impose(kind=SanctionKind.MUTE, reason="Advertising again.", days=3, **common)
    appeal = sanctions.appeal_file(actor=reported, sanction_id=warning.pk, text="It was a one-off, I'm sorry.")
    assert appeal.reviewer_id == base.people["host"].pk  # not the moderator who acted
    return Scene(base=base, warning=warning, mute=mute, appeal=appeal)


def _api(scene: Scene, actor: str, action: str, ids: dict[str, int]) -> Any:
    caller = ApiClient() if actor == "anonymous" else api_for(scene.people[actor])
    if action in ("api_sanction", "api_suspend"):
        kind = "suspend" if action == "api_suspend" else "warn"
        return caller.call("POST", f"/posts/{ids['post']}/sanctions", {"kind": kind, "reason": "Please stop."})
    if action == "api_my_sanctions":
        return caller.call("GET", "/me/sanctions")
    if action == "api_acknowledge":
        return caller.call("POST", f"/me/sanctions/{ids['warning']}/acknowledge")
    if action == "api_appeal":
        return caller.call("POST", f"/me/sanctions/{ids['mute']}/appeal", {"text": "I was only sharing a link."})
    if action == "api_lift":
        return caller.call("POST", f"/sanctions/{ids['mute']}/lift", {"reason": "Talked it through."})
    if action == "api_appeals":
        return caller.call("GET", "/appeals")
    return caller.call("POST", f"/appeals/{ids['appeal']}/decide", {"outcome": "overturn", "response": "Fair."})


def _call(scene: Scene, actor: str, action: str, *, missing: bool = False) -> Any:
    ids = {
        "post": scene.base.post.pk,
        "warning": scene.warning.pk,
        "mute": scene.mute.pk,
        "appeal": scene.appeal.pk,
    }
    if missing:
        ids = dict.fromkeys(ids, MISSING)
    if action.startswith("api_"):
        return _api(scene, actor, action, ids)
    client = Client() if actor == "anonymous" else client_for(scene.people[actor])
    if action == "sanction_form":
        return client.get(reverse("moderation:sanction"), {"post": ids["post"]})
    if action in ("sanction_send", "suspend_send"):
        kind = "suspend" if action == "suspend_send" else "warn"
        return client.post(reverse("moderation:sanction"), {"post": ids["post"], "kind": kind, "reason": "Stop."})
    if action == "standing":
        return client.get(reverse("moderation:standing"))
    if action == "acknowledge":
        return client.post(reverse("moderation:acknowledge", args=[ids["warning"]]))
    if action == "appeal":
        return client.post(reverse("moderation:appeal", args=[ids["mute"]]), {"text": "I was only sharing a link."})
    if action == "sanctions":
        return client.get(reverse("moderation:sanctions"))
    if action == "lift":
        return client.post(reverse("moderation:lift", args=[ids["mute"]]), {"reason": "Talked it through."})
    if action == "appeals":
        return client.get(reverse("moderation:appeals"))
    return client.post(
        reverse("moderation:decide_appeal", args=[ids["appeal"]]), {"outcome": "overturn", "response": "Fair."}
    )


CELLS = [
    pytest.param(action, actor, TABLE[action][index], id=f"{action}-{actor}")
    for action in TABLE
    for index, actor in enumerate(ACTORS)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "actor", "expected"), CELLS)
def test_matrix(action: str, actor: str, expected: int) -> None:
    scene = _scene()
    before = Sanction.objects.count()
    response = _call(scene, actor, action)
    assert response.status_code == expected, response.content[:400]
    if actor == "anonymous" and expected == 302:
        assert "/accounts/login/" in response["Location"]
    acted = (expected in (201, 302) and actor != "anonymous") or (expected == 200 and action in _API_WRITES)
    for each in (scene.warning, scene.mute, scene.appeal):
        each.refresh_from_db()
    created = Sanction.objects.count() - before
    assert created == (1 if action in ("sanction_send", "suspend_send", "api_sanction", "api_suspend") and acted else 0)
    if action in ("suspend_send", "api_suspend") and acted:
        assert scene.people["reported"].__class__.objects.get(pk=scene.people["reported"].pk).suspended
    assert (scene.warning.ended_at is not None) == (
        action in ("acknowledge", "api_acknowledge", "decide_appeal", "api_appeal_decide") and acted
    )
    assert (scene.mute.ended_at is not None) == (action in ("lift", "api_lift") and acted)
    assert Appeal.objects.filter(sanction=scene.mute).exists() == (action in ("appeal", "api_appeal") and acted)
    assert (scene.appeal.status == AppealStatus.OVERTURNED) == (
        action in ("decide_appeal", "api_appeal_decide") and acted
    )
    if expected == 404 and action not in ("sanctions", "appeals", "api_appeals"):
        # Exactly the answer for a post, sanction or appeal that does not exist.
        assert _call(scene, actor, action, missing=True).status_code == 404


_API_WRITES = {"api_acknowledge", "api_lift", "api_appeal_decide"}


def test_the_tables_cover_every_url_and_endpoint_of_the_app() -> None:
    from alongside.moderation import urls
    from alongside.moderation.api import router
    from alongside.moderation.tests import test_access_matrix, test_chat_reports, test_message_reports

    names = {pattern.name for pattern in urls.urlpatterns}
    assert names >= WEB_NAMES
    others = {"queue", "report", "mine", "decide", "close_feedback", "block", "blocked", "unblock", "rules"}
    others |= {"claim", "away", "log", "transparency", "answer_chat_report", "site_rules", "act"}
    others |= {"report_message", "decide_message"}
    assert names - WEB_NAMES == others
    api_rows = {row for row in TABLE if row.startswith("api_") and row != "api_suspend"}
    api_rows |= {row for row in test_access_matrix.TABLE if row.startswith("api_")}
    api_rows |= {row for row in test_chat_reports.TABLE if row.startswith("api_")}
    api_rows |= {row for row in test_message_reports.TABLE if row.startswith("api_")}
    operations = sum(len(view.operations) for view in router.path_operations.values())
    assert operations == len(api_rows)  # one API row per endpoint (api_suspend is api_sanction's other kind)
