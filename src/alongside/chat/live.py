"""The chat's live pushes, on core.live (after commit, best effort: the channel layer promises at
most once, so nothing relies on a push arriving; clients catch up from the database by number).

Groups: a conversation's messages (one subscription per server process, consumers.hub), its other
events (typing, read receipts, state: one per socket), one per person (the listener desk) and the
queue (waiting members and listeners on duty hear that it changed)."""

from __future__ import annotations

import json
from typing import Any

from alongside.core import live

QUEUE_GROUP = "chat.queue"
push_after_commit = live.push_after_commit


def conversation_group(conversation_id: int) -> str:
    return f"chat.c.{conversation_id}"


def message_group(conversation_id: int) -> str:
    """Where a conversation's messages are pushed: each server process subscribes once per
    conversation with open sockets and hands every message to its local sockets (consumers.hub)."""
    return f"chat.m.{conversation_id}"


def person_group(user_id: int) -> str:
    return f"chat.u.{user_id}"


def push_message(conversation_id: int, frame: dict[str, Any], *, closes: int | None = None) -> None:
    """Push a stored message frame after commit, serialised once for every socket that receives it.
    `closes`: the participant whose sockets close after this message (a listener who handed over)."""
    event = {"type": "chat.message", "seq": frame["seq"], "text": json.dumps(frame, separators=(",", ":"))}
    if closes is not None:
        event["closes"] = closes
    live.push_after_commit(message_group(conversation_id), event)


def frame_event(frame: dict[str, Any]) -> dict[str, Any]:
    """A channel-layer event that chat consumers forward to their socket as `frame`."""
    return live.frame_event(frame, handler="chat.frame")
