"""A community's moderation rules at work: the screening check that applies them to each new or
edited post, and the dry run that shows what they would have done.

The rules are AutoModerator's YAML (`moderation.automod`); a community has one `RuleSet`, written
by its hosts (or an administrator), applied while it is turned on; the site has one more, written by
administrators, applied in every community before the community's own (its rules are named "Site
rule: ..." wherever a rule is named). What a rule decides reaches
the post through the screening decision (`core.screening`), as one reason from the check "rules":

- `remove`: screening holds the post, and communities saves it as removed (shown as "removed";
  the writer is told why). `filter`: held for the community's moderators to approve or reject.
  Either names the rule in the held list, in the reason and in the audit log.
- `report`: published, and a report naming the rule goes to the review queue.
- Never silently: words the crisis check reads as high risk or crisis are held for review instead
  of removed, whatever a rule says, and the safety responders hear of them as always.
- `message` and `comment` are sent to the writer privately, in their notifications (a robot's
  public reply has no place in a support thread); `set_locked` locks the thread.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from alongside.accounts import selectors as account_selectors
from alongside.communities import selectors as community_selectors
from alongside.core.models import ScreeningAction
from alongside.core.screening import ScreeningDecision, ScreeningInput, ScreeningReason
from alongside.moderation.automod import AuthorFacts, Item, Outcome, Rule, evaluate, parse_rules, removal_windows
from alongside.moderation.enums import PERMALINK_LATER, RULES_CHECK
from alongside.moderation.models import Report, RuleSet
from alongside.safety.services import risk as safety_risk

ANONYMOUS_NAME = "anonymous"
DRY_RUN_ITEMS = 500

SITE_PREFIX = "Site rule: "  # how a site rule is named in the queue, the log and the writer's note

_parsed: dict[int, tuple[datetime, list[Rule]]] = {}  # per process: RuleSet id -> (updated_at, rules)


def _rules_of(pk: int, updated_at: datetime, *, site: bool) -> list[Rule]:
    """A saved rule set's rules; its text is read and parsed again only when it changed."""
    cached = _parsed.get(pk)
    if cached is None or cached[0] != updated_at:
        source = RuleSet.objects.values_list("source", flat=True).get(pk=pk)
        rules = parse_rules(source)  # saved only when it parses
        if site:
            rules = [replace(rule, name=SITE_PREFIX + rule.name) for rule in rules]
        cached = (updated_at, rules)
        _parsed[pk] = cached
    return cached[1]


def active_rules(community_id: int) -> list[Rule]:
    """The rules in force in a community: the site's, then its own (each only while turned on). One
    small query; AutoModerator's order then applies to them all (removals first, the first matching
    removal wins, so a site rule wins a tie)."""
    found = RuleSet.objects.filter(Q(community_id=community_id) | Q(community__isnull=True), enabled=True)
    rows = sorted(found.values_list("pk", "updated_at", "community_id"), key=lambda row: row[2] is not None)
    return [rule for pk, updated_at, owner in rows for rule in _rules_of(pk, updated_at, site=owner is None)]


def author_facts(
    *, author: Any, community_id: int, rules: list[Rule], anonymous: bool, is_submitter: bool
) -> AuthorFacts:
    """What the rules may ask about a writer. An anonymous post's writer is "anonymous" to name
    checks and placeholders, so no rule can show who wrote it."""
    history = community_selectors.author_history(
        user=author, community_id=community_id, removal_windows=removal_windows(rules)
    )
    moderated = community_selectors.moderated_community_ids(user=author)
    reports_against = Report.objects.filter(post__in=community_selectors.posts_written_by(user=author)).count()
    return AuthorFacts(
        name=ANONYMOUS_NAME if anonymous else author.username,
        account_age_days=(timezone.now() - author.date_joined).total_seconds() / 86400,
        posts_in_community=history["posts_in_community"],
        replies_in_community=history["replies_in_community"],
        posts_total=history["posts_total"],
        replies_total=history["replies_total"],
        is_moderator=moderated is None or community_id in moderated,
        is_submitter=is_submitter,
        removals_recent=history["removals_recent"],
        reports_against=reports_against,
    )


def rules_check(content: ScreeningInput) -> list[ScreeningReason]:
    """The screening check (settings.SCREENING_PIPELINE, after the crisis check). Only posts and
    replies in a community carry `where`; everything else passes untouched."""
    where = content.where
    if not where or "community_id" not in where or content.author is None:
        return []
    rules = active_rules(where["community_id"])
    if not rules:
        return []
    item = Item(
        kind="submission" if where["is_opening"] else "comment",
        author=author_facts(
            author=content.author,
            community_id=where["community_id"],
            rules=rules,
            anonymous=where.get("anonymous", False),
            is_submitter=where.get("opener_id") == content.author.pk,
        ),
        title=where.get("title", ""),
        body=where.get("body", ""),
        is_edited=where.get("is_edited", False),
        reports=where.get("reports", 0),
        permalink=PERMALINK_LATER,
        crisis=safety_risk.reads_as_high_risk(ScreeningDecision(ScreeningAction.FLAG, list(content.earlier))),
    )
    return reasons_from(evaluate(rules, item))


def reasons_from(outcome: Outcome) -> list[ScreeningReason]:
    """The outcome as one screening reason (none when no rule matched): remove and filter hold,
    report flags; what else the rules asked for is in `data`, for communities to do after saving."""
    if not outcome.matches:
        return []
    if outcome.action in ("remove", "filter"):
        action = ScreeningAction.HOLD
    elif outcome.reports:
        action = ScreeningAction.FLAG
    else:
        action = ScreeningAction.ALLOW
    deciding = outcome.decided_by or outcome.matches[-1]
    return [
        ScreeningReason(
            check=RULES_CHECK,
            action=action,
            rule=deciding.rule_name[:200],
            detail=outcome.action_reason[:500],
            data={
                "action": outcome.action or "",
                "rule": deciding.rule_name,
                "line": deciding.line,
                "crisis_override": outcome.crisis_override,
                "matched": [match.rule_name for match in outcome.matches],
                "reports": list(outcome.reports),
                "messages": [*outcome.messages, *outcome.comments],
                "set_locked": outcome.set_locked,
            },
        )
    ]


def dry_run(*, rules: list[Rule], community_id: int | None, limit: int = DRY_RUN_ITEMS) -> list[tuple[Any, Outcome]]:
    """What `rules` would have done to the community's (None: the whole site's) last `limit` posts
    and replies, newest first, doing nothing: (post, outcome) for each post a rule matched. Each
    writer's history is read once. The crisis reading is the one stored when the post was screened."""
    recent = community_selectors.recent_posts(community_id=community_id, limit=limit)
    users = {user.pk: user for user in account_selectors.users_by_ids({writer for _, writer, _ in recent if writer})}
    facts: dict[tuple[int, int, bool, bool], AuthorFacts] = {}
    hits = []
    for post, writer_id, opener_id in recent:
        author = users.get(writer_id) if writer_id is not None else None
        if author is None:
            continue  # the writer's account is gone
        key = (author.pk, post.thread.community_id, post.is_anonymous, opener_id == author.pk)
        if key not in facts:
            facts[key] = author_facts(
                author=author, community_id=key[1], rules=rules, anonymous=key[2], is_submitter=key[3]
            )
        item = Item(
            kind="submission" if post.is_opening else "comment",
            author=facts[key],
            title=post.thread.title,
            body=post.body,
            is_edited=post.edited_at is not None,
            permalink=PERMALINK_LATER,
            crisis=_stored_crisis(post.screening_reasons),
        )
        outcome = evaluate(rules, item)
        if outcome.matches:
            hits.append((post, outcome))
    return hits


def _stored_crisis(stored: list[dict[str, Any]]) -> bool:
    reasons = [
        ScreeningReason(check=r["check"], action=ScreeningAction(r["action"]), rule=r.get("rule", "")) for r in stored
    ]
    return safety_risk.reads_as_high_risk(ScreeningDecision(ScreeningAction.FLAG, reasons))
