"""AutoModerator compatibility: rules from its documentation, and the outcome the documentation gives.

Each test names its source: "Full documentation" (reddit wiki automoderator/full-documentation),
"Writing basic rules" (automoderator/writing-basic-rules), and r/AutoModerator's wiki pages
"Library of common rules", "Common mistakes" and "YAML syntax". The rules are the documented ones;
where one uses something Alongside has no counterpart for (flair, modmail, sticky comments), the
test says what was left out. The posts and replies are written for these tests.
"""

from __future__ import annotations

from textwrap import dedent
from typing import Any

import pytest

from alongside.moderation.automod import AuthorFacts, Item, Outcome, RuleSyntaxError, evaluate, parse_rules


def _author(**facts: Any) -> AuthorFacts:
    return AuthorFacts(**{"name": "wren_member", "account_age_days": 400.0, **facts})


def _post(title: str = "A quiet evening", body: str = "Just checking in with everyone.", **fields: Any) -> Item:
    return Item(kind="submission", author=fields.pop("author", _author()), title=title, body=body, **fields)


def _reply(body: str, **fields: Any) -> Item:
    fields.setdefault("author", _author(name="fay_member"))
    return Item(kind="comment", title="A quiet evening", body=body, **fields)


def _run(rules_text: str, item: Item) -> Outcome:
    return evaluate(parse_rules(dedent(rules_text)), item)


# --- Writing basic rules ------------------------------------------------------------------------


BASIC_TITLE_RULE = """
    title: disallowed
    action: remove
"""


@pytest.mark.parametrize(
    ("item", "action"),
    [
        (_post(title="This is DISALLOWED, sorry"), "remove"),  # "not case-sensitive by default"
        (_post(title="Disallowedness is not a word"), None),  # a whole word, not part of one
        (_post(title="Hello", body="disallowed"), None),  # only the title is checked
        (_reply("disallowed"), None),  # replies have no title
    ],
)
def test_basic_rule_removes_posts_with_the_word_in_the_title(item, action):
    # Writing basic rules, "The pieces of an AutoModerator rule".
    assert _run(BASIC_TITLE_RULE, item).action == action


def test_any_item_from_a_list():
    # Writing basic rules, "Checking for any item from a list" (it sets flair; here it reports).
    rule = """
        title: [red, green, blue]
        action: report
        action_reason: Primary Color
    """
    assert _run(rule, _post(title="My green notebook")).reports == ("Primary Color",)
    assert _run(rule, _post(title="Greenhouse plans")).action is None


def test_reversed_check_requires_a_title_tag():
    # Library of common rules, "Require Title Tag" (and Writing basic rules, "Reverse checks").
    rule = """
        ~title: ['[Tag1]', '[Tag2]', '[Tag3]']
        action: remove
        action_reason: "Title missing required title tag"
        comment: |
            Your post has been automatically removed because you did not include one of the required title tags.
    """
    tagged = _run(rule, _post(title="[Tag2] First week back at work"))
    untagged = _run(rule, _post(title="First week back at work"))

    assert tagged.action is None
    assert (untagged.action, untagged.action_reason) == ("remove", "Title missing required title tag")
    assert untagged.comments == (
        "Your post has been automatically removed because you did not include one of the required title tags.\n",
    )
    assert _run(rule, _reply("no tag here")).action is None


@pytest.mark.parametrize(
    "rule",
    [
        # Library of common rules, "User Bot Ban List", simple format.
        """
        author:
            name: [username1, username2, username3]
        action: remove
        action_reason: "User is banned"
        """,
        # Writing basic rules, "Author checks": a list under `author:` is a check of the name.
        """
        author: [username1, username2, username3]
        action: remove
        action_reason: "User is banned"
        """,
    ],
)
def test_user_ban_list(rule):
    banned = _run(rule, _reply("hello all", author=_author(name="username2")))

    assert (banned.action, banned.action_reason) == ("remove", "User is banned")
    assert _run(rule, _reply("hello all", author=_author(name="username22"))).action is None
    # Full documentation: moderators are exempt from removal rules by default.
    assert _run(rule, _reply("hello all", author=_author(name="username2", is_moderator=True))).action is None


@pytest.mark.parametrize(("age_days", "action"), [(0.5, "remove"), (1.5, None)])
def test_throwaway_account_prevention(age_days, action):
    # Library of common rules, "Throwaway Account Prevention".
    rule = """
        author:
            account_age: "< 1 days"
        action: remove
        action_reason: "New user"
    """
    outcome = _run(rule, _reply("hi", author=_author(account_age_days=age_days)))

    assert outcome.action == action
    assert outcome.action_reason == ("New user" if action else "")


def test_type_check_with_comment_karma():
    # Writing basic rules, "Checking for type". Every post here is a text post, so the documented
    # `link submission` is refused (it would never match); `text submission` works.
    documented = """
        type: link submission
        author:
            comment_karma: < 5
        action: remove
    """
    with pytest.raises(RuleSyntaxError, match="line 2: every Alongside post is a text post"):
        parse_rules(dedent(documented))

    rule = documented.replace("link submission", "text submission")
    assert _run(rule, _post(author=_author(replies_in_community=4))).action == "remove"
    assert _run(rule, _post(author=_author(replies_in_community=5))).action is None
    assert _run(rule, _reply("hi", author=_author(replies_in_community=0))).action is None


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        # Writing basic rules, "Posting comments or sending modmail".
        ("title: [meta, mods]\nmodmail: A mod should check on it.\n", "line 2: Alongside has no modmail"),
        # Library of common rules, "Keyword-based Link Flair".
        ("title: [keyword1]\nset_flair: ['text', 'class']\n", "line 2: AutoModerator's 'set_flair' isn't available"),
        # Library of common rules, "Mobile Links".
        ("domain (starts-with): [m., mobile.]\naction: remove\n", "line 1: 'domain' can't be checked"),
        # Full documentation, "Sub-groups".
        ("type: comment\nbody: repost\nparent_submission:\n    set_flair: x\n", "line 3: AutoModerator's"),
    ],
)
def test_documented_rules_alongside_cannot_run_are_refused_with_the_reason(rule, message):
    with pytest.raises(RuleSyntaxError) as raised:
        parse_rules(rule)
    assert str(raised.value.errors[0]).startswith(message)


# --- Full documentation: search checks and matching modifiers -----------------------------------


@pytest.mark.parametrize(
    ("check", "value", "text", "matches"),
    [
        # "includes-word": a pattern of base matches "all your base" but not "I like baseball".
        ("body", "base", "all your base", True),
        ("body", "base", "I like baseball", False),
        ("body (includes)", "base", "I like baseball", True),
        ("body (starts-with)", "hello", "Hello there", True),
        ("body (starts-with)", "hello", "oh hello", False),
        ("body (ends-with)", "thanks", "ok, thanks", True),
        ("body (ends-with)", "thanks", "thanks, ok", False),
        ("body (full-exact)", "thank you", "Thank you", True),
        ("body (full-exact)", "thank you", "Thank you!", False),
        ("body (full-text)", "thank you", "  Thank you!!", True),
        ("body (full-text)", "thank you", "Thank you all", False),
        ("body (case-sensitive)", "Hope", "some hope", False),
        ("body (case-sensitive)", "Hope", "some Hope", True),
        # Common mistakes, "Overusing includes": includes finds "cow" in "scowl"; the regex doesn't.
        ("body (includes)", "cow", "a scowl", True),
        ("body+title (regex)", "cow(bell|boy|girl)?s?", "two cowbells", True),
        ("body+title (regex)", "cow(bell|boy|girl)?s?", "a scowl", False),
        ("body+title (regex)", "cow(bell|boy|girl)?s?", "a coward", False),
    ],
)
def test_matching_modifiers(check, value, text, matches):
    rule = f"{check}: ['{value}']\naction: report\n"
    assert (_run(rule, _reply(text)).action == "report") is matches


def test_separate_checks_must_all_match_but_a_joined_check_needs_one_field():
    # Common mistakes, "Multiple expression rules".
    separate = "title: red\nbody: blue\naction: report\n"
    joined = "title+body: [red, blue]\naction: report\n"
    only_title = _post(title="A red day", body="nothing else")

    assert _run(separate, only_title).action is None
    assert _run(separate, _post(title="A red day", body="and a blue one")).action == "report"
    assert _run(joined, only_title).action == "report"


def test_named_checks_of_the_same_field_must_all_match():
    # YAML syntax, "Custom match subject suffixes": `body#2`.
    rule = "type: comment\nbody: red\nbody#2: blue\naction: remove\n"

    assert _run(rule, _reply("red and blue")).action == "remove"
    assert _run(rule, _reply("only red")).action is None


def test_match_placeholders_and_capture_groups():
    # Full documentation, "Match placeholders": {{match}} is {{match-1}}, a regex's groups start at
    # {{match-2}}, and {{match-title}} names the check.
    rule = """
        title (regex): ['(red|green|blue) (square|circle)']
        body: [calm, tired]
        action: report
        action_reason: "{{match}} / {{match-2}} / {{match-title-3}} / {{match-body}}"
    """
    outcome = _run(rule, _post(title="A Green Circle today", body="feeling tired"))

    assert outcome.action_reason == "Green Circle / Green / Circle / tired"


def test_match_multiple_keywords():
    # Library of common rules, "Match Multiple Keywords".
    rule = """
        title+body#color: ['blue', 'green', 'red']
        title+body#shape (regex): ['circles?', 'squares?', 'triangles?']
        action: filter
        action_reason: "Colored shape filter [{{match-title+body#color}}] [{{match-title+body#shape}}]"
    """
    outcome = _run(rule, _post(title="Drawing helps", body="I painted a red square today"))

    assert (outcome.action, outcome.action_reason) == ("filter", "Colored shape filter [red] [square]")
    assert _run(rule, _post(title="Drawing helps", body="I painted a square")).action is None


# --- Full documentation: other checks -----------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "action"),
    [
        (_reply("Nice post!"), "remove"),  # 9 characters once the "!" is left out
        (_reply("Nice post!", is_top_level=False), None),
        (_reply("This helped me a lot today."), None),
        (_post(body="Short"), None),
    ],
)
def test_short_top_level_comments(item, action):
    # Library of common rules, "Short Top-Level Comments".
    rule = """
        type: comment
        body_shorter_than: 11
        is_top_level: true
        action: remove
        action_reason: "Short top-level comment"
    """
    assert _run(rule, item).action == action


@pytest.mark.parametrize(("body", "action"), [("", "remove"), ("...", "remove"), ("Hi", None)])
def test_self_posts_without_text(body, action):
    # Library of common rules, "Self Posts without Text".
    rule = "type: text submission\nbody_shorter_than: 1\naction: remove\naction_reason: 'Self post without text'\n"
    assert _run(rule, _post(body=body)).action == action


@pytest.mark.parametrize(("body", "reported"), [("hello!!!", False), ("hello there", True)])
def test_body_longer_than_leaves_out_punctuation_at_either_end(body, reported):
    # Full documentation, "Non-searching checks": body_longer_than.
    assert (_run("body_longer_than: 5\naction: report\n", _reply(body)).action == "report") is reported


@pytest.mark.parametrize(("reports", "action"), [(1, None), (2, "filter"), (3, "filter")])
def test_reported_items(reports, action):
    # Library of common rules, "Reported Items" (its modmail left out).
    rule = "reports: 2\naction: filter\naction_reason: 'Multiple reports'\n"
    assert _run(rule, _reply("a reply", reports=reports)).action == action


def test_comment_on_new_submissions_only():
    # Library of common rules, "Commenting on submissions" (comment_stickied left out).
    rule = """
        type: submission
        is_edited: false
        comment: |
            The text of the comment goes here.
    """
    assert _run(rule, _post()).comments == ("The text of the comment goes here.\n",)
    assert _run(rule, _post(is_edited=True)).comments == ()
    assert _run(rule, _reply("a reply")).comments == ()


def test_ignore_blockquotes():
    # Full documentation, "Other directives": quoted text is not searched or counted.
    rule = "body: sad\nignore_blockquotes: true\naction: report\n"

    assert _run(rule, _reply("> so sad\n\nI hear you")).action is None
    assert _run(rule, _reply("> I hear you\n\nstill sad")).action == "report"


# --- Full documentation: karma and age thresholds -----------------------------------------------


@pytest.mark.parametrize(
    ("check", "posts", "matches"),
    [("< 10", 9, True), ("< 10", 10, False), ("'> 10'", 11, True), ("'> 10'", 10, False), ("10", 10, True)],
)
def test_post_karma_thresholds(check, posts, matches):
    # Full documentation, "Karma/age threshold checks": post_karma is posts in this community here.
    rule = f"author:\n    post_karma: {check}\naction: report\n"
    assert (_run(rule, _reply("hi", author=_author(posts_in_community=posts))).action == "report") is matches


@pytest.mark.parametrize(("age_days", "matches"), [(2.0, True), (2.6, False)])
def test_account_age_in_hours(age_days, matches):
    # Full documentation: "you can specify something like account_age: < 60 hours".
    rule = "author:\n    account_age: < 60 hours\naction: filter\n"
    assert (_run(rule, _reply("hi", author=_author(account_age_days=age_days))).action == "filter") is matches


@pytest.mark.parametrize(
    ("any_threshold", "age_days", "replies", "matches"),
    [
        ("false", 1, 1, True),
        ("false", 1, 50, False),  # all thresholds must hold by default
        ("true", 1, 50, True),  # one is enough
        ("true", 30, 50, False),
    ],
)
def test_satisfy_any_threshold(any_threshold, age_days, replies, matches):
    # Full documentation, satisfy_any_threshold.
    rule = f"""
        author:
            account_age: "< 7 days"
            comment_karma: "< 5"
            satisfy_any_threshold: {any_threshold}
        action: filter
    """
    author = _author(account_age_days=age_days, replies_in_community=replies)
    assert (_run(rule, _reply("hi", author=author)).action == "filter") is matches


def test_satisfy_any_threshold_leaves_other_author_checks_required():
    # Common mistakes, "Wrong modifiers": name and other author checks are always performed.
    rule = """
        author:
            name: [wren_member]
            account_age: "< 7 days"
            comment_karma: "< 5"
            satisfy_any_threshold: true
        action: filter
    """
    assert _run(rule, _reply("hi", author=_author(account_age_days=1))).action == "filter"
    assert _run(rule, _reply("hi", author=_author(name="gus_member", account_age_days=1))).action is None


# --- Full documentation: general behaviour ------------------------------------------------------


def test_removal_rules_go_first_and_then_no_other_rule_acts():
    # Full documentation, "General knowledge" and "priority"; Common mistakes, "Rule ordering".
    rules = """
        type: submission
        priority: 10
        comment: Welcome to the community.
        ---
        title: disallowed
        action: remove
    """
    assert _run(rules, _post(title="disallowed thing")).comments == ()
    assert _run(rules, _post(title="disallowed thing")).action == "remove"
    assert _run(rules, _post(title="fine")).comments == ("Welcome to the community.",)


def test_higher_priority_removal_wins():
    # Full documentation, "priority".
    rules = """
        title: word
        action: filter
        action_reason: first written
        ---
        title: word
        priority: 5
        action: remove
        action_reason: higher priority
    """
    outcome = _run(rules, _post(title="a word"))

    assert (outcome.action, outcome.action_reason) == ("remove", "higher priority")
    assert [match.rule_index for match in outcome.matches] == [1]


@pytest.mark.parametrize(
    ("rule", "moderator_matched"),
    [
        ("body: word\naction: remove\n", False),
        ("body: word\naction: filter\n", False),
        ("body: word\naction: report\n", False),
        ("body: word\ncomment: noted\n", True),
        ("body: word\naction: remove\nmoderators_exempt: false\n", True),
        ("body: word\ncomment: noted\nmoderators_exempt: true\n", False),
    ],
)
def test_moderators_exempt(rule, moderator_matched):
    # Full documentation: "By default, submissions and comments made by moderators ... will not be
    # checked against any rules that may cause the post to be removed or reported", and
    # moderators_exempt overrides it either way.
    moderator = _reply("a word", author=_author(is_moderator=True))

    assert bool(_run(rule, moderator).matches) is moderator_matched
    assert _run(rule, _reply("a word")).matches != ()


def test_user_whitelist_approves_reported_items_only_with_a_reports_check():
    # Library of common rules, "User Whitelist"; Full documentation: "Approval conditions will not
    # re-approve reported items unless the rule includes a reports: check."
    without_reports = "author:\n    name: [username1]\naction: approve\naction_reason: 'Whitelisted user'\n"
    with_reports = without_reports + "reports: 1\n"
    reported = _reply("hi", author=_author(name="username1"), reports=1)

    assert _run(without_reports, _reply("hi", author=_author(name="username1"))).action == "approve"
    assert _run(without_reports, reported).action is None
    assert _run(with_reports, reported).action == "approve"


# --- Library of common rules: content control and user safety -----------------------------------


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (_reply("Try badwebsite2.com for cheap meds"), "Spam domain [badwebsite2.com]"),
        (_post(title="badwebsite1.com is great", body="trust me"), "Spam domain [badwebsite1.com]"),
        (_reply("notbadwebsite2.com is different"), ""),
    ],
)
def test_domain_blacklist(item, reason):
    # Library of common rules, "Domain Blacklist" (`domain` is skipped: posts have no link).
    rule = """
        domain+body+title: [badwebsite1.com, badwebsite2.com, badwebsite3.com]
        action: spam
        action_reason: "Spam domain [{{match}}]"
    """
    outcome = _run(rule, item)

    assert (outcome.action, outcome.action_reason) == (("remove", reason) if reason else (None, ""))


def test_surveys_and_polls():
    # Library of common rules, "Surveys and Polls".
    rule = r"""
        body+title+url (regex):
            - '(dashpoll|midzy|qualtrics|typeform)\.com'
            - 'docs\.google\.com/(a/[^/]+/)?forms(?=/)'
            - 'forms\.gle'
        action: remove
        action_reason: "Survey link [{{match}}]"
        comment: "Your {{kind}} has been removed. Surveys and polls aren't allowed here."
    """
    removed = _run(rule, _reply("Could you all fill in https://forms.gle/AbC123 please"))

    assert (removed.action, removed.action_reason) == ("remove", "Survey link [forms.gle]")
    assert removed.comments == ("Your comment has been removed. Surveys and polls aren't allowed here.",)
    assert _run(rule, _reply("my notes are at docs.google.com/document/d/x")).action is None


@pytest.mark.parametrize(
    ("body", "action"),
    [
        ("https://example.org/my-story", "remove"),
        ("[my story](https://example.org/x)", "remove"),
        ("see https://example.org", None),
    ],
)
def test_link_only_self_posts(body, action):
    # Library of common rules, "Link-only Self Posts".
    rule = r"""
        type: text submission
        body (regex, full-text): ['(\[[^\]]*\]\()?https?://\S+\)?']
        action: remove
        action_reason: "Link-only self post"
    """
    assert _run(rule, _post(body=body)).action == action


def test_comments_that_are_just_subreddit_links():
    # Library of common rules, "Comments that are just /r links".
    rule = r"""
        type: comment
        body (regex, full-text): ['/?r/\w+']
        action: remove
        action_reason: "Comment is just /r link [{{match}}]"
    """
    # full-text's leading `\W*` is greedy and takes the "/" before the optional `/?` can.
    assert _run(rule, _reply("  /r/gardening!")).action_reason == "Comment is just /r link [r/gardening]"
    assert _run(rule, _reply("I also post in /r/gardening")).action is None


def test_username_mentions_use_backreferences_counted_from_the_wrapping_group():
    # Library of common rules, "Username Mentions": "The regex used in ~body must be the first regex
    # in the line", because `\2` is the value's own first group inside AutoModerator's wrapping.
    rule = r"""
        type: comment
        body (regex, includes): ['(?<!\bhttps://\w{3}\.reddit\.com/)\bu/([\w-]{3,20})']
        ~body (regex, includes): ['(?<!\bhttps://\w{3}\.reddit\.com/)\bu/([\w-]{3,20}).*(?<!\bhttps://\w{3}\.reddit\.com/)\bu/(?!\2)([\w-]{3,20}).*(?<!\bhttps://\w{3}\.reddit\.com/)\bu/(?!\2|\3)([\w-]{3,20}).*(?<!\bhttps://\w{3}\.reddit\.com/)\bu/(?!\2|\3|\4)[\w-]{3,20}']
        action: remove
        action_reason: "Remove username mention [{{match-2}}]"
    """
    one = _run(rule, _reply("Thank you u/river_stone for the tip"))

    assert (one.action, one.action_reason) == ("remove", "Remove username mention [river_stone]")
    assert _run(rule, _reply("u/ann_a u/ben_b u/cat_c u/dan_d all helped")).action is None


@pytest.mark.parametrize(
    ("title", "reason"),
    [("Weekly Megathread: check-in", "Moderator-only title [Megathread]"), ("Modern life is a lot", "")],
)
def test_reserve_certain_keywords(title, reason):
    # Library of common rules, "Reserve Certain Keywords" (its modmail left out).
    rule = r"""
        title (regex): ['admin(istrator)?s?', 'announcements?', 'mega\W?(post|thread)s?', 'mod(erator)?(\W?post)?s?']
        action: remove
        action_reason: "Moderator-only title [{{match}}]"
    """
    assert _run(rule, _post(title=title)).action_reason == reason


def test_report_not_safe_content():
    # Library of common rules, "Report Suspicious Content NSFW and NSFL" (set_nsfw left out).
    rule = """
        title+body (regex): ['not.safe.for.(work|life)', 'nsf[wl]']
        action: report
        action_reason: "Not safe [{{match}}]"
    """
    outcome = _run(rule, _reply("Careful, the next link is NSFW"))

    assert (outcome.action, outcome.reports) == ("report", ("Not safe [NSFW]",))


@pytest.mark.parametrize(
    ("body", "action"),
    [
        ("write to me at sam.lee@mailbox.example", "remove"),
        ("the service desk is support@mailbox.example", None),  # the rule's own exception
        ("or okay.address1@example.com", None),  # the whitelist
    ],
)
def test_email_addresses(body, action):
    # Library of common rules, "Email Addresses" (its modmail left out).
    rule = r"""
        title+body (regex): ['(?!(abuse|help|info|no-?reply|phishing|service|spoof|support)\@)[\w!#$%&\x27*+\-./=?\^\x60{|}~]+\@([\w-]{1,64}\.)+([a-z]{2,16}|xn--[a-z0-9-]{1,60})']
        ~title+body#whitelist: [okay.address1@example.com, okay.address2@example.com]
        action: remove
        action_reason: "Email address detected [{{match}}]"
    """  # noqa: E501 (the documented regex, as written)
    assert _run(rule, _reply(body)).action == action


def test_walls_of_text_get_a_message_with_kind_and_permalink():
    # Library of common rules, "Walls of Text".
    rule = r"""
        body (regex, includes): ['[^\n]{2000}', '^\W*[^\n]{1750,}\W*$']
        message: "Please add some paragraph breaks to [your {{kind}}]({{permalink}}) by placing a blank line between distinct sections."
    """  # noqa: E501 (the documented message, as written)
    wall = _reply("so much to say " * 150, permalink="/t/12/#r-40")

    assert _run(rule, wall).messages == (
        "Please add some paragraph breaks to [your comment](/t/12/#r-40) "
        "by placing a blank line between distinct sections.",
    )
    assert _run(rule, _reply("so much to say\n\n" * 150)).messages == ()


def test_petitions():
    # Library of common rules, "Petitions".
    rule = """
        body+title: [change.org, chng.it, gopetition.com]
        action: remove
        action_reason: "Petition [{{match}}]"
        comment: "Your {{kind}} has been removed. Petitions aren't allowed here."
    """
    outcome = _run(rule, _post(title="Please sign", body="It's on change.org today"))

    assert (outcome.action_reason, outcome.comments) == (
        "Petition [change.org]",
        ("Your submission has been removed. Petitions aren't allowed here.",),
    )


# --- YAML syntax --------------------------------------------------------------------------------


def test_single_and_double_quoted_regexes_are_the_same():
    # Full documentation, "Syntax": this check includes the exact same regex twice.
    rule = r"""title (regex): ["\\[\\w+\\]", '\[\w+\]']""" + "\naction: report\n"
    (search,) = parse_rules(rule)[0].searches

    assert search.pattern.pattern.count(r"\[\w+\]") == 2
    assert _run(rule, _post(title="[Vent] long day")).action == "report"


def test_anchor_and_alias():
    # YAML syntax, "Anchor and Alias".
    rule = """
        type: submission
        title:
            - Something
            - &test remove
            - Whatever
        action: *test
        moderators_exempt: false
    """
    outcome = _run(rule, _post(title="please remove this", author=_author(is_moderator=True)))

    assert outcome.action == "remove"
