"""Shapes of the chat API (chat/api.py). A message is the same object the WebSocket and the HTTP
long-poll send (frames.message_frame, docs/chat-protocol.md), so one client handler reads all three;
what one side of a chat sees of the other comes from selectors.other_side, as on the web page."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from ninja import Field, Schema
from pydantic import ConfigDict

from alongside.chat.selectors import QueuePlace
from alongside.core.api import MAX_ID, Id, Input, Text

if TYPE_CHECKING:
    from alongside.chat.models import SupportRequest

# Error statuses: reads of one conversation, and writes to one (which also take a JSON body that may
# not parse). A conversation the caller may not see is 404, exactly like a missing one.
READ = (401, 403, 404)
WRITE = (400, 401, 403, 404)
LIST = (401, 403)

ClientId = Annotated[
    Text,
    Field(
        min_length=1,
        max_length=64,
        description="Your own id for this message: 1 to 64 of `A-Z a-z 0-9 - _`, new for each message. "
        "Sending again with the same id never makes a second message: the answer is the stored one.",
    ),
]


# --- Input ----------------------------------------------------------------------------------


class SupportRequestIn(Input):
    language: Text = Field(..., max_length=8, description="The language to talk in, e.g. `en`.")
    topic: Text = Field("", max_length=32, description="Optional: one of the site's topics, e.g. `anxiety`.")
    first_message: Text = Field(
        "",
        description="Optional: a first message for the listener, sent at once (up to 4,000 characters). "
        "You can write while you wait.",
    )
    client_id: Text = Field("", max_length=64, description="Optional: your id for `first_message` (see sending).")
    listener_id: Id | None = Field(
        None,
        description="Ask for a listener you talked with before (`GET /chat/listeners`): they are asked "
        "first for a short while, then anyone free.",
    )


class MessageIn(Input):
    client_id: ClientId
    body: Text = Field(..., description="1 to 4,000 characters.")


class ReadIn(Input):
    seq: int = Field(..., strict=True, ge=0, le=MAX_ID, description="The highest sequence number you have read.")


class RatingIn(Input):
    stars: int = Field(..., strict=True, ge=1, le=5, description="1 to 5.")
    feedback: Text = Field(
        "",
        description="Optional, up to 2,000 characters. Your listener sees only an average of many "
        "ratings, never yours on its own.",
    )


# --- Answers --------------------------------------------------------------------------------


class SupportRequestOut(Schema):
    id: int
    conversation_id: int = Field(..., description="The chat: you can read and write in it while you wait.")
    status: str = Field(..., description="`waiting`, `assigned` (a listener joined) or `cancelled`.")
    language: str
    topic: str
    created_at: datetime
    position: int | None = Field(..., description="While waiting: your place in the queue (1: next). Else null.")
    estimated_wait_seconds: int | None = Field(..., description="While waiting: a rough estimate. Else null.")
    still_waiting: bool = Field(
        ...,
        description="Nobody has answered for a while: the app may offer other help (communities, "
        "self-help, the crisis page). The request stays in the queue.",
    )

    @staticmethod
    def of(request: SupportRequest, place: QueuePlace | None) -> SupportRequestOut:
        return SupportRequestOut(
            id=request.pk,
            conversation_id=request.conversation_id,
            status=request.status,
            language=request.language,
            topic=request.topic,
            created_at=request.created_at,
            position=place.position if place is not None else None,
            estimated_wait_seconds=place.estimated_wait_seconds if place is not None else None,
            still_waiting=place.alternatives_offered if place is not None else False,
        )


class ListenerOut(Schema):
    id: int = Field(..., description="For `listener_id` when asking for support.")
    name: str


class OtherSideOut(Schema):
    """What one side of a chat sees of the other (never an e-mail or more)."""

    name: str
    pronouns: str = Field(..., description="Shown to listeners only; empty for members.")
    languages: list[str] = Field(..., description="Shown to listeners only; empty for members.")
    topic: str = Field(..., description="Shown to listeners only; empty for members.")


class ConversationSummary(Schema):
    id: int
    status: str = Field(..., description="`waiting` (for a listener), `active` or `ended`.")
    role: str = Field(..., description="Yours in it: `member` (you asked for support) or `listener`.")
    other_name: str | None = Field(..., description="The other side's name; null while no listener has joined.")
    language: str
    created_at: datetime
    ended_at: datetime | None


class HeldOut(Schema):
    client_id: str
    body: str
    sent_at: datetime


class ConversationOut(Schema):
    id: int
    kind: str = Field(..., description="`support` (1:1 with a listener) or `room` (a community's live room).")
    status: str = Field(..., description="`waiting` (for a listener), `active` or `ended`.")
    role: str | None = Field(..., description="Yours in it: `member` or `listener` (null: a room you only read).")
    me: int | None = Field(..., description="Your participant reference: messages you sent carry it as `from`.")
    current: bool = Field(..., description="Whether you are in it now (a listener who handed it over is not).")
    language: str
    topic: str
    created_at: datetime
    started_at: datetime | None = Field(..., description="When a listener first joined.")
    ended_at: datetime | None
    last_seq: int = Field(..., description="The newest message's sequence number.")
    other_read_seq: int | None = Field(..., description="How far the other side has read (1:1 chats).")
    escalated: bool = Field(
        ...,
        description="Shown to the member: their listener asked responders for help; the app shows the "
        "crisis resources beside the chat.",
    )
    position: int | None = Field(..., description="While the member waits: their place in the queue. Else null.")
    estimated_wait_seconds: int | None = Field(..., description="While the member waits: a rough estimate.")
    still_waiting: bool = Field(..., description="Nobody has answered for a while: offer other help.")
    other: OtherSideOut | None = Field(..., description="The other side; null while no listener has joined.")
    held: list[HeldOut] = Field(..., description="Your own messages kept back for a moderator (nobody else sees them).")
    send_refused: str = Field(..., description="Why you cannot write now, in words to show; empty if you can.")
    can_end: bool
    can_rate: bool = Field(..., description="The member, once, after it ended.")
    can_block_or_report: bool
    can_hand_over_or_escalate: bool = Field(..., description="The listener in it now, while it is open.")


class MessageOut(Schema):
    """A delivered message: the WebSocket's `message` frame."""

    model_config = ConfigDict(populate_by_name=True)

    type: str = Field(..., description="Always `message`.")
    seq: int
    kind: str = Field(..., description="`text`, or `event` (written by the service: “… joined the chat”).")
    client_id: str
    from_: int | None = Field(
        ...,
        alias="from",
        description="The sender's participant reference (compare with `me`), never a user id; null for events.",
    )
    role: str = Field(..., description="`member` or `listener`; empty for events.")
    name: str = Field(..., description="The sender's name; empty for events.")
    body: str = Field(..., description="Empty when `deleted`.")
    deleted: bool
    sent_at: datetime


class MessagePage(Schema):
    """Messages after a sequence number, in order: `after` is where this page starts."""

    items: list[MessageOut]
    next_after: int | None = Field(
        ...,
        description="More messages follow: ask again with `after` set to this. Null: you have everything up "
        "to now (new messages then come over the WebSocket, or ask again later with the last `seq`).",
    )


class SentOut(Schema):
    client_id: str
    seq: int | None = Field(..., description="The message's sequence number; null when it was held.")
    held: bool = Field(..., description="Kept back for a moderator: nobody else sees it (see `detail`).")
    created: bool = Field(..., description="False: a retry of a message already stored (nothing new was written).")
    detail: str = Field(..., description="For a held message, what to tell the writer; else empty.")
    offer_support: bool = Field(
        False,
        description="In the answer to your own words only: they read as high risk. Show what the site's "
        "`/help/support/` page offers (crisis lines for the person's country, a grounding exercise, talking to a "
        "listener now). Nobody else is told.",
    )


class ReadOut(Schema):
    seq: int = Field(..., description="How far you have read, as stored (never beyond the newest message).")


__all__ = [
    "LIST",
    "READ",
    "WRITE",
    "ConversationOut",
    "ConversationSummary",
    "HeldOut",
    "ListenerOut",
    "MessageIn",
    "MessageOut",
    "MessagePage",
    "OtherSideOut",
    "RatingIn",
    "ReadIn",
    "ReadOut",
    "SentOut",
    "SupportRequestIn",
    "SupportRequestOut",
]
