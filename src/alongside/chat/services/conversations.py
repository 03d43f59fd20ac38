"""The queue, matching and conversations: every write, each in a transaction.

Delivery contract (docs/chat-protocol.md): `message_send` stores a message with its conversation's
next sequence number before anyone hears of it; the push happens after the commit and is only the
fast path. The conversation row's `last_seq` is raised by an UPDATE first, which locks the row (on
PostgreSQL the row lock, on SQLite the write lock), so two senders on two servers queue up and get
consecutive numbers; a retry with a client id already stored returns the stored message and writes
nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts import services as account_services
from alongside.accounts.enums import SPOKEN_LANGUAGES, Topic
from alongside.accounts.selectors import blocked_between, user_display_name
from alongside.chat import live
from alongside.chat.access.conversations import (
    REASON_ALREADY_WAITING,
    REASON_ENDED,
    REASON_LISTENER_ONLY,
    REASON_MEMBER_ONLY,
    REASON_NO_ROOM,
    REASON_NOT_IN_CHAT,
    REASON_NOT_LISTENER,
    REASON_RATE_ONCE,
    REASON_SLOW_DOWN,
    ChatViewer,
    approved_listener,
    check_block_or_report_permission,
    check_end_permission,
    check_handle_chat_reports,
    check_listener_action_permission,
    check_rate_permission,
    check_request_support_permission,
    check_send_permission,
    pause_refusals,
)
from alongside.chat.frames import message_frame
from alongside.chat.models import (
    MESSAGE_MAX_CHARS,
    ChatReport,
    Conversation,
    ConversationKind,
    ConversationStatus,
    Escalation,
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
from alongside.core.audit import audit_record
from alongside.core.errors import Invalid, NotAllowed, NotFound, require
from alongside.core.screening import screen_content
from alongside.safety.enums import AssessContext
from alongside.safety.services import risk as safety_risk

if TYPE_CHECKING:
    from alongside.accounts.models import Block, User

logger = logging.getLogger(__name__)
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
FEEDBACK_MAX_CHARS = 2000
NOTE_MAX_CHARS = 1000


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool  # False: a retry of a message already stored (nothing was written)
    support: bool = False  # the words read as high risk: the writer's page shows the support panel

    @property
    def held(self) -> bool:
        return self.message.status == MessageStatus.HELD


# --- Shared steps ---------------------------------------------------------------------------


def _languages() -> set[str]:
    return {code for code, _name in SPOKEN_LANGUAGES}


def _clean_body(body: Any) -> str:
    if not isinstance(body, str):
        raise Invalid({"body": [_("Write a message first.")]})
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise Invalid({"body": [_("Write a message first.")]})
    if len(text) > MESSAGE_MAX_CHARS:
        raise Invalid(
            {
                "body": [
                    _("Your message is %(n)d characters long; messages can be up to %(max)d.")
                    % {"n": len(text), "max": MESSAGE_MAX_CHARS}
                ]
            }
        )
    if "\x00" in text:
        raise Invalid({"body": [_("Your message has a character that can't be sent. Please remove it.")]})
    return text


def _clean_client_id(client_id: Any) -> str:
    if client_id in (None, ""):
        return ""
    if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
        raise Invalid({"client_id": [_("A message reference is 1 to 64 letters, digits, '-' or '_'.")]})
    return client_id


def clean_note(note: Any, *, field: str = "note", required: bool = False) -> str:
    text = note.strip() if isinstance(note, str) else ""
    if required and not text:
        raise Invalid({field: [_("Please say a few words about why.")]})
    if len(text) > NOTE_MAX_CHARS:
        raise Invalid({field: [_("Please keep this under %(max)d characters.") % {"max": NOTE_MAX_CHARS}]})
    return text


def _rate_limit(user: Any) -> None:
    """At most CHAT_RATE_LIMIT messages per person in any CHAT_RATE_WINDOW seconds (in the shared
    cache: Redis when configured, so the limit holds across servers)."""
    limit, window = settings.CHAT_RATE_LIMIT, settings.CHAT_RATE_WINDOW
    bucket = int(timezone.now().timestamp()) // window
    key = f"chat-rate:{user.pk}:{bucket}"
    try:
        cache.add(key, 0, timeout=window * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window * 2)
            count = 1
    except Exception:  # the cache (Redis) is away: let the message through rather than lose it
        logger.warning("chat rate limit unavailable", exc_info=True)
        return
    if count > limit:
        raise NotAllowed(REASON_SLOW_DOWN)


def write_event(conversation: Conversation, text: str, *, closes: int | None = None) -> Message:
    """A line the service writes into the conversation ("Sam joined"), with the next number."""
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=F("last_seq") + 1)
    seq = Conversation.objects.values_list("last_seq", flat=True).get(pk=conversation.pk)
    conversation.last_seq = seq
    message = Message.objects.create(conversation=conversation, seq=seq, kind=MessageKind.EVENT, body=text)
    live.push_message(conversation.pk, message_frame(message, sender=None), closes=closes)
    return message


def push_state(conversation: Conversation, **extra: Any) -> None:
    """Tell everyone on the conversation that its state changed (status, listener, escalation)."""
    frame = {"type": "state", "status": conversation.status, **extra}
    live.push_after_commit(live.conversation_group(conversation.pk), live.frame_event(frame))


def _queue_changed() -> None:
    live.push_after_commit(live.QUEUE_GROUP, live.frame_event({"type": "queue_changed"}))


def _enqueue_after_commit(task: Any, *, delay: timedelta | None = None, **kwargs: Any) -> None:
    def enqueue() -> None:
        (task.using(run_after=timezone.now() + delay) if delay else task).enqueue(**kwargs)

    transaction.on_commit(enqueue)


# --- Asking for support and the queue --------------------------------------------------------


@transaction.atomic
def support_request(
    *,
    actor: User,
    language: str,
    topic: str = "",
    first_message: str = "",
    client_id: str = "",
    preferred_listener: User | None = None,
    urgent: bool = False,
) -> SupportRequest:
    """A member asks for a listener. The chat exists at once (they can write while waiting).
    `urgent`: "talk to a listener now" from the support panel, ahead of everyone not urgent."""
    from alongside.chat import tasks  # tasks import services

    require(check_request_support_permission(actor), REASON_ALREADY_WAITING)
    errors: dict[str, list[str]] = {}
    if language not in _languages():
        errors["language"] = [_("Choose a language you'd like to talk in.")]
    if topic and topic not in Topic.values:
        errors["topic"] = [_("Choose one of the topics, or leave it empty.")]
    if preferred_listener is not None and not _talked_before(member=actor, listener=preferred_listener):
        errors["listener"] = [_("You can ask again only for a listener you have talked with.")]
    if errors:
        raise Invalid(errors)
    now = timezone.now()
    conversation = Conversation.objects.create(member=actor, topic=topic, language=language)
    Participant.objects.create(conversation=conversation, user=actor, role=ParticipantRole.MEMBER)
    request = SupportRequest.objects.create(
        conversation=conversation,
        member=actor,
        topic=topic,
        language=language,
        preferred_listener=preferred_listener,
        preferred_until=now + timedelta(seconds=settings.CHAT_PREFERRED_LISTENER_WAIT) if preferred_listener else None,
        urgent=urgent,
        created_at=now,
        queued_at=now,
    )
    if first_message.strip():
        message_send(actor=actor, viewer=_viewer(actor, conversation), body=first_message, client_id=client_id)
    _enqueue_after_commit(
        tasks.request_unanswered, delay=timedelta(seconds=settings.CHAT_REQUEST_UNANSWERED_AFTER), request_id=request.pk
    )
    if preferred_listener is not None:
        _enqueue_after_commit(tasks.queue_match, delay=timedelta(seconds=settings.CHAT_PREFERRED_LISTENER_WAIT + 1))
    transaction.on_commit(queue_match_now)
    _queue_changed()
    return request


def _viewer(user: User, conversation: Conversation) -> ChatViewer:
    return ChatViewer(user, conversation, Participant.objects.get(conversation=conversation, user=user))


def _talked_before(*, member: User, listener: User) -> bool:
    return Conversation.objects.filter(
        member=member,
        kind=ConversationKind.SUPPORT,
        participants__user=listener,
        participants__role=ParticipantRole.LISTENER,
    ).exists()


def queue_match_now() -> None:
    """Match right after a change (a request, a listener coming online, a chat ending)."""
    queue_match()


@transaction.atomic
def queue_match() -> list[SupportRequest]:
    """Give waiting requests to listeners: the longest-waiting request first, each to an online,
    approved listener with room for another chat who listens in the request's language (and, where
    one is free, on its topic), spreading load: fewest open chats first, then the one who was
    given a chat longest ago. Urgent requests ("talk to a listener now") go first. A request for a
    particular listener waits for them alone until `preferred_until`. Returns the requests it assigned."""
    now = timezone.now()
    listeners = list(
        ListenerProfile.objects.filter(status=ListenerStatus.APPROVED, is_online=True, user__is_active=True)
        .select_related("user")
        .annotate(
            open_chats=Count(
                "user__listening_chats",
                filter=Q(
                    user__listening_chats__status=ConversationStatus.ACTIVE, user__listening_chats__kind="support"
                ),
            )
        )
    )
    free = {p.user_id: p.capacity - p.open_chats for p in listeners}
    listeners = [p for p in listeners if free[p.user_id] > 0]
    if not listeners:
        return []
    assigned = []
    waiting = (
        SupportRequest.objects.select_for_update()
        .filter(status=RequestStatus.WAITING)
        .order_by("-urgent", "queued_at", "pk")
    )
    for request in waiting.select_related("conversation", "member"):
        candidates = [
            p
            for p in listeners
            if free[p.user_id] > 0
            and request.language in (p.languages or [])
            and p.user_id not in (request.member_id, request.handed_over_by_id, request.conversation.listener_id)
            and not blocked_between(request.member, p.user)
        ]
        if request.preferred_listener_id and request.preferred_until and request.preferred_until > now:
            candidates = [p for p in candidates if p.user_id == request.preferred_listener_id]
        if not candidates:
            continue
        epoch = now - timedelta(days=36500)
        best = min(
            candidates,
            key=lambda p: (
                request.topic not in (p.topics or []) if request.topic else False,
                p.capacity - free[p.user_id],
                p.last_assigned_at or epoch,
            ),
        )
        _assign(request, best)
        free[best.user_id] -= 1
        assigned.append(request)
    return assigned


def _assign(request: SupportRequest, profile: ListenerProfile) -> None:
    now = timezone.now()
    conversation = request.conversation
    previous = conversation.listener if request.handed_over_by_id else None
    request.status = RequestStatus.ASSIGNED
    request.assigned_at = now
    request.save(update_fields=["status", "assigned_at"])
    conversation.listener = profile.user
    conversation.status = ConversationStatus.ACTIVE
    conversation.started_at = conversation.started_at or now
    conversation.save(update_fields=["listener", "status", "started_at"])
    participant, created = Participant.objects.get_or_create(
        conversation=conversation, user=profile.user, defaults={"role": ParticipantRole.LISTENER}
    )
    if not created and participant.left_at is not None:
        participant.left_at = None
        participant.save(update_fields=["left_at"])
    leaving = Participant.objects.filter(conversation=conversation, user=previous).first() if previous else None
    ListenerProfile.objects.filter(pk=profile.pk).update(last_assigned_at=now)
    name = user_display_name(profile.user)
    write_event(
        conversation,
        _("%(name)s (a listener) joined the chat.") % {"name": name},
        closes=leaving.pk if leaving else None,
    )
    if leaving is not None:  # the listener who handed over reads up to here (this line included)
        Participant.objects.filter(pk=leaving.pk).update(left_at=timezone.now())
    push_state(conversation, listener=name)
    live.push_after_commit(
        live.person_group(profile.user_id),
        live.frame_event({"type": "assigned", "conversation": conversation.pk, "url": f"/chat/{conversation.pk}/"}),
    )
    _queue_changed()


@transaction.atomic
def request_pick(*, actor: User, request_id: int) -> SupportRequest:
    """A listener takes a waiting request from the queue themselves."""
    profile = approved_listener(actor)
    require(profile is not None, REASON_NOT_LISTENER)
    assert profile is not None
    request = (
        SupportRequest.objects.select_for_update()
        .select_related("conversation", "member")
        .filter(pk=request_id, status=RequestStatus.WAITING)
        .first()
    )
    if request is None or request.language not in (profile.languages or []) or blocked_between(actor, request.member):
        raise NotFound(_("Someone else has just taken this request, or it is no longer waiting."))
    require(request.member_id != actor.pk and request.handed_over_by_id != actor.pk, REASON_NOT_LISTENER)
    open_chats = Conversation.objects.filter(listener=actor, status=ConversationStatus.ACTIVE, kind="support").count()
    require(open_chats < profile.capacity, REASON_NO_ROOM)
    _assign(request, profile)
    return request


@transaction.atomic
def request_offer_alternatives(*, request_id: int) -> bool:
    """Timer: a request still waiting after CHAT_REQUEST_UNANSWERED_AFTER is offered other help
    (communities, self-help, the crisis page). It stays in the queue."""
    request = SupportRequest.objects.select_for_update().filter(pk=request_id, status=RequestStatus.WAITING).first()
    if request is None or request.alternatives_offered_at is not None:
        return False
    request.alternatives_offered_at = timezone.now()
    request.save(update_fields=["alternatives_offered_at"])
    live.push_after_commit(
        live.conversation_group(request.conversation_id), live.frame_event({"type": "still_waiting"})
    )
    return True


# --- Messages --------------------------------------------------------------------------------


class _RetryError(Exception):
    def __init__(self, message: Message) -> None:
        self.message = message


def _stored(conversation: Conversation, sender: Any, client_id: str) -> Message | None:
    if not client_id:
        return None
    return Message.objects.filter(conversation=conversation, sender=sender, client_id=client_id).first()


def _next_seq(conversation_id: int) -> tuple[str, int]:
    """Raise the conversation's newest number by one and return (status, number): one statement,
    which also locks the row (PostgreSQL) or the database (SQLite) until the transaction ends."""
    table = Conversation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + 1 WHERE id = %s RETURNING status, last_seq",  # noqa: S608
            [conversation_id],
        )
        status, seq = cursor.fetchone()
    return str(status), int(seq)


def message_send(*, actor: User, viewer: ChatViewer, body: Any, client_id: Any = "") -> SendResult:
    """Store a message (with the next sequence number) and push it; or, when screening says hold,
    store it for review only. A retry with a stored client id returns the stored message."""
    conversation = viewer.conversation
    client_id = _clean_client_id(client_id)
    reason = check_send_permission(viewer)
    if reason:
        existing = _stored(conversation, actor, client_id)  # a retry still gets its answer
        if existing is not None:
            return SendResult(existing, created=False)
        require(conversation.is_room and reason in pause_refusals(), reason)
    text = _clean_body(body)
    _rate_limit(actor)
    supporter = viewer.participant is not None and viewer.participant.role != ParticipantRole.MEMBER
    context = AssessContext.LISTENER_CHAT if supporter else AssessContext.CHAT
    decision = screen_content(text=text, author=actor, kind="message", context=context)
    if reason:  # paused in the room: refused, unless the words read as high risk (then held)
        held = safety_risk.held_not_refused(decision, check="sanction", rule="paused", refusal=reason)
        if held is None:
            raise NotAllowed(reason)
        decision = held
    reasons = decision.stored_reasons()
    try:
        with transaction.atomic():
            # Lock the conversation first: a concurrent retry of the same message is then seen
            # below, and the chat's state is read fresh (the viewer may be minutes old on a socket).
            status, seq = _next_seq(conversation.pk)
            stored = _stored(conversation, actor, client_id)
            if stored is not None:
                raise _RetryError(stored)
            if status == ConversationStatus.ENDED:
                raise NotAllowed(REASON_ENDED)
            if viewer.participant is not None and not conversation.is_room:
                still_in = Participant.objects.filter(pk=viewer.participant.pk, left_at__isnull=True).exists()
                require(still_in, REASON_NOT_IN_CHAT)
            if decision.held:
                Conversation.objects.filter(pk=conversation.pk).update(last_seq=F("last_seq") - 1)
                message = Message.objects.create(
                    conversation=conversation,
                    sender=actor,
                    client_id=client_id,
                    body=text,
                    status=MessageStatus.HELD,
                    screening=reasons,
                )
                return SendResult(message, created=True, support=_raise_risk(decision, actor, conversation, text))
            conversation.last_seq = seq
            message = Message.objects.create(
                conversation=conversation, seq=seq, sender=actor, client_id=client_id, body=text, screening=reasons
            )
            if not conversation.is_room:  # read receipts are for 1:1 chats
                Participant.objects.filter(conversation=conversation, user=actor, last_read_seq__lt=seq).update(
                    last_read_seq=seq
                )
            frame = message_frame(message, sender=viewer.participant or _room_participant(conversation, actor))
            live.push_message(conversation.pk, frame)
            return SendResult(message, created=True, support=_raise_risk(decision, actor, conversation, text))
    except _RetryError as retry:
        return SendResult(retry.message, created=False)


def _raise_risk(decision: Any, actor: User, conversation: Conversation, text: str) -> bool:
    """A risk event for words that read as a concern or worse; True when the writer should see the
    support panel."""
    level = safety_risk.risk_from_screening(
        decision,
        subject=actor,
        source="chat",
        content=text,
        link=reverse("chat:room", args=[conversation.community.slug])
        if conversation.is_room and conversation.community is not None
        else reverse("chat:conversation", args=[conversation.pk]),
        conversation_id=conversation.pk,
    )
    return level is not None and level.shows_support


def _room_participant(conversation: Conversation, user: User) -> Participant:
    participant, _created = Participant.objects.get_or_create(
        conversation=conversation, user=user, defaults={"role": ParticipantRole.MEMBER}
    )
    return participant


def readable_up_to(viewer: ChatViewer) -> int:
    """The newest number this viewer may read: the conversation's newest, or for a listener who
    handed it over, the last before they left."""
    conversation_id = viewer.conversation.pk
    left_at = (
        Participant.objects.filter(pk=viewer.participant.pk).values_list("left_at", flat=True).first()
        if viewer.participant is not None
        else None
    )
    if left_at is None:
        return int(Conversation.objects.values_list("last_seq", flat=True).get(pk=conversation_id))
    last = Message.objects.filter(conversation_id=conversation_id, seq__isnull=False, created_at__lte=left_at)
    return int(last.order_by("-seq").values_list("seq", flat=True).first() or 0)


def conversation_read(*, viewer: ChatViewer, seq: Any) -> int:
    """The viewer has read up to `seq`: a read receipt for the other side. Returns the stored value."""
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise Invalid({"seq": [_("A sequence number is a whole number from 0.")]})
    participant = viewer.participant
    if participant is None:
        return 0
    # Capped at the newest number the viewer may read, read fresh (a socket's copy can be old).
    newest = readable_up_to(viewer)
    seq = min(seq, newest)
    updated = Participant.objects.filter(pk=participant.pk, last_read_seq__lt=seq).update(last_read_seq=seq)
    if updated:
        participant.last_read_seq = seq
        if not viewer.conversation.is_room:
            live.push_after_commit(
                live.conversation_group(viewer.conversation.pk),
                live.frame_event({"type": "read", "role": participant.role, "seq": seq}),
            )
    return participant.last_read_seq


# --- Ending, rating, blocking, reporting -----------------------------------------------------


def _lock(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


@transaction.atomic
def conversation_end(*, actor: User, viewer: ChatViewer) -> Conversation:
    """End a support chat (either side; never done automatically). A waiting request is withdrawn."""
    conversation = _lock(viewer.conversation)
    if conversation.ended and viewer.is_current and not conversation.is_room:
        return conversation  # ending twice (a retry) is not an error
    require(check_end_permission(ChatViewer(actor, conversation, viewer.participant)), REASON_NOT_IN_CHAT)
    conversation.status = ConversationStatus.ENDED
    conversation.ended_at = timezone.now()
    conversation.save(update_fields=["status", "ended_at"])
    SupportRequest.objects.filter(conversation=conversation, status=RequestStatus.WAITING).update(
        status=RequestStatus.CANCELLED
    )
    who = _("The listener") if viewer.is_listener else user_display_name(actor)
    write_event(conversation, _("%(who)s ended the chat.") % {"who": who})
    push_state(conversation)
    _queue_changed()
    transaction.on_commit(queue_match_now)  # the listener has room again
    viewer.conversation.status, viewer.conversation.ended_at = conversation.status, conversation.ended_at
    return conversation


@transaction.atomic
def conversation_rate(*, actor: User, viewer: ChatViewer, stars: Any, feedback: Any = "") -> None:
    """The member's optional rating, stored without a link to the chat or the member."""
    conversation = _lock(viewer.conversation)
    require(check_rate_permission(ChatViewer(actor, conversation, viewer.participant)), REASON_RATE_ONCE)
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise Invalid({"stars": [_("Choose from 1 to 5 stars.")]})
    text = feedback.strip() if isinstance(feedback, str) else ""
    if len(text) > FEEDBACK_MAX_CHARS:
        raise Invalid(
            {"feedback": [_("Please keep your feedback under %(max)d characters.") % {"max": FEEDBACK_MAX_CHARS}]}
        )
    assert conversation.listener is not None
    Rating.objects.create(listener=conversation.listener, stars=stars, feedback=text)
    conversation.rated = True
    conversation.save(update_fields=["rated"])
    _check_coaching(conversation.listener)


def _check_coaching(listener: User) -> None:
    """Flag a listener for coaching when their recent ratings fall below the threshold."""
    recent = Rating.objects.filter(listener=listener).order_by("-created_at", "-pk")[: settings.CHAT_COACHING_WINDOW]
    ids = list(recent.values_list("pk", flat=True))
    if len(ids) < settings.CHAT_COACHING_MIN_RATINGS:
        return
    average = Rating.objects.filter(pk__in=ids).aggregate(avg=Avg("stars"))["avg"]
    profile = ListenerProfile.objects.filter(user=listener).first()
    if profile is None:
        return
    if average < settings.CHAT_COACHING_THRESHOLD and profile.coaching_flagged_at is None:
        profile.coaching_flagged_at = timezone.now()
        profile.save(update_fields=["coaching_flagged_at"])
        audit_record(
            actor=None, action="listener.flag_for_coaching", target=profile, data={"recent_average": round(average, 2)}
        )


@transaction.atomic
def person_block(*, actor: User, viewer: ChatViewer) -> Block:
    """Block the other side of the chat: no more messages between them, never matched again. An
    open chat ends (the member can ask for another listener at once)."""
    require(check_block_or_report_permission(viewer), REASON_MEMBER_ONLY)
    conversation = viewer.conversation
    other = conversation.listener if viewer.is_member else conversation.member
    require(other is not None, REASON_MEMBER_ONLY)  # nobody has joined yet: nobody to block
    assert other is not None
    block, _created = account_services.person_block(actor=actor, person=other)
    if not conversation.ended and viewer.is_current:  # a listener who handed over ends nobody's chat
        locked = _lock(conversation)
        locked.status, locked.ended_at = ConversationStatus.ENDED, timezone.now()
        locked.save(update_fields=["status", "ended_at"])
        SupportRequest.objects.filter(conversation=conversation, status=RequestStatus.WAITING).update(
            status=RequestStatus.CANCELLED
        )
        write_event(locked, _("This chat has ended."))
        push_state(locked)
        conversation.status = locked.status
        transaction.on_commit(queue_match_now)
    return block


@transaction.atomic
def person_report(*, actor: User, viewer: ChatViewer, reason: Any) -> ChatReport:
    require(check_block_or_report_permission(viewer), REASON_MEMBER_ONLY)
    conversation = viewer.conversation
    other = conversation.listener if viewer.is_member else conversation.member
    report = ChatReport.objects.create(
        conversation=conversation,
        reporter=actor,
        reported=other,
        reason=clean_note(reason, field="reason", required=True),
    )
    audit_record(actor=actor, action="chat.report", target=report)
    return report


@transaction.atomic
def chat_report_resolve(*, actor: User, report_id: Any, note: Any) -> ChatReport:
    """A site moderator answers a report about a person in a chat (the moderation queue tells the
    reporter). NotFound for anyone else and for a report that does not exist."""
    if not check_handle_chat_reports(actor):
        raise NotFound()
    try:
        report = ChatReport.objects.select_for_update().get(pk=int(report_id))
    except (TypeError, ValueError, ChatReport.DoesNotExist):
        raise NotFound() from None
    if report.resolved_at is not None:
        raise Invalid({"__all__": [_("Someone has already dealt with this. Nothing has changed.")]})
    report.outcome = clean_note(note, field="note", required=True)
    report.resolved_at, report.resolved_by = timezone.now(), actor
    report.save(update_fields=["outcome", "resolved_at", "resolved_by"])
    audit_record(actor=actor, action="chat.report.resolved", target=report)
    return report


# --- The listener's tools: handing over, asking responders for help ---------------------------


def _back_in_queue(request: SupportRequest, *, handed_over_by: User | None) -> None:
    """Waiting again, for any listener, at its old place in the queue. `handed_over_by`: the
    listener who stays until the next one joins (None: nobody stays)."""
    request.status = RequestStatus.WAITING
    request.handed_over_by = handed_over_by
    request.preferred_listener = None
    request.queued_at = request.created_at
    request.save(update_fields=["status", "handed_over_by", "preferred_listener", "queued_at"])


@transaction.atomic
def conversation_hand_over(*, actor: User, viewer: ChatViewer, note: Any = "") -> SupportRequest:
    """Put the chat back in the queue (at its old place) for another listener; the listener stays
    in it until the next one joins."""
    require(check_listener_action_permission(viewer), REASON_LISTENER_ONLY)
    conversation = _lock(viewer.conversation)
    request = SupportRequest.objects.select_for_update().get(conversation=conversation)
    require(request.status != RequestStatus.WAITING, REASON_LISTENER_ONLY)
    _back_in_queue(request, handed_over_by=actor)
    audit_record(actor=actor, action="chat.hand_over", target=conversation, reason=clean_note(note))
    write_event(conversation, _("The listener is bringing in another listener, and stays until they join."))
    _queue_changed()
    transaction.on_commit(queue_match_now)
    return request


@transaction.atomic
def listener_chats_hand_back(*, user_id: int) -> int:
    """A listener was suspended (moderation.sanctions): they can write nowhere now, so every chat
    they are listening in goes back to the queue at its old place, they stop reading it at once,
    and the member is told kindly. They go offline. Returns how many chats went back."""
    requests = SupportRequest.objects.select_for_update(of=("self",)).filter(
        status=RequestStatus.ASSIGNED,
        conversation__listener_id=user_id,
        conversation__status=ConversationStatus.ACTIVE,
    )
    handed = 0
    for request in requests.select_related("conversation"):
        _back_in_queue(request, handed_over_by=None)  # they leave now, not when the next one joins
        conversation = request.conversation
        write_event(
            conversation, _("Your listener had to step away. You keep your place: another listener will join you here.")
        )
        Participant.objects.filter(conversation=conversation, user_id=user_id).update(left_at=timezone.now())
        push_state(conversation)
        handed += 1
    ListenerProfile.objects.filter(user_id=user_id).update(is_online=False, online_since=None)
    if handed:
        _queue_changed()
        transaction.on_commit(queue_match_now)
    return handed


@transaction.atomic
def conversation_escalate(*, actor: User, viewer: ChatViewer, note: Any = "") -> Escalation:
    """Ask responders for help. The listener stays; the member is shown the crisis page beside the
    chat; nothing ends the chat."""
    require(check_listener_action_permission(viewer), REASON_LISTENER_ONLY)
    conversation = _lock(viewer.conversation)
    escalation = Escalation.objects.create(
        conversation=conversation, raised_by=actor, note=clean_note(note), up_to_seq=conversation.last_seq
    )
    conversation.escalated_at = conversation.escalated_at or escalation.created_at
    conversation.save(update_fields=["escalated_at"])
    audit_record(actor=actor, action="chat.escalate", target=escalation, data={"conversation": conversation.pk})
    if conversation.member is not None:
        safety_risk.risk_from_escalation(
            subject=conversation.member,
            listener=actor,
            note=escalation.note,
            link=reverse("chat:conversation", args=[conversation.pk]),
            conversation_id=conversation.pk,
        )
    push_state(conversation, escalated=True)
    return escalation


# --- The support panel and responders (called by the safety app) ------------------------------


@transaction.atomic
def support_request_now(*, actor: User, language: str) -> Conversation:
    """ "Talk to a listener now" from the support panel: the member's open chat if they have one
    (a waiting request moves to the front of the queue), else a new urgent request."""
    open_chat = (
        Conversation.objects.filter(member=actor, kind=ConversationKind.SUPPORT)
        .exclude(status=ConversationStatus.ENDED)
        .first()
    )
    if open_chat is not None:
        if SupportRequest.objects.filter(conversation=open_chat, status=RequestStatus.WAITING, urgent=False).update(
            urgent=True
        ):
            transaction.on_commit(queue_match_now)
            _queue_changed()
        return open_chat
    if language not in _languages():
        language = settings.LANGUAGE_CODE.split("-")[0]
    return support_request(actor=actor, language=language, urgent=True).conversation


@transaction.atomic
def outreach_open(*, responder: User, member: User) -> Conversation:
    """A responder reaches out: a private chat between them and the member (their open one if it
    exists). The member is told in their notifications; nothing else shows it to anyone."""
    open_chat = (
        Conversation.objects.filter(kind=ConversationKind.OUTREACH, member=member, listener=responder)
        .exclude(status=ConversationStatus.ENDED)
        .first()
    )
    if open_chat is not None:
        return open_chat
    now = timezone.now()
    conversation = Conversation.objects.create(
        kind=ConversationKind.OUTREACH,
        status=ConversationStatus.ACTIVE,
        member=member,
        listener=responder,
        created_at=now,
        started_at=now,
    )
    Participant.objects.create(conversation=conversation, user=member, role=ParticipantRole.MEMBER)
    Participant.objects.create(conversation=conversation, user=responder, role=ParticipantRole.RESPONDER)
    write_event(
        conversation,
        _("%(name)s from the support team started this private chat to check in with you.")
        % {"name": user_display_name(responder)},
    )
    return conversation


@transaction.atomic
def responder_join(*, responder: User, conversation_id: int) -> Conversation:
    """A responder joins a listener's chat (one a listener escalated) beside the listener."""
    conversation = _lock(Conversation.objects.get(pk=conversation_id, kind=ConversationKind.SUPPORT))
    require(not conversation.ended, REASON_ENDED)
    participant, created = Participant.objects.get_or_create(
        conversation=conversation, user=responder, defaults={"role": ParticipantRole.RESPONDER}
    )
    if created or participant.left_at is not None:
        Participant.objects.filter(pk=participant.pk).update(left_at=None)
        write_event(
            conversation,
            _("%(name)s from the support team joined to help.") % {"name": user_display_name(responder)},
        )
        push_state(conversation)
    return conversation


# --- Listeners on duty ----------------------------------------------------------------------


@transaction.atomic
def listener_online_set(*, actor: User, online: bool) -> ListenerProfile:
    profile = approved_listener(actor)
    require(profile is not None, REASON_NOT_LISTENER)
    assert profile is not None
    profile.is_online = online
    profile.online_since = timezone.now() if online else None
    profile.save(update_fields=["is_online", "online_since", "updated_at"])
    if online:
        transaction.on_commit(queue_match_now)
    return profile


@transaction.atomic
def listener_socket_opened(*, user: Any) -> None:
    ListenerProfile.objects.filter(user_id=user.pk).update(
        open_sockets=F("open_sockets") + 1, last_seen_at=timezone.now()
    )


@transaction.atomic
def listener_socket_closed(*, user: Any) -> None:
    """The listener's desk closed; if no other is open after the grace period, they go offline."""
    from alongside.chat import tasks

    ListenerProfile.objects.filter(user_id=user.pk, open_sockets__gt=0).update(
        open_sockets=F("open_sockets") - 1, last_seen_at=timezone.now()
    )
    _enqueue_after_commit(
        tasks.listener_grace_over, delay=timedelta(seconds=settings.CHAT_LISTENER_GRACE), user_id=user.pk
    )


@transaction.atomic
def listener_grace_over(*, user_id: int) -> bool:
    """Timer: take a listener offline if none of their desks came back. True if they went offline."""
    profile = ListenerProfile.objects.select_for_update().filter(user_id=user_id, is_online=True).first()
    if profile is None or profile.open_sockets > 0:
        return False
    profile.is_online = False
    profile.online_since = None
    profile.save(update_fields=["is_online", "online_since", "updated_at"])
    return True


__all__ = [
    "SendResult",
    "conversation_end",
    "conversation_escalate",
    "conversation_hand_over",
    "conversation_rate",
    "conversation_read",
    "listener_chats_hand_back",
    "listener_grace_over",
    "listener_online_set",
    "listener_socket_closed",
    "listener_socket_opened",
    "message_send",
    "person_block",
    "person_report",
    "queue_match",
    "request_offer_alternatives",
    "request_pick",
    "support_request",
]
