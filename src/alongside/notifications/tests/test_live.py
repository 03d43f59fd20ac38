# mypy: disable-error-code="no-untyped-call"
"""The live socket (/ws/live/) through the real ASGI application and channel layer (in memory, or
Redis when REDIS_URL is set): the unread count follows notifications as they are made and read,
and an open thread hears of other people's replies; people who may not read a thread, and anyone
not signed in, get nothing."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.chat.tests.sockets import SocketClient, socket_for
from alongside.communities import services as community_services
from alongside.communities.enums import Visibility
from alongside.communities.models import Community, Thread
from alongside.core import live
from alongside.notifications.models import Notification
from tests.fixtures import client_for
from tests.personas import make_person, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/live/"


async def _connect(user: Any) -> SocketClient:
    cookie = await database_sync_to_async(session_cookie)(user) if user is not None else ""
    return socket_for(PATH, cookie)


async def _open(user: Any) -> SocketClient:
    socket = await _connect(user)
    accepted, code = await socket.connect()
    assert accepted, code
    return socket


def _sync(function: Any, /, **kwargs: Any) -> Any:
    return database_sync_to_async(lambda: function(**kwargs))()


def test_the_unread_count_follows_mentions_replies_and_reading(member, other_member, thread: Thread):
    """The member started the thread (so follows it); someone mentions them, then replies again."""

    async def scenario() -> None:
        socket = await _open(member)
        await socket.send_json_to({"type": "unread"})
        assert await socket.receive_json_from() == {"type": "notifications", "unread": 0}

        await _sync(community_services.post_reply, actor=other_member, thread=thread, body="Hello @river_member")
        assert await socket.receive_json_from() == {"type": "notifications", "unread": 1}  # the mention

        await _sync(community_services.post_reply, actor=other_member, thread=thread, body="And one more thing")
        assert await socket.receive_json_from() == {"type": "notifications", "unread": 2}  # new replies here

        # A third reply only brings their item about new replies up again: the count stays, no push.
        await _sync(community_services.post_reply, actor=other_member, thread=thread, body="Still here")
        await socket.receive_nothing(timeout=0.3)

        # Reading them all on the notifications page (a plain form post): the count goes to 0.
        response = await database_sync_to_async(lambda: client_for(member).post("/notifications/read/"))()
        assert response.status_code == 302
        assert await socket.receive_json_from() == {"type": "notifications", "unread": 0}

        # Another reply after that: their item about new replies is unread again.
        await _sync(community_services.post_reply, actor=other_member, thread=thread, body="Goodnight")
        assert await socket.receive_json_from() == {"type": "notifications", "unread": 1}

        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_withdrawn_reply_brings_the_count_down(member, other_member, thread: Thread):
    async def scenario() -> None:
        socket = await _open(member)
        post = await _sync(community_services.post_reply, actor=other_member, thread=thread, body="Hello @river_member")
        assert await socket.receive_json_from() == {"type": "notifications", "unread": 1}
        await _sync(community_services.post_delete, actor=other_member, post=post)
        assert await socket.receive_json_from() == {"type": "notifications", "unread": 0}
        await socket.disconnect()

    async_to_sync(scenario)()


def test_telling_many_followers_costs_the_request_no_query_per_person(monkeypatch, member, other_member, thread):
    """A reply that opens the items of 3 or 37 followers again runs the same statements, and tells
    exactly those whose count went up (one push each, after commit; the pushes name no count: each
    open page reads its own)."""
    pushed: list[str] = []
    monkeypatch.setattr(live, "send_now", lambda groups, event: pushed.extend(groups))
    followers = [make_person(f"quiet_follower_{n:02d}") for n in range(40)]

    def reply_queries(body: str) -> int:
        pushed.clear()
        with CaptureQueriesContext(connection) as captured:
            community_services.post_reply(actor=other_member, thread=thread, body=body)
        return len(captured)

    def follow(people: list[Any]) -> None:
        for person in people:
            community_services.community_join(actor=person, community=thread.community)
            community_services.thread_follow_set(actor=person, thread=thread, on=True)

    reply_queries("Warm up: the writer follows now, and the member has an unread item")
    follow(followers[:3])
    few = reply_queries("Hello to the few")
    assert sorted(pushed) == sorted([live.person_group(p.pk) for p in followers[:3]] + [live.thread_group(thread.pk)])
    follow(followers[3:])
    many = reply_queries("Hello to the many")
    assert sorted(pushed) == sorted([live.person_group(p.pk) for p in followers[3:]] + [live.thread_group(thread.pk)])
    assert Notification.objects.filter(recipient__in=followers, read_at__isnull=True).count() == 40
    assert many == few


def test_an_open_thread_hears_of_other_peoples_replies(member, other_member, thread: Thread):
    async def scenario() -> None:
        reader = await _open(other_member)
        await reader.send_json_to({"type": "watch", "thread": thread.pk})
        assert await reader.receive_json_from() == {"type": "watching", "thread": thread.pk}
        writer = await _open(member)
        await writer.send_json_to({"type": "watch", "thread": thread.pk})
        assert await writer.receive_json_from() == {"type": "watching", "thread": thread.pk}

        post = await _sync(community_services.post_reply, actor=member, thread=thread, body="Thank you all")
        assert await reader.receive_json_from() == {"type": "thread_reply", "thread": thread.pk, "post": post.pk}
        await writer.receive_nothing(timeout=0.3)  # their own reply: they know

        # An anonymous reply is announced the same way, naming nobody.
        anonymous = await _sync(
            community_services.post_reply, actor=member, thread=thread, body="Said quietly", is_anonymous=True
        )
        frame = await reader.receive_json_from()
        assert frame == {"type": "thread_reply", "thread": thread.pk, "post": anonymous.pk}
        await writer.receive_nothing(timeout=0.3)

        # Once it stops watching, nothing more.
        await reader.send_json_to({"type": "unwatch", "thread": thread.pk})
        await _sync(community_services.post_reply, actor=member, thread=thread, body="One more")
        await reader.receive_nothing(timeout=0.3)
        await reader.disconnect()
        await writer.disconnect()

    async_to_sync(scenario)()


def test_watching_a_thread_one_may_not_read_is_refused_like_a_missing_one(admin_user, member, other_member):
    private = community_services.community_create(actor=admin_user, name="Night owls", visibility=Visibility.PRIVATE)
    secret = community_services.thread_create(actor=admin_user, community=private, title="Inside", body="Members only")

    async def scenario() -> None:
        outsider = await _open(other_member)
        await outsider.send_json_to({"type": "watch", "thread": secret.pk})
        refused = await outsider.receive_json_from()
        await outsider.send_json_to({"type": "watch", "thread": secret.pk + 1000})
        missing = await outsider.receive_json_from()
        assert refused["type"] == missing["type"] == "error"
        assert refused["code"] == missing["code"] == "not_found"
        assert refused["detail"] == missing["detail"]
        for value in ("1", True, None, -3):
            await outsider.send_json_to({"type": "watch", "thread": value})
            assert (await outsider.receive_json_from())["code"] == "invalid"
        await outsider.send_json_to({"type": "nonsense"})
        assert (await outsider.receive_json_from())["code"] == "unknown_type"
        await outsider.send_to("not json")
        assert (await outsider.receive_json_from())["code"] == "bad_frame"

        # The refused socket hears nothing of that thread's replies.
        await _sync(community_services.post_reply, actor=admin_user, thread=secret, body="Welcome, members")
        await outsider.receive_nothing(timeout=0.3)
        await outsider.disconnect()

    async_to_sync(scenario)()


def test_only_signed_in_people_past_two_factor_open_the_socket(moderator, member, harbour: Community):
    async def scenario() -> None:
        signed_out = await _connect(None)
        assert await signed_out.connect() == (False, 4404)
        staff_before_code = await _connect(moderator)  # a session without its two-factor step
        assert await staff_before_code.connect() == (False, 4404)
        person = await _connect(member)
        assert (await person.connect())[0]
        await person.disconnect()

    async_to_sync(scenario)()
