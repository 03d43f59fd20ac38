"""Moderation rules in AutoModerator's YAML: parsed and checked here, applied by a service.

Pure Python (the standard library, PyYAML and `regex`): no models, no database. A service parses
a community's rules once, builds an `Item` for each new post or reply, calls `evaluate`, and
applies the `Outcome`:

    rules = parse_rules(text)            # raises RuleSyntaxError: .errors, each "line N: ..."
    outcome = evaluate(rules, item)      # action, reason, crisis_override, matches, comments, ...
    pairs = dry_run(rules, last_items)   # the same over many items, changing nothing

The semantics are AutoModerator's ("Full AutoModerator documentation", reddit wiki
automoderator/full-documentation), with these meanings here:

- Items. `type: submission` is a thread's opening post, `comment` a reply. Every opening post is
  a text post, so `text submission` means `submission`, and `link submission` (like crosspost,
  poll and gallery) is refused: it would never match. A reply's `title` is its thread's title,
  for {{title}}; as in AutoModerator, title checks never look at replies, so `title+body`
  searches a reply's body only and a rule that searches only the title applies only to posts.
- Search checks: `title`, `body`, `title+body`, and `name` under `author:` (`author: [a, b]` is
  short for it). Modifiers in brackets: `includes-word` (the default), `includes`, `starts-with`,
  `ends-with`, `full-exact`, `full-text`, `regex`, `case-sensitive`; `~` reverses a check;
  `body#2` names a second check of the same field. A value is text or a list of text. `domain`
  and `url` are accepted inside a combined check (`domain+body+title`) and skipped there, since
  posts have no link of their own; alone they are an error. As in AutoModerator, `name` also
  defaults to includes-word, so `name: [sam]` matches "sam-lee"; write `name (full-exact)`.
- Other checks: `reports`, `body_longer_than`, `body_shorter_than` (punctuation and spacing at
  either end not counted), `is_edited`, `is_top_level` (replies only), `ignore_blockquotes`.
  Under `author:`: `is_moderator`, `is_submitter`, `satisfy_any_threshold`, and the thresholds.
- Thresholds compare with `<`, `>` or `=` (the default), quoted when they start with `>`:
  `account_age: "< 7 days"` (minutes, hours, days, weeks, months of 30 days, years of 365; days
  when no unit is given). Karma is counted in posts and replies: `post_karma` (and `link_karma`,
  `post_subreddit_karma`) is the author's posts in this community, `comment_karma` (and
  `comment_subreddit_karma`) their replies in it, `combined_karma` (and
  `combined_subreddit_karma`) both; `posts_total` and `replies_total` count everywhere.
- Beyond AutoModerator, the author's history, also thresholds (so `satisfy_any_threshold`
  covers them):
      author:
          removals: "> 2 in 30 days"   # their posts and replies removed in the last 30 days
          reports_against: "> 3"       # reports against their posts and replies
  The period is days, weeks or months (of 30 days). `AuthorFacts.removals_recent` maps a number
  of days to a count; `removal_windows(rules)` lists the day counts the rules need.
- Actions: `action` is approve, remove, filter (held for the moderators' queue) or report;
  `spam` is read as remove. `action_reason` (or `report_reason`), `comment` (posted as the
  community's moderators), `message` (to the author), `set_locked`, `priority`,
  `moderators_exempt`. As in AutoModerator, moderators are exempt by default from rules that
  remove, filter or report, and not from others; `moderators_exempt` says it for one rule.
  An approval of a reported item counts only when the rule checks `reports`.
- Placeholders in action_reason, comment and message: {{author}}, {{body}}, {{title}},
  {{permalink}}, {{kind}}, and {{match}} (the value a search check on the post or reply found),
  {{match-2}} (a regex's first group; {{match-1}} is {{match}}), {{match-title}} and
  {{match-title+body-2}} (from a named check). Unknown placeholders are errors.
- Order: removal rules first, highest `priority` first, then as written; the first that matches
  decides and no other rule acts. Otherwise every matching rule acts and the last action wins.
- Crisis: a rule never takes an item whose `crisis` is set out of view unseen. A matching
  remove, spam or filter becomes `filter` with `crisis_override=True`, for the safety
  responders, and that rule's comment, message and lock are not used.
- User regexes run with `regex` and a timeout (MATCH_TIMEOUT per field). A timeout is no match
  and is recorded in `Outcome.timeouts`; a `~` check whose regex timed out fails too.

Not supported, because Alongside has no such thing: modmail, flair, sticky, NSFW, spoiler,
contest mode, suggested sort, crowd control, `parent_submission`, crossposts, media, polls,
galleries, `standard` conditions, CQS, verified e-mail, gold, approved users (`is_contributor`).
Such keys are errors that say so. Messages are plain English, not translated.
"""

from alongside.moderation.automod.engine import (
    MATCH_TIMEOUT,
    AuthorFacts,
    Hit,
    Item,
    Match,
    Outcome,
    TimedOut,
    dry_run,
    evaluate,
    removal_windows,
)
from alongside.moderation.automod.parse import RuleError, RuleSyntaxError, parse_rules
from alongside.moderation.automod.rules import Rule

__all__ = [
    "MATCH_TIMEOUT",
    "AuthorFacts",
    "Hit",
    "Item",
    "Match",
    "Outcome",
    "Rule",
    "RuleError",
    "RuleSyntaxError",
    "TimedOut",
    "dry_run",
    "evaluate",
    "parse_rules",
    "removal_windows",
]
