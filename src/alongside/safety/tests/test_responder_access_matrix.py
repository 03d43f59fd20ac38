"""The responders' authorization matrix: every actor through every path to the risk queue.

The rule in words (`safety/access/risk.py`): the queue, every risk event and every action on one
belong to on-duty responders alone (moderators, clinicians and administrators holding the duty).
Everyone else gets not-found, exactly as for an event that does not exist: members, listeners, the
person the event is about, staff without the duty or off duty. Signed out: not-found too (nothing
says the page exists). A responder's session before its two-factor step: sent to the code page.
The Django admin does not list risk events at all, and the live push reaches responders only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from asgiref.sync import async_to_sync
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.chat.services import conversations as chat_services
from alongside.chat.tests.conftest import ask, on_duty, viewer_of
from alongside.chat.tests.sockets import socket_for
from alongside.safety.models import Responder, RiskAction, RiskEvent, RiskStatus
from alongside.safety.services import risk as services
from tests.fixtures import ALLAUTH_BACKEND, client_for
from tests.personas import make_person

ACTORS = [
    "responder",  # a clinician on the responder duty
    "admin_responder",  # an administrator on the duty
    "off_duty",  # a moderator with the duty, off duty now
    "moderator",  # site moderator without the duty
    "admin",  # administrator without the duty
    "subject",  # the person the event is about
    "listener",  # the listener in their chat
    "member",  # someone else
    "anonymous",  # signed out
    "unverified",  # a responder signed in without the two-factor step
]

# fmt: off
TABLE: dict[str, tuple[int, ...]] = {
    #                responder admin_r off  mod  admin subj list memb anon unverified
    "queue":        (200,      200,    404, 404, 404,  404, 404, 404, 404, 302),
    "event":        (200,      200,    404, 404, 404,  404, 404, 404, 404, 302),
    "acknowledge":  (302,      302,    404, 404, 404,  404, 404, 404, 404, 302),
    "reach_out":    (302,      302,    404, 404, 404,  404, 404, 404, 404, 302),
    "join_chat":    (302,      302,    404, 404, 404,  404, 404, 404, 404, 302),
    "escalate":     (302,      302,    404, 404, 404,  404, 404, 404, 404, 302),
    "close":        (302,      302,    404, 404, 404,  404, 404, 404, 404, 302),
}
# fmt: on
MISSING = 987654321


@dataclass
class Scene:
    event: RiskEvent
    people: dict[str, Any]


def _scene() -> Scene:
    people: dict[str, Any] = {
        "responder": make_person("rhea_north", Role.CLINICIAN),
        "admin_responder": make_person("ada_stone", Role.ADMIN),
        "off_duty": make_person("otto_vale", Role.MODERATOR),
        "moderator": make_person("mo_brook", Role.MODERATOR),
        "admin": make_person("al_fern", Role.ADMIN),
        "subject": make_person("sky_member"),
        "listener": on_duty(make_person("lee_listener", Role.LISTENER)),
        "member": make_person("max_member"),
        "unverified": make_person("uma_reed", Role.CLINICIAN),
    }
    for name in ("responder", "admin_responder", "unverified"):
        Responder.objects.create(user=people[name])
    Responder.objects.create(user=people["off_duty"], on_duty=False)
    conversation = ask(people["subject"]).conversation
    chat_services.queue_match()
    chat_services.conversation_escalate(
        actor=people["listener"], viewer=viewer_of(people["listener"], conversation), note="Needs help"
    )
    return Scene(event=RiskEvent.objects.get(), people=people)


def _client(scene: Scene, actor: str) -> Client:
    if actor == "anonymous":
        return Client()
    if actor == "unverified":
        client = Client()
        client.force_login(scene.people[actor], backend=ALLAUTH_BACKEND)
        session = client.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time()}]
        session.save()
        return client
    return client_for(scene.people[actor])


def _call(client: Client, action: str, event_id: int) -> Any:
    if action == "queue":
        return client.get(reverse("responders:queue"))
    if action == "event":
        return client.get(reverse("responders:event", args=[event_id]))
    data = {"note": "Spoke with them", "verdict": "handled"}
    return client.post(reverse(f"responders:{action}", args=[event_id]), data)


CELLS = [
    pytest.param(action, actor, TABLE[action][index], id=f"{action}-{actor}")
    for action in TABLE
    for index, actor in enumerate(ACTORS)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "actor", "expected"), CELLS)
def test_matrix(action: str, actor: str, expected: int) -> None:
    scene = _scene()
    actions_before = RiskAction.objects.count()
    response = _call(_client(scene, actor), action, scene.event.pk)
    assert response.status_code == expected
    if expected == 302 and actor == "unverified":
        assert "/accounts/" in response["Location"]
    if expected in (302, 404) and actor not in ("responder", "admin_responder"):
        scene.event.refresh_from_db()
        assert scene.event.status == RiskStatus.OPEN  # nothing changed
        assert RiskAction.objects.count() == actions_before
    if expected == 404 and action != "queue":
        # Exactly the answer for an event that does not exist.
        missing = _call(_client(scene, actor), action, MISSING)
        assert missing.status_code == 404
    if actor == "responder" and action in ("acknowledge", "reach_out", "join_chat", "close", "escalate"):
        assert RiskAction.objects.count() > actions_before  # it did something


def test_the_table_covers_every_url_of_the_queue() -> None:
    from alongside.safety import responder_urls

    assert {pattern.name for pattern in responder_urls.urlpatterns} == set(TABLE)


def test_the_django_admin_is_not_a_way_round_the_queue() -> None:
    assert RiskEvent not in admin.site._registry
    assert RiskAction not in admin.site._registry


def _verified_cookie(user: Any) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = ALLAUTH_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": time.time(), "type": "totp"}]
    session.create()
    return str(session.session_key)


@pytest.mark.django_db(transaction=True)
def test_the_live_push_reaches_on_duty_responders_only() -> None:
    responder = make_person("pia_glen", Role.MODERATOR)
    Responder.objects.create(user=responder)
    moderator = make_person("nia_moss", Role.MODERATOR)
    subject, worried = make_person("kit_member"), make_person("jo_member")
    from alongside.communities.models import Visibility
    from alongside.communities.tests.conftest import opening_post, quick_community, start_thread

    room = quick_community("Evenings", Visibility.PUBLIC, members=(subject, worried))
    post = opening_post(start_thread(subject, room, title="Hello", body="A quiet day."))

    cookies = _verified_cookie(responder), _verified_cookie(moderator)

    async def scenario() -> tuple[list[Any], bool]:
        watching = socket_for("/ws/live/", cookies[0])
        bystander = socket_for("/ws/live/", cookies[1])
        assert (await watching.connect())[0]
        assert (await bystander.connect())[0]
        from channels.db import database_sync_to_async

        await database_sync_to_async(services.worry_report)(
            actor=worried, subject=subject, source="thread", content="A quiet day.", link="/", target=post
        )
        frames = await watching.receive_until("risk_queue")
        heard = await bystander.receive_nothing(timeout=0.5)  # type: ignore[no-untyped-call]
        await watching.disconnect()
        await bystander.disconnect()
        return frames, heard

    frames, bystander_heard_nothing = async_to_sync(scenario)()
    assert frames[-1] == {"type": "risk_queue", "open": 1, "event": RiskEvent.objects.get().pk, "level": "concern"}
    assert bystander_heard_nothing
