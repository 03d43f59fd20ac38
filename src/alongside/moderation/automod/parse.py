"""Reads AutoModerator YAML into `Rule`s, validating every rule before any of them runs.

`parse_rules(text)` returns the rules in the order written, or raises `RuleSyntaxError` carrying
every problem found, each with the 1-based line it is on. PyYAML's node marks give the lines, so
the text is composed (not loaded) and each node is read here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import regex  # type: ignore[import-untyped]
import yaml
from yaml.constructor import SafeConstructor

from alongside.moderation.automod.rules import (
    ITEM_PLACEHOLDERS,
    PLACEHOLDER,
    Kind,
    Rule,
    Search,
    Threshold,
    match_placeholder,
)


@dataclass(frozen=True)
class RuleError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class RuleSyntaxError(ValueError):
    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


class _InvalidError(Exception):
    """One wrong value; `node` points at it when it is not on its key's line (a list item)."""

    def __init__(self, message: str, node: yaml.Node | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.node = node

    def at(self, key_line: int) -> RuleError:
        return RuleError(_line(self.node) if self.node else key_line, self.message)


# How each search method wraps the values, exactly as AutoModerator does; group 1 is the value.
_METHODS = {
    "includes-word": r"(?:^|\W|\b){}(?:$|\W|\b)",
    "includes": "{}",
    "starts-with": "^{}",
    "ends-with": "{}$",
    "full-exact": "^{}$",
    "full-text": r"^\W*{}\W*$",
}
_MODIFIERS = (*_METHODS, "regex", "case-sensitive")
_SEARCH_KEY = re.compile(r"(?P<name>~?[^\s(]+)\s*(?:\((?P<modifiers>[^)]*)\))?")

_TYPES: dict[str, tuple[Kind, ...]] = {
    "any": ("submission", "comment"),
    "submission": ("submission",),
    "text submission": ("submission",),  # every opening post in Alongside is a text post
    "comment": ("comment",),
}
_ACTIONS = {"approve": "approve", "remove": "remove", "spam": "remove", "filter": "filter", "report": "report"}

_ITEM_FIELDS = ("title", "body")
_LINK_FIELDS = ("domain", "url")  # link posts' fields: dropped from `domain+body+title`, an error alone
_AUTHOR_FIELDS = ("name",)
_MEASURES = {
    "account_age": "account_age",
    "post_karma": "posts",
    "link_karma": "posts",
    "post_subreddit_karma": "posts",
    "comment_karma": "replies",
    "comment_subreddit_karma": "replies",
    "combined_karma": "combined",
    "combined_subreddit_karma": "combined",
    "posts_total": "posts_total",
    "replies_total": "replies_total",
    "removals": "removals",
    "reports_against": "reports_against",
}
_AGE_UNITS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
_WINDOW_UNITS = {"day": 1, "week": 7, "month": 30}
_OPERATORS: dict[str | None, Literal["<", ">", "="]] = {None: "=", "=": "=", "==": "=", "<": "<", ">": ">"}
_COMPARISON = re.compile(r"(?P<operator>==?|<|>)?\s*(?P<number>-?\d+)\s*(?P<rest>.*)")
_WINDOW = re.compile(r"in\s+(?P<number>\d+)\s*(?P<unit>[a-z]+?)s?")

# AutoModerator features with no counterpart in Alongside, so a pasted rule fails loudly.
_NOT_IN_ALONGSIDE = frozenset(
    {
        "comment_locked",
        "comment_stickied",
        "crosspost_author",
        "crosspost_subreddit",
        "discussion_type",
        "is_gallery",
        "is_meta_discussion",
        "is_original_content",
        "is_poll",
        "message_subject",
        "modmail_subject",
        "overwrite_flair",
        "parent_submission",
        "past_archive_date",
        "set_contest_mode",
        "set_flair",
        "set_nsfw",
        "set_original_content",
        "set_post_crowd_control_level",
        "set_spoiler",
        "set_sticky",
        "set_suggested_sort",
        "standard",
        "subreddit",
        # search fields and author checks
        "contributor_quality",
        "crosspost_id",
        "crosspost_title",
        "flair_css_class",
        "flair_template_id",
        "flair_text",
        "has_verified_email",
        "id",
        "is_contributor",
        "is_gold",
        "media_author",
        "media_author_url",
        "media_description",
        "media_title",
        "poll_option_count",
        "poll_option_text",
    }
)
_YAML_HINTS = {
    "mapping values are not allowed here": "put text that has a colon in quotes",
    "expected a comment or a line break": "put a greater-than check in quotes, like '> 10'",
    "found character '\\t'": "indent with spaces, not tabs",
}


def parse_rules(text: str) -> list[Rule]:
    """The rules in `text` (YAML documents separated by `---`), in the order written."""
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise RuleSyntaxError([_yaml_error(error, text)]) from None
    lines = text.splitlines()
    errors: list[RuleError] = []
    rules: list[Rule] = []
    for document in documents:
        if document is None or document.tag == "tag:yaml.org,2002:null":  # empty, or only comments
            continue
        rule = _rule(document, len(rules), lines, errors)
        if rule is not None:
            rules.append(rule)
    if errors:
        raise RuleSyntaxError(errors)
    return rules


def _yaml_error(error: yaml.YAMLError, text: str) -> RuleError:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        problem = error.problem or "this isn't valid YAML"
        hint = next((hint for start, hint in _YAML_HINTS.items() if problem.startswith(start)), "")
        return RuleError(error.problem_mark.line + 1, f"{problem} ({hint})" if hint else problem)
    if isinstance(error, yaml.reader.ReaderError):
        return RuleError(text.count("\n", 0, error.position) + 1, f"{error.reason}: {error.character!r}")
    return RuleError(1, str(error))


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _value(node: yaml.Node) -> Any:
    return SafeConstructor().construct_object(node, deep=True)


@dataclass
class _Parts:
    """What one rule's keys add up to, before the rule as a whole is checked."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    searches: list[Search] = field(default_factory=list)
    author_searches: list[Search] = field(default_factory=list)
    thresholds: list[Threshold] = field(default_factory=list)


def _rule(node: yaml.Node, index: int, lines: list[str], errors: list[RuleError]) -> Rule | None:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        errors.append(RuleError(line, "a rule is a set of 'check: value' lines"))
        return None
    errors_before = len(errors)
    parts = _Parts()
    for key, key_line, value_node in _entries(node, errors):
        parts.lines[key] = key_line
        try:
            _read_rule_key(key, key_line, value_node, parts, errors)
        except _InvalidError as invalid:
            errors.append(invalid.at(key_line))
    if len(errors) > errors_before:
        return None
    return _assemble(parts, index=index, line=line, name=_leading_comment(lines, line - 1), errors=errors)


def _entries(node: yaml.MappingNode, errors: list[RuleError]) -> list[tuple[str, int, yaml.Node]]:
    """The mapping's keys, lower-cased as AutoModerator does; a key given twice is an error."""
    entries: list[tuple[str, int, yaml.Node]] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = _line(key_node)
        key = _value(key_node) if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            errors.append(RuleError(line, "each line must start with the name of a check or an action"))
            continue
        key = key.strip().lower()
        key = "action_reason" if key == "report_reason" else key
        if key in seen:
            errors.append(
                RuleError(
                    line,
                    f"'{key}' is given twice in this rule (also on line {seen[key]}), so only one would count; "
                    "to check a field twice, name the second check, like 'body#2'",
                )
            )
            continue
        seen[key] = line
        entries.append((key, line, value_node))
    return entries


def _read_rule_key(key: str, line: int, node: yaml.Node, parts: _Parts, errors: list[RuleError]) -> None:
    if key in _RULE_VALUES:
        parts.values[key] = _RULE_VALUES[key](key, _value(node))
    elif key in ("author", "~author"):
        _read_author(key, line, node, parts, errors)
    else:
        parts.searches.append(_search(key, node, line=line, label=key, in_author=False))


def _read_author(key: str, line: int, node: yaml.Node, parts: _Parts, errors: list[RuleError]) -> None:
    if key == "~author" or not isinstance(node, yaml.MappingNode):
        # `author: [a, b]` is short for `author: {name: [a, b]}`, and `~author` for `~name`.
        name = "~name" if key == "~author" else "name"
        parts.author_searches.append(_search(name, node, line=line, label=key, in_author=True))
        return
    for author_key, author_line, value_node in _entries(node, errors):
        try:
            if author_key in _AUTHOR_VALUES:
                parts.values[_AUTHOR_VALUES[author_key]] = _bool(author_key, _value(value_node))
            elif author_key in _MEASURES:
                parts.thresholds.append(_threshold(author_key, _value(value_node)))
            else:
                label = f"author: {author_key}"
                parts.author_searches.append(
                    _search(author_key, value_node, line=author_line, label=label, in_author=True)
                )
        except _InvalidError as invalid:
            errors.append(invalid.at(author_line))


# --- Values -------------------------------------------------------------------------------------


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _InvalidError(f"'{key}' must be true or false")
    return value


def _whole(key: str, value: Any) -> int:
    if type(value) is not int:
        raise _InvalidError(f"'{key}' must be a whole number, like 3")
    return value


def _count(key: str, value: Any) -> int:
    if type(value) is not int or value < 0:
        raise _InvalidError(f"'{key}' must be a whole number of 0 or more, like 3")
    return value


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _InvalidError(f"'{key}' must be text; put it in quotes")
    return value


def _type(key: str, value: Any) -> str:
    if isinstance(value, str) and value in _TYPES:
        return value
    if isinstance(value, str) and value.endswith(" submission"):
        raise _InvalidError(
            f"every Alongside post is a text post, so 'type: {value}' would never match; "
            "use 'submission' or 'text submission'"
        )
    raise _InvalidError(f"'{key}' must be one of {', '.join(_TYPES)}")


def _action(key: str, value: Any) -> str:
    if not isinstance(value, str) or value not in _ACTIONS:
        raise _InvalidError(f"'{key}' must be one of {', '.join(_ACTIONS)}")
    return _ACTIONS[value]


_RULE_VALUES: dict[str, Callable[[str, Any], Any]] = {
    "type": _type,
    "priority": _whole,
    "moderators_exempt": _bool,
    "action": _action,
    "action_reason": _text,
    "comment": _text,
    "message": _text,
    "set_locked": _bool,
    "reports": _count,
    "body_longer_than": _count,
    "body_shorter_than": _count,
    "is_edited": _bool,
    "is_top_level": _bool,
    "ignore_blockquotes": _bool,
}
_AUTHOR_VALUES = {
    "is_moderator": "author_is_moderator",
    "is_submitter": "author_is_submitter",
    "satisfy_any_threshold": "satisfy_any_threshold",
}


def _threshold(key: str, value: Any) -> Threshold:
    measure = _MEASURES[key]
    written = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    found = _COMPARISON.fullmatch(written)
    if found is None:
        raise _InvalidError(_comparison_hint(key, measure, written or str(value)))
    operator = _OPERATORS[found["operator"]]
    number = int(found["number"])
    rest = found["rest"].strip().lower()
    label = f"author: {key}: {written}"
    if measure == "account_age":
        unit = rest.removesuffix("s") or "day"
        if unit not in _AGE_UNITS or number < 0:
            raise _InvalidError(_comparison_hint(key, measure, written))
        return Threshold(measure, label, operator, number * _AGE_UNITS[unit])
    if measure == "removals":
        window = _WINDOW.fullmatch(rest)
        if window is None or window["unit"] not in _WINDOW_UNITS or int(window["number"]) < 1:
            raise _InvalidError(_comparison_hint(key, measure, written))
        days = int(window["number"]) * _WINDOW_UNITS[window["unit"]]
        return Threshold(measure, label, operator, number, window_days=days)
    if rest:
        raise _InvalidError(_comparison_hint(key, measure, written))
    return Threshold(measure, label, operator, number)


def _comparison_hint(key: str, measure: str, written: str) -> str:
    examples = {
        "account_age": "'< 7 days' or '> 12 hours'",
        "removals": "'> 2 in 30 days'",
    }.get(measure, "'< 10' or '> 10'")
    return f"'{key}' needs a comparison like {examples}, not '{written}'"


# --- Search checks ------------------------------------------------------------------------------


def _search(key: str, node: yaml.Node, *, line: int, label: str, in_author: bool) -> Search:
    found = _SEARCH_KEY.fullmatch(key)
    if found is None:
        raise _InvalidError(f"'{key}' isn't a check; modifiers go in brackets, like 'body (includes)'")
    name = found["name"]
    searched = tuple(part.strip() for part in name.lstrip("~").partition("#")[0].split("+"))
    for each in searched:
        _check_field(each, in_author=in_author)
    searched = tuple(each for each in searched if each not in _LINK_FIELDS)
    if not searched:
        raise _InvalidError(f"'{name}' can't be checked: Alongside posts have no link of their own; check the body")
    modifiers = [modifier.strip() for modifier in (found["modifiers"] or "").split(",") if modifier.strip()]
    for modifier in modifiers:
        if modifier not in _MODIFIERS:
            raise _InvalidError(f"unknown modifier '{modifier}' in '{key}'; the modifiers are {', '.join(_MODIFIERS)}")
    methods = [modifier for modifier in modifiers if modifier in _METHODS]
    if len(methods) > 1:
        raise _InvalidError(f"'{key}' has more than one of {', '.join(_METHODS)}; choose one")
    flags = regex.DOTALL | (0 if "case-sensitive" in modifiers else regex.IGNORECASE)
    values = _search_values(label, node, is_regex="regex" in modifiers)
    template = _METHODS[methods[0] if methods else "includes-word"]
    try:
        pattern = regex.compile(template.format("(" + "|".join(text for text, _ in values) + ")"), flags)
    except regex.error as error:
        raise _regex_error(label, values, flags, error) from None
    return Search(
        name=name.lstrip("~"),
        label=label,
        fields=searched,
        negated=name.startswith("~"),
        pattern=pattern,
        line=line,
    )


def _check_field(name: str, *, in_author: bool) -> None:
    if name in (_AUTHOR_FIELDS if in_author else (*_ITEM_FIELDS, *_LINK_FIELDS)):
        return
    if name in _NOT_IN_ALONGSIDE:
        raise _InvalidError(f"AutoModerator's '{name}' isn't available in Alongside")
    if name == "modmail":
        raise _InvalidError("Alongside has no modmail: use 'action: filter' or 'action: report' to tell the moderators")
    author_checks = [*_AUTHOR_FIELDS, *_AUTHOR_VALUES, *_MEASURES]
    if not in_author and name in author_checks:
        raise _InvalidError(f"'{name}' is an author check: put it under 'author:'")
    known = author_checks if in_author else [*_RULE_VALUES, "author", *_ITEM_FIELDS]
    close = difflib.get_close_matches(name, known, n=1)
    suggestion = f"; did you mean '{close[0]}'?" if close else ""
    where = " under 'author'" if in_author else ""
    raise _InvalidError(f"unknown check '{name}'{where}{suggestion}")


def _search_values(key: str, node: yaml.Node, *, is_regex: bool) -> list[tuple[str, yaml.Node]]:
    """The values to look for, as regex source, each with its node."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not items:
        raise _InvalidError(f"'{key}' needs at least one value to look for")
    values: list[tuple[str, yaml.Node]] = []
    for item in items:
        if not isinstance(item, yaml.ScalarNode):
            raise _InvalidError(f"'{key}' takes text, or a list of text", item)
        value = _value(item)
        if value is None or value == "":
            raise _InvalidError(f"'{key}' has an empty value", item)
        if isinstance(value, bool):
            raise _InvalidError(f"'{item.value}' in '{key}' was read as true or false: put it in quotes", item)
        # Numbers keep the digits as written ("0777" stays "0777"); YAML would make them ints.
        text = value if isinstance(value, str) else str(item.value)
        values.append((text if is_regex else regex.escape(text), item))
    return values


def _regex_error(key: str, values: list[tuple[str, yaml.Node]], flags: int, error: Exception) -> _InvalidError:
    """Name the value that breaks the check's regex, on its own line, where one does alone.

    Each is tried in a group of its own, as AutoModerator wraps the values in one: rules in its
    library count on that, with a backreference in a value to the value's own first group.
    """
    for text, node in values:
        try:
            regex.compile(f"({text})", flags)
        except regex.error as alone:
            return _InvalidError(f"the regex '{text}' in '{key}' doesn't work: {alone.msg}", node)
    return _InvalidError(f"'{key}' makes a regex that doesn't work: {error}")


# --- The rule as a whole ------------------------------------------------------------------------


def _assemble(parts: _Parts, *, index: int, line: int, name: str, errors: list[RuleError]) -> Rule | None:
    errors_before = len(errors)
    values = parts.values
    rule_type = values.pop("type", "any")
    kinds = _kinds(rule_type, parts, errors)
    checks = (parts.searches, parts.author_searches, parts.thresholds, _CHECK_KEYS & set(values))
    if rule_type == "any" and not any(checks):
        errors.append(RuleError(line, "this rule has no checks, so it would act on everything; add one"))
    if not set(values) & {"action", "comment", "message", "set_locked"}:
        errors.append(RuleError(line, "this rule does nothing: add an 'action', 'comment', 'message' or 'set_locked'"))
    for key in ("action_reason", "comment", "message"):
        if key in values:
            _check_placeholders(key, values[key], parts.lines[key], parts.searches, errors)
    if len(errors) > errors_before:
        return None
    action = values.get("action")
    values.setdefault("moderators_exempt", action in ("remove", "filter", "report"))
    return Rule(
        index=index,
        line=line,
        name=name or f"Rule at line {line}",
        type=rule_type,
        kinds=kinds,
        searches=tuple(parts.searches),
        author_searches=tuple(parts.author_searches),
        thresholds=tuple(parts.thresholds),
        **values,
    )


_CHECK_KEYS = frozenset(
    {
        "reports",
        "body_longer_than",
        "body_shorter_than",
        "is_edited",
        "is_top_level",
        "author_is_moderator",
        "author_is_submitter",
    }
)


def _kinds(rule_type: str, parts: _Parts, errors: list[RuleError]) -> frozenset[Kind]:
    """The kinds of item the rule can apply to: a title check needs a post, is_top_level a reply."""
    kinds = set(_TYPES[rule_type])
    for search in parts.searches:
        if search.fields == ("title",):
            if rule_type == "comment":
                errors.append(RuleError(search.line, f"'{search.label}' can't apply to replies: they have no title"))
            kinds.discard("comment")
    if "is_top_level" in parts.values:
        if "comment" not in _TYPES[rule_type]:
            errors.append(RuleError(parts.lines["is_top_level"], "'is_top_level' applies only to replies (comments)"))
        kinds.discard("submission")
    if not kinds and rule_type == "any":
        errors.append(
            RuleError(
                parts.lines["is_top_level"],
                "this rule can never match: only posts have a title, and only replies have 'is_top_level'",
            )
        )
    return frozenset(kinds)


def _check_placeholders(key: str, text: str, line: int, searches: list[Search], errors: list[RuleError]) -> None:
    for found in PLACEHOLDER.finditer(text):
        written = found.group(0)
        if found.group(1) in ITEM_PLACEHOLDERS:
            continue
        parts = match_placeholder(found.group(1))
        if parts is None:
            known = ", ".join(f"{{{{{each}}}}}" for each in (*ITEM_PLACEHOLDERS, "match"))
            errors.append(RuleError(line, f"'{key}' uses {written}, which isn't a placeholder here; use {known}"))
            continue
        name, group = parts
        search = next((s for s in searches if not s.negated and name in ("", s.name)), None)
        if search is None:
            wanted = f"a '{name}' check" if name else "a title or body check"
            errors.append(RuleError(line, f"'{key}' uses {written}, but this rule has no {wanted} to take it from"))
        elif group > search.pattern.groups:
            errors.append(
                RuleError(
                    line,
                    f"'{key}' uses {written}, but '{search.label}' has no group {group} "
                    "({{match}} is the whole match; a regex's own groups start at {{match-2}})",
                )
            )


def _leading_comment(lines: list[str], first: int) -> str:
    """A rule's name: the topmost `# comment` between the `---` above it and its first line."""
    name = ""
    for text in reversed(lines[:first]):
        stripped = text.strip()
        if stripped.startswith("---"):
            break
        if stripped.startswith("#"):
            name = stripped.lstrip("#").strip() or name
    return name
