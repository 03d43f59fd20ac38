"""Reads of what moderators did: a community's moderation log (from the audit log, for that
community's moderators) and the monthly transparency summary (counts only, no names, for every
signed-in member). Authorization is applied here.

The log shows each moderation action on the community, its threads and posts, its sanctions and
their appeals: when, who (a moderator's pseudonym, or "a rule"), what and why. It never shows who
reported something, who wrote an anonymous post, or whom a sanction was for. Site-wide suspensions
are not in any community's log (site staff see them under "Sanctions in force")."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Count, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.communities import access as community_access
from alongside.communities import selectors as community_selectors
from alongside.core.errors import Invalid, NotFound
from alongside.core.models import AuditEntry
from alongside.moderation.enums import AppealStatus, ReportReason, ReportStatus, SanctionKind
from alongside.moderation.models import Appeal, Feedback, MessageReport, Report, Sanction

PER_PAGE = 50

# What each logged action is called; only these are in the log (a report being filed is not: that
# would name the reporter).
ACTIONS: dict[str, Any] = {
    "communities.community.updated": _("Changed the community's details"),
    "communities.membership.approved": _("Let someone join"),
    "communities.membership.denied": _("Turned down a request to join"),
    "communities.membership.invited": _("Invited someone"),
    "communities.membership.banned": _("Banned someone"),
    "communities.membership.role_changed": _("Changed someone's role"),
    "communities.post.removed": _("Removed a post"),
    "communities.post.removed_by_rule": _("Removed a post (rule)"),
    "communities.post.held_by_rule": _("Held a post for review (rule)"),
    "communities.post.approved": _("Approved a held post"),
    "communities.post.rejected": _("Turned down a held post"),
    "communities.post.edited_by_moderator": _("Edited a post"),
    "communities.post.anonymous_author_revealed": _("Asked who wrote an anonymous post"),
    "communities.post.marked_experience": _("Noted a post as shared experience, not advice"),
    "communities.post.unmarked_experience": _("Took away an experience note"),
    "communities.thread.locked": _("Locked a thread"),
    "communities.thread.unlocked": _("Unlocked a thread"),
    "communities.thread.pinned": _("Pinned a thread"),
    "communities.thread.unpinned": _("Unpinned a thread"),
    "communities.thread.locked_by_rule": _("Locked a thread (rule)"),
    "communities.thread.unlocked_by_rule": _("Unlocked a thread (rule)"),
    "moderation.report.decided": _("Decided on a report"),
    "moderation.message_report.decided": _("Decided on a reported live-room message"),
    "moderation.report.escalated": _("Sent a report up to the site moderators"),
    "moderation.report.handed_to_responders": _("Handed a writer to the safety responders"),
    "moderation.rules.saved": _("Changed the community's rules"),
    "moderation.sanction.imposed": _("Warned, muted or banned someone"),
    "moderation.sanction.ended.read": _("A warning was read"),
    "moderation.sanction.ended.expired": _("A sanction ended on time"),
    "moderation.sanction.ended.lifted": _("Lifted a sanction"),
    "moderation.sanction.ended.appeal": _("Lifted a sanction on appeal"),
    "moderation.appeal.decided": _("Answered an appeal"),
}


# Who did it, for actions nobody's name belongs to.
_WHO = {
    "moderation.sanction.ended.read": _("the person warned"),
    "moderation.sanction.ended.expired": _("on time, by itself"),
}


@dataclass
class LogLine:
    at: datetime
    who: str
    what: str
    why: str
    link: str


def _line(entry: AuditEntry) -> LogLine:
    link = reverse("communities:post", args=[entry.target_id]) if entry.target_type == "communities.post" else ""
    detail = ""
    if entry.action == "moderation.sanction.imposed":
        detail = str(SanctionKind(entry.data.get("kind", "warn")).label)
    elif entry.action in ("moderation.report.decided", "moderation.message_report.decided"):
        detail = str(ReportStatus(entry.data.get("outcome", "kept")).label)
    what = f"{ACTIONS[entry.action]}: {detail}" if detail else str(ACTIONS[entry.action])
    return LogLine(
        at=entry.created_at,
        who=entry.actor_label or str(_WHO.get(entry.action, _("a rule"))),
        what=what,
        why=entry.reason,
        link=link,
    )


def moderation_log(*, viewer: Any, slug: str, page: Any = 1) -> tuple[Any, Page[AuditEntry], list[LogLine]]:
    """The community (NotFound unless the viewer moderates it), a page of its log, newest first, and
    that page's lines."""
    community_viewer = community_access.access_community(viewer, slug)
    if not (community_viewer.signed_in and community_viewer.moderates):
        raise NotFound()
    community = community_viewer.community
    posts, threads = community_selectors.audit_target_refs(community_id=community.pk)
    sanctions = Sanction.objects.filter(community=community).annotate(ref=Cast("pk", CharField())).values("ref")
    appeals = Appeal.objects.filter(sanction__community=community).annotate(ref=Cast("pk", CharField()))
    messages = MessageReport.objects.filter(community=community).annotate(ref=Cast("pk", CharField()))
    entries = AuditEntry.objects.filter(
        Q(target_type="communities.community", target_id=str(community.pk))
        | Q(target_type="communities.post", target_id__in=posts)
        | Q(target_type="communities.thread", target_id__in=threads)
        | Q(target_type="moderation.sanction", target_id__in=sanctions)
        | Q(target_type="moderation.appeal", target_id__in=appeals.values("ref"))
        | Q(target_type="moderation.messagereport", target_id__in=messages.values("ref")),
        action__in=list(ACTIONS),
    ).order_by("-sequence")
    paginator = Paginator(entries, PER_PAGE)
    found = paginator.get_page(page)
    return community, found, [_line(entry) for entry in found.object_list]


# --- Transparency ---------------------------------------------------------------------------------


@dataclass
class MonthSummary:
    month: date
    reports_by_reason: list[tuple[str, int]] = field(default_factory=list)
    flagged_automatically: int = 0
    decided: list[tuple[str, int]] = field(default_factory=list)
    median_hours_to_decide: float | None = None
    removed_by_moderators: int = 0
    removed_by_rules: int = 0
    held_by_rules: int = 0
    sanctions: list[tuple[str, int]] = field(default_factory=list)
    appeals_filed: int = 0
    appeals_decided: list[tuple[str, int]] = field(default_factory=list)
    feedback: int = 0

    @property
    def reports(self) -> int:
        return sum(n for _label, n in self.reports_by_reason)


def parse_month(value: Any) -> date:
    """ "2026-11" → 1 November 2026; empty → this month. Invalid for anything else, or the future."""
    today = timezone.localdate()
    if not value:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in str(value).split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise Invalid({"month": [_("Please give a month as year-month, like 2026-11.")]}) from None
    if first > today or year < 2000:
        raise Invalid({"month": [_("There is no summary for that month yet.")]})
    return first


def recent_months(count: int = 12) -> list[date]:
    month = timezone.localdate().replace(day=1)
    months = []
    for _step in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


def _counted(queryset: Any, by: str, labels: dict[str, Any]) -> list[tuple[str, int]]:
    rows = queryset.values(by).annotate(n=Count("pk")).order_by("-n", by)
    return [(str(labels.get(row[by], row[by])), row["n"]) for row in rows]


def _merged(*counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    total: dict[str, int] = {}
    for rows in counts:
        for label, n in rows:
            total[label] = total.get(label, 0) + n
    return sorted(total.items(), key=lambda row: (-row[1], row[0]))


def monthly_summary(*, viewer: Any, month: date) -> MonthSummary:
    """What moderators and rules did across the site in one month, as counts: never a name."""
    if not getattr(viewer, "is_authenticated", False):
        raise NotFound()
    start = timezone.make_aware(datetime(month.year, month.month, 1))
    end = timezone.make_aware(datetime(month.year + month.month // 12, month.month % 12 + 1, 1))
    within = {"created_at__gte": start, "created_at__lt": end}
    reports = Report.objects.filter(**within)
    decided = Report.objects.filter(decided_at__gte=start, decided_at__lt=end)
    room_reports = MessageReport.objects.filter(**within)
    room_decided = MessageReport.objects.filter(decided_at__gte=start, decided_at__lt=end)
    hours = [
        (decided_at - created_at).total_seconds() / 3600
        for queryset in (decided, room_decided)
        for created_at, decided_at in queryset.values_list("created_at", "decided_at")
        if decided_at is not None
    ]
    audit = AuditEntry.objects.filter(**within)
    return MonthSummary(
        month=month,
        reports_by_reason=_merged(
            _counted(reports.filter(reporter__isnull=False), "reason", dict(ReportReason.choices)),
            _counted(room_reports, "reason", dict(ReportReason.choices)),
        ),
        flagged_automatically=reports.filter(reporter__isnull=True).count(),
        decided=_merged(
            _counted(decided, "status", dict(ReportStatus.choices)),
            _counted(room_decided, "status", dict(ReportStatus.choices)),
        ),
        median_hours_to_decide=round(statistics.median(hours), 1) if hours else None,
        removed_by_moderators=audit.filter(action="communities.post.removed").count(),
        removed_by_rules=audit.filter(action="communities.post.removed_by_rule").count(),
        held_by_rules=audit.filter(action="communities.post.held_by_rule").count(),
        sanctions=_counted(Sanction.objects.filter(**within), "kind", dict(SanctionKind.choices)),
        appeals_filed=Appeal.objects.filter(**within).count(),
        appeals_decided=_counted(
            Appeal.objects.filter(decided_at__gte=start, decided_at__lt=end).exclude(status=AppealStatus.OPEN),
            "status",
            dict(AppealStatus.choices),
        ),
        feedback=Feedback.objects.filter(**within).count(),
    )
