"""JSON API for reports and blocks (mobile apps), with the pages' rules (`moderation/access.py`):
report a post or reply you can read, see your own reports and what became of them, block a post's
writer (and undo it), and, for moderators, the review queue and deciding; for a community's hosts,
its rules (read, save, try on recent posts); sanctions (warn, mute, ban, suspend) and their appeals.
A report whose reason is `crisis` goes to the safety responders (as "I'm worried about this
person"), never to the moderators."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from alongside.accounts import selectors as account_selectors
from alongside.accounts.selectors import user_display_name
from alongside.chat import selectors as chat_selectors
from alongside.communities import selectors as community_selectors
from alongside.communities.services import post_url
from alongside.core.api import Id, Input, ListOut, PageNumber, Text, page_of, responses
from alongside.core.errors import Invalid, NotFound, require
from alongside.moderation import access, log, rules, sanctions, selectors, services
from alongside.moderation.automod import Outcome, RuleSyntaxError, parse_rules
from alongside.moderation.enums import ReportReason, SanctionKind
from alongside.moderation.selectors import ReportedPost
from alongside.safety.services import risk as safety

if TYPE_CHECKING:
    from alongside.accounts.models import Block, User
    from alongside.chat.models import ChatReport
    from alongside.moderation.models import Appeal, MessageReport, Report, RuleSet, Sanction

router = Router(tags=["reports"])
PER_PAGE = 50


def _me(request: HttpRequest) -> User:
    return cast("User", request.auth)  # type: ignore[attr-defined]


class ReportIn(Input):
    post: Id
    reason: ReportReason
    note: Text = Field("", max_length=services.NOTE_MAX_CHARS)


class ReportOut(Schema):
    id: int | None = Field(..., description="None when the report went to the safety responders.")
    sent_to: Literal["moderators", "responders"]
    post: int
    community: str
    reason: str
    status: str = Field(..., description="`open`, `removed` or `kept`.")
    outcome_reason: str = Field("", description="What the moderator said, once decided.")
    created_at: datetime | None
    decided_at: datetime | None = None

    @staticmethod
    def of(report: Report) -> ReportOut:
        return ReportOut(
            id=report.pk,
            sent_to="moderators",
            post=report.post_id,
            community=report.community.slug,
            reason=report.reason,
            status=report.status,
            outcome_reason=report.outcome_reason,
            created_at=report.created_at,
            decided_at=report.decided_at,
        )


class QueueEntryOut(Schema):
    report: int = Field(..., description="The first report of the post: decide through it.")
    post: int
    community: str
    body: str
    reports: int
    reasons: dict[str, int]
    notes: list[str]
    upsetting: bool = Field(..., description="Self-harm, suicide, violence or abuse: show it only when asked.")
    first_reported_at: datetime
    claimed_by: str | None = Field(..., description="The moderator looking at it now, if anyone.")
    moderator_note: str = Field("", description="A note moderators left for each other.")
    escalated: bool = Field(False, description="Sent up to the site moderators.")
    handed_to_responders: bool = False

    @staticmethod
    def of(entry: ReportedPost) -> QueueEntryOut:
        return QueueEntryOut(
            report=entry.first.pk,
            post=entry.post.pk,
            community=entry.first.community.slug,
            body=entry.post.body,
            reports=entry.count,
            reasons=dict(entry.reasons),
            notes=entry.notes,
            upsetting=entry.upsetting,
            first_reported_at=entry.oldest,
            claimed_by=entry.claimer.username if entry.claimer else None,
            moderator_note=entry.first.moderator_note,
            escalated=entry.escalated,
            handed_to_responders=entry.handed_to_responders,
        )


class DecideIn(Input):
    outcome: Literal["remove", "keep"]
    reason: Text = Field("", max_length=services.NOTE_MAX_CHARS, description="Required to remove; reporters see it.")


class DecidedOut(Schema):
    closed: int = Field(..., description="How many reports of the post closed (each reporter is told).")


@router.post(
    "/reports",
    response=responses({201: ReportOut}, 400, 401, 403, 404, 429),
    summary="Report a post or reply",
    description="The writer is never told who reported. Reporting the same post again while your report "
    "is open changes nothing. `crisis` goes to the safety responders instead of the moderators.",
)
def report_create(request: HttpRequest, payload: ReportIn) -> Status[ReportOut]:
    user = _me(request)
    post, writer_id = community_selectors.post_for_worry(user=user, post_id=payload.post)
    require(writer_id != user.pk, access.REASON_OWN_POST)
    if payload.reason == ReportReason.CRISIS:
        subject = get_user_model().objects.filter(pk=writer_id, is_active=True).first() if writer_id else None
        if subject is None:
            raise NotFound()
        safety.worry_report(
            actor=user,
            subject=subject,
            source="thread" if post.is_opening else "reply",
            content=post.body,
            link=post_url(post),
            note=payload.note,
            target=post,
        )
        out = ReportOut(
            id=None,
            sent_to="responders",
            post=post.pk,
            community=post.thread.community.slug,
            reason=payload.reason,
            status="open",
            outcome_reason="",
            created_at=None,
        )
        return Status(201, out)
    report = services.report_file(actor=user, post=post, writer_id=writer_id, reason=payload.reason, note=payload.note)
    return Status(201, ReportOut.of(report))


@router.get(
    "/reports/mine", response=responses({200: ListOut[ReportOut]}, 401, 403), summary="Your reports, newest first"
)
def reports_mine(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    return page_of(selectors.my_reports(user=_me(request)), page, PER_PAGE, ReportOut.of)


@router.get(
    "/moderation/queue",
    response=responses({200: ListOut[QueueEntryOut]}, 401, 403, 404),
    summary="The review queue (moderators)",
    description="Open reports you may decide, one entry per post, most reported first, then oldest. "
    "Not found for everyone who moderates nothing.",
)
def queue(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    return page_of(selectors.report_queue(viewer=_me(request)), page, PER_PAGE, QueueEntryOut.of)


@router.post(
    "/moderation/reports/{report_id}/decide",
    response=responses({200: DecidedOut}, 400, 401, 403, 404),
    summary="Remove the reported post or leave it up (moderators)",
)
def decide(request: HttpRequest, report_id: int, payload: DecideIn) -> DecidedOut:
    user = _me(request)
    report = access.access_report(user, report_id)
    closed = services.report_decide(
        actor=user, report=report, remove=payload.outcome == "remove", reason=payload.reason
    )
    return DecidedOut(closed=closed)


class ClaimedOut(Schema):
    reports: int = Field(..., description="How many open reports of the post the claim covers (0: nothing changed).")


@router.post(
    "/moderation/reports/{report_id}/claim",
    response=responses({200: ClaimedOut}, 400, 401, 403, 404),
    summary="Claim a queue item so two moderators don't work it at once (moderators)",
    description="Refused (422) while another moderator's claim is fresh (MODERATION_CLAIM_MINUTES).",
)
def claim(request: HttpRequest, report_id: int) -> ClaimedOut:
    user = _me(request)
    report = access.access_report(user, report_id)
    return ClaimedOut(reports=services.report_claim(actor=user, report=report, on=True))


@router.delete(
    "/moderation/reports/{report_id}/claim",
    response=responses({200: ClaimedOut}, 400, 401, 403, 404),
    summary="Let go of your claim on a queue item (moderators)",
)
def release(request: HttpRequest, report_id: int) -> ClaimedOut:
    user = _me(request)
    report = access.access_report(user, report_id)
    return ClaimedOut(reports=services.report_claim(actor=user, report=report, on=False))


class QueueNoteIn(Input):
    note: Text = Field("", max_length=services.NOTE_MAX_CHARS)


@router.post(
    "/moderation/reports/{report_id}/note",
    response=responses({204: None}, 400, 401, 403, 404),
    summary="Leave a note on a queue item for the other moderators (moderators)",
)
def note(request: HttpRequest, report_id: int, payload: QueueNoteIn) -> Status[None]:
    user = _me(request)
    services.report_note(actor=user, report=access.access_report(user, report_id), note=payload.note)
    return Status(204, None)


@router.post(
    "/moderation/reports/{report_id}/escalate",
    response=responses({204: None}, 400, 401, 403, 404),
    summary="Send a queue item up to the site moderators (moderators)",
)
def escalate(request: HttpRequest, report_id: int, payload: QueueNoteIn) -> Status[None]:
    user = _me(request)
    services.report_escalate(actor=user, report=access.access_report(user, report_id), note=payload.note)
    return Status(204, None)


@router.post(
    "/moderation/reports/{report_id}/responders",
    response=responses({204: None}, 400, 401, 403, 404, 429),
    summary="Hand a reported post's writer to the safety responders (moderators)",
    description='As "I\'m worried about this person", with the post. The item stays in the queue for the post.',
)
def to_responders(request: HttpRequest, report_id: int, payload: QueueNoteIn) -> Status[None]:
    user = _me(request)
    services.report_to_responders(actor=user, report=access.access_report(user, report_id), note=payload.note)
    return Status(204, None)


class AwayIn(Input):
    away: bool


@router.put(
    "/moderation/away",
    response=responses({200: AwayIn}, 400, 401, 403, 404),
    summary="Set yourself away, or back (moderators)",
    description="While away you are not re-alerted about waiting items, and appeals go to others first.",
)
def away(request: HttpRequest, payload: AwayIn) -> AwayIn:
    return AwayIn(away=services.away_set(actor=_me(request), on=payload.away))


class MessageReportIn(Input):
    reason: ReportReason
    note: Text = Field("", max_length=services.NOTE_MAX_CHARS)


class MessageReportOut(Schema):
    id: int | None = Field(..., description="None when the report went to the safety responders.")
    sent_to: Literal["moderators", "responders"]
    community: str
    seq: int
    reason: str
    status: str = Field(..., description="`open`, `removed` or `kept`.")
    outcome_reason: str = ""
    created_at: datetime | None
    decided_at: datetime | None = None

    @staticmethod
    def of(report: MessageReport) -> MessageReportOut:
        return MessageReportOut(
            id=report.pk,
            sent_to="moderators",
            community=report.community.slug,
            seq=report.seq,
            reason=report.reason,
            status=report.status,
            outcome_reason=report.outcome_reason,
            created_at=report.created_at,
            decided_at=report.decided_at,
        )


class ReportedMessageOut(Schema):
    report: int = Field(..., description="The first report of the message: decide through it.")
    community: str
    seq: int
    words: str
    reports: int
    reasons: list[str]
    first_reported_at: datetime


@router.post(
    "/rooms/{slug}/messages/{seq}/report",
    response=responses({201: MessageReportOut}, 400, 401, 403, 404, 429),
    summary="Report someone else's message in a community's live room",
    description="The writer is never told who reported. `crisis` goes to the safety responders instead.",
)
def message_report(request: HttpRequest, slug: str, seq: int, payload: MessageReportIn) -> Status[MessageReportOut]:
    report = services.message_report_file(
        actor=_me(request), slug=slug, seq=seq, reason=payload.reason, note=payload.note
    )
    if report is None:
        out = MessageReportOut(
            id=None,
            sent_to="responders",
            community=slug,
            seq=seq,
            reason=payload.reason,
            status="open",
            created_at=None,
        )
        return Status(201, out)
    return Status(201, MessageReportOut.of(report))


@router.get(
    "/moderation/message-reports",
    response=responses({200: ListOut[ReportedMessageOut]}, 401, 403, 404),
    summary="Reported live-room messages you may decide, one entry per message (moderators)",
)
def message_reports(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    def out(group: list[MessageReport]) -> ReportedMessageOut:
        first = group[0]
        return ReportedMessageOut(
            report=first.pk,
            community=first.community.slug,
            seq=first.seq,
            words=first.words,
            reports=len(group),
            reasons=[report.reason for report in group],
            first_reported_at=first.created_at,
        )

    return page_of(selectors.message_report_queue(viewer=_me(request)), page, PER_PAGE, out)


@router.post(
    "/moderation/message-reports/{report_id}/decide",
    response=responses({200: DecidedOut}, 400, 401, 403, 404),
    summary="Remove a reported live-room message or leave it (moderators)",
)
def message_report_decide(request: HttpRequest, report_id: int, payload: DecideIn) -> DecidedOut:
    closed = services.message_report_decide(
        actor=_me(request), report_id=report_id, remove=payload.outcome == "remove", reason=payload.reason
    )
    return DecidedOut(closed=closed)


@router.get(
    "/reports/mine/messages",
    response=responses({200: ListOut[MessageReportOut]}, 401, 403),
    summary="Your reports of live-room messages, and what became of them",
)
def my_message_reports(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    return page_of(selectors.my_message_reports(user=_me(request)), page, PER_PAGE, MessageReportOut.of)


class ChatReportOut(Schema):
    id: int
    reporter: str
    reported: str = Field(..., description="Empty when their account is gone.")
    chat_kind: str
    reason: str
    created_at: datetime

    @staticmethod
    def of(report: ChatReport) -> ChatReportOut:
        return ChatReportOut(
            id=report.pk,
            reporter=report.reporter.username,
            reported=report.reported.username if report.reported else "",
            chat_kind=report.conversation.kind,
            reason=report.reason,
            created_at=report.created_at,
        )


class MyChatReportOut(Schema):
    id: int
    answered: bool
    outcome: str = Field("", description="What the moderator said, once answered.")
    created_at: datetime
    answered_at: datetime | None

    @staticmethod
    def of(report: ChatReport) -> MyChatReportOut:
        return MyChatReportOut(
            id=report.pk,
            answered=report.resolved_at is not None,
            outcome=report.outcome,
            created_at=report.created_at,
            answered_at=report.resolved_at,
        )


class AnswerIn(Input):
    note: Text = Field(..., max_length=2000, description="The person who reported it reads this.")


@router.get(
    "/moderation/chat-reports",
    response=responses({200: ListOut[ChatReportOut]}, 401, 403, 404),
    summary="Reports about people in chats, oldest first (site moderators)",
    description="The chat itself is private and not shown. Not found for everyone else.",
)
def chat_reports(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    return page_of(chat_selectors.chat_reports_open(viewer=_me(request)), page, PER_PAGE, ChatReportOut.of)


@router.post(
    "/moderation/chat-reports/{report_id}/answer",
    response=responses({200: MyChatReportOut}, 400, 401, 403, 404),
    summary="Answer a report about a person in a chat; the reporter is told (site moderators)",
)
def chat_report_answer(request: HttpRequest, report_id: int, payload: AnswerIn) -> MyChatReportOut:
    report = services.chat_report_answer(actor=_me(request), report_id=report_id, note=payload.note)
    return MyChatReportOut.of(report)


@router.get(
    "/reports/mine/chats",
    response=responses({200: ListOut[MyChatReportOut]}, 401, 403),
    summary="Your reports about people in chats, and what became of them",
)
def my_chat_reports(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    return page_of(chat_selectors.chat_reports_by(user=_me(request)), page, PER_PAGE, MyChatReportOut.of)


# --- Blocking ----------------------------------------------------------------------------------


class BlockIn(Input):
    post: Id = Field(..., description="A post or reply by the person to block.")
    report_reason: ReportReason | Literal[""] = Field(
        "", description="Also report the post, for this reason (empty: no report; not `crisis`)."
    )
    note: Text = Field("", max_length=services.NOTE_MAX_CHARS)


class BlockOut(Schema):
    id: int
    name: str = Field(..., description="Empty when blocked from an anonymous post: you are never told who wrote it.")
    created_at: datetime

    @staticmethod
    def of(block: Block) -> BlockOut:
        name = "" if block.from_anonymous else user_display_name(block.blocked)
        return BlockOut(id=block.pk, name=name, created_at=block.created_at)


class BlockedOut(Schema):
    report: int | None = Field(..., description="The report filed with the block, if one was asked for.")


@router.post(
    "/blocks",
    response=responses({201: BlockedOut}, 400, 401, 403, 404, 429),
    tags=["blocks"],
    summary="Block the writer of a post",
    description="Their posts are hidden from you everywhere; they cannot reply to your threads, mention you "
    "or chat with you, and are not told. Blocking twice changes nothing.",
)
def block_create(request: HttpRequest, payload: BlockIn) -> Status[BlockedOut]:
    user = _me(request)
    post, writer_id = community_selectors.post_for_worry(user=user, post_id=payload.post)
    report = services.block_from_post(
        actor=user, post=post, writer_id=writer_id, report_reason=payload.report_reason, note=payload.note
    )
    return Status(201, BlockedOut(report=report.pk if report else None))


@router.get(
    "/blocks", response=responses({200: ListOut[BlockOut]}, 401, 403), tags=["blocks"], summary="People you blocked"
)
def blocks_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    return page_of(account_selectors.blocks_of(_me(request)), page, PER_PAGE, BlockOut.of)


@router.delete("/blocks/{block_id}", response=responses({204: None}, 401, 403, 404), tags=["blocks"], summary="Unblock")
def block_delete(request: HttpRequest, block_id: int) -> Status[None]:
    services.unblock(actor=_me(request), block_id=block_id)
    return Status(204, None)


# --- Rules ---------------------------------------------------------------------------------------


class RulesIn(Input):
    source: str = Field(..., max_length=services.RULES_MAX_CHARS, description="AutoModerator's YAML.")
    enabled: bool = False


class RulesTryIn(Input):
    source: str = Field(..., max_length=services.RULES_MAX_CHARS)


class RulesOut(Schema):
    source: str
    enabled: bool
    updated_at: datetime | None

    @staticmethod
    def of(rule_set: RuleSet | None) -> RulesOut:
        if rule_set is None:
            return RulesOut(source="", enabled=False, updated_at=None)
        return RulesOut(source=rule_set.source, enabled=rule_set.enabled, updated_at=rule_set.updated_at)


class RuleMatchOut(Schema):
    rule: str
    line: int


class TriedOut(Schema):
    post: int
    is_opening: bool
    action: str = Field(..., description="remove, filter, report, approve, or empty for none.")
    crisis_override: bool = Field(..., description="A removal held for a moderator instead: crisis words.")
    action_reason: str
    matched: list[RuleMatchOut]

    @staticmethod
    def of(post: Any, outcome: Outcome) -> TriedOut:
        return TriedOut(
            post=post.pk,
            is_opening=post.is_opening,
            action=outcome.action or ("report" if outcome.reports else ""),
            crisis_override=outcome.crisis_override,
            action_reason=outcome.action_reason,
            matched=[RuleMatchOut(rule=match.rule_name, line=match.line) for match in outcome.matches],
        )


@router.get(
    "/communities/{slug}/rules",
    response=responses({200: RulesOut}, 401, 403, 404),
    tags=["rules"],
    summary="A community's rules (its hosts)",
    description="Not found for everyone but the community's hosts and administrators.",
)
def rules_get(request: HttpRequest, slug: str) -> RulesOut:
    community = access.access_rules_community(_me(request), slug)
    return RulesOut.of(selectors.rule_set(community=community))


@router.put(
    "/communities/{slug}/rules",
    response=responses({200: RulesOut}, 400, 401, 403, 404),
    tags=["rules"],
    summary="Save a community's rules (its hosts)",
    description="Saved only when every rule parses; otherwise 422 with each problem and its line.",
)
def rules_put(request: HttpRequest, slug: str, payload: RulesIn) -> RulesOut:
    user = _me(request)
    community = access.access_rules_community(user, slug)
    return RulesOut.of(
        services.rules_save(actor=user, community=community, source=payload.source, enabled=payload.enabled)
    )


@router.post(
    "/communities/{slug}/rules/dry-run",
    response=responses({200: list[TriedOut]}, 400, 401, 403, 404),
    tags=["rules"],
    summary="What rules would have done to the last 500 posts (its hosts)",
    description="Changes nothing. Only the posts a rule matched, newest first.",
)
def rules_try(request: HttpRequest, slug: str, payload: RulesTryIn) -> list[TriedOut]:
    community = access.access_rules_community(_me(request), slug)
    return _tried(payload.source, community_id=community.pk)


def _tried(source: str, *, community_id: int | None) -> list[TriedOut]:
    try:
        parsed = parse_rules(source)
    except RuleSyntaxError as error:
        raise Invalid({"source": [str(problem) for problem in error.errors]}) from None
    return [TriedOut.of(post, outcome) for post, outcome in rules.dry_run(rules=parsed, community_id=community_id)]


@router.get(
    "/moderation/site-rules",
    response=responses({200: RulesOut}, 401, 403, 404),
    tags=["rules"],
    summary="The site's rules, applied in every community before its own (administrators)",
)
def site_rules_get(request: HttpRequest) -> RulesOut:
    access.access_site_rules(_me(request))
    return RulesOut.of(selectors.rule_set(community=None))


@router.put(
    "/moderation/site-rules",
    response=responses({200: RulesOut}, 400, 401, 403, 404),
    tags=["rules"],
    summary="Save the site's rules (administrators)",
    description="Saved only when every rule parses; otherwise 422 with each problem and its line.",
)
def site_rules_put(request: HttpRequest, payload: RulesIn) -> RulesOut:
    user = _me(request)
    access.access_site_rules(user)
    return RulesOut.of(services.rules_save(actor=user, community=None, source=payload.source, enabled=payload.enabled))


@router.post(
    "/moderation/site-rules/dry-run",
    response=responses({200: list[TriedOut]}, 400, 401, 403, 404),
    tags=["rules"],
    summary="What site rules would have done to the last 500 posts anywhere (administrators)",
)
def site_rules_try(request: HttpRequest, payload: RulesTryIn) -> list[TriedOut]:
    access.access_site_rules(_me(request))
    return _tried(payload.source, community_id=None)


# --- Sanctions and appeals ---------------------------------------------------------------------


class SanctionIn(Input):
    kind: SanctionKind = Field(..., description="`warn`, `mute`, `ban`, or `suspend` (administrators).")
    reason: Text = Field(..., max_length=sanctions.REASON_MAX_CHARS, description="The person reads it.")
    days: int | None = Field(
        None, description="A mute: 1 to 28 (required). A ban or suspension: 1 to 365, or empty until lifted."
    )


class AppealOut(Schema):
    status: str = Field(..., description="`open`, `upheld` or `overturned`.")
    response: str = Field("", description="What the reviewer answered, once decided.")
    created_at: datetime


class SanctionOut(Schema):
    id: int
    kind: str
    community: str | None = Field(..., description="Empty for a suspension from the whole site.")
    summary: str = Field(..., description="What happened, where and until when, in one sentence.")
    reason: str
    created_at: datetime
    ends_at: datetime | None
    ended_at: datetime | None
    ended_how: str = Field("", description="`read`, `expired`, `lifted` or `appeal`, once ended.")
    appeal: AppealOut | None

    @staticmethod
    def of(sanction: Sanction) -> SanctionOut:
        appeal = getattr(sanction, "appeal", None) if sanction.pk else None
        return SanctionOut(
            id=sanction.pk,
            kind=sanction.kind,
            community=sanction.community.slug if sanction.community else None,
            summary=sanctions.describe(sanction),
            reason=sanction.reason,
            created_at=sanction.created_at,
            ends_at=sanction.ends_at,
            ended_at=sanction.ended_at,
            ended_how=sanction.ended_how,
            appeal=AppealOut(status=appeal.status, response=appeal.response, created_at=appeal.created_at)
            if appeal
            else None,
        )


class AppealIn(Input):
    text: Text = Field(..., max_length=sanctions.APPEAL_MAX_CHARS)


class LiftIn(Input):
    reason: Text = Field(..., max_length=sanctions.REASON_MAX_CHARS)


class AppealDecideIn(Input):
    outcome: Literal["overturn", "uphold"]
    response: Text = Field(..., max_length=sanctions.REASON_MAX_CHARS, description="The person reads it.")


class AppealToDecideOut(Schema):
    id: int
    sanction: SanctionOut
    text: str
    created_at: datetime

    @staticmethod
    def of(appeal: Appeal) -> AppealToDecideOut:
        return AppealToDecideOut(
            id=appeal.pk, sanction=SanctionOut.of(appeal.sanction), text=appeal.text, created_at=appeal.created_at
        )


@router.post(
    "/posts/{post_id}/sanctions",
    response=responses({201: SanctionOut}, 400, 401, 403, 404),
    tags=["sanctions"],
    summary="Warn, mute, ban or suspend the writer of a post (moderators; suspend: administrators)",
    description="The writer is told what, why and until when, and may appeal once. An anonymous writer stays "
    "anonymous. Not found for a post outside the communities you moderate.",
)
def sanction_create(request: HttpRequest, post_id: int, payload: SanctionIn) -> Status[SanctionOut]:
    user = _me(request)
    post, writer_id = community_selectors.post_for_sanction(user=user, post_id=post_id)
    sanction = sanctions.sanction_impose(
        actor=user,
        community=post.thread.community,
        user_id=writer_id,
        kind=payload.kind,
        reason=payload.reason,
        days=payload.days,
        post=post,
    )
    return Status(201, SanctionOut.of(sanction))


@router.get(
    "/me/sanctions",
    response=responses({200: ListOut[SanctionOut]}, 401, 403),
    tags=["sanctions"],
    summary="What moderators did about your account, newest first",
)
def my_sanctions(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    return page_of(sanctions.my_sanctions(user=_me(request)), page, PER_PAGE, SanctionOut.of)


@router.post(
    "/me/sanctions/{sanction_id}/acknowledge",
    response=responses({200: SanctionOut}, 400, 401, 403, 404),
    tags=["sanctions"],
    summary="Say you have read a warning (writing in that community opens again)",
)
def sanction_acknowledge(request: HttpRequest, sanction_id: int) -> SanctionOut:
    return SanctionOut.of(sanctions.sanction_acknowledge(actor=_me(request), sanction_id=sanction_id))


@router.post(
    "/me/sanctions/{sanction_id}/appeal",
    response=responses({201: AppealOut}, 400, 401, 403, 404),
    tags=["sanctions"],
    summary="Appeal a sanction, once, in your own words",
    description="A different moderator from the one who acted reads it, wherever there is one.",
)
def sanction_appeal(request: HttpRequest, sanction_id: int, payload: AppealIn) -> Status[AppealOut]:
    appeal = sanctions.appeal_file(actor=_me(request), sanction_id=sanction_id, text=payload.text)
    return Status(201, AppealOut(status=appeal.status, response="", created_at=appeal.created_at))


@router.post(
    "/sanctions/{sanction_id}/lift",
    response=responses({200: SanctionOut}, 400, 401, 403, 404),
    tags=["sanctions"],
    summary="Lift a sanction in force (those who could impose it)",
)
def sanction_lift(request: HttpRequest, sanction_id: int, payload: LiftIn) -> SanctionOut:
    return SanctionOut.of(sanctions.sanction_lift(actor=_me(request), sanction_id=sanction_id, reason=payload.reason))


@router.get(
    "/appeals",
    response=responses({200: ListOut[AppealToDecideOut]}, 401, 403, 404),
    tags=["sanctions"],
    summary="Appeals waiting for you (moderators)",
    description="Not found for everyone who moderates nothing.",
)
def appeals_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    user = _me(request)
    if not access.check_review_queue(user):
        raise NotFound()
    return page_of(sanctions.appeals_to_decide(viewer=user), page, PER_PAGE, AppealToDecideOut.of)


@router.post(
    "/appeals/{appeal_id}/decide",
    response=responses({200: AppealOut}, 400, 401, 403, 404),
    tags=["sanctions"],
    summary="Lift the sanction or keep it (the appeal's reviewer, or an administrator who did not act)",
)
def appeal_decide(request: HttpRequest, appeal_id: int, payload: AppealDecideIn) -> AppealOut:
    appeal = sanctions.appeal_decide(
        actor=_me(request), appeal_id=appeal_id, overturn=payload.outcome == "overturn", response=payload.response
    )
    return AppealOut(status=appeal.status, response=appeal.response, created_at=appeal.created_at)


# --- The moderation log and the transparency summary ---------------------------------------------


class LogLineOut(Schema):
    at: datetime
    who: str = Field(..., description="The moderator's pseudonym, or `a rule`.")
    what: str
    why: str
    link: str = Field(..., description="The post's address, when the action was on a post.")


class LogPageOut(Schema):
    items: list[LogLineOut]
    page: int
    pages: int
    count: int


@router.get(
    "/communities/{slug}/moderation-log",
    response=responses({200: LogPageOut}, 401, 403, 404),
    tags=["log"],
    summary="A community's moderation log, newest first (its moderators)",
    description="Never names who reported, who wrote an anonymous post, or whom a sanction was for. "
    "Not found for everyone but the community's moderators, hosts and site staff.",
)
def moderation_log(request: HttpRequest, slug: str, page: PageNumber = 1) -> LogPageOut:
    _community, found, lines = log.moderation_log(viewer=_me(request), slug=slug, page=page)
    return LogPageOut(
        items=[LogLineOut(at=line.at, who=line.who, what=line.what, why=line.why, link=line.link) for line in lines],
        page=found.number,
        pages=found.paginator.num_pages,
        count=found.paginator.count,
    )


class CountOut(Schema):
    label: str
    count: int


class TransparencyOut(Schema):
    month: str = Field(..., description="year-month, like 2026-11")
    reports: int
    reports_by_reason: list[CountOut]
    flagged_automatically: int
    decided: list[CountOut]
    median_hours_to_decide: float | None
    removed_by_moderators: int
    removed_by_rules: int
    held_by_rules: int
    sanctions: list[CountOut]
    appeals_filed: int
    appeals_decided: list[CountOut]
    feedback: int


@router.get(
    "/moderation/transparency",
    response=responses({200: TransparencyOut}, 400, 401, 403),
    tags=["log"],
    summary="What moderators and rules did across the site in one month: counts, never names",
)
def transparency(request: HttpRequest, month: str = "") -> TransparencyOut:
    summary = log.monthly_summary(viewer=_me(request), month=log.parse_month(month))

    def rows(pairs: list[tuple[str, int]]) -> list[CountOut]:
        return [CountOut(label=label, count=count) for label, count in pairs]

    return TransparencyOut(
        month=summary.month.strftime("%Y-%m"),
        reports=summary.reports,
        reports_by_reason=rows(summary.reports_by_reason),
        flagged_automatically=summary.flagged_automatically,
        decided=rows(summary.decided),
        median_hours_to_decide=summary.median_hours_to_decide,
        removed_by_moderators=summary.removed_by_moderators,
        removed_by_rules=summary.removed_by_rules,
        held_by_rules=summary.held_by_rules,
        sanctions=rows(summary.sanctions),
        appeals_filed=summary.appeals_filed,
        appeals_decided=rows(summary.appeals_decided),
        feedback=summary.feedback,
    )
