"""Who may do what with reports and feedback.

Rules in words:
- Any signed-in member may report a visible post or reply they can read, or a message in a
  community's live room they can read, but not their own. The
  person reported never learns who reported them; the reporter sees their own reports and what
  became of them, and nobody else's.
- A report is looked at and decided by the moderators and hosts of the post's community, and by
  site moderators and administrators. The review queue shows each of them only what they may
  decide; everyone else (members, listeners, clinicians, moderators of other communities' items,
  signed-out visitors) gets not-found.
- A community's moderation rules are read, written and tried (the dry run) by its hosts and by
  administrators; everyone else, the community's other moderators included, gets not-found. The
  site's rules, which apply in every community, are administrators' alone.
- Anyone, signed in or not, may send feedback through /feedback/. Only site moderators and
  administrators read it and mark it dealt with.
- A community's moderators and hosts (and site moderators and administrators) warn, mute and ban
  the writer of a post in it, without learning who an anonymous writer is, and lift what is in
  force there; only administrators suspend someone from the whole site, or lift a suspension.
  Nobody sanctions themselves, site moderators or administrators. Hosts alone (and administrators) ban a host.
- A person sees their own sanctions, acknowledges their warnings and appeals each sanction once;
  nobody else sees them except those who may lift them. An appeal is decided by the reviewer it was
  given to (a different moderator from the one who acted, wherever there is one) or by an
  administrator who did not act.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from alongside.accounts.enums import SITE_MODERATOR_ROLES, Role
from alongside.communities import access as community_access
from alongside.communities import selectors as community_selectors
from alongside.core.errors import NotFound
from alongside.moderation.enums import AppealStatus, SanctionKind
from alongside.moderation.models import Appeal, Feedback, MessageReport, Report, Sanction

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


def access_message_report(user: Any, report_id: Any) -> MessageReport:
    """A report of a live-room message this person may decide (the room's community's moderators,
    site staff), else NotFound."""
    try:
        report = MessageReport.objects.select_related("community").get(pk=int(report_id))
    except (TypeError, ValueError, MessageReport.DoesNotExist):
        raise NotFound() from None
    scope = moderated_community_ids(user)
    if scope is not None and report.community_id not in scope:
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
    """A community's rules: its hosts and administrators; the site's (`community` None): administrators."""
    if community is None:
        return _signed_in(user) and user.role == Role.ADMIN
    return _signed_in(user) and community_access.community_viewer(user, community).hosts


def access_site_rules(user: Any) -> None:
    """NotFound unless this person may read and change the site's rules (administrators)."""
    if not check_edit_rules(user, None):
        raise NotFound()


def access_rules_community(user: Any, slug: Any) -> Any:
    """A community whose rules this person may read and change, else NotFound (missing and
    forbidden alike)."""
    viewer = community_access.access_community(user, str(slug))
    if not (viewer.signed_in and viewer.hosts):
        raise NotFound()
    return viewer.community


# --- Sanctions and appeals --------------------------------------------------------------------

REASON_SANCTION_SELF = _("You can't do this to yourself.")
REASON_SANCTION_STAFF = _(
    "Site moderators and administrators are not sanctioned here. Please talk to an administrator."
)
REASON_ADMINS_SUSPEND = _("Only administrators can suspend an account.")


def check_impose_sanction(user: Any, *, community: Any, kind: str) -> bool:
    """Warn, mute or ban in a community one moderates; suspend from the site: administrators."""
    if not _signed_in(user):
        return False
    if kind == SanctionKind.SUSPEND:
        return bool(user.role == Role.ADMIN)
    return community is not None and community_access.community_viewer(user, community).moderates


def check_sanction_target(actor: Any, target: Any) -> str:
    """ "" if `target` may be sanctioned by `actor` at all, else why not."""
    if target.pk == actor.pk:
        return str(REASON_SANCTION_SELF)
    if target.role in SITE_MODERATOR_ROLES:
        return str(REASON_SANCTION_STAFF)
    return ""


def access_sanction_to_lift(user: Any, sanction_id: Any) -> Sanction:
    """A sanction in force that this person may lift (as they could impose it), else NotFound."""
    try:
        sanction = Sanction.objects.select_related("community", "user").get(pk=int(sanction_id), ended_at=None)
    except (TypeError, ValueError, Sanction.DoesNotExist):
        raise NotFound() from None
    if sanction.user_id == getattr(user, "pk", None):
        raise NotFound()  # nobody lifts their own
    if not check_impose_sanction(user, community=sanction.community, kind=sanction.kind):
        raise NotFound()
    return sanction


def access_own_sanction(user: Any, sanction_id: Any) -> Sanction:
    """One of the person's own sanctions, else NotFound (missing and someone else's alike)."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    try:
        return Sanction.objects.select_related("community").get(pk=int(sanction_id), user=user)
    except (TypeError, ValueError, Sanction.DoesNotExist):
        raise NotFound() from None


def check_decide_appeal(user: Any, appeal: Appeal) -> bool:
    if not _signed_in(user) or appeal.status != AppealStatus.OPEN:
        return False
    if appeal.reviewer_id == user.pk:
        return True
    return bool(user.role == Role.ADMIN and appeal.sanction.acted_by_id != user.pk)


def access_appeal(user: Any, appeal_id: Any) -> Appeal:
    """An open appeal this person may decide, else NotFound."""
    try:
        appeal = Appeal.objects.select_related("sanction__community", "sanction__user").get(pk=int(appeal_id))
    except (TypeError, ValueError, Appeal.DoesNotExist):
        raise NotFound() from None
    if not check_decide_appeal(user, appeal):
        raise NotFound()
    return appeal
