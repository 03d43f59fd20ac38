"""The live push every app shares: once a change is stored, tell the sockets listening to a group.

It is only the fast path. The channel layer delivers at most once (in memory, or Redis pub/sub
across servers), so nothing may rely on a push arriving: the database holds the truth, and a page
reload (or a client's resume) is always right without it. Services push, and only after commit
(STYLE.md, convention 4); consumers forward what they hear to their socket as JSON frames.

Group names are made here, so the service that pushes and the consumer that listens agree:
- `live.u.<user id>`: every signed-in page of one person (notifications/consumers.py);
- `live.thread.<thread id>`: the open pages of one thread, joined on the client's `watch`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.db import transaction

from alongside.core.crypto import lookup_digest

logger = logging.getLogger(__name__)

FRAME_HANDLER = "live.frame"  # consumers forward it in `live_frame`
MAX_FRAME_BYTES = 32 * 1024
SEND_BATCH = 200  # group sends in flight at once, for a push to many people


def person_group(user_id: int) -> str:
    return f"live.u.{user_id}"


def thread_group(thread_id: int) -> str:
    return f"live.thread.{thread_id}"


def person_key(user_id: int) -> str:
    """Stands for a person inside a push (say, "not for the writer's own pages") without putting
    their id on the channel layer: the writer of an anonymous post is never named there either."""
    return lookup_digest(str(user_id), purpose="core.live.person")


def frame_event(frame: dict[str, Any], *, handler: str = FRAME_HANDLER, not_for: str | None = None) -> dict[str, Any]:
    """A channel-layer event that consumers forward to their socket as `frame`; `not_for`: a
    `person_key` whose sockets skip it."""
    event: dict[str, Any] = {"type": handler, "frame": frame}
    if not_for is not None:
        event["not_for"] = not_for
    return event


async def _send_all(layer: Any, groups: list[str], event: dict[str, Any]) -> None:
    for start in range(0, len(groups), SEND_BATCH):
        batch = groups[start : start + SEND_BATCH]
        results = await asyncio.gather(*(layer.group_send(group, event) for group in batch), return_exceptions=True)
        for group, result in zip(batch, results, strict=True):
            if isinstance(result, Exception):
                logger.warning("live push to %s failed", group, exc_info=result)


def send_now(groups: Iterable[str], event: dict[str, Any]) -> None:
    """Push `event` to each group now, in one trip to the event loop however many groups. Best
    effort: a failure is logged, never raised (the change is stored; clients catch up on their own)."""
    targets = list(dict.fromkeys(groups))
    layer = get_channel_layer()
    if layer is None or not targets:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass  # the usual case: a request's or a task's thread, or a consumer's database thread
    else:
        # Sync code run straight on an event loop (only test set-up does this, with Django's
        # async-unsafe guard off) cannot wait for the loop it blocks: nothing to push to anyway.
        logger.debug("live push to %d groups skipped: called on an event loop", len(targets))
        return
    try:
        async_to_sync(_send_all)(layer, targets, event)
    except Exception:
        logger.warning("live push to %d groups failed", len(targets), exc_info=True)


def push_after_commit(group: str, event: dict[str, Any]) -> None:
    """Push `event` to `group` once the current transaction has committed (never for rolled-back work)."""
    push_to_many_after_commit([group], event)


def push_to_many_after_commit(groups: Iterable[str], event: dict[str, Any]) -> None:
    """The same event to many groups (say, everyone whose count changed) after commit."""
    targets = list(groups)
    if targets:
        transaction.on_commit(lambda: send_now(targets, event), robust=True)


# --- The socket side ----------------------------------------------------------------------------


def error_frame(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "detail": detail, **extra}


class FrameConsumer(AsyncWebsocketConsumer):
    """Text frames of JSON objects with a string `type`, each handled by `on_<type>`; anything else
    gets an error frame and the connection stays open. Answers `ping` with `pong`."""

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data.encode()) > MAX_FRAME_BYTES:
            await self.send_frame(error_frame("bad_frame", "Frames are JSON text of at most 32 KB."))
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self.send_frame(error_frame("bad_frame", "That frame is not JSON."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_frame(error_frame("bad_frame", 'A frame is a JSON object with a "type".'))
            return
        handler = getattr(self, f"on_{frame['type']}", None) if frame["type"].isidentifier() else None
        if handler is None:
            await self.send_frame(error_frame("unknown_type", f"Unknown frame type {frame['type'][:40]!r}."))
            return
        await handler(frame)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, separators=(",", ":")))

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self.send_frame({"type": "pong"})
