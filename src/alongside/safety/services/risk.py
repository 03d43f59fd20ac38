"""Risk events: raised from screening, a listener's escalation or a member's worry; worked by responders.

- Raising: `risk_from_screening` (a service saved something the crisis check rated `concern` or
  worse), `risk_from_escalation` (a listener asked responders for help in a chat), `worry_report`
  (a member is worried about someone). Words added while an event about the same place is still
  open join that event (raising its level if need be) instead of opening another.
- Alerting: every on-duty responder's open pages hear `{"type": "risk_queue", "open": N}` after
  commit (the header's count and the queue follow it). An unacknowledged `crisis` event alerts them
  again every SAFETY_REALERT_MINUTES, in the task worker, up to SAFETY_REALERT_MAX times.
- Working: acknowledge, reach out (a private chat on the chat app's machinery), join a listener's
  chat, escalate, close as handled or as a false alarm. Every step is kept on the event for the
  responders and written to the audit log.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.core import live
from alongside.core.audit import audit_record
from alongside.core.errors import Invalid, NotAllowed, RateLimited, require
from alongside.core.models import ScreeningAction
from alongside.core.screening import ScreeningDecision, ScreeningReason
from alongside.safety.access.risk import REASON_CLOSED, RESPONDER_ROLES, check_worry_permission
from alongside.safety.enums import AssessContext, RiskLevel
from alongside.safety.models import OPEN_STATUSES, Responder, RiskAction, RiskEvent, RiskSource, RiskStatus
from alongside.safety.screening import CHECK

logger = logging.getLogger(__name__)

NOTE_MAX_CHARS = 2000
CONTENT_MAX_CHARS = 8000
REASON_TOO_MANY_WORRIES = _(
    "You've shared a few worries today already; our responders are looking at them. "
    "If someone is in danger right now, please call your local emergency number."
)


def _note(value: Any, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise Invalid({"note": [_("Please say a few words about what you did or saw.")]})
    if len(text) > NOTE_MAX_CHARS:
        raise Invalid({"note": [_("Please keep this under %(max)d characters.") % {"max": NOTE_MAX_CHARS}]})
    return text


# --- Alerting -------------------------------------------------------------------------------


def responder_duty_give(*, actor: Any, user: Any) -> Responder:
    """Give a moderator, clinician or administrator the responder duty (on duty); audited. The admin
    does the same through its own form."""
    require(user.role in RESPONDER_ROLES, _("Only moderators, clinicians and administrators can be responders."))
    duty, _created = Responder.objects.update_or_create(user=user, defaults={"on_duty": True})
    audit_record(actor=actor, action="safety.responder.duty_set", target=duty, data={"on": True})
    return duty


def responder_ids() -> list[int]:
    return list(Responder.objects.filter(on_duty=True, user__is_active=True).values_list("user_id", flat=True))


def open_count() -> int:
    """Events nobody has picked up yet: the number on every responder's header."""
    return RiskEvent.objects.filter(status=RiskStatus.OPEN).count()


def _push_queue(event: RiskEvent) -> None:
    """After commit: every on-duty responder's open pages hear the new count (no names, no words)."""

    def push() -> None:
        frame = {"type": "risk_queue", "open": open_count(), "event": event.pk, "level": event.level}
        live.send_now([live.person_group(user_id) for user_id in responder_ids()], live.frame_event(frame))

    transaction.on_commit(push)


def _schedule_realert(event: RiskEvent) -> None:
    from alongside.safety import tasks  # tasks import services

    def enqueue() -> None:
        run_after = timezone.now() + timedelta(minutes=settings.SAFETY_REALERT_MINUTES)
        tasks.risk_realert.using(run_after=run_after).enqueue(event_id=event.pk)

    transaction.on_commit(enqueue)


def _record(
    event: RiskEvent, kind: str, *, actor: Any = None, note: str = "", data: dict[str, Any] | None = None
) -> None:
    RiskAction.objects.create(event=event, actor=actor, kind=kind, note=note)
    audit_record(actor=actor, action=f"safety.risk.{kind}", target=event, data={"level": event.level, **(data or {})})


# --- Raising --------------------------------------------------------------------------------


def _raise(
    *,
    subject: Any,
    source: str,
    level: RiskLevel,
    score: float | None,
    assessment: dict[str, Any],
    content: str,
    link: str,
    target_type: str = "",
    target_id: int | None = None,
    conversation_id: int | None = None,
    reporter: Any = None,
    note: str = "",
) -> RiskEvent:
    """Open an event, or add to the open one about the same place (a chat, a post) and person."""
    content = content[:CONTENT_MAX_CHARS]
    same_place = RiskEvent.objects.select_for_update().filter(
        subject=subject, source=source, status__in=OPEN_STATUSES, reporter=reporter
    )
    same_place = (
        same_place.filter(conversation_id=conversation_id)
        if conversation_id is not None
        else same_place.filter(target_type=target_type, target_id=target_id)
    )
    event = same_place.order_by("-created_at").first() if (target_id or conversation_id) else None
    now = timezone.now()
    if event is not None:
        was_crisis = event.level == RiskLevel.CRISIS
        if level.rank > event.level_rank:
            event.level, event.level_rank, event.score, event.assessment = level, level.rank, score, assessment
        event.content = f"{event.content}\n\n{content}".strip()[-CONTENT_MAX_CHARS:]
        event.note = f"{event.note}\n\n{note}".strip() if note else event.note
        event.updated_at = now
        event.save()
        _record(event, RiskAction.Kind.UPDATED, data={"source": source})
        if event.level == RiskLevel.CRISIS and not was_crisis:
            _schedule_realert(event)
        _push_queue(event)
        return event
    event = RiskEvent.objects.create(
        subject=subject,
        source=source,
        level=level,
        level_rank=level.rank,
        score=score,
        assessment=assessment,
        content=content,
        note=note,
        link=link[:200],
        target_type=target_type,
        target_id=target_id,
        conversation_id=conversation_id,
        reporter=reporter,
        created_at=now,
        updated_at=now,
    )
    _record(event, RiskAction.Kind.RAISED, data={"source": source})
    if level == RiskLevel.CRISIS:
        _schedule_realert(event)
    _push_queue(event)
    return event


def risk_from_screening(
    decision: ScreeningDecision,
    *,
    subject: Any,
    source: str,
    content: str,
    link: str,
    target: Any = None,
    conversation_id: int | None = None,
) -> RiskLevel | None:
    """Call after saving what `decision` screened: raises a risk event when the crisis check rated
    it `concern` or worse, and returns that level (None: nothing to act on). Inside the caller's
    transaction, so the event exists exactly when the content does."""
    reason = decision.reason_from(CHECK)
    if reason is None or subject is None:
        return None
    level = RiskLevel(reason.rule)
    _raise(
        subject=subject,
        source=RiskSource(source),
        level=level,
        score=reason.score,
        assessment=dict(reason.data or {}),
        content=content,
        link=link,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        conversation_id=conversation_id,
    )
    return level


def risk_from_questionnaire(*, subject: Any, answer: int, question: str, link: str) -> RiskEvent:
    """A member answered a questionnaire's question about thoughts of death or self-harm (PHQ-9 item
    9) above "not at all": an event for the responders, `crisis` for "nearly every day", else `high`.
    The member was told before starting that this happens. Only the question and the answer are
    stored with it, never the rest of the questionnaire."""
    level = RiskLevel.CRISIS if answer >= 3 else RiskLevel.HIGH
    return _raise(
        subject=subject,
        source=RiskSource.QUESTIONNAIRE,
        level=level,
        score=None,
        assessment={"question": question, "answer": answer},
        content=f"{question}: {answer} of 3",
        link=link,
    )


def risk_from_escalation(*, subject: Any, listener: Any, note: str, link: str, conversation_id: int) -> RiskEvent:
    """A listener asked responders for help: a `crisis`-priority event with the conversation's
    reference, so a responder can join the chat beside the listener."""
    return _raise(
        subject=subject,
        source=RiskSource.ESCALATION,
        level=RiskLevel.CRISIS,
        score=None,
        assessment={"listener": listener.pk},
        content="",
        link=link,
        conversation_id=conversation_id,
        note=note,
    )


@transaction.atomic
def worry_report(
    *,
    actor: Any,
    subject: Any,
    source: str,
    content: str,
    link: str,
    note: Any = "",
    target: Any = None,
    conversation_id: int | None = None,
) -> RiskEvent:
    """A member says they are worried about someone. It raises a risk event (at least `concern`,
    higher when the words themselves read so) and never sends anything to the person. At most
    SAFETY_WORRY_REPORTS_PER_DAY a day per member; a second report of the same place while the
    first is open adds to it."""
    require(not check_worry_permission(actor, subject), check_worry_permission(actor, subject))
    note = _note(note)
    since = timezone.now() - timedelta(days=1)
    if RiskEvent.objects.filter(reporter=actor, created_at__gte=since).count() >= settings.SAFETY_WORRY_REPORTS_PER_DAY:
        raise RateLimited(REASON_TOO_MANY_WORRIES)
    from alongside.safety.classifier import assess  # the classifier loads its model on first use

    context = AssessContext.CHAT if source == RiskSource.CHAT else AssessContext.POST
    assessment = assess(content, context=context) if content.strip() else None
    level = RiskLevel.CONCERN
    if assessment is not None and assessment.level.rank > level.rank:
        level = assessment.level
    return _raise(
        subject=subject,
        source=RiskSource.WORRY,
        level=level,
        score=assessment.score if assessment is not None else None,
        assessment={"worry_about": source, **(assessment.as_dict() if assessment is not None else {})},
        content=content,
        link=link,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        conversation_id=conversation_id,
        reporter=actor,
        note=note,
    )


# --- Working an event -----------------------------------------------------------------------


def reads_as_high_risk(decision: ScreeningDecision) -> bool:
    """Whether the crisis check read screened words as `high` or `crisis` (the writer sees the panel)."""
    reason = decision.reason_from(CHECK)
    return reason is not None and RiskLevel(reason.rule).shows_support


def held_not_refused(decision: ScreeningDecision, *, check: str, rule: str, refusal: str) -> ScreeningDecision | None:
    """For words a rule refuses (a new account's link, a sanction's pause): None when the caller
    should refuse them (with `refusal`), or, when the crisis check reads them as high risk, the
    decision to hold them for a moderator instead (unseen by others), naming the rule: words in
    crisis are never turned away. The caller stores them and raises the risk event as for any."""
    if not reads_as_high_risk(decision):
        return None
    held = ScreeningReason(check=check, action=ScreeningAction.HOLD, rule=rule, detail=refusal)
    return ScreeningDecision(action=ScreeningAction.HOLD, reasons=[*decision.reasons, held])


def _locked_open(event: RiskEvent) -> RiskEvent:
    locked = RiskEvent.objects.select_for_update().get(pk=event.pk)
    require(locked.is_open, REASON_CLOSED)
    return locked


def _acknowledge(event: RiskEvent, actor: Any) -> None:
    if event.status == RiskStatus.OPEN:
        event.status, event.acknowledged_by, event.acknowledged_at = RiskStatus.ACKNOWLEDGED, actor, timezone.now()
        event.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
        _record(event, RiskAction.Kind.ACKNOWLEDGED, actor=actor)
        _push_queue(event)


@transaction.atomic
def risk_acknowledge(*, actor: Any, event: RiskEvent) -> RiskEvent:
    """ "I'm on it": stops the re-alerts, and tells the other responders someone has it."""
    event = _locked_open(event)
    _acknowledge(event, actor)
    return event


@transaction.atomic
def risk_reach_out(*, actor: Any, event: RiskEvent) -> int:
    """Open (or return) a private chat between the responder and the person; its id. The person is
    told in their notifications that someone from the support team would like to check in."""
    from alongside.chat.services import conversations as chat_services  # chat's services import ours
    from alongside.notifications.services import notification_create

    event = _locked_open(event)
    _acknowledge(event, actor)
    conversation = chat_services.outreach_open(responder=actor, member=event.subject)
    if event.outreach_conversation_id != conversation.pk:
        event.outreach_conversation_id = conversation.pk
        event.save(update_fields=["outreach_conversation_id"])
        _record(event, RiskAction.Kind.REACHED_OUT, actor=actor, data={"conversation": conversation.pk})
        notification_create(
            recipient=event.subject,
            kind="note",
            actor_label="",
            subject=_("Someone from the support team would like to check in with you."),
            url=reverse("chat:conversation", args=[conversation.pk]),
            target=event,
        )
    return conversation.pk


@transaction.atomic
def risk_join_chat(*, actor: Any, event: RiskEvent) -> int:
    """Join the listener's chat an escalation came from, beside the listener; the chat's id."""
    from alongside.chat.services import conversations as chat_services

    event = _locked_open(event)
    require(event.conversation_id is not None and event.source == RiskSource.ESCALATION, NotAllowed.default_message())
    assert event.conversation_id is not None
    _acknowledge(event, actor)
    chat_services.responder_join(responder=actor, conversation_id=event.conversation_id)
    _record(event, RiskAction.Kind.JOINED_CHAT, actor=actor, data={"conversation": event.conversation_id})
    return event.conversation_id


@transaction.atomic
def risk_escalate(*, actor: Any, event: RiskEvent, note: Any) -> RiskEvent:
    """Needs more than this responder: back to the top of everyone's queue at `crisis`, open again."""
    note = _note(note, required=True)
    event = _locked_open(event)
    event.status, event.acknowledged_by, event.acknowledged_at = RiskStatus.OPEN, None, None
    event.level, event.level_rank, event.escalated_at = RiskLevel.CRISIS, RiskLevel.CRISIS.rank, timezone.now()
    event.save()
    _record(event, RiskAction.Kind.ESCALATED, actor=actor, note=note)
    _schedule_realert(event)
    _push_queue(event)
    return event


@transaction.atomic
def risk_close(*, actor: Any, event: RiskEvent, note: Any, false_alarm: bool = False) -> RiskEvent:
    """Handled (with a note of what was done), or a false alarm (which the evaluation counts)."""
    note = _note(note, required=not false_alarm)
    event = _locked_open(event)
    event.status = RiskStatus.FALSE_ALARM if false_alarm else RiskStatus.HANDLED
    event.closed_by, event.closed_at = actor, timezone.now()
    event.save(update_fields=["status", "closed_by", "closed_at"])
    _record(event, RiskAction.Kind.FALSE_ALARM if false_alarm else RiskAction.Kind.HANDLED, actor=actor, note=note)
    _push_queue(event)
    return event


# --- Re-alerting (the task worker) ----------------------------------------------------------


@transaction.atomic
def risk_realert(*, event_id: int) -> bool:
    """A `crisis` event nobody has picked up: alert every on-duty responder again, with an item in
    their notifications too (a page may be closed), and look again later. False: nothing to do."""
    from alongside.notifications.services import notification_create

    event = RiskEvent.objects.select_for_update().filter(pk=event_id).first()
    if event is None or event.status != RiskStatus.OPEN or event.level != RiskLevel.CRISIS:
        return False
    waited = int((timezone.now() - (event.escalated_at or event.created_at)).total_seconds() // 60)
    RiskEvent.objects.filter(pk=event.pk).update(alerts_sent=F("alerts_sent") + 1)
    event.refresh_from_db(fields=["alerts_sent"])
    _record(event, RiskAction.Kind.REALERTED, data={"alert": event.alerts_sent})
    text = _("A crisis alert has waited %(minutes)d minutes with nobody on it.") % {"minutes": waited}
    url = reverse("responders:event", args=[event.pk])
    for recipient in get_user_model().objects.filter(pk__in=responder_ids()):
        notification_create(recipient=recipient, kind="note", actor_label="", subject=text, url=url, target=event)
    _push_queue(event)
    if event.alerts_sent <= settings.SAFETY_REALERT_MAX:
        _schedule_realert(event)
    return True
