"""Evaluates parsed rules against one item, in AutoModerator's order, and says what should happen.

Nothing here writes anything: `evaluate` returns an `Outcome` for a service to apply, naming
every rule that matched so the queue and the log can show it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from alongside.moderation.automod.rules import PLACEHOLDER, Action, Kind, Rule, Search, Threshold, match_placeholder

MATCH_TIMEOUT = 0.05  # seconds one user regex may spend on one field before it counts as no match
_EDGES = re.compile(r"^\W+|\W+$")


@dataclass(frozen=True)
class AuthorFacts:
    name: str
    account_age_days: float
    posts_in_community: int = 0
    replies_in_community: int = 0
    posts_total: int = 0
    replies_total: int = 0
    is_moderator: bool = False  # of this community
    is_submitter: bool = False  # a reply's author wrote its thread's opening post (a post's always did)
    removals_recent: Mapping[int, int] = field(default_factory=dict)  # days -> removals of their content
    reports_against: int = 0


@dataclass(frozen=True)
class Item:
    kind: Kind  # "submission": a thread's opening post; "comment": a reply
    author: AuthorFacts
    title: str = ""  # a reply's is its thread's title: {{title}} shows it, but title checks skip replies
    body: str = ""
    is_edited: bool = False
    is_top_level: bool = True
    reports: int = 0
    permalink: str = ""
    crisis: bool = False  # the safety classifier rated it high or crisis


@dataclass(frozen=True)
class Hit:
    check: str  # as written: "title+body (regex)", "author: account_age: < 7 days", "reports: 2"
    text: str = ""  # what a search check matched; "" for other checks and `~` checks


@dataclass(frozen=True)
class Match:
    """One rule that matched, with its texts already filled in."""

    rule_index: int
    rule_name: str
    line: int
    action: Action | None  # None: no action, or an approval AutoModerator would not make (see `evaluate`)
    hits: tuple[Hit, ...]
    action_reason: str = ""
    comment: str = ""
    message: str = ""
    set_locked: bool | None = None


@dataclass(frozen=True)
class TimedOut:
    rule_index: int
    rule_name: str
    line: int
    check: str
    field: str


@dataclass(frozen=True)
class Outcome:
    action: Action | None = None
    action_reason: str = ""
    crisis_override: bool = False  # a removal held as `filter` for the safety responders instead
    decided_by: Match | None = None
    matches: tuple[Match, ...] = ()
    reports: tuple[str, ...] = ()  # one reason per matching report rule ("" where it gave none)
    comments: tuple[str, ...] = ()  # to post in reply, as the community's moderators
    messages: tuple[str, ...] = ()  # to send to the author
    set_locked: bool | None = None
    timeouts: tuple[TimedOut, ...] = ()


def evaluate(rules: Sequence[Rule], item: Item, *, match_timeout: float = MATCH_TIMEOUT) -> Outcome:
    """What `rules` do to `item`.

    Removal rules (remove, spam, filter) go first, highest priority first and then in the order
    written; the first that matches decides, and then no other rule acts, as in AutoModerator.
    Otherwise every other matching rule acts, in the same order, and the last action wins. An
    approve rule without a `reports` check matches a reported item but does not approve it.
    """
    ordered = sorted(rules, key=lambda rule: -rule.priority)
    timeouts: list[TimedOut] = []
    for rule in ordered:
        if rule.is_removal and (match := _match(rule, item, match_timeout, timeouts)):
            return _removal(item, match, timeouts)
    matches = []
    for rule in ordered:
        if not rule.is_removal and (match := _match(rule, item, match_timeout, timeouts)):
            matches.append(match)
    decided_by = next((match for match in reversed(matches) if match.action), None)
    return _outcome(decided_by, matches, timeouts)


def dry_run(
    rules: Sequence[Rule], items: Iterable[Item], *, match_timeout: float = MATCH_TIMEOUT
) -> list[tuple[Item, Outcome]]:
    """What `rules` would do to each of `items`, without doing anything."""
    return [(item, evaluate(rules, item, match_timeout=match_timeout)) for item in items]


def removal_windows(rules: Iterable[Rule]) -> frozenset[int]:
    """The day counts `AuthorFacts.removals_recent` must have a count for, for these rules."""
    return frozenset(t.window_days for rule in rules for t in rule.thresholds if t.measure == "removals")


def _removal(item: Item, match: Match, timeouts: list[TimedOut]) -> Outcome:
    if not item.crisis:
        return _outcome(match, [match], timeouts)
    # A rule never takes a crisis item out of view unseen: it is held for the safety responders.
    # The rule's comment, message and lock were written for a removal that does not happen.
    return Outcome(
        action="filter",
        action_reason=match.action_reason,
        crisis_override=True,
        decided_by=match,
        matches=(match,),
        timeouts=tuple(timeouts),
    )


def _outcome(decided_by: Match | None, matches: list[Match], timeouts: list[TimedOut]) -> Outcome:
    return Outcome(
        action=decided_by.action if decided_by else None,
        action_reason=decided_by.action_reason if decided_by else "",
        decided_by=decided_by,
        matches=tuple(matches),
        reports=tuple(match.action_reason for match in matches if match.action == "report"),
        comments=tuple(match.comment for match in matches if match.comment),
        messages=tuple(match.message for match in matches if match.message),
        set_locked=next((match.set_locked for match in reversed(matches) if match.set_locked is not None), None),
        timeouts=tuple(timeouts),
    )


def _match(rule: Rule, item: Item, timeout: float, timeouts: list[TimedOut]) -> Match | None:
    if item.kind not in rule.kinds or (rule.moderators_exempt and item.author.is_moderator):
        return None
    hits = _plain_checks(rule, item)
    if hits is None:
        return None
    thresholds = _thresholds(rule, item.author)
    if thresholds is None:
        return None
    author_searched = _searches(rule, rule.author_searches, item, timeout, timeouts)
    if author_searched is None:
        return None
    searched = _searches(rule, rule.searches, item, timeout, timeouts)
    if searched is None:
        return None
    action = rule.action
    if action == "approve" and item.reports and rule.reports is None:
        action = None  # AutoModerator re-approves a reported item only when the rule checks reports
    found = searched[1]
    return Match(
        rule_index=rule.index,
        rule_name=rule.name,
        line=rule.line,
        action=action,
        hits=(*hits, *thresholds, *author_searched[0], *searched[0]),
        action_reason=_render(rule.action_reason, rule, item, found),
        comment=_render(rule.comment, rule, item, found),
        message=_render(rule.message, rule, item, found),
        set_locked=rule.set_locked,
    )


def _plain_checks(rule: Rule, item: Item) -> list[Hit] | None:
    """The checks that are neither searches nor thresholds; None as soon as one fails."""
    length = len(_EDGES.sub("", _body(rule, item)))  # AutoModerator ignores punctuation at either end
    author = item.author
    is_submitter = item.kind == "submission" or author.is_submitter
    checks: tuple[tuple[str, Any, bool], ...] = (
        ("type", None if rule.type == "any" else rule.type, True),
        ("reports", rule.reports, item.reports >= (rule.reports or 0)),
        ("body_longer_than", rule.body_longer_than, length > (rule.body_longer_than or 0)),
        ("body_shorter_than", rule.body_shorter_than, length < (rule.body_shorter_than or 0)),
        ("is_edited", rule.is_edited, item.is_edited == rule.is_edited),
        ("is_top_level", rule.is_top_level, item.is_top_level == rule.is_top_level),
        ("author: is_moderator", rule.author_is_moderator, author.is_moderator == rule.author_is_moderator),
        ("author: is_submitter", rule.author_is_submitter, is_submitter == rule.author_is_submitter),
    )
    hits = []
    for check, written, passed in checks:
        if written is None:
            continue
        if not passed:
            return None
        hits.append(Hit(f"{check}: {str(written).lower() if isinstance(written, bool) else written}"))
    return hits


def _thresholds(rule: Rule, author: AuthorFacts) -> list[Hit] | None:
    passed = [Hit(threshold.label) for threshold in rule.thresholds if _passes(threshold, author)]
    if rule.satisfy_any_threshold and rule.thresholds:
        return passed or None
    return passed if len(passed) == len(rule.thresholds) else None


def _passes(threshold: Threshold, author: AuthorFacts) -> bool:
    value = _measure(threshold, author)
    if threshold.operator == "<":
        return value < threshold.value
    if threshold.operator == ">":
        return value > threshold.value
    return value == threshold.value


def _measure(threshold: Threshold, author: AuthorFacts) -> float:
    if threshold.measure == "removals":
        if threshold.window_days not in author.removals_recent:
            raise ValueError(
                f"AuthorFacts.removals_recent has no count for {threshold.window_days} days; "
                "give it one for every day count in removal_windows(rules)"
            )
        return author.removals_recent[threshold.window_days]
    return {
        "account_age": author.account_age_days,
        "posts": author.posts_in_community,
        "replies": author.replies_in_community,
        "combined": author.posts_in_community + author.replies_in_community,
        "posts_total": author.posts_total,
        "replies_total": author.replies_total,
        "reports_against": author.reports_against,
    }[threshold.measure]


def _searches(
    rule: Rule, searches: tuple[Search, ...], item: Item, timeout: float, timeouts: list[TimedOut]
) -> tuple[list[Hit], dict[str, Any]] | None:
    """The hits and regex matches (by check name) of `searches`; None as soon as one fails.

    A regex that runs out of time is no match, and a `~` check whose regex ran out of time fails
    too: a slow pattern must never be what makes a rule act.
    """
    hits: list[Hit] = []
    found: dict[str, Any] = {}
    for search in searches:
        match, timed_out = _find(search, rule, item, timeout)
        timeouts.extend(TimedOut(rule.index, rule.name, rule.line, search.label, name) for name in timed_out)
        if match is not None and not search.negated:
            hits.append(Hit(search.label, match.group(1)))
            found.setdefault(search.name, match)
        elif match is None and search.negated and not timed_out:
            hits.append(Hit(search.label))
        else:
            return None
    return hits, found


def _find(search: Search, rule: Rule, item: Item, timeout: float) -> tuple[Any, list[str]]:
    """The first match in the search's fields, in the order written, and the fields that timed out."""
    texts = {"title": item.title, "body": _body(rule, item), "name": item.author.name}
    timed_out = []
    for name in search.fields:
        if name == "title" and item.kind == "comment":
            continue  # a reply has no title of its own: `title+body` searches only its body
        try:
            match = search.pattern.search(texts[name], timeout=timeout)
        except TimeoutError:
            timed_out.append(name)
            continue
        if match is not None:
            return match, timed_out
    return None, timed_out


def _body(rule: Rule, item: Item) -> str:
    if not rule.ignore_blockquotes:
        return item.body
    return "\n".join(line for line in item.body.splitlines() if line and not line.startswith(">"))


def _render(text: str, rule: Rule, item: Item, found: dict[str, Any]) -> str:
    """`text` with its placeholders filled in, in one pass, so text from the item is never expanded."""
    first = next((search.name for search in rule.searches if not search.negated), "")
    values = {
        "author": item.author.name,
        "body": item.body,
        "kind": item.kind,
        "permalink": item.permalink,
        "title": item.title,
    }

    def replace(placeholder: re.Match[str]) -> str:
        inner = placeholder.group(1)
        if inner in values:
            return values[inner]
        parts = match_placeholder(inner)
        if parts is None:
            return placeholder.group(0)
        name, group = parts
        match = found.get(name or first)
        return (match.group(group) or "") if match is not None else ""

    return PLACEHOLDER.sub(replace, text)
