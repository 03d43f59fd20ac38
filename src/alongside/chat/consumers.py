"""WebSocket consumers: thin. They parse a frame, call access functions, services and selectors
(through `database_sync_to_async`), and forward pushes. Every frame is in docs/chat-protocol.md.

Delivery: the database holds every message; the push is only the fast path. A socket delivers a
conversation's messages in sequence order, each once: it remembers the last number it sent, skips
anything at or below it, and when a push skips ahead (the channel layer dropped one) it reads the
missing ones from the database first. It sends nothing until the client's `hello` says where it is.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import ValidationError

from alongside.accounts import access as account_access
from alongside.chat import live, selectors
from alongside.chat.access.conversations import ChatViewer, access_conversation, approved_listener
from alongside.chat.models import ConversationStatus
from alongside.chat.services import conversations as services
from alongside.core.errors import DomainError, NotFound, field_errors

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 32 * 1024
CLOSE_NOT_FOUND = 4404


def _socket_user(scope: dict[str, Any]) -> Any:
    """The signed-in person behind a socket, or None: a staff member's session counts only after
    its two-factor step, as on web pages and the API."""
    user = scope.get("user")
    if (
        user is None
        or not user.is_authenticated
        or not account_access.check_session_may_act(user, scope.get("session"))
    ):
        return None
    return user


def _error(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "detail": detail, **extra}


def _error_for(exc: Exception, **extra: Any) -> dict[str, Any]:
    if isinstance(exc, ValidationError):
        problems = field_errors(exc)
        detail = " ".join(message for messages in problems.values() for message in messages)
        return _error("invalid", detail, fields=problems, **extra)
    assert isinstance(exc, DomainError)
    return _error(exc.error_code, str(exc.message), **extra)


class _FrameConsumer(AsyncWebsocketConsumer):
    """Text frames of JSON objects with a string `type`; anything else gets an error frame and the
    connection stays open."""

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data.encode()) > MAX_FRAME_BYTES:
            await self.send_frame(_error("bad_frame", "Frames are JSON text of at most 32 KB."))
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self.send_frame(_error("bad_frame", "That frame is not JSON."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_frame(_error("bad_frame", 'A frame is a JSON object with a "type".'))
            return
        handler = getattr(self, f"on_{frame['type']}", None) if frame["type"].isidentifier() else None
        if handler is None:
            await self.send_frame(_error("unknown_type", f"Unknown frame type {frame['type'][:40]!r}."))
            return
        await handler(frame)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, separators=(",", ":")))

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self.send_frame({"type": "pong"})


class ChatConsumer(_FrameConsumer):
    """One conversation: resume, send, typing, read receipts."""

    viewer: ChatViewer
    group: str
    last_sent: int | None = None  # the highest sequence number this socket has delivered
    in_queue: bool = False

    async def connect(self) -> None:
        user = await database_sync_to_async(_socket_user)(self.scope)
        try:
            self.viewer = await database_sync_to_async(access_conversation)(
                user, self.scope["url_route"]["kwargs"]["conversation_id"]
            )
        except NotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = live.conversation_group(self.viewer.conversation.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        if self.viewer.is_member and self.viewer.conversation.status == ConversationStatus.WAITING:
            self.in_queue = True
            await self.channel_layer.group_add(live.QUEUE_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if self.in_queue:
            await self.channel_layer.group_discard(live.QUEUE_GROUP, self.channel_name)

    # --- From the client ---

    async def on_hello(self, frame: dict[str, Any]) -> None:
        after = frame.get("after", 0)
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self.send_frame(_error("invalid", '"after" is the last sequence number you saw (0 for none).'))
            return
        self.last_sent = after
        await self._catch_up()
        state = await database_sync_to_async(self._state)()
        await self.send_frame(state)

    def _state(self) -> dict[str, Any]:
        me = self.viewer.participant.pk if self.viewer.participant else None
        return {"type": "ready", "me": me, **selectors.conversation_state(self.viewer), "delivered": self.last_sent}

    async def on_send(self, frame: dict[str, Any]) -> None:
        client_id = frame.get("client_id")
        reply_id = client_id if isinstance(client_id, str) and len(client_id) <= 64 else None
        try:
            result = await database_sync_to_async(services.message_send)(
                actor=self.viewer.user, viewer=self.viewer, body=frame.get("body"), client_id=client_id
            )
        except (DomainError, ValidationError) as exc:
            await self.send_frame(_error_for(exc, client_id=reply_id))
            return
        if result.held:
            await self.send_frame({"type": "held", "client_id": reply_id, "detail": HELD_DETAIL})
        else:
            await self.send_frame({"type": "ack", "client_id": reply_id, "seq": result.message.seq})

    async def on_typing(self, frame: dict[str, Any]) -> None:
        if self.viewer.participant is None or self.viewer.conversation.is_room:
            return
        # Ephemeral: never stored, pushed to the other side only.
        await self.channel_layer.group_send(
            self.group,
            live.frame_event(
                {"type": "typing", "from": self.viewer.participant.pk, "role": self.viewer.participant.role}
            ),
        )

    async def on_read(self, frame: dict[str, Any]) -> None:
        try:
            await database_sync_to_async(services.conversation_read)(viewer=self.viewer, seq=frame.get("seq"))
        except ValidationError as exc:
            await self.send_frame(_error_for(exc))

    # --- From the channel layer ---

    async def chat_frame(self, event: dict[str, Any]) -> None:
        frame = event["frame"]
        kind = frame.get("type")
        if kind == "message":
            await self._deliver(frame)
        elif kind == "typing":
            if self.viewer.participant is None or frame.get("from") != self.viewer.participant.pk:
                await self.send_frame(frame)
        elif kind == "queue_changed":
            state = await database_sync_to_async(selectors.conversation_state)(self.viewer)
            if "position" in state:
                await self.send_frame({"type": "queue", **state})
        elif kind == "state":
            await database_sync_to_async(self._refresh_viewer)()
            if self.in_queue and frame.get("status") != ConversationStatus.WAITING:
                self.in_queue = False
                await self.channel_layer.group_discard(live.QUEUE_GROUP, self.channel_name)
            await self.send_frame(frame)
        else:
            await self.send_frame(frame)

    def _refresh_viewer(self) -> None:
        self.viewer = access_conversation(self.viewer.user, self.viewer.conversation.pk)

    async def _deliver(self, frame: dict[str, Any]) -> None:
        if self.last_sent is None:
            return  # the client has not said where it is yet; its hello catches it up
        seq = frame["seq"]
        if seq <= self.last_sent:
            return  # already delivered (a catch-up read it before this push arrived)
        if seq > self.last_sent + 1:
            await self._catch_up()  # a push was lost on the way: read the gap from the database
            return
        await self.send_frame(frame)
        self.last_sent = seq

    async def _catch_up(self) -> None:
        assert self.last_sent is not None
        while True:
            frames = await database_sync_to_async(selectors.messages_after)(self.viewer, after=self.last_sent)
            for frame in frames:
                await self.send_frame(frame)
                self.last_sent = frame["seq"]
            if len(frames) < selectors.HISTORY_PAGE:
                return


HELD_DETAIL = (
    "Your message is being kept back for a moment so a moderator can look at it; it hasn't been sent yet. "
    "If you're in danger or thinking of ending your life, the crisis lines on the help page are there for you now."
)


class DeskConsumer(_FrameConsumer):
    """A listener's desk: hears of new chats given to them and of the queue changing; keeps them
    online while it is open (closing the last desk takes them offline after a grace period)."""

    async def connect(self) -> None:
        user = await database_sync_to_async(_socket_user)(self.scope)
        profile = await database_sync_to_async(approved_listener)(user)
        if profile is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.user = user
        await database_sync_to_async(services.listener_socket_opened)(user=user)
        await self.channel_layer.group_add(live.person_group(user.pk), self.channel_name)
        await self.channel_layer.group_add(live.QUEUE_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "user"):
            return
        await self.channel_layer.group_discard(live.person_group(self.user.pk), self.channel_name)
        await self.channel_layer.group_discard(live.QUEUE_GROUP, self.channel_name)
        await database_sync_to_async(services.listener_socket_closed)(user=self.user)

    async def chat_frame(self, event: dict[str, Any]) -> None:
        frame = event["frame"]
        if frame.get("type") == "queue_changed":
            profile = await database_sync_to_async(approved_listener)(self.user)
            waiting = await database_sync_to_async(
                lambda: len(selectors.queue_for_listener(profile)) if profile else 0
            )()
            await self.send_frame({"type": "queue", "waiting": waiting})
        else:
            await self.send_frame(frame)
