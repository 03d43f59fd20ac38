"""Community rooms: opened by hosts, the same delivery contract, moderation audited."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import ValidationError

from alongside.chat import selectors
from alongside.chat.access.conversations import access_conversation, access_room
from alongside.chat.models import Message, MessageStatus, RoomMute
from alongside.chat.services import rooms
from alongside.chat.tests.conftest import say
from alongside.chat.tests.test_live import _connect
from alongside.communities.models import MemberRole, Visibility
from alongside.communities.tests.conftest import join_as, quick_community
from alongside.core.errors import NotAllowed, NotFound
from alongside.core.models import AuditEntry
from tests.fixtures import client_for
from tests.personas import make_person


@pytest.fixture
def circle(member: Any, other_member: Any) -> Any:
    host = make_person("room_host")
    community = quick_community("Night Owls", Visibility.PUBLIC, host=host, members=(member, other_member))
    return community, host


def _open(circle: Any) -> Any:
    community, host = circle
    viewer, _room = access_room(host, community.slug)
    return rooms.room_open_set(actor=host, community_viewer=viewer, on=True)


@pytest.mark.django_db
def test_only_hosts_open_a_room_and_it_is_audited(circle, member):
    community, _host = circle
    viewer, _room = access_room(member, community.slug)
    with pytest.raises(NotAllowed):
        rooms.room_open_set(actor=member, community_viewer=viewer, on=True)
    room = _open(circle)
    assert room.status == "active"
    assert room.community == community
    assert AuditEntry.objects.filter(action="chat.room.opened").exists()
    assert selectors.room_is_open(community)


@pytest.mark.django_db
def test_members_write_readers_read_and_outsiders_see_nothing(circle, member, listener):
    _community, _host = circle
    room = _open(circle)
    first = say(member, room, "anyone up?")
    assert first.message.seq == 2  # after "The room is open."
    reader = make_person("just_reading")  # may read an open community, is not a member
    with pytest.raises(NotAllowed):
        say(reader, room, "hi")
    frames = selectors.messages_after(access_conversation(reader, room.pk))
    assert [f["body"] for f in frames if f["kind"] == "text"] == ["anyone up?"]
    private = quick_community("Quiet Room", Visibility.PRIVATE, host=make_person("quiet_host"))
    host_viewer, _room = access_room(private.memberships.get().user, private.slug)
    hidden_room = rooms.room_open_set(actor=private.memberships.get().user, community_viewer=host_viewer, on=True)
    with pytest.raises(NotFound):
        access_conversation(member, hidden_room.pk)


@pytest.mark.django_db
def test_moderators_remove_a_message_and_pause_someone_with_a_reason(circle, member, other_member):
    community, host = circle
    room = _open(circle)
    rude = say(other_member, room, "something unkind").message
    viewer = access_conversation(host, room.pk)
    with pytest.raises(ValidationError):
        rooms.room_message_remove(actor=host, viewer=viewer, seq=rude.seq, reason="")
    with pytest.raises(NotAllowed):
        rooms.room_message_remove(actor=member, viewer=access_conversation(member, room.pk), seq=rude.seq, reason="no")
    rooms.room_message_remove(actor=host, viewer=viewer, seq=rude.seq, reason="unkind")
    rude.refresh_from_db()
    assert rude.status == MessageStatus.DELETED
    frame = next(f for f in selectors.messages_after(viewer) if f["seq"] == rude.seq)
    assert frame["deleted"] is True
    assert frame["body"] == ""
    with pytest.raises(ValidationError):
        rooms.room_mute(actor=host, viewer=viewer, user=other_member, minutes=5, reason="x")
    rooms.room_mute(actor=host, viewer=viewer, user=other_member, minutes=10, reason="cool off")
    with pytest.raises(NotAllowed) as caught:
        say(other_member, room, "why?")
    assert "paused" in str(caught.value)
    assert RoomMute.objects.count() == 1
    assert {"chat.room.message_removed", "chat.room.muted"} <= set(AuditEntry.objects.values_list("action", flat=True))
    # a community moderator (not only a host) may remove messages too
    keeper = make_person("night_keeper")
    join_as(keeper, community, role=MemberRole.MODERATOR)
    second = say(member, room, "another").message
    rooms.room_message_remove(actor=keeper, viewer=access_conversation(keeper, room.pk), seq=second.seq, reason="test")


@pytest.mark.django_db
def test_a_closed_room_takes_no_messages_and_keeps_what_was_said(circle, member):
    community, host = circle
    room = _open(circle)
    say(member, room, "goodnight all")
    viewer, _room = access_room(host, community.slug)
    rooms.room_open_set(actor=host, community_viewer=viewer, on=False)
    with pytest.raises(NotAllowed):
        say(member, room, "one more")
    assert Message.objects.filter(conversation=room, kind="text").count() == 1


@pytest.mark.django_db
def test_room_pages(circle, member):
    community, host = circle
    page = client_for(member).get(f"/chat/room/{community.slug}/")
    assert page.status_code == 200
    assert b"no live room open" in page.content
    opened = client_for(host).post(f"/chat/room/{community.slug}/open/", {"open": "1"})
    assert opened.status_code == 302
    assert client_for(member).post(f"/chat/room/{community.slug}/open/", {"open": "0"}).status_code == 403
    assert b"Join the live room" in client_for(member).get(f"/c/{community.slug}/").content
    room = access_room(member, community.slug)[1]
    posted = client_for(member).post(f"/chat/{room.pk}/send/", {"body": "hello room"})
    assert posted.status_code == 302
    seq = Message.objects.get(body__isnull=False, kind="text").seq
    assert client_for(member).get(f"/chat/room/{community.slug}/messages/{seq}/").status_code == 403
    moderate = client_for(host).get(f"/chat/room/{community.slug}/messages/{seq}/")
    assert moderate.status_code == 200
    assert b"hello room" in moderate.content
    removed = client_for(host).post(
        f"/chat/room/{community.slug}/messages/{seq}/", {"action": "remove", "remove-reason": "test"}
    )
    assert removed.status_code == 302
    assert b"hello room" not in client_for(member).get(f"/chat/room/{community.slug}/").content


@pytest.mark.django_db(transaction=True)
def test_room_messages_reach_every_member_live(circle, member, other_member):
    room = _open(circle)

    async def scenario() -> None:
        sockets = []
        for person in (member, other_member):
            socket = await _connect(person, f"/ws/chat/{room.pk}/")
            assert (await socket.connect())[0]
            await socket.send_json_to({"type": "hello", "after": room.last_seq})
            await socket.receive_until("ready")
            sockets.append(socket)
        await sockets[0].send_json_to({"type": "send", "client_id": "r1", "body": "hello everyone"})
        for socket in sockets:
            frames = await socket.receive_until("message")
            assert frames[-1]["body"] == "hello everyone"
        for socket in sockets:
            await socket.disconnect()

    async_to_sync(scenario)()
