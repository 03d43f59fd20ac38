"""Who may see and do what in a conversation.

Rules in words:
- A support chat is seen by its member and by the listeners who have been in it (a listener who
  handed it over keeps reading what was said until they left, nothing after). Nobody else: not
  other listeners, not moderators; staff read chats only through an escalation or a report, later,
  and audited. Its history is the member's and their listener's alone.
- A community room is seen by whoever may read the community's threads, while the room is open.
- Writing needs the conversation to be open (not ended), the writer to be in it now (a listener
  who handed over no longer writes), not muted (rooms) and not blocked by the other side.
- A responder's check-in (outreach) is seen by its member and responder alone; a responder who
  joins a listener's chat (after an escalation) is in it like the listener. Responders' chats are
  not rated.
- Only the member ends or rates a chat (the listener ends it too, but never automatically); only
  the listener hands it over or asks responders for help (escalates), and the listener stays.
- A member asks for support when they have no chat waiting or open; a listener picks a waiting
  request in a language they listen in when they have room for another chat.
A conversation the viewer may not see is reported exactly like a missing one (NotFound).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.accounts.enums import SITE_MODERATOR_ROLES
from alongside.accounts.selectors import blocked_between
from alongside.chat.models import (
    Conversation,
    ConversationKind,
    ConversationStatus,
    ListenerProfile,
    ListenerStatus,
    Participant,
    ParticipantRole,
    RoomMute,
)
from alongside.communities import access as community_access
from alongside.core.errors import NotFound

REASON_ENDED = _("This chat has ended, so nothing more can be sent. You can always start a new one.")
REASON_NOT_IN_CHAT = _("You're no longer in this chat, so you can't send messages here.")
REASON_BLOCKED = _("You can't send messages in this chat.")
REASON_MUTED = _("You're paused in this room for a little while. You can still read along.")
REASON_SUSPENDED = _("Your account is paused, so you can't send messages for now. Your account standing page says why.")
REASON_ROOM_MEMBERS = _("Join this community to write in its room.")
REASON_MEMBER_ONLY = _("Only the person who asked for support can do this.")
REASON_LISTENER_ONLY = _("Only the listener in this chat can do this.")
REASON_ALREADY_WAITING = _("You already have a chat waiting or open. You can go back to it.")
REASON_NOT_LISTENER = _("Only approved listeners can do this.")
REASON_NO_ROOM = _("You're already in as many chats as you said you'd take.")
REASON_RATE_ONCE = _("This chat can be rated once, after it has ended.")
REASON_SLOW_DOWN = _("You're sending messages very quickly. Please wait a few seconds and try again.")


@dataclass(frozen=True)
class ChatViewer:
    """A person looking at one conversation, with their place in it (None: not a participant)."""

    user: Any
    conversation: Conversation
    participant: Participant | None
    community_viewer: Any = None  # rooms: the communities app's viewer, for its rules

    @property
    def is_member(self) -> bool:
        return self.participant is not None and self.participant.role == ParticipantRole.MEMBER

    @property
    def is_listener(self) -> bool:
        return self.participant is not None and self.participant.role == ParticipantRole.LISTENER

    @property
    def is_current(self) -> bool:
        """In the conversation now (a listener who handed it over is not)."""
        if self.conversation.is_room:
            return self.community_viewer is not None and self.community_viewer.is_active_member
        return self.participant is not None and self.participant.left_at is None

    @property
    def moderates(self) -> bool:
        return bool(
            self.conversation.is_room and community_access.check_moderate_community_permission(self.community_viewer)
        )


def _participant(user: Any, conversation: Conversation) -> Participant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Participant.objects.filter(conversation=conversation, user=user).first()


def access_conversation(user: Any, conversation_id: Any) -> ChatViewer:
    """The viewer of a conversation they may see, or NotFound (for missing and forbidden alike)."""
    try:
        pk = int(conversation_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotFound()
    conversation = Conversation.objects.select_related("community").filter(pk=pk).first()
    if conversation is None:
        raise NotFound()
    if conversation.community is not None:
        community_viewer = community_access.community_viewer(user, conversation.community)
        if not community_access.check_read_community_permission(community_viewer):
            raise NotFound()
        return ChatViewer(user, conversation, _participant(user, conversation), community_viewer)
    participant = _participant(user, conversation)
    if participant is None:
        raise NotFound()
    return ChatViewer(user, conversation, participant)


def _other_side(viewer: ChatViewer) -> Any:
    conversation = viewer.conversation
    return conversation.listener if viewer.is_member else conversation.member


def check_send_permission(viewer: ChatViewer) -> str:
    """ "" if the viewer may write in the conversation now, else the reason they may not."""
    conversation = viewer.conversation
    if conversation.status == ConversationStatus.ENDED:
        return str(REASON_ENDED)
    # Suspended: nothing in rooms and nothing as a listener; a member's own support chat stays open
    # to them (a suspension never cuts anyone off from a listener).
    if getattr(viewer.user, "suspended", False) and (conversation.is_room or not viewer.is_member):
        return str(REASON_SUSPENDED)
    if conversation.is_room:
        if not viewer.is_current:
            return str(REASON_ROOM_MEMBERS)
        if viewer.community_viewer.paused:
            return str(community_access.REASON_PAUSED)
        if RoomMute.objects.filter(conversation=conversation, user=viewer.user, until__gt=timezone.now()).exists():
            return str(REASON_MUTED)
        return ""
    if not viewer.is_current:
        return str(REASON_NOT_IN_CHAT)
    if blocked_between(viewer.user, _other_side(viewer)):
        return str(REASON_BLOCKED)
    return ""


def pause_refusals() -> set[str]:
    """The refusals `check_send_permission` gives someone only paused in a room (a sanction, the
    room's own mute, a suspension): their words in crisis are held, never turned away (services)."""
    return {str(community_access.REASON_PAUSED), str(REASON_MUTED), str(REASON_SUSPENDED)}


def check_end_permission(viewer: ChatViewer) -> bool:
    return not viewer.conversation.is_room and viewer.is_current and not viewer.conversation.ended


def check_rate_permission(viewer: ChatViewer) -> bool:
    conversation = viewer.conversation
    return (
        viewer.is_member
        and conversation.kind == ConversationKind.SUPPORT
        and conversation.ended
        and not conversation.rated
        and conversation.listener_id is not None
    )


def check_listener_action_permission(viewer: ChatViewer) -> bool:
    """Hand over or ask responders for help: the listener in the chat now, while it is open."""
    conversation = viewer.conversation
    return viewer.is_listener and viewer.is_current and conversation.status == ConversationStatus.ACTIVE


def check_block_or_report_permission(viewer: ChatViewer) -> bool:
    """Either side of a support chat may block or report the other, also after it ended."""
    return not viewer.conversation.is_room and viewer.participant is not None and _other_side(viewer) is not None


def check_handle_chat_reports(user: Any) -> bool:
    """Reports about a person in a chat are read and answered by site moderators and administrators
    (the chat is private: they see the reporter's words, the two people and when, not the chat)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in SITE_MODERATOR_ROLES)


def approved_listener(user: Any) -> ListenerProfile | None:
    """The person's listener profile if they are an approved, active listener (not suspended)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.suspended:
        return None
    return ListenerProfile.objects.filter(user=user, status=ListenerStatus.APPROVED).first()


def check_request_support_permission(user: Any) -> bool:
    """A signed-in person without a chat waiting or open as the member (a suspension does not stop
    anyone from asking for a listener)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return (
        not Conversation.objects.filter(member=user, kind="support").exclude(status=ConversationStatus.ENDED).exists()
    )


REASON_HOSTS = _("Only the community's hosts can open or close its live room.")
REASON_ROOM_MODERATORS = _("Only the community's moderators can do this.")
REASON_ROOM_CLOSED = _("This community has no live room open right now.")


def check_room_toggle_permission(community_viewer: Any) -> bool:
    """Open or close a community's live room: its hosts (and administrators)."""
    return bool(community_access.check_edit_community_permission(community_viewer))


def check_room_moderate_permission(viewer: ChatViewer) -> bool:
    """Remove a message from a room or pause someone in it: the community's moderators."""
    return viewer.conversation.is_room and viewer.moderates


def access_room(user: Any, slug: str) -> tuple[Any, Conversation | None]:
    """The community (as the communities app's viewer, NotFound if the viewer may not read it) and its
    room, if it has one."""
    community_viewer = community_access.access_community(user, slug)
    if not community_access.check_read_community_permission(community_viewer):
        raise NotFound()
    room = Conversation.objects.filter(community=community_viewer.community).first()
    return community_viewer, room
