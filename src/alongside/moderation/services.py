"""Every write in the moderation app, each in a transaction; keyword-only arguments.

- `report_file`: a member reports a post or reply. Reporting the same post again while the first
  report is open changes nothing. At most MODERATION_REPORTS_PER_HOUR a member; many reports never
  remove anything by themselves: a moderator decides.
- `report_claim`: a moderator claims a queue item (every open report of the post) so two people
  don't work it at once; a claim holds MODERATION_CLAIM_MINUTES, then anyone may take it over.
  `report_realert` (the task worker) reminds the community's moderators of an item nobody has
  decided, then site moderators too; moderators who set themselves away (`away_set`) are skipped
  while anyone else can be told.
- `report_note`, `report_escalate`, `report_to_responders`: short of deciding, a moderator leaves a
  note for the others, sends the item up to the site moderators, or hands its writer to the safety
  responders (as "I'm worried about this person").
- `report_decide`: a moderator removes the post (through the communities app's own removal, which
  keeps its log) or leaves it up; every open report of that post closes with the same outcome, and
  every reporter is told in their notifications. The reported person is never told who reported.
- `block_from_post`: a member blocks the writer of a post (hidden from them everywhere, see
  accounts.models.Block), and may report the post in the same step; `unblock` undoes a block.
- `rules_save`: a community's hosts (or an administrator) save its rules in AutoModerator's YAML,
  refused with every problem and its line unless all of it parses; `report_from_rule`: a rule's
  `report` action, filed with no reporter (moderation.rules says how rules reach posts).
- `feedback_submit` / `feedback_close`: the anonymous form, and the site moderators' answer.
- `message_report_file` / `message_report_decide`: a member reports a message in a community's
  live room; the community's moderators remove it (through the chat) or leave it, and every
  reporter is told.
- `chat_report_answer`: a site moderator answers a report about a person in a chat (the chat keeps
  the report), and the reporter is told.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts import selectors as account_selectors
from alongside.accounts import services as account_services
from alongside.chat import selectors as chat_selectors
from alongside.chat.access import conversations as chat_access
from alongside.chat.services import conversations as chat_services
from alongside.chat.services import rooms as chat_rooms
from alongside.communities import selectors as community_selectors
from alongside.communities import services as community_services
from alongside.core.audit import audit_record
from alongside.core.errors import Invalid, NotFound, RateLimited, require
from alongside.core.screening import ScreeningInput
from alongside.core.text import clean_text
from alongside.moderation import access, selectors
from alongside.moderation.access import REASON_OWN_POST, access_feedback, check_decide_report
from alongside.moderation.automod import RuleSyntaxError, parse_rules
from alongside.moderation.enums import FeedbackAbout, FeedbackStatus, ReportReason, ReportStatus
from alongside.moderation.models import Feedback, MessageReport, ModeratorAway, Report, RuleSet
from alongside.moderation.toxicity.screening import toxicity_check
from alongside.notifications import services as notifications
from alongside.notifications.enums import NotificationKind
from alongside.safety.services import risk as safety

NOTE_MAX_CHARS = 2000
FEEDBACK_MIN_CHARS = 10
FEEDBACK_MAX_CHARS = 5000
LINK_MAX_CHARS = 300
RULES_MAX_CHARS = 50_000
TOXICITY_SIGNAL = "Toxicity signal"


# --- Reports -----------------------------------------------------------------------------------


@transaction.atomic
def report_file(*, actor: Any, post: Any, writer_id: int | None, reason: str, note: Any = "") -> Report:
    """`post` is one the actor may read (communities.selectors.post_for_worry); `writer_id` its writer.
    A crisis is not a report: the view sends it to the safety responders' "I'm worried" instead."""
    require(writer_id != actor.pk, REASON_OWN_POST)
    if reason not in ReportReason.values or reason == ReportReason.CRISIS:
        raise Invalid({"reason": [_("Please choose what is wrong.")]})
    note = clean_text(note, "note", maximum=NOTE_MAX_CHARS)
    existing = Report.objects.filter(reporter=actor, post=post, status=ReportStatus.OPEN).first()
    if existing is not None:
        return existing
    if _reports_this_hour(actor) >= settings.MODERATION_REPORTS_PER_HOUR:
        raise RateLimited(
            _("You've sent a lot of reports in the last hour. Thank you; please try again a little later.")
        )
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=actor, post=post, community_id=post.thread.community_id, reason=reason, note=note
            )
    except IntegrityError:  # the same person reporting twice at once
        return Report.objects.get(reporter=actor, post=post, status=ReportStatus.OPEN)
    _join_queue(report)
    audit_record(actor=actor, action="moderation.report.filed", target=report, data={"reason": reason})
    return report


def _join_queue(report: Report) -> None:
    """A new report of a post already waiting takes on its claim and alert count; the first report of
    a post starts the re-alert timer."""
    waiting = Report.objects.filter(post_id=report.post_id, status=ReportStatus.OPEN).exclude(pk=report.pk).first()
    if waiting is None:
        if settings.MODERATION_REALERTS:
            _schedule_realert(report.pk)
        return
    report.claimed_by_id, report.claimed_at, report.alerts_sent = (
        waiting.claimed_by_id,
        waiting.claimed_at,
        waiting.alerts_sent,
    )
    report.save(update_fields=["claimed_by", "claimed_at", "alerts_sent"])


def _schedule_realert(report_id: int) -> None:
    from alongside.moderation import tasks  # tasks import this module

    def enqueue() -> None:
        run_after = timezone.now() + timedelta(minutes=settings.MODERATION_REALERT_MINUTES)
        tasks.report_realert.using(run_after=run_after).enqueue(report_id=report_id)

    transaction.on_commit(enqueue)


def _claimed_by_other(report: Report, actor: Any) -> bool:
    return report.claim_is_fresh and report.claimed_by_id != actor.pk


def _open_reports_of(report: Report) -> list[Report]:
    return list(
        Report.objects.select_for_update(of=("self",))
        .filter(post_id=report.post_id, status=ReportStatus.OPEN)
        .select_related("claimed_by")
        .order_by("created_at", "pk")
    )


def _refuse_if_claimed(reports: list[Report], actor: Any) -> None:
    if reports and _claimed_by_other(reports[0], actor):
        claimer = reports[0].claimed_by
        raise Invalid(
            {
                "__all__": [
                    _("%(name)s is looking at this now. It is theirs for up to %(minutes)d minutes.")
                    % {"name": claimer.username if claimer else "", "minutes": settings.MODERATION_CLAIM_MINUTES}
                ]
            }
        )


@transaction.atomic
def report_claim(*, actor: Any, report: Report, on: bool) -> int:
    """Claim (or let go of) a queue item: every open report of the post. Returns how many."""
    if not check_decide_report(actor, report):
        raise NotFound()
    reports = _open_reports_of(report)
    if not reports:
        raise Invalid({"__all__": [_("Someone has already dealt with this. Nothing has changed.")]})
    if on:
        _refuse_if_claimed(reports, actor)
        claimer, claimed_at = actor, timezone.now()
    elif reports[0].claimed_by_id == actor.pk:
        claimer, claimed_at = None, None
    else:
        return 0  # not theirs to let go of: nothing changes
    Report.objects.filter(pk__in=[each.pk for each in reports]).update(claimed_by=claimer, claimed_at=claimed_at)
    action = "moderation.report.claimed" if on else "moderation.report.released"
    audit_record(actor=actor, action=action, target=report.post, data={"reports": len(reports)})
    return len(reports)


def _open_reports_checked(actor: Any, report: Report) -> list[Report]:
    if not check_decide_report(actor, report):
        raise NotFound()
    reports = _open_reports_of(report)
    if not reports:
        raise Invalid({"__all__": [_("Someone has already dealt with this. Nothing has changed.")]})
    return reports


@transaction.atomic
def report_note(*, actor: Any, report: Report, note: Any) -> None:
    """A note on a queue item for the other moderators (replacing the last one; empty clears it)."""
    reports = _open_reports_checked(actor, report)
    note = clean_text(note, "note", maximum=NOTE_MAX_CHARS)
    for each in reports:
        each.moderator_note = note
        each.save(update_fields=["moderator_note"])
    audit_record(actor=actor, action="moderation.report.noted", target=report.post, reason=note)


@transaction.atomic
def report_escalate(*, actor: Any, report: Report, note: Any = "") -> int:
    """A community's moderator sends a queue item up to the site moderators: it goes to the top of
    their queue, and they are told (those away only if everyone is). Returns how many were told."""
    reports = _open_reports_checked(actor, report)
    if reports[0].escalated_at is not None:
        raise Invalid({"__all__": [_("This has already gone to the site moderators.")]})
    note = clean_text(note, "note", maximum=NOTE_MAX_CHARS)
    Report.objects.filter(pk__in=[each.pk for each in reports]).update(escalated_at=timezone.now())
    site = [pk for pk in account_selectors.site_moderator_ids() if pk != actor.pk]
    away = selectors.away_ids()
    recipients = account_selectors.users_by_ids([pk for pk in site if pk not in away] or site)
    for person in recipients:
        notifications.notification_create(
            recipient=person,
            kind=NotificationKind.NOTE,
            actor_label="",
            subject=_("A community's moderators asked the site moderators to look at a report."),
            url=reverse("moderation:queue"),
            target=reports[0],
        )
    audit_record(actor=actor, action="moderation.report.escalated", target=report.post, reason=note)
    return len(recipients)


@transaction.atomic
def report_to_responders(*, actor: Any, report: Report, note: Any = "") -> Any:
    """A moderator hands a reported post's writer to the safety responders ("I'm worried about this
    person", with the post), and the queue item says so. It stays in the queue for the post itself."""
    reports = _open_reports_checked(actor, report)
    post = reports[0].post
    writer_id = community_selectors.sealed_writer_id(post=post)
    writer = account_selectors.users_by_ids([writer_id]).first() if writer_id else None
    if writer is None:
        raise Invalid({"__all__": [_("The person who wrote this has left Alongside.")]})
    event = safety.worry_report(
        actor=actor,
        subject=writer,
        source="thread" if post.is_opening else "reply",
        content=post.body,
        link=community_services.post_url(post),
        note=clean_text(note, "note", maximum=NOTE_MAX_CHARS),
        target=post,
    )
    Report.objects.filter(pk__in=[each.pk for each in reports]).update(handed_to_responders_at=timezone.now())
    audit_record(actor=actor, action="moderation.report.handed_to_responders", target=post)
    return event


def report_realert(*, report_id: int) -> int:
    """The task: if the post of `report_id` still waits for a moderator and nobody has claimed it,
    tell its community's moderators (from the second time on, site moderators too), skipping those
    away unless nobody else can be told, and look again later, at most MODERATION_REALERTS times.
    Returns how many people were told."""
    with transaction.atomic():
        report = Report.objects.filter(pk=report_id).select_related("community").first()
        reports = _open_reports_of(report) if report is not None else []
        if report is None or not reports:
            return 0  # decided meanwhile
        first = reports[0]
        told = 0
        if not first.claim_is_fresh:
            escalate = first.alerts_sent >= 1
            recipients = account_selectors.users_by_ids(_alert_ids(first.community_id, escalate=escalate))
            waited = int((timezone.now() - first.created_at).total_seconds() // 60)
            for person in recipients:
                notifications.notification_create(
                    recipient=person,
                    kind=NotificationKind.NOTE,
                    actor_label="",
                    subject=_("A report in %(community)s has waited %(minutes)d minutes for a moderator.")
                    % {"community": report.community.name, "minutes": waited},
                    url=reverse("moderation:queue"),
                    target=first,
                )
                told += 1
            Report.objects.filter(pk__in=[each.pk for each in reports]).update(alerts_sent=first.alerts_sent + 1)
            first.alerts_sent += 1
        if first.alerts_sent < settings.MODERATION_REALERTS:
            _schedule_realert(first.pk)
    return told


def _alert_ids(community_id: int, *, escalate: bool) -> list[int]:
    moderators = community_selectors.community_moderator_ids(community_id=community_id)
    wanted = list(moderators)
    if escalate or not moderators:
        wanted += [pk for pk in account_selectors.site_moderator_ids() if pk not in wanted]
    away = selectors.away_ids()
    present = [pk for pk in wanted if pk not in away]
    return present or wanted


@transaction.atomic
def away_set(*, actor: Any, on: bool) -> bool:
    """A moderator sets themselves away, or back. NotFound for anyone who moderates nothing."""
    if not access.check_review_queue(actor):
        raise NotFound()
    if on:
        _away, created = ModeratorAway.objects.get_or_create(user=actor)
    else:
        created = bool(ModeratorAway.objects.filter(user=actor).delete()[0])
    if created:
        audit_record(actor=actor, action="moderation.away.set" if on else "moderation.away.back", target=actor)
    return on


def report_from_rule(*, post: Any, rule: str, reasons: list[str]) -> Report:
    """A community rule with `action: report` matched a new or edited post, or a screening signal
    (watched words, toxicity) flagged it: a report with no reporter, naming the rule or signal, for
    the review queue. Called by communities after saving the post. Never removes anything."""
    report = Report.objects.create(
        reporter=None,
        post=post,
        community_id=post.thread.community_id,
        reason=ReportReason.OTHER,
        rule=rule[:200],
        note="; ".join(reason for reason in reasons if reason)[:NOTE_MAX_CHARS],
    )
    _join_queue(report)
    audit_record(actor=None, action="moderation.report.filed_by_rule", target=report, data={"rule": rule})
    return report


def toxicity_scan_later(*, post: Any) -> None:
    """After a visible post or reply is saved (or edited by its writer): the task worker reads it
    with the toxicity signal, off the request."""
    from alongside.moderation.tasks import toxicity_scan

    transaction.on_commit(lambda: toxicity_scan.enqueue(post_id=post.pk))


def toxicity_scan(*, post_id: int) -> bool:
    """The task: a post that reads as offensive goes to the review queue as a report naming the
    toxicity signal and its score. Never removes anything. True when it filed one."""
    post = community_selectors.visible_post_for_scan(post_id=post_id)
    if post is None:
        return False  # removed, held or gone meanwhile: nothing to put in front of anyone
    text = f"{post.thread.title}\n{post.body}" if post.is_opening else post.body
    kind = "thread" if post.is_opening else "reply"
    reasons = toxicity_check(ScreeningInput(text=text, kind=kind))
    if not reasons:
        return False
    (reason,) = reasons
    with transaction.atomic():
        if Report.objects.filter(post=post, rule=TOXICITY_SIGNAL, status=ReportStatus.OPEN).exists():
            return False  # an edit read again: one open report is enough
        report_from_rule(post=post, rule=TOXICITY_SIGNAL, reasons=[reason.rule, f"score {reason.score:.2f}"])
    return True


def _tell_reporter(report: Report, removed: bool) -> None:
    if report.reporter is None:
        return  # filed by a rule
    subject = (
        _("A post you reported has been removed. Thank you for telling us.")
        if removed
        else _("A moderator looked at a post you reported and left it up.")
    )
    notifications.notification_create(
        recipient=report.reporter,
        kind=NotificationKind.NOTE,
        actor_label="",
        subject=subject,
        url=reverse("moderation:mine"),
        target=report,
    )


@transaction.atomic
def report_decide(*, actor: Any, report: Report, remove: bool, reason: Any = "") -> int:
    """Decide on a reported post: every open report of it closes the same way. Returns how many."""
    report = Report.objects.select_for_update().select_related("post").get(pk=report.pk)
    if not check_decide_report(actor, report):
        raise NotFound()
    reason = clean_text(reason, "reason", maximum=NOTE_MAX_CHARS)
    if remove and not reason:
        raise Invalid({"reason": [_("Please give a reason for removing it; the reporters see it.")]})
    reports = _open_reports_of(report)
    if not reports:
        raise Invalid({"__all__": [_("Someone has already dealt with this. Nothing has changed.")]})
    _refuse_if_claimed(reports, actor)
    if remove:
        community_services.post_delete(actor=actor, post=report.post, reason=reason)
    now = timezone.now()
    status = ReportStatus.REMOVED if remove else ReportStatus.KEPT
    for each in reports:
        each.status, each.outcome_reason, each.decided_by, each.decided_at = status, reason, actor, now
        each.save(update_fields=["status", "outcome_reason", "decided_by", "decided_at"])
        _tell_reporter(each, removed=remove)
    audit_record(
        actor=actor,
        action="moderation.report.decided",
        target=report.post,
        reason=reason,
        data={"outcome": status, "reports": len(reports)},
    )
    return len(reports)


@transaction.atomic
def chat_report_answer(*, actor: Any, report_id: Any, note: Any) -> Any:
    """A site moderator answers a report about a person in a chat (chat's own record), and the
    reporter is told in their notifications; what the moderator wrote is on their reports page."""
    report = chat_services.chat_report_resolve(actor=actor, report_id=report_id, note=note)
    notifications.notification_create(
        recipient=report.reporter,
        kind=NotificationKind.NOTE,
        actor_label="",
        subject=_("A moderator looked at the person you reported in a chat. See what they said."),
        url=reverse("moderation:mine"),
        target=report,
    )
    return report


# --- Messages in a community's live room ---------------------------------------------------------


def _reports_this_hour(actor: Any) -> int:
    since = timezone.now() - timedelta(hours=1)
    return (
        Report.objects.filter(reporter=actor, created_at__gte=since).count()
        + MessageReport.objects.filter(reporter=actor, created_at__gte=since).count()
    )


@transaction.atomic
def message_report_file(*, actor: Any, slug: Any, seq: Any, reason: str, note: Any = "") -> MessageReport | None:
    """A member reports someone else's message in a community's live room, for its moderators. A
    crisis goes to the safety responders instead ("I'm worried about this person"): None then.
    Reporting the same message again while the first report is open changes nothing."""
    community, message = chat_selectors.room_message_to_report(actor, slug=str(slug), seq=seq)
    if reason not in ReportReason.values:
        raise Invalid({"reason": [_("Please choose what is wrong.")]})
    note = clean_text(note, "note", maximum=NOTE_MAX_CHARS)
    if reason == ReportReason.CRISIS:
        safety.worry_report(
            actor=actor,
            subject=message.sender,
            source="chat",
            content=message.body,
            link=reverse("chat:room", args=[community.slug]),
            note=note,
            target=message,
            conversation_id=message.conversation_id,
        )
        return None
    place = {"conversation_id": message.conversation_id, "seq": message.seq}
    existing = MessageReport.objects.filter(reporter=actor, status=ReportStatus.OPEN, **place).first()
    if existing is not None:
        return existing
    if _reports_this_hour(actor) >= settings.MODERATION_REPORTS_PER_HOUR:
        raise RateLimited(
            _("You've sent a lot of reports in the last hour. Thank you; please try again a little later.")
        )
    report = MessageReport.objects.create(
        reporter=actor,
        community=community,
        sender_id=message.sender_id,
        words=message.body,
        reason=reason,
        note=note,
        **place,
    )
    audit_record(actor=actor, action="moderation.message_report.filed", target=report, data={"reason": reason})
    return report


@transaction.atomic
def message_report_decide(*, actor: Any, report_id: Any, remove: bool, reason: Any = "") -> int:
    """The community's moderators remove the reported message (through the chat's own removal, which
    keeps its log) or leave it; every open report of it closes the same way and each reporter is
    told. Returns how many closed."""
    report = access.access_message_report(actor, report_id)
    reason = clean_text(reason, "reason", maximum=NOTE_MAX_CHARS)
    if remove and not reason:
        raise Invalid({"reason": [_("Please give a reason for removing it; the reporters see it.")]})
    reports = list(
        MessageReport.objects.select_for_update().filter(
            conversation_id=report.conversation_id, seq=report.seq, status=ReportStatus.OPEN
        )
    )
    if not reports:
        raise Invalid({"__all__": [_("Someone has already dealt with this. Nothing has changed.")]})
    if remove:
        viewer = chat_access.access_conversation(actor, report.conversation_id)
        chat_rooms.room_message_remove(actor=actor, viewer=viewer, seq=report.seq, reason=reason)
    status, now = (ReportStatus.REMOVED if remove else ReportStatus.KEPT), timezone.now()
    for each in reports:
        each.status, each.outcome_reason, each.decided_by, each.decided_at = status, reason, actor, now
        each.save(update_fields=["status", "outcome_reason", "decided_by", "decided_at"])
        notifications.notification_create(
            recipient=each.reporter,
            kind=NotificationKind.NOTE,
            actor_label="",
            subject=_("A message you reported in a live room has been removed. Thank you for telling us.")
            if remove
            else _("A moderator looked at a message you reported in a live room and left it."),
            url=reverse("moderation:mine"),
            target=each,
        )
    audit_record(
        actor=actor,
        action="moderation.message_report.decided",
        target=report,
        reason=reason,
        data={"outcome": status, "reports": len(reports), "community_id": report.community_id},
    )
    return len(reports)


# --- Blocking ----------------------------------------------------------------------------------


@transaction.atomic
def block_from_post(
    *, actor: Any, post: Any, writer_id: int | None, report_reason: str = "", note: Any = ""
) -> Report | None:
    """Block the writer of `post` (one the actor may read: communities.selectors.post_for_worry) and,
    with a reason, report the post too. Returns the report, if one was asked for. A post whose
    writer's account is gone has nobody to block."""
    require(writer_id != actor.pk, REASON_OWN_POST)
    writer = account_selectors.users_by_ids([writer_id]).first() if writer_id is not None else None
    if writer is None:
        raise Invalid({"__all__": [_("The person who wrote this has left Alongside; there is nobody to block.")]})
    account_services.person_block(actor=actor, person=writer, from_anonymous=post.is_anonymous)
    if not report_reason:
        return None
    return report_file(actor=actor, post=post, writer_id=writer_id, reason=report_reason, note=note)


def unblock(*, actor: Any, block_id: Any) -> None:
    block = account_selectors.block_of(actor, block_id)
    if block is None:
        raise NotFound()
    account_services.person_unblock(actor=actor, block=block)


# --- Rules ------------------------------------------------------------------------------------


@transaction.atomic
def rules_save(*, actor: Any, community: Any, source: Any, enabled: bool) -> RuleSet:
    """Save a community's rules (`community` None: the site's), only when every rule parses:
    otherwise `Invalid` with one message per problem, each starting with its line. Audited with the
    text before and after."""
    require(access.check_edit_rules(actor, community), access.REASON_HOSTS)
    source = str(source or "").replace("\r\n", "\n")
    if "\x00" in source:
        raise Invalid({"source": [_("The rules have a character we can't store. Please remove it and try again.")]})
    if len(source) > RULES_MAX_CHARS:
        raise Invalid({"source": [_("Please keep the rules under %(max)d characters.") % {"max": RULES_MAX_CHARS}]})
    try:
        parsed = parse_rules(source)
    except RuleSyntaxError as error:
        raise Invalid({"source": [str(problem) for problem in error.errors]}) from None
    if enabled and not parsed:
        raise Invalid({"enabled": [_("There are no rules to turn on yet.")]})
    rule_set = RuleSet.objects.select_for_update().filter(community=community).first()
    if rule_set is None:
        rule_set = RuleSet(community=community)
    before = {"source": rule_set.source, "enabled": rule_set.enabled}
    rule_set.source, rule_set.enabled = source, enabled
    rule_set.updated_by, rule_set.updated_at = actor, timezone.now()
    rule_set.save()
    audit_record(
        actor=actor,
        action="moderation.rules.saved",
        target=community if community is not None else rule_set,
        data={"before": before, "after": {"source": source, "enabled": enabled}, "rules": len(parsed)},
    )
    return rule_set


# --- Feedback ----------------------------------------------------------------------------------


def _clean_link(value: Any) -> str:
    link = clean_text(value, "link", maximum=LINK_MAX_CHARS)
    if not link:
        return ""
    site = settings.SITE_URL.rstrip("/")
    if site and link.startswith(site + "/"):
        link = link[len(site) :]
    if not link.startswith("/") or link.startswith("//"):
        raise Invalid({"link": [_("Please paste a link to a page on this site, or leave this empty.")]})
    return link


def _clean_reply_to(value: Any) -> str:
    address = clean_text(value, "reply_to", maximum=254)
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise Invalid(
                {"reply_to": [_("This doesn't look like an e-mail address. Leave it empty to stay anonymous.")]}
            ) from None
    return address


@transaction.atomic
def feedback_submit(*, about: str, community: Any = None, link: Any = "", message: Any, reply_to: Any = "") -> Feedback:
    if about not in FeedbackAbout.values:
        raise Invalid({"about": [_("Please choose what this is about.")]})
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    cleaners: list[tuple[str, Callable[[], str]]] = [
        ("message", lambda: clean_text(message, "message", maximum=FEEDBACK_MAX_CHARS, minimum=FEEDBACK_MIN_CHARS)),
        ("link", lambda: _clean_link(link)),
        ("reply_to", lambda: _clean_reply_to(reply_to)),
    ]
    for field, clean in cleaners:
        try:
            values[field] = clean()
        except Invalid as error:
            errors.update(error.message_dict)
    if errors:
        raise Invalid(errors)
    return Feedback.objects.create(about=about, community=community, **values)


@transaction.atomic
def feedback_close(*, actor: Any, feedback: Feedback, note: Any = "") -> Feedback:
    feedback = access_feedback(actor, feedback.pk)
    if feedback.status != FeedbackStatus.OPEN:
        raise Invalid({"__all__": [_("Someone has already dealt with this. Nothing has changed.")]})
    feedback.status = FeedbackStatus.CLOSED
    feedback.closed_by = actor
    feedback.closed_note = clean_text(note, "note", maximum=NOTE_MAX_CHARS)
    feedback.save(update_fields=["status", "closed_by", "closed_note"])
    audit_record(actor=actor, action="moderation.feedback.closed", target=feedback)
    return feedback
