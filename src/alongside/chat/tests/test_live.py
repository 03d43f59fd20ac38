"""The WebSocket consumers and the HTTP fallback, through the real ASGI application and channel layer
(in memory, or Redis when REDIS_URL is set)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client

from alongside.chat.models import Conversation, Message
from alongside.chat.services import conversations as services
from alongside.chat.tests.conftest import ask, say
from alongside.chat.tests.sockets import SocketClient, socket_for
from tests.fixtures import client_for
from tests.personas import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(user: Any, path: str) -> SocketClient:
    cookie = await database_sync_to_async(session_cookie)(user) if user is not None else ""
    return socket_for(path, cookie)


def _matched(member: Any) -> Conversation:
    request = ask(member)
    services.queue_match()
    return Conversation.objects.get(pk=request.conversation_id)


def test_messages_reach_the_other_side_live_and_a_reconnect_resumes_without_gaps(member, duty_listener):
    conversation = _matched(member)

    async def scenario() -> None:
        listener_socket = await _connect(duty_listener, f"/ws/chat/{conversation.pk}/")
        assert (await listener_socket.connect())[0]
        await listener_socket.send_json_to({"type": "hello", "after": 0})
        history = await listener_socket.receive_until("ready")
        assert [f["seq"] for f in history if f["type"] == "message"] == [1]  # "joined"

        member_socket = await _connect(member, f"/ws/chat/{conversation.pk}/")
        assert (await member_socket.connect())[0]
        await member_socket.send_json_to({"type": "hello", "after": 1})
        await member_socket.receive_until("ready")
        await member_socket.send_json_to({"type": "typing"})
        assert (await listener_socket.receive_until("typing"))[-1]["role"] == "member"  # after "member is here"
        await member_socket.send_json_to({"type": "send", "client_id": "m-1", "body": "are you there?"})
        got = await member_socket.receive_until("ack")
        assert got[-1] == {"type": "ack", "client_id": "m-1", "seq": 2}
        delivered = await listener_socket.receive_until("message")
        assert delivered[-1]["body"] == "are you there?"
        assert delivered[-1]["seq"] == 2

        # a retry of the same message (say, after a lost ack) is acknowledged with the same number
        await member_socket.send_json_to({"type": "send", "client_id": "m-1", "body": "are you there?"})
        assert (await member_socket.receive_until("ack"))[-1]["seq"] == 2

        # the member drops off; the listener writes three messages; the member comes back
        await member_socket.disconnect()
        for n in range(3):
            await listener_socket.send_json_to({"type": "send", "client_id": f"l-{n}", "body": f"missed {n}"})
            await listener_socket.receive_until("ack")
        back = await _connect(member, f"/ws/chat/{conversation.pk}/")
        assert (await back.connect())[0]
        await back.send_json_to({"type": "hello", "after": 2})
        frames = await back.receive_until("ready")
        messages = [f for f in frames if f["type"] == "message"]
        assert [(f["seq"], f["body"]) for f in messages] == [(3, "missed 0"), (4, "missed 1"), (5, "missed 2")]
        # read receipts go to the other side
        await back.send_json_to({"type": "read", "seq": 5})
        receipt = await listener_socket.receive_until("read")
        assert receipt[-1] == {"type": "read", "role": "member", "seq": 5}
        await back.disconnect()
        await listener_socket.disconnect()

    async_to_sync(scenario)()
    assert Message.objects.filter(conversation=conversation, client_id="m-1").count() == 1


def test_bad_frames_get_error_frames_and_the_connection_stays_usable(member, duty_listener):
    conversation = _matched(member)

    async def scenario() -> None:
        socket = await _connect(member, f"/ws/chat/{conversation.pk}/")
        assert (await socket.connect())[0]
        await socket.send_json_to({"type": "hello", "after": 0})
        await socket.receive_until("ready")
        for raw, code in [
            ("not json", "bad_frame"),
            ("[1, 2]", "bad_frame"),
            ('{"no": "type"}', "bad_frame"),
            ('{"type": "launch"}', "unknown_type"),
            ('{"type": "__init__"}', "unknown_type"),
            (json.dumps({"type": "send", "client_id": "x1", "body": "y" * 4001}), "invalid"),
            (json.dumps({"type": "send", "client_id": "x2", "body": ""}), "invalid"),
            (json.dumps({"type": "send", "client_id": "bad id!", "body": "hi"}), "invalid"),
            (json.dumps({"type": "send", "body": "z" * 40_000}), "bad_frame"),
            (json.dumps({"type": "hello", "after": -1}), "invalid"),
            (json.dumps({"type": "read", "seq": "five"}), "invalid"),
        ]:
            await socket.send_to(text_data=raw)
            frame = await socket.receive_json_from(timeout=3)
            assert (frame["type"], frame["code"]) == ("error", code), (raw[:40], frame)
            assert frame["detail"]
        await socket.send_json_to({"type": "send", "client_id": "ok-1", "body": "still works"})
        assert (await socket.receive_until("ack"))[-1]["seq"] == 2
        await socket.disconnect()

    async_to_sync(scenario)()
    assert Message.objects.filter(conversation=conversation, kind="text").count() == 1


def test_sending_after_the_end_is_an_error_frame_and_nothing_is_written(member, duty_listener):
    conversation = _matched(member)

    async def scenario() -> None:
        socket = await _connect(duty_listener, f"/ws/chat/{conversation.pk}/")
        assert (await socket.connect())[0]
        await socket.send_json_to({"type": "hello", "after": 0})
        await socket.receive_until("ready")
        await database_sync_to_async(_end)(member, conversation)
        await socket.send_json_to({"type": "send", "client_id": "late", "body": "hello?"})
        frames = await socket.receive_until("error")
        assert frames[-1]["code"] == "not_allowed"
        assert frames[-1]["client_id"] == "late"
        await socket.disconnect()

    async_to_sync(scenario)()
    assert not Message.objects.filter(client_id="late").exists()


def _end(member: Any, conversation: Conversation) -> None:
    from alongside.chat.access.conversations import access_conversation

    services.conversation_end(actor=member, viewer=access_conversation(member, conversation.pk))


@pytest.mark.parametrize("who", ["stranger", "other_member", "second_listener", "signed_out"])
def test_people_outside_a_chat_cannot_open_its_socket(request, member, duty_listener, who):
    conversation = _matched(member)
    user = None if who == "signed_out" else request.getfixturevalue(who if who != "stranger" else "admin_user")

    async def scenario() -> None:
        socket = await _connect(user, f"/ws/chat/{conversation.pk}/")
        connected, code = await socket.connect()
        assert not connected
        assert code == 4404

    async_to_sync(scenario)()


def test_only_approved_listeners_open_a_desk(member, duty_listener):
    async def scenario() -> None:
        refused = await _connect(member, "/ws/chat/desk/")
        assert not (await refused.connect())[0]
        desk = await _connect(duty_listener, "/ws/chat/desk/")
        assert (await desk.connect())[0]
        await desk.send_json_to({"type": "ping"})
        assert (await desk.receive_json_from(timeout=3)) == {"type": "pong"}
        await desk.disconnect()

    async_to_sync(scenario)()


def test_http_fallback_sends_with_a_client_id_and_long_polls_by_number(member, duty_listener, settings):
    settings.CHAT_LONG_POLL_SECONDS = 1
    conversation = _matched(member)
    browser = client_for(member)
    url = f"/chat/{conversation.pk}/"
    sent = browser.post(url + "send/", {"body": "over http", "client_id": "h-1"}, HTTP_ACCEPT="application/json")
    assert sent.status_code == 200
    assert sent.json() == {"type": "ack", "client_id": "h-1", "seq": 2, "support": False}
    again = browser.post(url + "send/", {"body": "over http", "client_id": "h-1"}, HTTP_ACCEPT="application/json")
    assert again.json()["seq"] == 2
    bad = browser.post(url + "send/", {"body": "", "client_id": "h-2"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid"
    assert bad.json()["detail"]
    say(duty_listener, conversation, "got it")
    polled = browser.get(url + "poll/?after=1")
    assert [m["body"] for m in polled.json()["messages"]] == ["over http", "got it"]
    assert polled.json()["state"]["status"] == "active"
    empty = browser.get(url + "poll/?after=3")  # nothing new: waits, then answers with nothing
    assert empty.status_code == 200
    assert empty.json()["messages"] == []
    assert browser.get(url + "poll/?after=abc").status_code == 422
    outsider = Client().get(url + "poll/?after=0")
    assert outsider.status_code == 404
    assert outsider.json()["code"] == "not_found"


def test_the_page_works_without_javascript(member, duty_listener):
    conversation = _matched(member)
    browser = client_for(member)
    page = browser.get(f"/chat/{conversation.pk}/")
    assert page.status_code == 200
    assert b"joined the chat" in page.content
    posted = browser.post(f"/chat/{conversation.pk}/send/", {"body": "no script here"})
    assert posted.status_code == 302
    assert b"no script here" in browser.get(f"/chat/{conversation.pk}/").content
    refused = browser.post(f"/chat/{conversation.pk}/send/", {"body": ""})
    assert refused.status_code == 422
    assert b"Error:" in refused.content
    assert client_for(duty_listener).get(f"/chat/{conversation.pk}/").status_code == 200
    assert Client().get(f"/chat/{conversation.pk}/").status_code == 302  # to log in


def test_the_other_side_hears_when_the_listener_leaves_and_comes_back(member, duty_listener):
    conversation = _matched(member)

    async def scenario() -> None:
        member_socket = await _connect(member, f"/ws/chat/{conversation.pk}/")
        assert (await member_socket.connect())[0]
        await member_socket.send_json_to({"type": "hello", "after": 0})
        ready = (await member_socket.receive_until("ready"))[-1]
        assert ready["other_here"] is False
        listener_socket = await _connect(duty_listener, f"/ws/chat/{conversation.pk}/")
        assert (await listener_socket.connect())[0]
        back = [f for f in await member_socket.receive_until("presence") if f["type"] == "presence"]
        assert [(f["role"], f["state"]) for f in back] == [("listener", "here")]  # never its own
        await listener_socket.disconnect()
        away = (await member_socket.receive_until("presence"))[-1]
        assert (away["role"], away["state"]) == ("listener", "away")
        await member_socket.disconnect()

    async_to_sync(scenario)()


def test_a_push_lost_on_the_way_reaches_a_quiet_chat_all_the_same(member, duty_listener, monkeypatch):
    """The channel layer may drop a push (say, while Redis restarts). In a chat where nothing follows
    to reveal the gap, the server's quiet check reads it from the database."""
    from alongside.chat import consumers, live
    from alongside.chat.access.conversations import access_conversation

    monkeypatch.setattr(consumers, "QUIET_CHECK", 0.3)
    conversation = _matched(member)

    def send_without_push() -> None:
        monkeypatch.setattr(live, "push_message", lambda *args, **kwargs: None)
        services.message_send(
            actor=duty_listener, viewer=access_conversation(duty_listener, conversation.pk), body="lost push"
        )

    async def scenario() -> None:
        socket = await _connect(member, f"/ws/chat/{conversation.pk}/")
        assert (await socket.connect())[0]
        await socket.send_json_to({"type": "hello", "after": 0})
        await socket.receive_until("ready")
        await database_sync_to_async(send_without_push)()
        frames = await socket.receive_until("message")
        assert frames[-1]["body"] == "lost push"
        await socket.disconnect()

    async_to_sync(scenario)()
