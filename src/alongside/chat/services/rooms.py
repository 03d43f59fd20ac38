"""Community rooms: live group chat on the same machinery and delivery contract as 1:1 chats.
Every write in a transaction; moderation is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.chat import live
from alongside.chat.access.conversations import (
    REASON_HOSTS,
    REASON_ROOM_MODERATORS,
    ChatViewer,
    check_room_moderate_permission,
    check_room_toggle_permission,
)
from alongside.chat.models import (
    Conversation,
    ConversationKind,
    ConversationStatus,
    Message,
    MessageStatus,
    Participant,
    ParticipantRole,
    RoomMute,
)
from alongside.chat.services.conversations import clean_note, push_state, write_event
from alongside.core.audit import audit_record
from alongside.core.errors import Invalid, NotFound, require

if TYPE_CHECKING:
    from alongside.accounts.models import User

MUTE_MINUTES = (10, 60, 60 * 24)  # what a moderator may choose


@transaction.atomic
def room_open_set(*, actor: User, community_viewer: Any, on: bool) -> Conversation:
    """Open (or close) the community's live room. Closing keeps what was said; opening again
    continues the same conversation and its numbers."""
    require(check_room_toggle_permission(community_viewer), REASON_HOSTS)
    community = community_viewer.community
    room, _created = Conversation.objects.select_for_update().get_or_create(
        community=community, defaults={"kind": ConversationKind.ROOM, "status": ConversationStatus.ENDED}
    )
    status = ConversationStatus.ACTIVE if on else ConversationStatus.ENDED
    if room.status != status:
        room.status = status
        room.started_at = room.started_at or timezone.now()
        room.save(update_fields=["status", "started_at"])
        audit_record(actor=actor, action="chat.room.opened" if on else "chat.room.closed", target=room)
        write_event(room, _("The room is open.") if on else _("The room is closed for now."))
        push_state(room)
    return room


def room_enter(*, viewer: ChatViewer) -> ChatViewer:
    """An active member looking at the room takes part in it (their messages carry their place)."""
    if viewer.participant is not None or not viewer.is_current:
        return viewer
    participant, _created = Participant.objects.get_or_create(
        conversation=viewer.conversation, user=viewer.user, defaults={"role": ParticipantRole.MEMBER}
    )
    return ChatViewer(viewer.user, viewer.conversation, participant, viewer.community_viewer)


@transaction.atomic
def room_message_remove(*, actor: User, viewer: ChatViewer, seq: int, reason: Any) -> Message:
    """A moderator removes a message: it keeps its number (so nobody's resume breaks) and is shown as
    removed; its words stay stored for the moderation record only."""
    require(check_room_moderate_permission(viewer), REASON_ROOM_MODERATORS)
    message = Message.objects.select_for_update().filter(conversation=viewer.conversation, seq=seq).first()
    if message is None or message.kind != "text":
        raise NotFound()
    reason_text = clean_note(reason, field="reason", required=True)
    if message.status != MessageStatus.DELETED:
        message.status = MessageStatus.DELETED
        message.deleted_at = timezone.now()
        message.save(update_fields=["status", "deleted_at"])
        audit_record(actor=actor, action="chat.room.message_removed", target=message, reason=reason_text)
        live.push_after_commit(
            live.conversation_group(viewer.conversation.pk), live.frame_event({"type": "deleted", "seq": seq})
        )
    return message


@transaction.atomic
def room_mute(*, actor: User, viewer: ChatViewer, user: Any, minutes: Any, reason: Any) -> RoomMute:
    """A moderator pauses someone in the room for a while: they still read, they cannot write."""
    require(check_room_moderate_permission(viewer), REASON_ROOM_MODERATORS)
    if minutes not in MUTE_MINUTES:
        raise Invalid({"minutes": [_("Choose how long: 10 minutes, an hour or a day.")]})
    reason_text = clean_note(reason, field="reason", required=True)
    require(user.pk != actor.pk, REASON_ROOM_MODERATORS)
    mute = RoomMute.objects.create(
        conversation=viewer.conversation,
        user=user,
        until=timezone.now() + timedelta(minutes=minutes),
        reason=reason_text,
        created_by=actor,
    )
    audit_record(actor=actor, action="chat.room.muted", target=mute, reason=reason_text, data={"minutes": minutes})
    return mute
