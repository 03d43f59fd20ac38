"""The live push: the fast path after a change is stored. The channel layer promises at most once,
so nothing relies on it arriving; clients catch up from the database by sequence number.

Group names: one per conversation, one per person (their open chat pages and the listener desk),
and one for the queue (waiting members and listeners on duty hear that it changed)."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

QUEUE_GROUP = "chat.queue"


def conversation_group(conversation_id: int) -> str:
    return f"chat.c.{conversation_id}"


def person_group(user_id: int) -> str:
    return f"chat.u.{user_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # the push is best effort: the data is stored, clients catch up on their own
        logger.warning("live push to %s failed", group, exc_info=True)


def push_after_commit(group: str, event: dict[str, Any]) -> None:
    """Push `event` to `group` once the current transaction has committed (never for rolled-back work)."""
    transaction.on_commit(lambda: _send(group, event), robust=True)


def frame_event(frame: dict[str, Any]) -> dict[str, Any]:
    """A channel-layer event that consumers forward to their socket as `frame`."""
    return {"type": "chat.frame", "frame": frame}
