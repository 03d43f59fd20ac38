"""The safety plan authorization matrix: every persona through every plan action, on the web pages
and in the JSON API.

The expected answers are written out below as data, from the rules in words at the top of
`safety/access/plans.py` (not from its code). Each cell runs against a fresh scene: a member with a
plan, in an open support chat with a listener, who has shared the plan with that listener (or, for
`listener_unshared`, shared it and stopped). Besides the status, every cell checks that the owner's
words appear only where the rules say, and that nothing but the owner changes the owner's plan.
Staff see nothing of a plan: where a plan is not theirs it is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from alongside.accounts.enums import Role
from alongside.accounts.models import User
from alongside.chat.tests.conftest import on_duty, viewer_of
from alongside.safety.models import SafetyPlan, SafetyPlanShare
from alongside.safety.services import plans as services
from alongside.safety.tests.plan_scenes import PLAN, SECRET, make_plan, open_chat, share
from tests.fixtures import api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",  # signed out
    "owner",  # the member whose plan it is
    "other_member",  # signed in, nothing to do with it
    "listener_shared",  # the chat's listener, the plan shared with them now
    "listener_unshared",  # the chat's listener, the share stopped
    "other_listener",  # an approved listener who was never in the chat
    "moderator",
    "clinician",
    "admin",
]

# fmt: off
#: action -> expected status for each actor, in ACTORS order:
#:   anonymous, owner, other_member, listener_shared, listener_unshared, other_listener, moderator, clinician, admin
TABLE: dict[str, tuple[int, ...]] = {
    # Everyone may open the plan pages; each sees their own plan or, with none, what a plan is.
    "web_plan":        (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "web_print":       (200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Making, changing and deleting: one's own plan, signed in (signed out: the log-in page).
    "web_edit":        (302, 200, 200, 200, 200, 200, 200, 200, 200),
    "web_save":        (302, 302, 302, 302, 302, 302, 302, 302, 302),
    "web_delete":      (302, 302, 302, 302, 302, 302, 302, 302, 302),
    # "The owner may share it with the listener of one of their support chats": the listener sees the
    # chat but the plan is not theirs to share (403); outside the chat, no such chat (404).
    "web_share":       (302, 302, 404, 403, 403, 404, 404, 404, 404),
    "web_stop":        (302, 302, 404, 404, 404, 404, 404, 404, 404),
    # "The listener it was shared with reads it ... while the share is active". Nobody else.
    "web_read_shared": (302, 404, 404, 200, 404, 404, 404, 404, 404),
    "api_get":         (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "api_put":         (401, 200, 200, 200, 200, 200, 200, 200, 200),
}
# Where the owner's words may appear in the answer.
SEES_PLAN = {("owner", "web_plan"), ("owner", "web_print"), ("owner", "web_edit"), ("owner", "api_get"),
             ("listener_shared", "web_read_shared")}
# fmt: on


@dataclass
class Scene:
    owner: User
    listener: User
    conversation: Any
    share: SafetyPlanShare
    people: dict[str, User | None]


def build_scene(actor: str) -> Scene:
    owner = make_person("plan_owner")
    listener = on_duty(make_person("kind_listener", Role.LISTENER))
    conversation = open_chat(owner, listener)
    make_plan(owner)
    shared = share(owner, conversation)
    if actor == "listener_unshared":
        services.safety_plan_share_stop(actor=owner, viewer=viewer_of(owner, conversation))
    people: dict[str, User | None] = {
        "anonymous": None,
        "owner": owner,
        "other_member": make_person("someone_else"),
        "listener_shared": listener,
        "listener_unshared": listener,
        "other_listener": on_duty(make_person("warm_listener", Role.LISTENER)),
        "moderator": make_person("steady_keeper", Role.MODERATOR),
        "clinician": make_person("on_call_clinician", Role.CLINICIAN),
        "admin": make_person("site_lead", Role.ADMIN),
    }
    return Scene(owner, listener, conversation, shared, people)


def perform(action: str, scene: Scene, user: User | None) -> tuple[int, str]:
    chat = scene.conversation.pk
    if action.startswith("api_"):
        caller = api_for(user) if user is not None else None
        if caller is None:
            from tests.fixtures import ApiClient

            caller = ApiClient()
        if action == "api_get":
            response = caller.call("GET", "/safety/plan")
        else:
            response = caller.call("PUT", "/safety/plan", {"warning_signs": ["Changed by the caller"]})
        return response.status_code, response.content.decode()
    client = client_for(user) if user is not None else Client()
    paths = {
        "web_plan": ("get", "/help/plan/", None),
        "web_print": ("get", "/help/plan/print/", None),
        "web_edit": ("get", "/help/plan/edit/", None),
        "web_save": ("post", "/help/plan/edit/", {**PLAN, "warning_signs": "Changed by the caller"}),
        "web_delete": ("post", "/help/plan/delete/", {}),
        "web_share": ("post", f"/help/plan/share/{chat}/", {}),
        "web_stop": ("post", f"/help/plan/share/{chat}/stop/", {}),
        "web_read_shared": ("get", f"/help/plan/shared/{scene.share.pk}/", None),
    }
    method, path, data = paths[action]
    response = getattr(client, method)(path, data) if data is not None else getattr(client, method)(path)
    if response.status_code == 302 and user is None:
        assert "/accounts/login/" in response["Location"], (action, response["Location"])
    return response.status_code, response.content.decode()


CELLS = [(action, actor) for action in TABLE for actor in ACTORS]


@pytest.mark.parametrize(("action", "actor"), CELLS, ids=[f"{a}-{p}" for a, p in CELLS])
def test_plan_access(action: str, actor: str) -> None:
    scene = build_scene(actor)
    expected = TABLE[action][ACTORS.index(actor)]
    status, body = perform(action, scene, scene.people[actor])
    assert status == expected, (action, actor, status, body[:500])
    # The owner's words appear only where the rules allow them.
    assert (SECRET in body) == ((actor, action) in SEES_PLAN and status == 200), (action, actor)
    # Nobody but the owner changes or deletes the owner's plan.
    plan = SafetyPlan.objects.filter(owner=scene.owner).first()
    if actor == "owner" and action == "web_delete":
        assert plan is None
    elif actor == "owner" and action in ("web_save", "api_put"):
        assert plan is not None
        assert plan.warning_signs == "Changed by the caller"
    else:
        assert plan is not None
        assert plan.warning_signs == PLAN["warning_signs"]
    # Only the owner's stop ends the share; a refused share or stop leaves it as it was.
    active = SafetyPlanShare.objects.filter(stopped_at__isnull=True).count()
    if actor == "listener_unshared" or (actor == "owner" and action in ("web_stop", "web_delete")):
        assert active == 0
    else:
        assert active == 1
