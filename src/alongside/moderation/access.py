"""Who may do what with reports and feedback.

Rules in words:
- Any signed-in member may report a visible post or reply they can read, but not their own. The
  person reported never learns who reported them; the reporter sees their own reports and what
  became of them, and nobody else's.
- A report is looked at and decided by the moderators and hosts of the post's community, and by
  site moderators and administrators. The review queue shows each of them only what they may
  decide; everyone else (members, listeners, clinicians, moderators of other communities' items,
  signed-out visitors) gets not-found.
- A community's moderation rules are read, written and tried (the dry run) by its hosts and by
  administrators; everyone else, the community's other moderators included, gets not-found.
- Anyone, signed in or not, may send feedback through /feedback/. Only site moderators and
  administrators read it and mark it dealt with.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from alongside.accounts.enums import SITE_MODERATOR_ROLES
from alongside.communities import access as community_access
from alongside.communities import selectors as community_selectors
from alongside.core.errors import NotFound
from alongside.moderation.models import Feedback, Report

REASON_HOSTS = _("Only the community's hosts can change its rules.")
REASON_OWN_POST = _("This is your own post. You can edit or remove it from the post itself.")


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def check_site_moderator(user: Any) -> bool:
    return _signed_in(user) and user.role in SITE_MODERATOR_ROLES


def moderated_community_ids(user: Any) -> list[int] | None:
    """None: every community (site moderators and admins); else the ids this person moderates."""
    return community_selectors.moderated_community_ids(user=user)


def check_review_queue(user: Any) -> bool:
    scope = moderated_community_ids(user)
    return scope is None or bool(scope)


def check_decide_report(user: Any, report: Report) -> bool:
    scope = moderated_community_ids(user)
    return scope is None or report.community_id in scope


def access_report(user: Any, report_id: Any) -> Report:
    """An open or closed report this person may decide, else NotFound (missing and forbidden alike)."""
    try:
        report = Report.objects.select_related("post__thread", "community").get(pk=int(report_id))
    except (TypeError, ValueError, Report.DoesNotExist):
        raise NotFound() from None
    if not check_decide_report(user, report):
        raise NotFound()
    return report


def access_feedback(user: Any, feedback_id: Any) -> Feedback:
    if not check_site_moderator(user):
        raise NotFound()
    try:
        return Feedback.objects.get(pk=int(feedback_id))
    except (TypeError, ValueError, Feedback.DoesNotExist):
        raise NotFound() from None


def check_edit_rules(user: Any, community: Any) -> bool:
    return _signed_in(user) and community_access.community_viewer(user, community).hosts


def access_rules_community(user: Any, slug: Any) -> Any:
    """A community whose rules this person may read and change, else NotFound (missing and
    forbidden alike)."""
    viewer = community_access.access_community(user, str(slug))
    if not (viewer.signed_in and viewer.hosts):
        raise NotFound()
    return viewer.community
