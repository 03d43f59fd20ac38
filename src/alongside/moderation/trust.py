"""New-account limits, in the spirit of Discourse's trust levels (issue 10.7). A public module: the
communities app asks it before saving a post.

An account is *new* until it is both older than `NewAccountLimits.days` and has written
`NewAccountLimits.posts` posts or replies that stayed up (named or anonymous). Staff and approved
listeners are never new. While new, a person:
- cannot share links to other sites (`new_account_problem`: the post is refused with a sentence
  saying why and what to do instead, nothing is saved);
- cannot mention more than `max_mentions` people in one post;
- has their first post in a community held for its moderators, where the community asked for it
  (`Community.hold_new_first_posts`; the screening check `first_post_check`).
Administrators change the numbers in the Django admin (`NewAccountLimits`, one row).
(The issue also asks that new accounts cannot start chats with other members: Alongside has no
member-to-member chats, only chats with trained listeners, which new members must be able to reach.)
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.enums import STAFF_ROLES, Role
from alongside.communities import selectors as community_selectors
from alongside.core.markdown import mentioned_pseudonyms
from alongside.core.models import ScreeningAction
from alongside.core.screening import ScreeningInput, ScreeningReason
from alongside.moderation.models import NewAccountLimits

CHECK = "new_account"
# http(s) links, www. addresses and Markdown links; a link to this site itself is fine.
_LINK = re.compile(r"(?:https?://|www\.)[^\s)>\]]+", re.IGNORECASE)


def limits() -> NewAccountLimits:
    found, _created = NewAccountLimits.objects.get_or_create(pk=1)
    return found


def is_new(user: Any, rules: NewAccountLimits | None = None) -> bool:
    if not getattr(user, "is_authenticated", False) or user.role in (*STAFF_ROLES, Role.LISTENER):
        return False
    rules = rules or limits()
    if not rules.enabled:
        return False
    if user.date_joined > timezone.now() - timedelta(days=rules.days):
        return True
    if rules.posts == 0:
        return False
    stayed_up = community_selectors.posts_written_by(user=user).filter(status="visible")[: rules.posts].count()
    return stayed_up < rules.posts


def _outside_links(text: str) -> list[str]:
    own = settings.SITE_URL.rstrip("/").lower()
    return [link for link in _LINK.findall(text) if not (own and (link.lower() + "/").startswith(own + "/"))]


def new_account_problem(*, author: Any, text: str) -> str:
    """ "" if a new account may post `text`, else the sentence that says why not (and what to do)."""
    rules = limits()
    if not is_new(author, rules):
        return ""
    if not rules.links and _outside_links(text):
        return _(
            "New accounts can't share links for their first %(days)d days and %(posts)d posts: it keeps "
            "spam out. You could say where to find it in words instead."
        ) % {"days": rules.days, "posts": rules.posts}
    if len(mentioned_pseudonyms(text)) > rules.max_mentions:
        return _("New accounts can mention up to %(count)d people in one post.") % {"count": rules.max_mentions}
    return ""


def first_post_check(item: ScreeningInput) -> list[ScreeningReason]:
    """The screening check: a new account's first post in a community that asked to see them first
    is held for its moderators (never removed)."""
    where = item.where or {}
    community_id = where.get("community_id")
    if community_id is None or item.author is None or item.kind == "edit":
        return []
    if not community_selectors.holds_new_first_posts(community_id=community_id):
        return []
    if not is_new(item.author) or community_selectors.has_visible_post_in(user=item.author, community_id=community_id):
        return []
    return [
        ScreeningReason(
            check=CHECK,
            action=ScreeningAction.HOLD,
            rule="first post",
            detail=_("A new account's first post here: the community asks to see these first."),
        )
    ]
