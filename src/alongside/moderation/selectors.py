"""Reads for the review queue, a reporter's own reports, and feedback; authorization applied here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from alongside.accounts import selectors as account_selectors
from alongside.communities import selectors as community_selectors
from alongside.core.errors import NotFound
from alongside.moderation.access import check_review_queue, check_site_moderator, moderated_community_ids
from alongside.moderation.enums import FeedbackStatus, ReportReason, ReportStatus, SanctionKind
from alongside.moderation.models import Feedback, MessageReport, ModeratorAway, Report, RuleSet, Sanction

# What a moderator may not want to read unasked: hidden in the queue until they choose to see it.
_UPSETTING_WARNINGS = frozenset({"self_harm", "suicide", "abuse", "violence"})
_UPSETTING_REASONS = frozenset({ReportReason.HARASSMENT, ReportReason.HATE})
_UPSETTING_SIGNALS = frozenset({"Toxicity signal"})


def is_upsetting(post: Any, reports: list[Report]) -> bool:
    """Self-harm, suicide, violence or abuse: the writer's own content warnings, what the crisis check
    read in it, or what it was reported (or flagged) for."""
    crisis = any(r.get("check") == "crisis" and r.get("rule") not in ("", "none") for r in post.screening_reasons)
    return (
        crisis
        or bool(_UPSETTING_WARNINGS.intersection(post.content_warnings))
        or any(r.reason in _UPSETTING_REASONS or r.rule in _UPSETTING_SIGNALS for r in reports)
    )


@dataclass
class ReportedPost:
    """One post in the queue with every open report of it (the reporters are not named)."""

    post: Any
    first: Report
    reports: list[Report] = field(default_factory=list)
    before: Any = None  # the post just before a reply (with_context)
    history: dict[str, Any] | None = None  # the writer's recent moderation history (with_context)

    @property
    def count(self) -> int:
        return len(self.reports)

    @property
    def oldest(self) -> datetime:
        return self.first.created_at

    @property
    def reasons(self) -> list[tuple[str, int]]:
        counts = Counter(report.get_reason_display() for report in self.reports)
        return counts.most_common()

    @property
    def upsetting(self) -> bool:
        return is_upsetting(self.post, self.reports)

    @property
    def rules(self) -> list[str]:
        """The community rules that reported it (their reports have no reporter), with their reasons."""
        return sorted({f"{r.rule}: {r.note}" if r.note else r.rule for r in self.reports if r.rule})

    @property
    def escalated(self) -> bool:
        return self.first.escalated_at is not None

    @property
    def handed_to_responders(self) -> bool:
        return self.first.handed_to_responders_at is not None

    @property
    def claimer(self) -> Any:
        """Who is working on it now, if anyone (a claim is fresh for MODERATION_CLAIM_MINUTES)."""
        return self.first.claimed_by if self.first.claim_is_fresh else None

    @property
    def notes(self) -> list[str]:
        return [report.note for report in self.reports if report.note and not report.rule]


HISTORY_DAYS = 90
QUEUE_PAGE = 50  # entries the review queue page shows at once, each with its context


def with_context(entries: list[ReportedPost]) -> list[ReportedPost]:
    """Fill each entry's context for the page: the post just before a reply, and, for a named post,
    its writer's recent moderation history (removals and reports in the last HISTORY_DAYS days,
    sanctions in force in this community).
    A few queries per entry: the page shows at most QUEUE_PAGE entries."""
    # An anonymous writer's history is not shown: it could be matched to a name.
    writer_ids = {
        entry.post.pk: None if entry.post.is_anonymous else community_selectors.sealed_writer_id(post=entry.post)
        for entry in entries
    }
    writers = {user.pk: user for user in account_selectors.users_by_ids([pk for pk in writer_ids.values() if pk])}
    in_force: dict[tuple[int, int], list[str]] = {}
    communities = {entry.post.thread.community_id for entry in entries}
    current = Sanction.objects.filter(user_id__in=list(writers), ended_at=None, community_id__in=communities)
    for user_id, community_id, kind in current.values_list("user_id", "community_id", "kind"):
        in_force.setdefault((user_id, community_id), []).append(str(SanctionKind(kind).label))
    since = timezone.now() - timedelta(days=HISTORY_DAYS)
    for entry in entries:
        entry.before = community_selectors.post_before(post=entry.post)
        writer = writers.get(writer_ids[entry.post.pk] or 0)
        if writer is None:
            continue
        history = community_selectors.author_history(
            user=writer, community_id=entry.post.thread.community_id, removal_windows=[HISTORY_DAYS]
        )
        entry.history = {
            "removed": history["removals_recent"][HISTORY_DAYS],
            "reported": Report.objects.filter(
                post__in=community_selectors.posts_written_by(user=writer), created_at__gte=since
            )
            .values("post_id")
            .distinct()
            .count(),
            "in_force": in_force.get((writer.pk, entry.post.thread.community_id), []),  # this community's
        }
    return entries


def report_queue(*, viewer: Any, limit: int = 200) -> list[ReportedPost]:
    """Open reports this person may decide, one entry per post: those sent up to the site moderators
    first, then the most reported, then the oldest."""
    if not check_review_queue(viewer):
        raise NotFound()
    reports = Report.objects.filter(status=ReportStatus.OPEN).select_related(
        "post__thread__community", "community", "claimed_by"
    )
    scope = moderated_community_ids(viewer)
    if scope is not None:
        reports = reports.filter(community_id__in=scope)
    grouped: dict[int, ReportedPost] = {}
    for report in reports.order_by("created_at", "pk")[: limit * 10]:
        entry = grouped.setdefault(report.post_id, ReportedPost(post=report.post, first=report))
        entry.reports.append(report)
    return sorted(grouped.values(), key=lambda entry: (not entry.escalated, -entry.count, entry.oldest))[:limit]


def upsetting_handled_today(*, viewer: Any) -> int:
    """How many upsetting items (is_upsetting) this moderator decided today, in the site's time zone."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    decided: dict[int, list[Report]] = {}
    reports = Report.objects.filter(decided_by=viewer, decided_at__gte=start).select_related("post")
    for report in reports:
        decided.setdefault(report.post_id, []).append(report)
    return sum(is_upsetting(group[0].post, group) for group in decided.values())


def my_reports(*, user: Any, limit: int = 100) -> list[Report]:
    """The reporter's own reports, newest first. The post's words are not repeated here."""
    return list(Report.objects.filter(reporter=user).select_related("community").order_by("-created_at", "-pk")[:limit])


def feedback_queue(*, viewer: Any, limit: int = 200) -> list[Feedback]:
    if not check_site_moderator(viewer):
        raise NotFound()
    return list(
        Feedback.objects.filter(status=FeedbackStatus.OPEN).select_related("community").order_by("created_at")[:limit]
    )


def rule_set(*, community: Any) -> RuleSet | None:
    """A community's saved rules. Callers checked the viewer hosts it (access.access_rules_community)."""
    return RuleSet.objects.filter(community=community).select_related("updated_by").first()


def away_ids() -> set[int]:
    """The moderators who set themselves away."""
    return set(ModeratorAway.objects.values_list("user_id", flat=True))


def is_away(*, user: Any) -> bool:
    return ModeratorAway.objects.filter(user=user).exists()


def message_report_queue(*, viewer: Any, limit: int = 200) -> list[list[MessageReport]]:
    """Open reports of live-room messages this person may decide, one group per message (its reports,
    oldest first), the most reported first, then the oldest."""
    if not check_review_queue(viewer):
        raise NotFound()
    reports = MessageReport.objects.filter(status=ReportStatus.OPEN).select_related("community", "sender")
    scope = moderated_community_ids(viewer)
    if scope is not None:
        reports = reports.filter(community_id__in=scope)
    grouped: dict[tuple[int, int], list[MessageReport]] = {}
    for report in reports.order_by("created_at", "pk")[: limit * 10]:
        grouped.setdefault((report.conversation_id, report.seq), []).append(report)
    return sorted(grouped.values(), key=lambda group: (-len(group), group[0].created_at))[:limit]


def my_message_reports(*, user: Any, limit: int = 100) -> list[MessageReport]:
    return list(
        MessageReport.objects.filter(reporter=user).select_related("community").order_by("-created_at", "-pk")[:limit]
    )
