"""The parsed form of a rule: what `parse_rules` builds and `evaluate` reads.

Plain frozen data. The vocabulary both sides share (kinds, actions, the placeholders) lives here
so that the parser can validate exactly what the engine will later render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["submission", "comment"]
Action = Literal["approve", "remove", "filter", "report"]

# AutoModerator checks rules that may take an item out of view before all others.
REMOVAL_ACTIONS = frozenset({"remove", "filter"})

ITEM_PLACEHOLDERS = ("author", "body", "kind", "permalink", "title")
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
_MATCH_PLACEHOLDER = re.compile(r"match(?:-(?P<rest>.+))?")


@dataclass(frozen=True)
class Search:
    """One search check, e.g. `~title+body#tags (regex, includes)`."""

    name: str  # how placeholders refer to it: "title+body#tags" (the key without its modifiers)
    label: str  # as written, for the log: "title+body#tags (regex, includes)"
    fields: tuple[str, ...]  # "title", "body"; "name" inside `author:`
    negated: bool
    pattern: Any  # a compiled `regex` pattern; group 1 is whichever value matched
    line: int


@dataclass(frozen=True)
class Threshold:
    """One author threshold, e.g. `account_age: < 7 days` or `removals: > 2 in 30 days`."""

    measure: str  # "account_age", "posts", "replies", "combined", "posts_total", ...
    label: str  # as written, for the log: "account_age: < 7 days"
    operator: Literal["<", ">", "="]
    value: float  # days for account_age, a count for everything else
    window_days: int = 0  # how far back `removals` counts


@dataclass(frozen=True)
class Rule:
    index: int  # position in the parsed text, from 0
    line: int  # the line of the rule's first check or action
    name: str  # its leading `# comment`, else "Rule at line N"
    type: str  # as written: "any", "submission", "text submission" or "comment"
    kinds: frozenset[Kind]  # the kinds of item it can apply to, after its checks narrow `type`
    priority: int = 0
    action: Action | None = None
    action_reason: str = ""
    comment: str = ""
    message: str = ""
    set_locked: bool | None = None
    moderators_exempt: bool = False
    reports: int | None = None
    body_longer_than: int | None = None
    body_shorter_than: int | None = None
    is_edited: bool | None = None
    is_top_level: bool | None = None
    ignore_blockquotes: bool = False
    searches: tuple[Search, ...] = ()
    author_searches: tuple[Search, ...] = ()
    author_is_moderator: bool | None = None
    author_is_submitter: bool | None = None
    thresholds: tuple[Threshold, ...] = ()
    satisfy_any_threshold: bool = False

    @property
    def is_removal(self) -> bool:
        return self.action in REMOVAL_ACTIONS


def match_placeholder(inner: str) -> tuple[str, int] | None:
    """Read `match`, `match-2`, `match-title` or `match-title+body#x-3` as (check name, group).

    The name is "" when the placeholder names no check. Group 1 is the whole value that matched,
    as in AutoModerator; a regex's own capture groups start at 2. None: not a match placeholder.
    """
    found = _MATCH_PLACEHOLDER.fullmatch(inner)
    if found is None:
        return None
    rest = found.group("rest") or ""
    if rest.isdigit():
        return "", int(rest)
    name, _, group = rest.rpartition("-")
    if name and group.isdigit():
        return name, int(group)
    return rest, 1
