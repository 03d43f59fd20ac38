"""WebSocket consumers: thin. They parse a frame, call access functions, services and selectors
(through `database_sync_to_async`), and forward pushes. Every frame is in docs/chat-protocol.md.

Delivery: the database holds every message; the push is only the fast path. A socket delivers a
conversation's messages in sequence order, each once: it remembers the last number it sent, skips
anything at or below it, and when a push skips ahead (the channel layer dropped one) it reads the
missing ones from the database first. It sends nothing until the client's `hello` says where it is.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError

from alongside.accounts import access as account_access
from alongside.chat import live, presence, selectors
from alongside.chat.access.conversations import ChatViewer, access_conversation, approved_listener
from alongside.chat.frames import refusal
from alongside.chat.models import ConversationStatus
from alongside.chat.services import conversations as services
from alongside.core.errors import DomainError, NotFound
from alongside.core.live import FrameConsumer, error_frame

logger = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_LEFT = 4409  # a listener who handed the chat over
QUIET_CHECK = 4.0  # seconds of quiet after which a hub checks that its sockets have everything


def _error_for(exc: Exception, **extra: Any) -> dict[str, Any]:
    answer = refusal(exc)
    return error_frame(answer.pop("code"), answer.pop("detail"), **answer, **extra)


@dataclass
class _Room:
    """One conversation's fan-out in this process: its channel, its local sockets, and two tasks."""

    channel: str
    sockets: set[ChatConsumer] = field(default_factory=set)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    last_push: float = 0.0


class _Hub:
    """Fan-out once per server process and conversation, not once per socket: the process subscribes
    one channel to a conversation's message group while it has sockets open on it, and a single task
    hands each pushed message (serialised once) to every local socket, in order. Typing, read
    receipts and state changes go to each socket through the channel layer as usual.

    A second task watches for quiet: when no push has come for QUIET_CHECK seconds, it compares the
    newest stored number with what the sockets have, so pushes lost on the way (say, while Redis
    restarted) are read from the database even if no later message ever reveals the gap."""

    def __init__(self) -> None:
        self.rooms: dict[int, _Room] = {}
        self.lock = asyncio.Lock()

    async def join(self, consumer: ChatConsumer, conversation_id: int) -> None:
        async with self.lock:
            room = self.rooms.get(conversation_id)
            if room is None:
                layer = get_channel_layer()
                room = _Room(channel=await layer.new_channel("chat-hub."))
                await layer.group_add(live.message_group(conversation_id), room.channel)
                room.last_push = asyncio.get_running_loop().time()
                room.tasks = [
                    asyncio.create_task(self._forward(layer, room, conversation_id)),
                    asyncio.create_task(self._watch_quiet(room, conversation_id)),
                ]
                self.rooms[conversation_id] = room
            room.sockets.add(consumer)

    async def leave(self, consumer: ChatConsumer, conversation_id: int) -> None:
        async with self.lock:
            room = self.rooms.get(conversation_id)
            if room is None:
                return
            room.sockets.discard(consumer)
            if room.sockets:
                return
            del self.rooms[conversation_id]
            for task in room.tasks:
                task.cancel()
            await get_channel_layer().group_discard(live.message_group(conversation_id), room.channel)

    async def _forward(self, layer: Any, room: _Room, conversation_id: int) -> None:
        while True:
            try:
                event = await layer.receive(room.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # the layer lost its server; it reconnects, and sockets catch up by number
                logger.warning("chat hub: receiving for conversation %s failed", conversation_id, exc_info=True)
                await asyncio.sleep(0.5)
                continue
            if event.get("type") != "chat.message":
                continue
            room.last_push = asyncio.get_running_loop().time()
            for consumer in list(room.sockets):
                try:
                    await consumer.push_message(event["seq"], event["text"], closes=event.get("closes"))
                except Exception:  # that socket is gone (cut mid-handshake, say): the others go on
                    logger.info("chat hub: dropping a socket of conversation %s", conversation_id, exc_info=True)
                    room.sockets.discard(consumer)

    async def _watch_quiet(self, room: _Room, conversation_id: int) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(QUIET_CHECK)
            if loop.time() - room.last_push < QUIET_CHECK:
                continue
            behind = [c for c in room.sockets if c.last_sent is not None and not c.catching_up]
            if not behind:
                continue
            try:
                # Not on the thread consumers share: this check must never wait behind them.
                newest = await database_sync_to_async(selectors.newest_seq, thread_sensitive=False)(conversation_id)
            except Exception:  # the database is away: the next check tries again
                logger.warning("chat hub: checking conversation %s failed", conversation_id, exc_info=True)
                continue
            for consumer in behind:
                if consumer.last_sent is not None and consumer.last_sent < newest:
                    asyncio.create_task(consumer._catch_up())  # noqa: RUF006 - ends on its own, logs its errors


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Hub] = weakref.WeakKeyDictionary()


def hub() -> _Hub:
    """This process's hub (one per event loop: a server has one; tests start several)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = _Hub()
    return _hubs[loop]


class ChatConsumer(FrameConsumer):
    """One conversation: resume, send, typing, read receipts."""

    viewer: ChatViewer
    group: str
    last_sent: int | None = None  # the highest sequence number this socket has delivered
    in_queue: bool = False
    catching_up: bool = False
    missed: bool = False  # a message arrived while catching up: read again before stopping
    joined_hub: int | None = None
    counted_present: bool = False  # this socket is counted in presence (see presence.py)

    async def connect(self) -> None:
        user = await database_sync_to_async(account_access.socket_person)(self.scope)
        try:
            self.viewer = await database_sync_to_async(access_conversation)(
                user, self.scope["url_route"]["kwargs"]["conversation_id"]
            )
        except NotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = live.conversation_group(self.viewer.conversation.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined_hub = self.viewer.conversation.pk
        await hub().join(self, self.joined_hub)
        if self.viewer.is_member and self.viewer.conversation.status == ConversationStatus.WAITING:
            self.in_queue = True
            await self.channel_layer.group_add(live.QUEUE_GROUP, self.channel_name)
        await self.accept()
        if self._tracks_presence:
            self.counted_present = True
            if await database_sync_to_async(presence.arrived)(*self._presence_key):
                await self._announce("here")

    @property
    def _tracks_presence(self) -> bool:
        return not self.viewer.conversation.is_room and self.viewer.participant is not None and self.viewer.is_current

    @property
    def _presence_key(self) -> tuple[int, int]:
        assert self.viewer.participant is not None
        return self.viewer.conversation.pk, self.viewer.participant.pk

    async def _announce(self, state: str) -> None:
        """Ephemeral: "has left for now" / "is here", to the other side; never stored."""
        participant = self.viewer.participant
        assert participant is not None
        frame = {"type": "presence", "from": participant.pk, "role": participant.role, "state": state}
        await self.channel_layer.group_send(self.group, live.frame_event(frame))

    async def _leave_hub(self) -> bool:
        """Stop receiving this conversation's pushes; True if this socket was still receiving them."""
        if self.joined_hub is None:
            return False
        joined, self.joined_hub = self.joined_hub, None
        await hub().leave(self, joined)
        return True

    async def disconnect(self, code: int) -> None:
        await self._leave_hub()
        if self.counted_present:
            self.counted_present = False
            if await database_sync_to_async(presence.left)(*self._presence_key):
                await self._announce("away")
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if self.in_queue:
            await self.channel_layer.group_discard(live.QUEUE_GROUP, self.channel_name)

    # --- From the client ---

    async def on_hello(self, frame: dict[str, Any]) -> None:
        after = frame.get("after", 0)
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self.send_frame(error_frame("invalid", '"after" is the last sequence number you saw (0 for none).'))
            return
        self.last_sent = after
        await self._catch_up()
        state = await database_sync_to_async(self._state)()
        await self.send_frame(state)

    def _state(self) -> dict[str, Any]:
        me = self.viewer.participant.pk if self.viewer.participant else None
        state = {"type": "ready", "me": me, **selectors.conversation_state(self.viewer), "delivered": self.last_sent}
        if self._tracks_presence:
            others = selectors.other_participant_ids(self.viewer)
            state["other_here"] = presence.anyone_here(self.viewer.conversation.pk, others) if others else False
        return state

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
        if result.support:
            await self.send_frame({"type": "support"})

    async def on_typing(self, frame: dict[str, Any]) -> None:
        if self.viewer.participant is None or self.viewer.conversation.is_room or not self.viewer.is_current:
            return
        # Ephemeral: never stored, pushed to the other side only.
        await self.channel_layer.group_send(
            self.group,
            live.frame_event(
                {"type": "typing", "from": self.viewer.participant.pk, "role": self.viewer.participant.role}
            ),
        )

    async def on_read(self, frame: dict[str, Any]) -> None:
        if not self.viewer.is_current:
            return
        try:
            await database_sync_to_async(services.conversation_read)(viewer=self.viewer, seq=frame.get("seq"))
        except ValidationError as exc:
            await self.send_frame(_error_for(exc))

    # --- From the channel layer ---

    async def chat_frame(self, event: dict[str, Any]) -> None:
        frame = event["frame"]
        kind = frame.get("type")
        if kind in ("typing", "presence"):  # the other side's; a socket never hears its own
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
            participant = self.viewer.participant
            if participant is not None and participant.left_at is not None and not self.viewer.conversation.is_room:
                await self.close(code=CLOSE_LEFT)  # handed over: what follows is no longer theirs to read
        else:
            await self.send_frame(frame)

    def _refresh_viewer(self) -> None:
        self.viewer = access_conversation(self.viewer.user, self.viewer.conversation.pk)

    async def push_message(self, seq: int, text: str, closes: int | None = None) -> None:
        """From the hub: the next message is sent as it is; one already sent is skipped; a gap (a push
        lost on the way) is read from the database first. Nothing goes out before the client's hello."""
        if self.last_sent is None or seq <= self.last_sent:
            return
        if self.catching_up:
            self.missed = True
            return
        if seq > self.last_sent + 1:
            asyncio.create_task(self._catch_up())  # noqa: RUF006 - it ends on its own; errors are logged there
            return
        self.last_sent = seq
        await self.send(text_data=text)
        if closes is not None and self.viewer.participant is not None and closes == self.viewer.participant.pk:
            await self.close(code=CLOSE_LEFT)  # this listener handed the chat over: nothing after is theirs

    async def _catch_up(self) -> None:
        """Send everything after `last_sent` from the database, in order; again while messages were
        pushed meanwhile (they are committed, so the next read has them)."""
        if self.catching_up or self.last_sent is None:
            return
        self.catching_up = True
        try:
            while True:
                self.missed = False
                frames = await database_sync_to_async(selectors.messages_after)(self.viewer, after=self.last_sent)
                for frame in frames:
                    try:
                        await self.send_frame(frame)
                    except Exception:  # the socket is gone: stop handing it messages
                        await self._leave_hub()
                        return
                    self.last_sent = frame["seq"]
                if len(frames) < selectors.HISTORY_PAGE and not self.missed:
                    return
        except Exception:  # the database is away: the next push, or the client's next hello, tries again
            logger.warning("chat: catching up conversation %s failed", self.viewer.conversation.pk, exc_info=True)
        finally:
            self.catching_up = False

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels closes stale database connections before every handler (a thread hop per
        message); our handlers reach the database only through database_sync_to_async, which does
        that itself, so frames that touch no database cost no thread."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


HELD_DETAIL = (
    "Your message is being kept back for a moment so a moderator can look at it; it hasn't been sent yet. "
    "If you're in danger or thinking of ending your life, the crisis lines on the help page are there for you now."
)


class DeskConsumer(FrameConsumer):
    """A listener's desk: hears of new chats given to them and of the queue changing; keeps them
    online while it is open (closing the last desk takes them offline after a grace period)."""

    async def connect(self) -> None:
        user = await database_sync_to_async(account_access.socket_person)(self.scope)
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
