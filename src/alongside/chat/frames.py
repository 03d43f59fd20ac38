"""What a conversation's events look like on the wire (WebSocket frames, the long-poll and the API
use the same shapes; docs/chat-protocol.md lists them)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from alongside.accounts.selectors import user_display_name
from alongside.chat.models import Message, MessageKind, MessageStatus, Participant
from alongside.core.errors import DomainError, Invalid, field_errors


def sender_label(participant: Participant | None) -> str:
    if participant is None:
        return ""
    return user_display_name(participant.user)


def message_frame(message: Message, *, sender: Participant | None) -> dict[str, Any]:
    """A stored, delivered message. `from` is the sender's participant reference (never a user id),
    so a client knows its own messages; `role` says member or listener; events have neither."""
    deleted = message.status == MessageStatus.DELETED
    return {
        "type": "message",
        "seq": message.seq,
        "kind": message.kind,
        "client_id": message.client_id,
        "from": sender.pk if sender is not None else None,
        "role": sender.role if sender is not None else "",
        "name": sender_label(sender) if message.kind == MessageKind.TEXT else "",
        "body": "" if deleted else message.body,
        "deleted": deleted,
        "sent_at": message.created_at.isoformat(),
    }


def refusal(exc: Exception) -> dict[str, Any]:
    """Why a send (or another frame) was refused, as the socket's error frame and the HTTP fallback's
    JSON both say it: `code` and `detail`, and for invalid input the messages per field."""
    if isinstance(exc, ValidationError):
        problems = field_errors(exc)
        detail = " ".join(message for messages in problems.values() for message in messages)
        return {"code": Invalid.error_code, "detail": detail, "fields": problems}
    assert isinstance(exc, DomainError)
    return {"code": exc.error_code, "detail": str(exc.message)}
