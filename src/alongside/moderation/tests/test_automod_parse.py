"""The rule engine beyond AutoModerator's documented examples: validation with line numbers,
placeholders, the crisis override, moderators' exemption, the regex timeout, the order rules act
in, and the author-history checks Alongside adds."""

from __future__ import annotations

from textwrap import dedent
from typing import Any

import pytest

from alongside.moderation.automod import (
    AuthorFacts,
    Hit,
    Item,
    Outcome,
    RuleSyntaxError,
    TimedOut,
    dry_run,
    evaluate,
    parse_rules,
    removal_windows,
)


def _author(**facts: Any) -> AuthorFacts:
    return AuthorFacts(**{"name": "wren_member", "account_age_days": 400.0, **facts})


def _post(title: str = "Tonight", body: str = "Checking in.", **fields: Any) -> Item:
    return Item(kind="submission", author=fields.pop("author", _author()), title=title, body=body, **fields)


def _reply(body: str, **fields: Any) -> Item:
    fields.setdefault("author", _author(name="fay_member"))
    return Item(kind="comment", title="Tonight", body=body, **fields)


def _run(rules_text: str, item: Item, **options: Any) -> Outcome:
    return evaluate(parse_rules(dedent(rules_text)), item, **options)


def _errors(rules_text: str) -> list[str]:
    with pytest.raises(RuleSyntaxError) as raised:
        parse_rules(dedent(rules_text))
    return [str(error) for error in raised.value.errors]


# --- Validation ---------------------------------------------------------------------------------


def test_every_error_in_every_rule_is_reported_with_its_line():
    rules = """\
        title: fine
        action: remove
        ---
        bdy: hello
        action: remov
        author:
            account_age: '> seven days'
            karma: 3
        ---
        body (regex):
            - 'ok'
            - '(unclosed'
        action: report
    """
    assert _errors(rules) == [
        "line 4: unknown check 'bdy'; did you mean 'body'?",
        "line 5: 'action' must be one of approve, remove, spam, filter, report",
        "line 7: 'account_age' needs a comparison like '< 7 days' or '> 12 hours', not '> seven days'",
        "line 8: unknown check 'karma' under 'author'; did you mean 'post_karma'?",
        "line 12: the regex '(unclosed' in 'body (regex)' doesn't work: missing )",
    ]


def test_the_error_carries_the_list_and_reads_as_lines():
    with pytest.raises(RuleSyntaxError) as raised:
        parse_rules("bdy: x\naction: remove\n")

    assert [(error.line, error.message) for error in raised.value.errors] == [
        (1, "unknown check 'bdy'; did you mean 'body'?")
    ]
    assert str(raised.value) == "line 1: unknown check 'bdy'; did you mean 'body'?"


@pytest.mark.parametrize(
    ("rules", "error"),
    [
        ("title: x\naction: remove\n---\ncomment: Rules: first\n", "line 4: mapping values are not allowed here"),
        ("author:\n    post_karma: > 5\naction: filter\n", "line 2: expected a comment or a line break"),
        ("body: ['one', 'two'\naction: remove\n", "line 2: expected ',' or ']'"),
    ],
)
def test_yaml_syntax_errors_name_their_line(rules, error):
    (message,) = _errors(rules)
    assert message.startswith(error)


@pytest.mark.parametrize(
    ("rules", "error"),
    [
        ("body (include): x\naction: report\n", "line 1: unknown modifier 'include' in 'body (include)'"),
        ("body (includes, full-exact): x\naction: report\n", "line 1: 'body (includes, full-exact)' has more than one"),
        ("body includes: x\naction: report\n", "line 1: 'body includes' isn't a check; modifiers go in brackets"),
        ("action: report\nbody: [yes, 'no']\n", "line 2: 'yes' in 'body' was read as true or false: put it in quotes"),
        ("body: []\naction: report\n", "line 1: 'body' needs at least one value"),
        ("body: red\nbody: blue\naction: report\n", "line 2: 'body' is given twice in this rule (also on line 1)"),
        ("type: link submission\naction: remove\n", "line 1: every Alongside post is a text post"),
        ("type: Submission\naction: remove\n", "line 1: 'type' must be one of any, submission, text submission"),
        ("type: [comment, submission]\naction: remove\n", "line 1: 'type' must be one of"),
        ("type: comment\ntitle: x\naction: remove\n", "line 2: 'title' can't apply to replies"),
        ("type: submission\nis_top_level: true\naction: remove\n", "line 2: 'is_top_level' applies only to replies"),
        ("title: x\nis_top_level: true\naction: remove\n", "line 2: this rule can never match"),
        ("title: x\naction_reason: why\n", "line 1: this rule does nothing"),
        ("action: remove\n", "line 1: this rule has no checks"),
        ("account_age: '< 1 day'\naction: remove\n", "line 1: 'account_age' is an author check: put it under"),
        ("author:\n    post_karma: lots\naction: filter\n", "line 2: 'post_karma' needs a comparison like '< 10'"),
        ("author:\n    post_karma: <= 5\naction: filter\n", "line 2: 'post_karma' needs a comparison"),
        ("author:\n    account_age: < 3 fortnights\naction: filter\n", "line 2: 'account_age' needs a comparison"),
        ("author:\n    removals: '> 2'\naction: filter\n", "line 2: 'removals' needs a comparison like '> 2 in 30"),
        ("author:\n    is_moderator: sometimes\naction: filter\n", "line 2: 'is_moderator' must be true or false"),
        ("author:\naction: filter\n", "line 1: 'author' has an empty value"),
        ("priority: high\ntitle: x\naction: remove\n", "line 1: 'priority' must be a whole number"),
        ("reports: -1\naction: filter\n", "line 1: 'reports' must be a whole number of 0 or more"),
        ("title: x\ncomment: [a, b]\n", "line 2: 'comment' must be text"),
        ("title: x\ncomment: 'in {{subreddit}}'\n", "line 2: 'comment' uses {{subreddit}}, which isn't a placeholder"),
        ("body: x\naction: report\naction_reason: '{{match-title}}'\n", "line 3: 'action_reason' uses {{match-title}}"),
        ("~body: x\naction: report\naction_reason: '{{match}}'\n", "line 3: 'action_reason' uses {{match}}, but"),
        ("just some text\n", "line 1: a rule is a set of 'check: value' lines"),
    ],
)
def test_invalid_rules_are_refused_with_the_line_and_reason(rules, error):
    messages = _errors(rules)
    assert len(messages) == 1
    assert messages[0].startswith(error)


def test_a_match_group_the_regex_does_not_have_is_refused():
    assert _errors("body (regex): '(a)'\naction: report\naction_reason: '{{match-3}}'\n") == [
        "line 3: 'action_reason' uses {{match-3}}, but 'body (regex)' has no group 3 "
        "({{match}} is the whole match; a regex's own groups start at {{match-2}})"
    ]


def test_valid_rules_keep_their_names_lines_and_defaults():
    rules = parse_rules(
        dedent(
            """\
            # Spam links
            body: [example.test]
            action: spam
            ---

            type: comment
            report_reason: too short
            body_shorter_than: 3
            action: report
            ---
            # Welcome
            # (for new posts)
            type: submission
            priority: 2
            comment: Welcome!
            """
        )
    )
    spam, short, welcome = rules

    assert [(rule.index, rule.line, rule.name) for rule in rules] == [
        (0, 2, "Spam links"),
        (1, 6, "Rule at line 6"),
        (2, 13, "Welcome"),
    ]
    assert (spam.action, spam.moderators_exempt, spam.kinds) == ("remove", True, frozenset({"submission", "comment"}))
    assert (short.action, short.action_reason, short.moderators_exempt) == ("report", "too short", True)
    assert welcome.action is None
    assert (welcome.priority, welcome.moderators_exempt, welcome.kinds) == (2, False, frozenset({"submission"}))


def test_empty_documents_and_comment_only_sections_are_skipped():
    rules = parse_rules("---\n# just a note\n---\ntitle: x\naction: report\n---\n")

    assert [(rule.index, rule.line) for rule in rules] == [(0, 4)]


def test_keys_are_read_without_regard_to_case_as_in_automoderator():
    (rule,) = parse_rules("Title: x\nACTION: report\n")

    assert (rule.action, [search.label for search in rule.searches]) == ("report", ["title"])


# --- Placeholders -------------------------------------------------------------------------------


def test_placeholders_are_filled_in_reason_comment_and_message():
    rules = """
        body (regex): ['call (me|us) on (\\w+)']
        action: filter
        action_reason: "{{kind}} by {{author}}: {{match}} / {{match-3}} / {{match-body-2}}"
        comment: "In '{{title}}': {{body}}"
        message: "About {{permalink}}"
    """
    reply = _reply("please call me on signal", author=_author(name="gus_member"), permalink="/t/9/#r-3")
    outcome = _run(rules, reply)

    assert outcome.action_reason == "comment by gus_member: call me on signal / signal / me"
    assert outcome.decided_by is not None
    assert outcome.decided_by.comment == "In 'Tonight': please call me on signal"
    assert outcome.decided_by.message == "About /t/9/#r-3"


def test_text_from_the_item_is_never_expanded_as_a_placeholder():
    outcome = _run("body: hi\naction: report\naction_reason: '{{body}}'\n", _reply("hi {{author}} {{match}}"))

    assert outcome.action_reason == "hi {{author}} {{match}}"


def test_a_bare_match_comes_from_the_first_search_that_is_not_reversed():
    rules = "~body: calm\ntitle: [storm]\naction: report\naction_reason: '{{match}}'\n"
    assert _run(rules, _post(title="A storm", body="windy")).action_reason == "storm"


# --- Crisis override ----------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["remove", "spam", "filter"])
def test_a_rule_never_removes_a_crisis_item_it_holds_it_for_the_responders(action):
    rules = f"""
        body: goodbye
        action: {action}
        action_reason: "Matched [{{{{match}}}}]"
        comment: Your post was removed.
        message: Your post was removed.
        set_locked: true
    """
    outcome = _run(rules, _reply("I wanted to say goodbye", crisis=True))

    assert (outcome.action, outcome.crisis_override, outcome.action_reason) == ("filter", True, "Matched [goodbye]")
    assert (outcome.comments, outcome.messages, outcome.set_locked) == ((), (), None)
    assert outcome.decided_by is not None
    assert outcome.decided_by.rule_name == "Rule at line 2"


def test_without_crisis_the_removal_stands_with_its_comment():
    outcome = _run("body: goodbye\naction: remove\ncomment: Removed.\n", _reply("goodbye all"))

    assert (outcome.action, outcome.crisis_override, outcome.comments) == ("remove", False, ("Removed.",))


def test_a_report_on_a_crisis_item_stays_a_report():
    outcome = _run("body: goodbye\naction: report\n", _reply("goodbye all", crisis=True))

    assert (outcome.action, outcome.crisis_override) == ("report", False)


# --- Moderators exempt --------------------------------------------------------------------------


def test_moderators_are_exempt_from_removal_but_not_from_a_welcome():
    rules = """
        type: submission
        comment: Welcome!
        ---
        title: sale
        action: remove
    """
    moderator_post = _post(title="Big sale", author=_author(is_moderator=True))
    outcome = _run(rules, moderator_post)

    assert (outcome.action, outcome.comments) == (None, ("Welcome!",))
    assert _run(rules, _post(title="Big sale")).action == "remove"


def test_is_moderator_check_can_target_moderators_when_not_exempt():
    rules = "author:\n    is_moderator: true\naction: report\nmoderators_exempt: false\n"

    assert _run(rules, _reply("hi", author=_author(is_moderator=True))).action == "report"
    assert _run(rules, _reply("hi")).action is None


# --- Regex timeout ------------------------------------------------------------------------------

CATASTROPHIC = "aaaa" * 1250 + "b"  # `(a+)+$` backtracks without end on this


def test_a_regex_that_runs_out_of_time_is_no_match_and_is_recorded():
    outcome = _run("# Slow\nbody (regex): ['(a+)+$']\naction: remove\n", _reply(CATASTROPHIC), match_timeout=0.02)

    assert (outcome.action, outcome.matches) == (None, ())
    assert outcome.timeouts == (TimedOut(rule_index=0, rule_name="Slow", line=2, check="body (regex)", field="body"),)


def test_a_reversed_check_that_runs_out_of_time_does_not_act_either():
    outcome = _run("~body (regex): ['(a+)+$']\naction: remove\n", _reply(CATASTROPHIC), match_timeout=0.02)

    assert outcome.action is None
    assert len(outcome.timeouts) == 1


def test_another_field_can_still_match_when_one_runs_out_of_time():
    post = _post(title="aaa", body=CATASTROPHIC)
    outcome = _run("body+title (regex): ['(a+)+$']\naction: report\n", post, match_timeout=0.02)

    assert outcome.action == "report"
    assert [(timeout.check, timeout.field) for timeout in outcome.timeouts] == [("body+title (regex)", "body")]


# --- Order --------------------------------------------------------------------------------------


def test_removal_rules_go_first_whatever_their_priority():
    rules = """
        body: word
        priority: 100
        action: approve
        ---
        body: word
        priority: -5
        action: filter
        action_reason: held
    """
    outcome = _run(rules, _reply("a word"))

    assert (outcome.action, outcome.action_reason) == ("filter", "held")
    assert [match.rule_index for match in outcome.matches] == [1]


def test_among_other_rules_all_act_by_priority_then_as_written_and_the_last_action_wins():
    rules = """
        body: word
        action: report
        action_reason: first written
        set_locked: true
        ---
        body: word
        priority: 3
        action: approve
        comment: highest priority
        ---
        body: word
        action: report
        action_reason: second written
        set_locked: false
    """
    outcome = _run(rules, _reply("a word"))

    assert [match.rule_index for match in outcome.matches] == [1, 0, 2]
    assert (outcome.action, outcome.action_reason) == ("report", "second written")
    assert outcome.reports == ("first written", "second written")
    assert (outcome.comments, outcome.set_locked) == (("highest priority",), False)


def test_matches_name_the_rule_and_every_check_that_held():
    rules = """\
        # New accounts posting links
        type: submission
        title+body: ['example']
        reports: 1
        author:
            account_age: '< 2 days'
            is_submitter: true
        action: filter
    """
    post = _post(body="see example.test", reports=1, author=_author(account_age_days=1))
    (match,) = _run(rules, post).matches

    assert (match.rule_index, match.rule_name, match.line, match.action) == (
        0,
        "New accounts posting links",
        2,
        "filter",
    )
    assert match.hits == (
        Hit("type: submission"),
        Hit("reports: 1"),
        Hit("author: is_submitter: true"),
        Hit("author: account_age: < 2 days"),
        Hit("title+body", "example"),  # the value found, without the word boundaries around it
    )


@pytest.mark.parametrize(
    ("check", "age_days", "matches"),
    [
        ("< 2", 1.5, True),  # days when no unit is given
        ("< 2", 2.5, False),
        ("< 90 minutes", 0.05, True),
        ("< 90 minutes", 0.07, False),
        ("'> 3 weeks'", 22, True),
        ("< 1 month", 29.5, True),  # a month is 30 days
        ("< 1 month", 30.5, False),
        ("< 1 year", 364, True),  # a year is 365 days
        ("< 1 year", 366, False),
    ],
)
def test_account_age_units(check, age_days, matches):
    rules = f"author:\n    account_age: {check}\naction: filter\n"
    assert (_run(rules, _reply("hi", author=_author(account_age_days=age_days))).action == "filter") is matches


def test_a_replys_title_is_its_threads_and_title_checks_skip_it():
    rules = "title+body: [tonight]\naction: report\naction_reason: 'in {{title}}'\n"

    assert _run(rules, _reply("see you all")).action is None
    assert _run(rules, _reply("see you tonight")).action_reason == "in Tonight"
    assert _run(rules, _post(title="Tonight", body="see you all")).action == "report"


@pytest.mark.parametrize(
    ("item", "matches"),
    [
        (_post(), True),  # as in AutoModerator, a post's author is its submitter
        (_reply("hi", author=_author(is_submitter=True)), True),
        (_reply("hi"), False),
    ],
)
def test_is_submitter(item, matches):
    assert (_run("author:\n    is_submitter: true\naction: report\n", item).action == "report") is matches


# --- Author history, beyond AutoModerator -------------------------------------------------------


HISTORY_RULES = """
    author:
        removals: '> 2 in 30 days'
        reports_against: '> 3'
        satisfy_any_threshold: true
    action: filter
    ---
    author:
        removals: '> 0 in 2 weeks'
        posts_total: '< 1'
    action: report
"""


@pytest.mark.parametrize(
    ("facts", "action"),
    [
        ({"removals_recent": {30: 3, 14: 0}, "posts_total": 5}, "filter"),
        ({"removals_recent": {30: 2, 14: 0}, "reports_against": 4, "posts_total": 5}, "filter"),
        ({"removals_recent": {30: 2, 14: 0}, "reports_against": 3, "posts_total": 5}, None),
        ({"removals_recent": {30: 1, 14: 1}, "posts_total": 0}, "report"),
        ({"removals_recent": {30: 1, 14: 1}, "posts_total": 1}, None),
    ],
)
def test_removals_and_reports_against_the_author(facts, action):
    assert _run(HISTORY_RULES, _reply("hi", author=_author(**facts))).action == action


def test_removal_windows_lists_the_day_counts_the_rules_need():
    assert removal_windows(parse_rules(dedent(HISTORY_RULES))) == {30, 14}
    assert removal_windows(parse_rules("author:\n    removals: '> 1 in 2 months'\naction: filter\n")) == {60}


def test_a_missing_removal_count_is_an_error_not_a_silent_zero():
    with pytest.raises(ValueError, match="no count for 30 days"):
        _run(HISTORY_RULES, _reply("hi", author=_author(removals_recent={14: 0})))


def test_karma_maps_onto_posts_and_replies():
    rules = "author:\n    combined_karma: '< 5'\n    posts_total: '> 10'\naction: filter\n"
    author = _author(posts_in_community=2, replies_in_community=2, posts_total=11)

    one_more_post = _author(posts_in_community=3, replies_in_community=2, posts_total=11)

    assert _run(rules, _reply("hi", author=author)).action == "filter"
    assert _run(rules, _reply("hi", author=one_more_post)).action is None


# --- Dry run ------------------------------------------------------------------------------------


def test_dry_run_evaluates_each_item_in_order():
    rules = parse_rules("body: sale\naction: filter\n")
    items = [_reply("a sale today"), _reply("a quiet day")]

    assert [(item, outcome.action) for item, outcome in dry_run(rules, items)] == [
        (items[0], "filter"),
        (items[1], None),
    ]
