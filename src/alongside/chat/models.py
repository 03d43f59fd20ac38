"""Live support chat: trained listeners, requests for support, conversations and their messages.

The delivery contract (docs/chat-protocol.md) lives in these rows: a message is stored with its
conversation's next sequence number (gap-free: `Conversation.last_seq` is raised in the same
transaction that inserts the message) before anyone is told of it, and `(sender, client_id)` is
unique per conversation, so a retried send never makes a second message. A held message (screening
said "hold") has no sequence number: nobody else ever receives it, so it leaves no gap.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.chat.enums import (
    ConversationKind,
    ConversationStatus,
    ListenerStatus,
    MessageKind,
    MessageStatus,
    ParticipantRole,
    RequestStatus,
)
from alongside.core.crypto import EncryptedTextField

__all__ = [
    "ChatReport",
    "Conversation",
    "ConversationKind",
    "ConversationStatus",
    "Escalation",
    "LessonResult",
    "ListenerProfile",
    "ListenerStatus",
    "Message",
    "MessageKind",
    "MessageStatus",
    "Participant",
    "ParticipantRole",
    "Rating",
    "RequestStatus",
    "RoomMute",
    "SupportRequest",
]

MESSAGE_MAX_CHARS = 4000


class ListenerProfile(models.Model):
    """A member who trains, applies and (once approved) listens. One per person."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listener")
    status = models.CharField(max_length=10, choices=ListenerStatus.choices, default=ListenerStatus.TRAINING)
    conduct_accepted_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    topics = models.JSONField(_("topics you listen on"), default=list, blank=True)
    languages = models.JSONField(_("languages you listen in"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(_("chats at once"), default=2)
    is_online = models.BooleanField(default=False)
    online_since = models.DateTimeField(null=True, blank=True)
    # Open listener sockets across all servers; when it falls to 0 a timer in the task worker takes
    # the listener offline after a short grace period, unless they came back meanwhile.
    open_sockets = models.IntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)  # spreads load: least recently first
    coaching_flagged_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "is_online"])]

    def __str__(self) -> str:
        return f"listener {self.user_id} ({self.status})"

    @property
    def approved(self) -> bool:
        return self.status == ListenerStatus.APPROVED


class LessonResult(models.Model):
    """A passed lesson quiz of the listener training (only passes are kept)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_results")
    lesson = models.CharField(max_length=40)
    score = models.PositiveSmallIntegerField()
    passed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="chat_one_result_per_lesson")]

    def __str__(self) -> str:
        return f"lesson {self.lesson} passed by {self.user_id}"


class Conversation(models.Model):
    """A 1:1 support chat (member and listener) or a community's live room."""

    kind = models.CharField(max_length=8, choices=ConversationKind.choices, default=ConversationKind.SUPPORT)
    status = models.CharField(max_length=8, choices=ConversationStatus.choices, default=ConversationStatus.WAITING)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="support_chats"
    )
    listener = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="listening_chats"
    )
    community = models.OneToOneField(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="room"
    )
    topic = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=8, blank=True)
    last_seq = models.PositiveBigIntegerField(default=0)  # the newest message's sequence number
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)  # a listener joined
    ended_at = models.DateTimeField(null=True, blank=True)
    rated = models.BooleanField(default=False)  # the rating itself is not linked back to the chat
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["listener", "status"]), models.Index(fields=["member", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ConversationKind.ROOM, community__isnull=False)
                | Q(kind__in=[ConversationKind.SUPPORT, ConversationKind.OUTREACH], member__isnull=False),
                name="chat_room_has_community_support_has_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} chat {self.pk} ({self.status})"

    @property
    def is_room(self) -> bool:
        return self.kind == ConversationKind.ROOM

    @property
    def ended(self) -> bool:
        return self.status == ConversationStatus.ENDED


class Participant(models.Model):
    """Someone taking part in a conversation, and how far they have read (read receipts)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_participations")
    role = models.CharField(max_length=9, choices=ParticipantRole.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)  # a listener who handed the chat over
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="chat_one_participant_per_person")]

    def __str__(self) -> str:
        return f"{self.role} {self.user_id} in {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField(null=True, blank=True)  # None while held: never delivered
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_id = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=8, choices=MessageKind.choices, default=MessageKind.TEXT)
    status = models.CharField(max_length=8, choices=MessageStatus.choices, default=MessageStatus.VISIBLE)
    body = EncryptedTextField()
    screening = models.JSONField(default=list, blank=True)  # the screening reasons, for reviewers
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_one_message_per_seq"),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_id"],
                condition=~Q(client_id=""),
                name="chat_one_message_per_client_id",
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.seq} in {self.conversation_id}"


class SupportRequest(models.Model):
    """A member asking for a listener: waits in the queue until a listener joins the conversation."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="request")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_requests")
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.WAITING)
    topic = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=8)
    # "Talk to X again": offered to this listener alone until `preferred_until`, then to everyone.
    preferred_listener = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    preferred_until = models.DateTimeField(null=True, blank=True)
    # A handed-over chat comes back to the queue; it keeps its place from when it was first asked.
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "Talk to a listener now" from the support panel: ahead of everyone not urgent.
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)  # when it (last) entered the queue
    assigned_at = models.DateTimeField(null=True, blank=True)
    alternatives_offered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "queued_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="waiting"), name="chat_one_waiting_request_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"request {self.pk} ({self.status})"


class Rating(models.Model):
    """A member's optional rating of a chat. Anonymous: it names the listener, never the chat or the
    member; listeners see only aggregates."""

    listener = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_ratings")
    stars = models.PositiveSmallIntegerField()
    feedback = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="chat_stars_1_to_5")]

    def __str__(self) -> str:
        return f"{self.stars} stars for {self.listener_id}"


class ChatReport(models.Model):
    """A participant reporting the other side of a chat, for site moderators (the review queue);
    the reporter is told what they did."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reported = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = EncryptedTextField()  # about a person, in a private chat
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = EncryptedTextField(blank=True)  # what the moderator told the reporter

    def __str__(self) -> str:
        return f"report {self.pk} on chat {self.conversation_id}"


class Escalation(models.Model):
    """A listener asking responders to help, with the conversation's reference. The listener stays in
    the chat; the safety work routes these records to responders."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="escalations")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = EncryptedTextField(blank=True)  # what the listener saw: private
    up_to_seq = models.PositiveBigIntegerField()  # the conversation as it was when help was asked for
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"escalation {self.pk} of chat {self.conversation_id}"


class RoomMute(models.Model):
    """A member muted in a community room until `until` (by a moderator, with a reason)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="mutes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} muted in {self.conversation_id} until {self.until:%Y-%m-%d %H:%M}"
