"""The chat authorization matrix: every actor through every path to a chat action, through three
doors: the web pages (and the HTTP fallback), the JSON API, and the WebSocket.

The expected answers are written out below as data, from the rules in words at the top of
`chat/access/conversations.py` (not from its code). Each cell runs against a fresh scene: a support
chat whose first listener handed it over to a second one, with messages from before and after the
hand-over, and someone else's request waiting in the queue. An allowed action must succeed and leave
its effect; a refused one must answer as the table says and leave no trace at all. Wherever the
actor may not see the conversation the answer is exactly the one for a conversation that does not
exist (404 on the web and in the API, close code 4404 on a socket): nothing tells them it is there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.accounts.models import Block, User
from alongside.chat.models import (
    ChatReport,
    Conversation,
    ConversationStatus,
    Escalation,
    ListenerProfile,
    Message,
    Participant,
    Rating,
    RequestStatus,
    SupportRequest,
)
from alongside.chat.services import conversations as services
from alongside.chat.tests.conftest import ask, on_duty, say, viewer_of
from alongside.chat.tests.sockets import SocketClient, socket_for
from alongside.core.models import AuditEntry
from tests.fixtures import ALLAUTH_BACKEND, ApiClient, api_for, client_for
from tests.personas import make_person
from tests.support import check_answer

ACTORS = [
    "member",  # asked for support: the chat is theirs
    "listener",  # the listener in the chat now
    "former_listener",  # the chat's first listener, who handed it over
    "other_listener",  # an approved listener who was never in it
    "other_member",  # signed in, nothing to do with the chat
    "site_moderator",  # site staff (two-factor passed), not in the chat
    "admin",  # site administrator (two-factor passed), not in the chat
    "anonymous",  # signed out
    "unverified_staff",  # an administrator who is the chat's listener, signed in without the two-factor step
]
PARTICIPANTS = {"member", "listener", "former_listener", "unverified_staff"}

BEFORE_LEFT, AFTER_LEFT = "said before the hand-over", "said after the hand-over"
OPEN, CLOSED = "open", 4404  # a WebSocket accepted, or closed with "not found"
MISSING = 987654321  # no conversation has this id

# fmt: off
#: action -> expected answer for each actor, in ACTORS order:
#:   member, listener, former_listener, other_listener, other_member, site_moderator, admin, anonymous, unverified_staff
TABLE: dict[str, tuple[int | str, ...]] = {
    # --- Web pages and the HTTP fallback. Signed out: the log-in page (302); a staff session before
    # its two-factor step: the code page (302). The long-poll answers JSON, 404 when signed out.
    # "A support chat is seen by its member and by the listeners who have been in it."
    "web_view":          (200, 200, 200, 404, 404, 404, 404, 302, 302),
    "web_poll":          (200, 200, 200, 404, 404, 404, 404, 404, 302),
    # "Writing needs the writer to be in it now (a listener who handed over no longer writes)."
    "web_send":          (302, 302, 403, 404, 404, 404, 404, 302, 302),
    "web_send_json":     (200, 200, 403, 404, 404, 404, 404, 302, 302),
    # Read receipts: whoever may read.
    "web_read":          (200, 200, 200, 404, 404, 404, 404, 302, 302),
    # "The member ends it; the listener ends it too": those in it now.
    "web_end":           (302, 302, 403, 404, 404, 404, 404, 302, 302),
    # "Only the member rates a chat", once it ended (the scene's chat has ended for this action).
    "web_rate":          (302, 403, 403, 404, 404, 404, 404, 302, 302),
    # "Either side may block or report the other, also after it ended."
    "web_block":         (302, 302, 302, 404, 404, 404, 404, 302, 302),
    "web_report_form":   (200, 200, 200, 404, 404, 404, 404, 302, 302),
    "web_report":        (302, 302, 302, 404, 404, 404, 404, 302, 302),
    # "Only the listener hands it over or asks responders for help", while in it.
    "web_hand_over":     (403, 302, 403, 404, 404, 404, 404, 302, 302),
    "web_escalate":      (403, 302, 403, 404, 404, 404, 404, 302, 302),
    # "A member asks for support when they have no chat waiting or open."
    "web_ask":           (403, 302, 302, 302, 302, 302, 302, 302, 302),
    # The desk is for approved listeners; a listener picks a waiting request when they have room.
    "web_desk":          (403, 200, 200, 200, 403, 403, 403, 302, 302),
    "web_desk_online":   (403, 302, 302, 302, 403, 403, 403, 302, 302),
    "web_pick":          (403, 302, 302, 302, 403, 403, 403, 302, 302),
    # Queue health is for administrators.
    "web_health":        (403, 403, 403, 403, 403, 403, 200, 302, 302),
    # --- The JSON API. Signed out: 401; a staff token without two-factor: 403 two_factor_required.
    "api_ask":           (403, 201, 201, 201, 201, 201, 201, 401, 403),
    "api_list":          (200, 200, 200, 200, 200, 200, 200, 401, 403),  # lists the chat to its participants only
    "api_view":          (200, 200, 200, 404, 404, 404, 404, 401, 403),
    "api_messages":      (200, 200, 200, 404, 404, 404, 404, 401, 403),
    "api_send":          (201, 201, 403, 404, 404, 404, 404, 401, 403),
    "api_read":          (200, 200, 200, 404, 404, 404, 404, 401, 403),
    "api_end":           (200, 200, 403, 404, 404, 404, 404, 401, 403),
    "api_rate":          (204, 403, 403, 404, 404, 404, 404, 401, 403),
    # --- WebSockets: refused with 4404, the same for missing and forbidden (and before two-factor).
    "ws_chat":           (OPEN, OPEN, OPEN, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED),
    "ws_desk":           (CLOSED, OPEN, OPEN, OPEN, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED),
}
# fmt: on
ACTIONS = list(TABLE)
#: Actions on one conversation: where refused with 404 (or 4404), the answer must equal the one for a
#: conversation that does not exist.
NOT_ABOUT_ONE_CHAT = {
    "web_ask",
    "web_desk",
    "web_desk_online",
    "web_pick",
    "web_health",
    "api_ask",
    "api_list",
    "ws_desk",
}
PER_CHAT = set(ACTIONS) - NOT_ABOUT_ONE_CHAT
ENDED_FIRST = {"web_rate", "api_rate"}  # the scene's chat has ended before the actor acts

EXPECTED: dict[tuple[str, str], int | str] = {
    (action, actor): TABLE[action][index] for action in ACTIONS for index, actor in enumerate(ACTORS)
}


#: Cells whose answer comes from the ASGI application's own threads (the socket consumers, the
#: long-poll's database reads): their scenes are committed for real.
COMMITTED = ("ws_", "web_poll")


def _cells(*, committed: bool) -> list[Any]:
    cells = []
    for (action, actor), expected in EXPECTED.items():
        if action.startswith(COMMITTED) != committed:
            continue
        cells.append(pytest.param(action, actor, expected, id=f"{action}-{actor}"))
    return cells


def test_the_table_covers_every_actor_and_action() -> None:
    for action, row in TABLE.items():
        assert len(row) == len(ACTORS), action
    assert set(ACTION_FUNCTIONS) == set(ACTIONS)
    answers: dict[str, set[int | str]] = {
        "web": {200, 302, 403, 404},
        "api": {200, 201, 204, 401, 403, 404},
        "ws": {OPEN, CLOSED},
    }
    for action in ACTIONS:
        assert set(TABLE[action]) <= answers[action.split("_")[0]], action


# --- One fresh scene per cell ---------------------------------------------------------------


@dataclass
class Scene:
    conversation: Conversation
    member: User
    listener: User  # in the chat now
    former_listener: User  # handed it over
    other_listener: User
    other_member: User
    site_moderator: User
    admin: User
    waiting: SupportRequest  # someone else's request, waiting in the queue
    actor_name: str
    spec: dict[str, Any]
    actor: User | None = None
    unverified: bool = False  # the actor's session or token has not passed two-factor

    @property
    def chat_id(self) -> int:
        return self.conversation.pk


def build_scene(actor_name: str, action: str, spec: dict[str, Any]) -> Scene:
    member = make_person("chat_member")
    former = on_duty(make_person("first_listener", Role.LISTENER))
    request = ask(member, topic="grief", first_message="I cannot sleep")
    services.queue_match()
    conversation = Conversation.objects.get(pk=request.conversation_id)
    assert conversation.listener == former
    say(former, conversation, f"I'm here, {BEFORE_LEFT}")
    services.conversation_hand_over(actor=former, viewer=viewer_of(former, conversation))
    if actor_name == "unverified_staff":
        listener = on_duty(make_person("desk_lead", Role.ADMIN))  # has an authenticator
    else:
        listener = on_duty(make_person("second_listener", Role.LISTENER))
    services.queue_match()
    conversation.refresh_from_db()
    assert conversation.listener == listener
    say(member, conversation, f"Thank you, {AFTER_LEFT}")
    other_listener = on_duty(make_person("unrelated_listener", Role.LISTENER))
    ListenerProfile.objects.update(is_online=False)  # nobody takes the waiting request by themselves
    waiting = ask(make_person("waiting_member"))
    if action in ENDED_FIRST:
        services.conversation_end(actor=member, viewer=viewer_of(member, conversation))
    conversation.refresh_from_db()
    scene = Scene(
        conversation=conversation,
        member=member,
        listener=listener,
        former_listener=former,
        other_listener=other_listener,
        other_member=make_person("unrelated_member"),
        site_moderator=make_person("site_keeper", Role.MODERATOR),
        admin=make_person("site_lead", Role.ADMIN),
        waiting=waiting,
        actor_name=actor_name,
        spec=spec,
    )
    if actor_name == "unverified_staff":
        scene.actor, scene.unverified = listener, True
    elif actor_name != "anonymous":
        scene.actor = getattr(scene, actor_name)
    return scene


def web_client(s: Scene) -> Client:
    if s.actor is None:
        return Client()
    if s.unverified:
        client = Client()
        client.force_login(s.actor, backend=ALLAUTH_BACKEND)  # password only: no code step in this session
        return client
    return client_for(s.actor)


def api_client(s: Scene) -> ApiClient:
    if s.actor is None:
        return ApiClient()
    return api_for(s.actor, second_factor=not s.unverified)


def snapshot() -> dict[str, Any]:
    """Everything a chat action could change: a refusal must leave all of it as it was."""
    return {
        "conversations": list(
            Conversation.objects.order_by("pk").values_list(
                "pk", "status", "listener_id", "last_seq", "rated", "ended_at", "escalated_at"
            )
        ),
        "participants": list(
            Participant.objects.order_by("pk").values_list("pk", "user_id", "role", "left_at", "last_read_seq")
        ),
        "messages": list(Message.objects.order_by("pk").values_list("pk", "seq", "sender_id", "client_id", "status")),
        "requests": list(
            SupportRequest.objects.order_by("pk").values_list("pk", "status", "handed_over_by_id", "queued_at")
        ),
        "listeners": list(
            ListenerProfile.objects.order_by("pk").values_list("pk", "is_online", "open_sockets", "last_assigned_at")
        ),
        "blocks": list(Block.objects.values_list("blocker_id", "blocked_id")),
        "reports": ChatReport.objects.count(),
        "escalations": Escalation.objects.count(),
        "ratings": Rating.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


# --- The actions: how each door is knocked on, and what an allowed action leaves --------------
#
# `call(s, chat_id)` makes the request as the scene's actor and returns the response (for sockets,
# OPEN or the close code); `effect(s, result)` asserts what an allowed action leaves behind.


def _chat(chat_id: int, tail: str = "") -> str:
    return f"/chat/{chat_id}/{tail}"


def _api(s: Scene, method: str, path: str, body: Any = None) -> Any:
    response = api_client(s).call(method, path, body)
    check_answer(s.spec, method, path, response)
    return response


def _shows_history(s: Scene, content: str) -> None:
    """What the actor reads: the member's first words; after the hand-over only if they are in it now."""
    assert "I cannot sleep" in content
    if s.actor_name == "former_listener":
        assert BEFORE_LEFT in content
        assert AFTER_LEFT not in content
    else:
        assert AFTER_LEFT in content


def _their_message(s: Scene, client_id: str) -> None:
    assert Message.objects.filter(conversation=s.conversation, sender=s.actor, client_id=client_id).exists()


def _ended(s: Scene, result: Any) -> None:
    assert Conversation.objects.get(pk=s.chat_id).status == ConversationStatus.ENDED


def _read_up_to_what_they_see(s: Scene, result: Any) -> None:
    participant = Participant.objects.get(conversation=s.conversation, user=s.actor)
    visible = Message.objects.filter(conversation=s.conversation, seq__isnull=False)
    if participant.left_at is not None:
        visible = visible.filter(created_at__lte=participant.left_at)
    newest_visible = max(visible.values_list("seq", flat=True))
    assert participant.last_read_seq == newest_visible


def _rated(s: Scene, result: Any) -> None:
    assert list(Rating.objects.values_list("listener_id", "stars")) == [(s.listener.pk, 4)]


def _asked(s: Scene, result: Any) -> None:
    assert SupportRequest.objects.filter(member=s.actor, status=RequestStatus.WAITING).exists()


def call_web_view(s: Scene, chat_id: int) -> Any:
    return web_client(s).get(_chat(chat_id))


def effect_web_view(s: Scene, result: Any) -> None:
    _shows_history(s, result.content.decode())


def call_web_poll(s: Scene, chat_id: int) -> Any:
    return web_client(s).get(_chat(chat_id, "poll/?after=0"))


def effect_web_poll(s: Scene, result: Any) -> None:
    _shows_history(s, str(result.json()["messages"]))


def call_web_send(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(_chat(chat_id, "send/"), {"body": "a cell says hello", "client_id": "cell-1"})


def effect_web_send(s: Scene, result: Any) -> None:
    _their_message(s, "cell-1")


def call_web_send_json(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(
        _chat(chat_id, "send/"), {"body": "a cell says hello", "client_id": "cell-2"}, HTTP_ACCEPT="application/json"
    )


def effect_web_send_json(s: Scene, result: Any) -> None:
    assert result.json()["type"] == "ack"
    _their_message(s, "cell-2")


def call_web_read(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(_chat(chat_id, "read/"), {"seq": "999"})


def effect_web_read(s: Scene, result: Any) -> None:
    _read_up_to_what_they_see(s, result)


def call_web_end(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(_chat(chat_id, "end/"))


effect_web_end = _ended


def call_web_rate(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(_chat(chat_id, "rate/"), {"stars": "4", "feedback": "It helped."})


effect_web_rate = _rated


def call_web_block(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(_chat(chat_id, "block/"))


def effect_web_block(s: Scene, result: Any) -> None:
    other = s.listener if s.actor_name == "member" else s.member
    assert list(Block.objects.values_list("blocker_id", "blocked_id")) == [(s.actor.pk, other.pk)]
    # Blocking ends the chat between the two of them; a listener who handed it over is no longer in
    # the member's chat with the listener who took over, and must not end it.
    ended = Conversation.objects.get(pk=s.chat_id).status == ConversationStatus.ENDED
    assert ended == (s.actor_name != "former_listener")


def call_web_report_form(s: Scene, chat_id: int) -> Any:
    return web_client(s).get(_chat(chat_id, "report/"))


def effect_web_report_form(s: Scene, result: Any) -> None:
    assert 'name="reason"' in result.content.decode()


def call_web_report(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(_chat(chat_id, "report/"), {"reason": "They were unkind."})


def effect_web_report(s: Scene, result: Any) -> None:
    report = ChatReport.objects.get()
    assert (report.reporter_id, report.conversation_id) == (s.actor.pk, s.chat_id)
    assert AuditEntry.objects.filter(action="chat.report", actor_id=s.actor.pk).count() == 1


def call_web_hand_over(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(_chat(chat_id, "hand-over/"), {"note": "Out of my depth."})


def effect_web_hand_over(s: Scene, result: Any) -> None:
    request = SupportRequest.objects.get(conversation=s.conversation)
    assert (request.status, request.handed_over_by_id) == (RequestStatus.WAITING, s.actor.pk)


def call_web_escalate(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(_chat(chat_id, "escalate/"), {"note": "Worried for them."})


def effect_web_escalate(s: Scene, result: Any) -> None:
    assert list(Escalation.objects.values_list("conversation_id", "raised_by_id")) == [(s.chat_id, s.actor.pk)]
    assert Conversation.objects.get(pk=s.chat_id).status == ConversationStatus.ACTIVE  # the listener stays


def call_web_ask(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(reverse("chat:start"), {"language": "en", "topic": "", "first_message": ""})


effect_web_ask = _asked


def call_web_desk(s: Scene, chat_id: int) -> Any:
    return web_client(s).get(reverse("chat:desk"))


def effect_web_desk(s: Scene, result: Any) -> None:
    assert result.status_code == 200


def call_web_desk_online(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(reverse("chat:desk_online"), {"online": "on"})


def effect_web_desk_online(s: Scene, result: Any) -> None:
    assert ListenerProfile.objects.get(user=s.actor).is_online


def call_web_pick(s: Scene, chat_id: int) -> Any:
    return web_client(s).post(reverse("chat:pick", args=[s.waiting.pk]))


def effect_web_pick(s: Scene, result: Any) -> None:
    picked = Conversation.objects.get(pk=s.waiting.conversation_id)
    assert (picked.listener_id, picked.status) == (s.actor.pk, ConversationStatus.ACTIVE)


def call_web_health(s: Scene, chat_id: int) -> Any:
    return web_client(s).get(reverse("chat:health"))


def effect_web_health(s: Scene, result: Any) -> None:
    assert result.status_code == 200


def call_api_ask(s: Scene, chat_id: int) -> Any:
    return _api(s, "POST", "/chat/requests", {"language": "en"})


effect_api_ask = _asked


def call_api_list(s: Scene, chat_id: int) -> Any:
    return _api(s, "GET", "/chat/conversations")


def effect_api_list(s: Scene, result: Any) -> None:
    listed = s.chat_id in [item["id"] for item in result.json()["items"]]
    assert listed == (s.actor_name in PARTICIPANTS)


def call_api_view(s: Scene, chat_id: int) -> Any:
    return _api(s, "GET", f"/chat/conversations/{chat_id}")


def effect_api_view(s: Scene, result: Any) -> None:
    body = result.json()
    assert (body["id"], body["current"]) == (s.chat_id, s.actor_name != "former_listener")


def call_api_messages(s: Scene, chat_id: int) -> Any:
    return _api(s, "GET", f"/chat/conversations/{chat_id}/messages")


def effect_api_messages(s: Scene, result: Any) -> None:
    _shows_history(s, str(result.json()["items"]))


def call_api_send(s: Scene, chat_id: int) -> Any:
    return _api(s, "POST", f"/chat/conversations/{chat_id}/messages", {"client_id": "cell-3", "body": "hello"})


def effect_api_send(s: Scene, result: Any) -> None:
    _their_message(s, "cell-3")


def call_api_read(s: Scene, chat_id: int) -> Any:
    return _api(s, "POST", f"/chat/conversations/{chat_id}/read", {"seq": 999})


effect_api_read = _read_up_to_what_they_see


def call_api_end(s: Scene, chat_id: int) -> Any:
    return _api(s, "POST", f"/chat/conversations/{chat_id}/end")


effect_api_end = _ended


def call_api_rate(s: Scene, chat_id: int) -> Any:
    return _api(s, "POST", f"/chat/conversations/{chat_id}/rating", {"stars": 4})


effect_api_rate = _rated


def _socket_cookie(s: Scene) -> str:
    if s.actor is None:
        return ""
    return str(web_client(s).cookies["sessionid"].value)


def _socket(s: Scene, path: str) -> int | str:
    cookie = _socket_cookie(s)

    async def knock() -> int | str:
        socket = socket_for(path, cookie)
        connected, code = await socket.connect()
        if not connected:
            return int(code)
        await socket.send_json_to({"type": "ping"})
        frame = await socket.receive_json_from()
        while frame["type"] == "presence":  # someone in the chat is here: ephemeral news, any time
            frame = await socket.receive_json_from()
        assert frame == {"type": "pong"}
        await socket.disconnect()
        return OPEN

    return async_to_sync(knock)()


def call_ws_chat(s: Scene, chat_id: int) -> Any:
    return _socket(s, f"/ws/chat/{chat_id}/")


def effect_ws_chat(s: Scene, result: Any) -> None:
    assert result == OPEN


def call_ws_desk(s: Scene, chat_id: int) -> Any:
    return _socket(s, "/ws/chat/desk/")


def effect_ws_desk(s: Scene, result: Any) -> None:
    assert result == OPEN


@dataclass(frozen=True)
class Action:
    call: Callable[[Scene, int], Any]
    effect: Callable[[Scene, Any], None]


ACTION_FUNCTIONS: dict[str, Action] = {
    name: Action(globals()[f"call_{name}"], globals()[f"effect_{name}"]) for name in ACTIONS
}


# --- Checking a cell --------------------------------------------------------------------------

_VARYING = re.compile(rb'(name="csrfmiddlewaretoken" value=|nonce=|data-csrf=|content=)"[^"]*"')


def _comparable(result: Any) -> Any:
    """An answer with what differs between any two responses (CSRF tokens, CSP nonces) left out."""
    if not hasattr(result, "status_code"):
        return result
    return result.status_code, _VARYING.sub(rb"\1-", result.content)


def _status(result: Any) -> int | str:
    return result if not hasattr(result, "status_code") else result.status_code


def check_cell(action: str, actor_name: str, expected: int | str, spec: dict[str, Any]) -> None:
    scene = build_scene(actor_name, action, spec)
    act = ACTION_FUNCTIONS[action]
    before = snapshot()
    result = act.call(scene, scene.chat_id)
    status = _status(result)
    assert status == expected, (status, getattr(result, "content", b"")[:400])
    if status == 302:
        location = result["Location"]
        if actor_name == "anonymous":
            assert location.startswith(reverse("account_login")), location
        elif scene.unverified:
            assert location.startswith(reverse("mfa_reauthenticate")), location
        else:
            assert not location.startswith("/accounts/"), location
    if scene.unverified and action.startswith("api_"):
        assert result.json()["code"] == "two_factor_required"
    allowed = status in (200, 201, 204, OPEN) or (status == 302 and actor_name != "anonymous" and not scene.unverified)
    if allowed:
        act.effect(scene, result)
        return
    assert snapshot() == before
    if status in (404, CLOSED) and action in PER_CHAT:
        # Forbidden looks exactly like missing.
        assert _comparable(act.call(scene, MISSING)) == _comparable(result)


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "actor_name", "expected"), _cells(committed=False))
def test_authorization_matrix(action: str, actor_name: str, expected: int | str, openapi_spec: dict[str, Any]) -> None:
    check_cell(action, actor_name, expected, openapi_spec)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("action", "actor_name", "expected"), _cells(committed=True))
def test_authorization_matrix_committed(
    action: str, actor_name: str, expected: int | str, openapi_spec: dict[str, Any]
) -> None:
    check_cell(action, actor_name, expected, openapi_spec)


def test_every_cell_runs_once() -> None:
    cells = _cells(committed=False) + _cells(committed=True)
    assert len(cells) == len(EXPECTED) == len(ACTORS) * len(ACTIONS)
    assert len({cell.id for cell in cells}) == len(cells)


# --- Edges the matrix cannot reach: a socket that stays open across a hand-over --------------------


def _cookie(user: User) -> str:
    return str(client_for(user).cookies["sessionid"].value)


async def _everything(socket: SocketClient, wait: float = 1.0) -> list[dict[str, Any]]:
    """Every frame the socket receives until it has been quiet for `wait` seconds or is closed (a
    close shows as `{"type": "closed", "code": ...}`)."""
    seen: list[dict[str, Any]] = []
    while True:
        try:
            output = await socket.receive_output(wait)  # type: ignore[no-untyped-call]
        except TimeoutError:
            return seen
        if output["type"] == "websocket.close":
            seen.append({"type": "closed", "code": output.get("code")})
            return seen
        seen.append(json.loads(output["text"]))


def _handed_over_chat() -> tuple[Conversation, User, User, User]:
    """A member's chat, its first listener (about to hand it over) and the listener who will take over."""
    member = make_person("chat_member")
    former = on_duty(make_person("first_listener", Role.LISTENER))
    request = ask(member)
    services.queue_match()
    conversation = Conversation.objects.get(pk=request.conversation_id)
    assert conversation.listener == former
    successor = make_person("second_listener", Role.LISTENER)
    return conversation, member, former, successor


def _take_over(conversation: Conversation, former: User, successor: User) -> None:
    services.conversation_hand_over(actor=former, viewer=viewer_of(former, conversation))
    on_duty(successor)
    services.queue_match()
    assert Conversation.objects.get(pk=conversation.pk).listener == successor


@pytest.mark.django_db(transaction=True)
def test_a_listener_who_handed_over_hears_nothing_after_leaving_on_a_socket_left_open() -> None:
    conversation, member, former, successor = _handed_over_chat()
    cookie = _cookie(former)

    async def scenario() -> list[dict[str, Any]]:
        socket = socket_for(f"/ws/chat/{conversation.pk}/", cookie)
        assert (await socket.connect())[0]
        await socket.send_json_to({"type": "hello", "after": 0})
        await socket.receive_until("ready")
        await database_sync_to_async(_take_over)(conversation, former, successor)
        await database_sync_to_async(say)(member, conversation, AFTER_LEFT)
        return await _everything(socket)

    frames = async_to_sync(scenario)()
    left_at = Participant.objects.get(conversation=conversation, user=former).left_at
    last_theirs = max(
        Message.objects.filter(conversation=conversation, created_at__lte=left_at).values_list("seq", flat=True)
    )
    # A reconnect would show nothing after they left (selectors.messages_after); nor may a push.
    assert [f["seq"] for f in frames if f["type"] == "message" and f["seq"] > last_theirs] == []
    assert AFTER_LEFT not in str(frames)


@pytest.mark.django_db(transaction=True)
def test_a_listener_who_handed_over_cannot_show_the_member_typing() -> None:
    conversation, member, former, successor = _handed_over_chat()
    _take_over(conversation, former, successor)
    former_cookie, member_cookie = _cookie(former), _cookie(member)

    async def scenario() -> list[dict[str, Any]]:
        member_socket = socket_for(f"/ws/chat/{conversation.pk}/", member_cookie)
        assert (await member_socket.connect())[0]
        await member_socket.send_json_to({"type": "hello", "after": 0})
        await member_socket.receive_until("ready")
        former_socket = socket_for(f"/ws/chat/{conversation.pk}/", former_cookie)
        assert (await former_socket.connect())[0]  # they may still read what was said while they were in it
        await former_socket.send_json_to({"type": "typing"})
        frames = await _everything(member_socket)
        await former_socket.disconnect()
        return frames

    assert [frame for frame in async_to_sync(scenario)() if frame["type"] == "typing"] == []
