"""JSON API for live support chat (mobile apps): asking for a listener, the queue, one's chats, their
history by sequence number, sending with a client id, read receipts, ending and rating.

The same rules and the same delivery contract as the web pages and the WebSocket
(docs/chat-protocol.md): a message is stored with its sequence number before anyone hears of it; a
retry with the same client id returns the stored message; history is read after a number, in order.
A conversation the caller may not see is 404 `not_found`, exactly like a missing one; an action
refused in a chat the caller can see is 403 `not_allowed` with the reason to show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.params import P, PathEx, QueryEx

from alongside.accounts.selectors import user_display_name
from alongside.chat import selectors
from alongside.chat.access.conversations import (
    ChatViewer,
    access_conversation,
    check_block_or_report_permission,
    check_end_permission,
    check_listener_action_permission,
    check_rate_permission,
    check_send_permission,
)
from alongside.chat.api_schemas import (
    LIST,
    READ,
    WRITE,
    ConversationOut,
    ConversationSummary,
    HeldOut,
    ListenerOut,
    MessageIn,
    MessagePage,
    OtherSideOut,
    RatingIn,
    ReadIn,
    ReadOut,
    SentOut,
    SupportRequestIn,
    SupportRequestOut,
)
from alongside.chat.consumers import HELD_DETAIL
from alongside.chat.services import conversations as services
from alongside.core.api import MAX_ID, ListOut, PageNumber, page_of, responses
from alongside.core.errors import Invalid, NotFound

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.chat.models import Conversation

router = Router(tags=["chat"])

PER_PAGE = 30
MESSAGES_PER_PAGE = 50
MESSAGES_MAX = 100  # below selectors.HISTORY_PAGE: one more is read to know whether more follow

ConversationId = PathEx[int, P(ge=1, le=MAX_ID, description="The conversation's `id`.")]
After = QueryEx[int, P(ge=0, le=MAX_ID, description="The highest sequence number you have (0: from the start).")]
Limit = QueryEx[int, P(ge=1, le=MESSAGES_MAX, description=f"At most this many messages (1 to {MESSAGES_MAX}).")]


def me(request: HttpRequest) -> User:
    return cast("User", request.auth)  # type: ignore[attr-defined]


# --- Asking for support ---------------------------------------------------------------------


@router.post(
    "/chat/requests",
    response=responses({201: SupportRequestOut}, 400, 401, 403),
    summary="Ask for a listener",
    description="The chat exists at once (`conversation_id`): you can write in it while you wait, and a "
    "listener reads it when they join. One chat waiting or open at a time: asking again then is 403 (use "
    "`GET /chat/requests/current` or `GET /chat/conversations` to find it).",
)
def request_create(request: HttpRequest, payload: SupportRequestIn) -> Status[SupportRequestOut]:
    user = me(request)
    preferred = None
    if payload.listener_id is not None:
        preferred = {person.pk: person for person in selectors.listeners_talked_with(user)}.get(payload.listener_id)
        if preferred is None:
            raise Invalid({"listener_id": [_("You can ask again only for a listener you have talked with.")]})
    support = services.support_request(
        actor=user,
        language=payload.language,
        topic=payload.topic,
        first_message=payload.first_message,
        client_id=payload.client_id,
        preferred_listener=preferred,
    )
    support.refresh_from_db()  # a listener may have been found as the request was committed
    return Status(201, SupportRequestOut.of(support, selectors.queue_place(support)))


@router.get(
    "/chat/requests/current",
    response=responses({200: SupportRequestOut}, *READ, invalid=False),
    summary="Your request waiting for a listener: your place in the queue and an estimate",
    description="404 when nothing of yours is waiting (a listener joined, or you have not asked).",
)
def request_current(request: HttpRequest) -> SupportRequestOut:
    waiting = selectors.waiting_request_of(me(request))
    if waiting is None:
        raise NotFound(_("You have no request waiting for a listener."))
    return SupportRequestOut.of(waiting, selectors.queue_place(waiting))


@router.get(
    "/chat/listeners",
    response=responses({200: ListOut[ListenerOut]}, *LIST),
    summary="Listeners you have talked with who still listen (to ask for one again)",
)
def listeners_talked_with(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    people = selectors.listeners_talked_with(me(request))
    return page_of(people, page, PER_PAGE, lambda person: ListenerOut(id=person.pk, name=user_display_name(person)))


# --- Conversations --------------------------------------------------------------------------


def conversation_summary(user: User, conversation: Conversation) -> ConversationSummary:
    as_member = conversation.member_id == user.pk
    other = conversation.listener if as_member else conversation.member
    return ConversationSummary(
        id=conversation.pk,
        status=conversation.status,
        role="member" if as_member else "listener",
        other_name=user_display_name(other) if other is not None else None,
        language=conversation.language,
        created_at=conversation.created_at,
        ended_at=conversation.ended_at,
    )


def conversation_out(viewer: ChatViewer) -> ConversationOut:
    """The conversation as this viewer sees it: what the web page shows, and what they may do."""
    state = selectors.conversation_state(viewer)
    conversation = viewer.conversation
    participant = viewer.participant
    other = selectors.other_side(viewer)
    return ConversationOut(
        id=conversation.pk,
        kind=conversation.kind,
        status=state["status"],
        role=participant.role if participant is not None else None,
        me=participant.pk if participant is not None else None,
        current=viewer.is_current,
        language=conversation.language,
        topic=conversation.topic,
        created_at=conversation.created_at,
        started_at=conversation.started_at,
        ended_at=conversation.ended_at,
        last_seq=state["last_seq"],
        other_read_seq=state.get("other_read_seq"),
        escalated=state["escalated"],
        position=state.get("position"),
        estimated_wait_seconds=state.get("estimated_wait_seconds"),
        still_waiting=state.get("still_waiting", False),
        other=OtherSideOut(**other) if other else None,
        held=[
            HeldOut(client_id=message.client_id, body=message.body, sent_at=message.created_at)
            for message in selectors.held_messages_of(viewer)
        ],
        send_refused=check_send_permission(viewer),
        can_end=check_end_permission(viewer),
        can_rate=check_rate_permission(viewer),
        can_block_or_report=check_block_or_report_permission(viewer),
        can_hand_over_or_escalate=check_listener_action_permission(viewer),
    )


@router.get(
    "/chat/conversations",
    response=responses({200: ListOut[ConversationSummary]}, *LIST),
    summary="Your support chats, as member or listener, newest first",
)
def conversation_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    user = me(request)
    chats = selectors.conversations_of(user, limit=MAX_ID)
    return page_of(chats, page, PER_PAGE, lambda conversation: conversation_summary(user, conversation))


@router.get(
    "/chat/conversations/{conversation_id}",
    response=responses({200: ConversationOut}, *READ),
    summary="Where a conversation stands for you: status, newest number, the other side, what you may do",
)
def conversation_read(request: HttpRequest, conversation_id: ConversationId) -> ConversationOut:
    return conversation_out(access_conversation(me(request), conversation_id))


@router.get(
    "/chat/conversations/{conversation_id}/messages",
    response=responses({200: MessagePage}, *READ),
    by_alias=True,
    summary="Messages after a sequence number, in order (history and catching up)",
    description="Numbers have no gaps: ask with `after` = the last `seq` you have and you get what follows, "
    "each once. Follow `next_after` until it is null. A listener who handed a chat over reads it up to "
    "when they left. Messages kept back for a moderator are never listed (the writer sees theirs under "
    "`held` in the conversation).",
)
def message_list(
    request: HttpRequest, conversation_id: ConversationId, after: After = 0, limit: Limit = MESSAGES_PER_PAGE
) -> dict[str, Any]:
    viewer = access_conversation(me(request), conversation_id)
    frames = selectors.messages_after(viewer, after=after, limit=limit + 1)
    more = len(frames) > limit
    frames = frames[:limit]
    return {"items": frames, "next_after": frames[-1]["seq"] if more else None}


@router.post(
    "/chat/conversations/{conversation_id}/messages",
    response=responses({200: SentOut, 201: SentOut}, *WRITE),
    summary="Send a message (201), or retry one (200: the stored message, nothing new written)",
    description="The message is stored with the next sequence number before anyone is told, then "
    "delivered to the other side live. Retry with the same `client_id` after a lost answer: you get the "
    "stored message back, even after the chat ended. A message screening keeps back for a moderator is "
    "`held`: it has no number and nobody else sees it. 403 when the chat has ended, you are no longer in "
    "it, either side blocked the other, or you are sending too fast.",
)
def message_send(request: HttpRequest, conversation_id: ConversationId, payload: MessageIn) -> Status[SentOut]:
    user = me(request)
    viewer = access_conversation(user, conversation_id)
    result = services.message_send(actor=user, viewer=viewer, body=payload.body, client_id=payload.client_id)
    sent = SentOut(
        client_id=result.message.client_id,
        seq=result.message.seq,
        held=result.held,
        created=result.created,
        detail=HELD_DETAIL if result.held else "",
        offer_support=result.support,
    )
    return Status(201 if result.created else 200, sent)


@router.post(
    "/chat/conversations/{conversation_id}/read",
    response=responses({200: ReadOut}, *WRITE),
    summary="Say how far you have read (the other side sees it as a read receipt)",
)
def message_read(request: HttpRequest, conversation_id: ConversationId, payload: ReadIn) -> ReadOut:
    viewer = access_conversation(me(request), conversation_id)
    return ReadOut(seq=services.conversation_read(viewer=viewer, seq=payload.seq))


@router.post(
    "/chat/conversations/{conversation_id}/end",
    response=responses({200: ConversationOut}, 401, 403, 404),
    summary="End the chat (either side); answers the conversation as it now stands",
    description="A request still waiting is withdrawn. Nothing more can be sent afterwards; the member "
    "may then rate it once.",
)
def conversation_end(request: HttpRequest, conversation_id: ConversationId) -> ConversationOut:
    user = me(request)
    viewer = access_conversation(user, conversation_id)
    services.conversation_end(actor=user, viewer=viewer)
    return conversation_out(viewer)


@router.post(
    "/chat/conversations/{conversation_id}/rating",
    response=responses({204: None}, *WRITE),
    summary="Rate an ended chat (the member, once)",
    description="Stored without a link to the chat or to you: the listener sees only an average of many.",
)
def conversation_rate(request: HttpRequest, conversation_id: ConversationId, payload: RatingIn) -> Status[None]:
    user = me(request)
    viewer = access_conversation(user, conversation_id)
    services.conversation_rate(actor=user, viewer=viewer, stars=payload.stars, feedback=payload.feedback)
    return Status(204, None)
