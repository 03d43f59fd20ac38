"""Reads of the chat, with authorization applied: each takes a viewer from `access` (or the person
asking) and returns only what they may see."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils import timezone

from alongside.chat.access.conversations import ChatViewer, check_handle_chat_reports
from alongside.chat.frames import message_frame
from alongside.chat.models import (
    ChatReport,
    Conversation,
    ConversationKind,
    ConversationStatus,
    ListenerProfile,
    ListenerStatus,
    Message,
    MessageKind,
    MessageStatus,
    Participant,
    ParticipantRole,
    Rating,
    RequestStatus,
    SupportRequest,
)
from alongside.core.errors import NotFound

HISTORY_PAGE = 200
DEFAULT_WAIT_SECONDS = 180  # before there is any history to estimate from


def messages_after(viewer: ChatViewer, *, after: int = 0, limit: int = HISTORY_PAGE) -> list[dict[str, Any]]:
    """Delivered messages with a sequence number above `after`, in order, at most `limit` (frames).
    A listener who handed the chat over reads it up to when they left."""
    messages = Message.objects.filter(conversation=viewer.conversation, seq__gt=after).exclude(
        status=MessageStatus.HELD
    )
    participant = viewer.participant
    if participant is not None and not viewer.conversation.is_room:
        # Read fresh: a socket's copy of the participant can predate their handing the chat over.
        left_at = Participant.objects.filter(pk=participant.pk).values_list("left_at", flat=True).first()
        if left_at is not None:
            messages = messages.filter(created_at__lte=left_at)
    rows = list(messages.order_by("seq")[: max(1, min(limit, HISTORY_PAGE))])
    senders = _participants(viewer.conversation, {m.sender_id for m in rows if m.sender_id})
    return [message_frame(m, sender=senders.get(m.sender_id)) for m in rows]


def _participants(conversation: Conversation, user_ids: set[int]) -> dict[int | None, Participant]:
    if not user_ids:
        return {}
    found = Participant.objects.filter(conversation=conversation, user_id__in=user_ids).select_related("user__profile")
    return {p.user_id: p for p in found}


def other_participant_ids(viewer: ChatViewer) -> list[int]:
    """The other people in a 1:1 chat now (not a listener who handed it over)."""
    found = Participant.objects.filter(conversation=viewer.conversation, left_at__isnull=True)
    if viewer.participant is not None:
        found = found.exclude(pk=viewer.participant.pk)
    return list(found.values_list("pk", flat=True))


def newest_seq(conversation_id: int) -> int:
    """The newest delivered number of a conversation (for a server checking its sockets are current)."""
    return int(Conversation.objects.values_list("last_seq", flat=True).filter(pk=conversation_id).first() or 0)


def held_messages_of(viewer: ChatViewer) -> list[Message]:
    """The viewer's own messages held for review (nobody else sees them)."""
    return list(
        Message.objects.filter(
            conversation=viewer.conversation, sender=viewer.user, status=MessageStatus.HELD
        ).order_by("created_at")
    )


def conversation_state(viewer: ChatViewer) -> dict[str, Any]:
    """Where a conversation stands for this viewer: its status, the newest number, how far the other
    side has read (1:1), whether responders were asked for help (shown to the member as the crisis
    panel), and while waiting the queue position and estimate."""
    conversation = Conversation.objects.get(pk=viewer.conversation.pk)
    state: dict[str, Any] = {
        "status": conversation.status,
        "last_seq": conversation.last_seq,
        "escalated": conversation.escalated_at is not None and viewer.is_member,
    }
    if not conversation.is_room and viewer.participant is not None:
        others = Participant.objects.filter(conversation=conversation, left_at__isnull=True).exclude(
            pk=viewer.participant.pk
        )
        state["other_read_seq"] = max((p.last_read_seq for p in others), default=0)
    request = SupportRequest.objects.filter(conversation=conversation).first() if viewer.is_member else None
    place = queue_place(request) if request is not None else None
    if place is not None:
        state.update(
            position=place.position,
            estimated_wait_seconds=place.estimated_wait_seconds,
            still_waiting=place.alternatives_offered,
        )
    return state


def other_side(viewer: ChatViewer) -> dict[str, Any]:
    """What one side of a support chat sees of the other: for a member, the listener's name; for a
    listener, the member's pseudonym, pronouns, languages and the topic. Never an e-mail or more."""
    from alongside.accounts.selectors import user_display_name
    from alongside.communities.presenters import badge_of

    conversation = viewer.conversation
    other = conversation.listener if viewer.is_member else conversation.member
    if other is None:
        return {}
    profile = getattr(other, "profile", None)
    badge, badge_key = badge_of(other)
    return {
        "name": user_display_name(other),
        "badge": badge,  # "Peer listener" (or a staff role), as on their posts
        "badge_key": badge_key,
        "pronouns": getattr(profile, "pronouns", "") if viewer.is_listener else "",
        "languages": list(getattr(profile, "languages", []) or []) if viewer.is_listener else [],
        "topic": conversation.topic if viewer.is_listener else "",
    }


# --- The queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuePlace:
    position: int  # 1: next
    estimated_wait_seconds: int
    alternatives_offered: bool


def _median_wait_seconds(since: Any) -> float | None:
    waits = _waits_since(since)
    return statistics.median(waits) if waits else None


def _waits_since(since: Any) -> list[float]:
    """Seconds from entering the queue to a listener joining, for requests answered since `since`."""
    rows = SupportRequest.objects.filter(assigned_at__gte=since).values_list("queued_at", "assigned_at")
    return sorted((assigned - queued).total_seconds() for queued, assigned in rows if assigned is not None)


def queue_place(request: SupportRequest) -> QueuePlace | None:
    """Where a waiting request stands: its position among the waiting requests in its language
    and an estimate (the last day's median wait per place, spread over the listeners on duty)."""
    if request.status != RequestStatus.WAITING:
        return None
    same_urgency = Q(urgent=request.urgent) & (
        Q(queued_at__lt=request.queued_at) | Q(queued_at=request.queued_at, pk__lt=request.pk)
    )
    ahead = SupportRequest.objects.filter(status=RequestStatus.WAITING, language=request.language).filter(
        same_urgency | Q(urgent=True) if not request.urgent else same_urgency
    )
    position = ahead.count() + 1
    median = _median_wait_seconds(timezone.now() - timedelta(hours=24))
    online = ListenerProfile.objects.filter(status=ListenerStatus.APPROVED, is_online=True).count()
    per_place = median if median is not None else DEFAULT_WAIT_SECONDS
    estimate = int(per_place * position / max(1, online))
    return QueuePlace(position, max(30, estimate), request.alternatives_offered_at is not None)


def waiting_request_of(user: Any) -> SupportRequest | None:
    return (
        SupportRequest.objects.filter(member=user, status=RequestStatus.WAITING).select_related("conversation").first()
    )


def queue_for_listener(profile: ListenerProfile) -> list[SupportRequest]:
    """Waiting requests a listener may pick: in a language they listen in, urgent ones ("talk to a
    listener now" from the support panel) first, then longest-waiting first."""
    return list(
        SupportRequest.objects.filter(status=RequestStatus.WAITING, language__in=profile.languages or ["-"])
        .exclude(member=profile.user)
        .exclude(handed_over_by=profile.user)
        .exclude(member__blocks__blocked=profile.user)
        .exclude(member__in=profile.user.blocks.values("blocked"))
        .order_by("-urgent", "queued_at", "pk")[:50]
    )


def conversations_of(user: Any, *, limit: int = 30) -> list[Conversation]:
    """The person's support chats (and responders' check-ins), as member, listener or responder, newest first."""
    return list(
        Conversation.objects.filter(
            kind__in=[ConversationKind.SUPPORT, ConversationKind.OUTREACH], participants__user=user
        )
        .select_related("listener__profile", "member__profile")
        .order_by("-created_at")[:limit]
    )


def open_chats_with_a_listener(member: Any) -> list[Conversation]:
    """The member's open support chats that have a listener in them now (to share something with)."""
    return list(
        Conversation.objects.filter(
            kind=ConversationKind.SUPPORT, status=ConversationStatus.ACTIVE, member=member, listener__isnull=False
        )
        .select_related("listener__profile")
        .order_by("-created_at")
    )


def open_chats_of_listener(user: Any) -> list[Conversation]:
    return list(
        Conversation.objects.filter(
            kind=ConversationKind.SUPPORT,
            status=ConversationStatus.ACTIVE,
            participants__user=user,
            participants__role=ParticipantRole.LISTENER,
            participants__left_at__isnull=True,
        ).select_related("member__profile")
    )


def listeners_talked_with(member: Any) -> list[Any]:
    """Listeners this member has talked with and who still listen ("talk to X again")."""
    from alongside.accounts.selectors import users_by_ids

    ids = (
        Participant.objects.filter(
            role=ParticipantRole.LISTENER, conversation__member=member, conversation__kind=ConversationKind.SUPPORT
        )
        .exclude(user__blocks__blocked=member)
        .exclude(user__in=member.blocks.values("blocked"))
        .filter(user__listener__status=ListenerStatus.APPROVED)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return list(users_by_ids(list(ids)))


def rating_summary(listener: Any) -> dict[str, Any]:
    """A listener's ratings as an aggregate only (never one member's rating)."""
    summary = Rating.objects.filter(listener=listener).aggregate(count=Count("pk"), average=Avg("stars"))
    average = summary["average"]
    return {"count": summary["count"], "average": round(average, 1) if average is not None else None}


def queue_health() -> dict[str, Any]:
    """For administrators: the queue now and its waits over the last 24 hours."""
    since = timezone.now() - timedelta(hours=24)
    waits = _waits_since(since)

    def percentile(share: float) -> float | None:
        if not waits:
            return None
        return waits[min(len(waits) - 1, round(share * (len(waits) - 1)))]

    return {
        "waiting": SupportRequest.objects.filter(status=RequestStatus.WAITING).count(),
        "median_wait_seconds": statistics.median(waits) if waits else None,
        "p90_wait_seconds": percentile(0.9),
        "answered_24h": len(waits),
        "listeners_online": ListenerProfile.objects.filter(status=ListenerStatus.APPROVED, is_online=True).count(),
        "chats_in_progress": Conversation.objects.filter(
            kind=ConversationKind.SUPPORT, status=ConversationStatus.ACTIVE
        ).count(),
        "flagged_for_coaching": ListenerProfile.objects.filter(coaching_flagged_at__isnull=False).count(),
    }


def room_message(viewer: ChatViewer, *, seq: int) -> Message:
    """A delivered text message of a room, for its moderators (NotFound otherwise)."""
    from alongside.core.errors import NotFound

    message = (
        Message.objects.filter(conversation=viewer.conversation, seq=seq, kind="text").select_related("sender").first()
    )
    if message is None or not viewer.conversation.is_room:
        raise NotFound()
    return message


def room_message_to_report(user: Any, *, slug: str, seq: Any) -> tuple[Any, Message]:
    """A text message of a community's room that this person may read (and did not write), still
    shown, with the community: what they may report. NotFound for anything else."""
    from alongside.chat.access.conversations import access_conversation, access_room

    community_viewer, room = access_room(user, slug)
    if room is None:
        raise NotFound()
    viewer = access_conversation(user, room.pk)
    try:
        message = room_message(viewer, seq=int(seq))
    except (TypeError, ValueError):
        raise NotFound() from None
    if message.status == MessageStatus.DELETED or message.sender_id is None or message.sender_id == user.pk:
        raise NotFound()
    return community_viewer.community, message


def room_sender_name(message: Message) -> str:
    from alongside.accounts.selectors import user_display_name

    return user_display_name(message.sender) if message.sender is not None else ""


def room_is_open(community: Any) -> bool:
    return Conversation.objects.filter(community=community, status=ConversationStatus.ACTIVE).exists()


def worry_subject(viewer: ChatViewer, *, limit: int = 5) -> tuple[Any, str]:
    """For "I'm worried about this person" in a support chat: the other side, and their last few
    messages (for the responder). NotFound in a room or with nobody on the other side."""
    conversation = viewer.conversation
    other = (
        None
        if conversation.is_room or viewer.participant is None
        else (conversation.listener if viewer.is_member else conversation.member)
    )
    if other is None:
        raise NotFound()
    recent = Message.objects.filter(
        conversation=conversation, sender=other, status=MessageStatus.VISIBLE, kind=MessageKind.TEXT
    ).order_by("-seq")[:limit]
    return other, "\n".join(message.body for message in reversed(list(recent)))


def chat_reports_open(*, viewer: Any, limit: int = 200) -> list[ChatReport]:
    """Reports about a person in a chat waiting for a site moderator, oldest first."""
    if not check_handle_chat_reports(viewer):
        raise NotFound()
    waiting = ChatReport.objects.filter(resolved_at=None).select_related("reporter", "reported", "conversation")
    return list(waiting.order_by("created_at", "pk")[:limit])


def chat_reports_by(*, user: Any, limit: int = 100) -> list[ChatReport]:
    """The reporter's own reports about people in chats, newest first, with what became of them."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(ChatReport.objects.filter(reporter=user).order_by("-created_at", "-pk")[:limit])


def support_chats_by_month(*, since: Any) -> dict[str, tuple[int, int]]:
    """Per month: support chats that started, and how many members started them (anonymous totals)."""
    from alongside.core.aggregates import count_by_month

    chats = Conversation.objects.filter(kind=ConversationKind.SUPPORT, created_at__gte=since)
    return count_by_month(chats, person="member_id")
