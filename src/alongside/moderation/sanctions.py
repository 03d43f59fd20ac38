"""Sanctions and appeals: every write, each in a transaction, with keyword-only arguments.

- `sanction_impose`: a moderator warns, mutes or bans the writer of a post in a community they
  moderate (they never learn who an anonymous writer is); an administrator suspends them from the
  whole site. The person is told what, why and until when, in their notifications and on their
  standing page. What a sanction does lives where the rule is checked: a mute or an unread warning
  on the membership (`Membership.muted_until`, `warning_pending`), a ban as the membership's status,
  a suspension on the account (`User.suspended`); communities and chat refuse writes from there,
  on every path (pages, API, WebSocket).
- `sanction_acknowledge`: a warning, read; writing in that community opens again.
- `sanction_lift` / `sanction_expire`: a moderator lifts one, or the task worker ends it on time
  (enqueued for `ends_at` when it is imposed), and the person is told.
- `appeal_file` / `appeal_decide`: once per sanction, in the person's own words, given to a
  different moderator than the one who acted wherever there is one; overturning lifts it.
Every step is in the audit log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.accounts import selectors as account_selectors
from alongside.accounts import services as account_services
from alongside.accounts.enums import Role
from alongside.chat.services import conversations as chat_services
from alongside.communities import selectors as community_selectors
from alongside.communities import services as community_services
from alongside.core.audit import audit_record
from alongside.core.errors import Invalid, NotFound, require
from alongside.core.text import clean_text
from alongside.moderation import access
from alongside.moderation import selectors as moderation_selectors
from alongside.moderation.enums import AppealStatus, SanctionEnd, SanctionKind
from alongside.moderation.models import Appeal, Sanction
from alongside.notifications import services as notifications
from alongside.notifications.enums import NotificationKind

MAX_MUTE_DAYS = 28
MAX_DAYS = 365
REASON_MAX_CHARS = 2000
APPEAL_MIN_CHARS = 10
APPEAL_MAX_CHARS = 3000


def _clean_days(kind: str, days: Any) -> int | None:
    if days in (None, ""):
        if kind == SanctionKind.MUTE:
            raise Invalid({"days": [_("Please choose how many days the mute lasts (1 to 28).")]})
        return None
    if kind == SanctionKind.WARN:
        raise Invalid({"days": [_("A warning has no length: leave the days empty.")]})
    try:
        number = int(days)
    except (TypeError, ValueError):
        raise Invalid({"days": [_("Please give a whole number of days.")]}) from None
    maximum = MAX_MUTE_DAYS if kind == SanctionKind.MUTE else MAX_DAYS
    if not 1 <= number <= maximum:
        raise Invalid({"days": [_("Please choose between 1 and %(max)d days.") % {"max": maximum}]})
    return number


def _where(sanction: Sanction) -> str:
    return sanction.community.name if sanction.community else _("Alongside")


def describe(sanction: Sanction) -> str:
    """One plain sentence: what happened, where, and until when."""
    where = _where(sanction)
    until = date_format(timezone.localtime(sanction.ends_at), "j F Y, H:i") if sanction.ends_at else ""
    if sanction.kind == SanctionKind.WARN:
        return _("A moderator of %(where)s sent you a warning.") % {"where": where}
    if sanction.kind == SanctionKind.MUTE:
        return _("You are muted in %(where)s until %(until)s: you can read, but not write.") % {
            "where": where,
            "until": until,
        }
    if sanction.kind == SanctionKind.BAN:
        if until:
            return _("You are banned from %(where)s until %(until)s.") % {"where": where, "until": until}
        return _("You are banned from %(where)s until a moderator lifts it.") % {"where": where}
    if until:
        return _("Your account is suspended until %(until)s: you can read, but not write anywhere.") % {"until": until}
    return _("Your account is suspended until an administrator lifts it: you can read, but not write anywhere.")


def _tell(user: Any, subject: str, target: Any) -> None:
    notifications.notification_create(
        recipient=user,
        kind=NotificationKind.NOTE,
        actor_label="",
        subject=subject,
        url=reverse("moderation:standing"),
        target=target,
    )


def _schedule_expiry(sanction: Sanction) -> None:
    from alongside.moderation import tasks  # tasks import this module

    if sanction.ends_at is None:
        return
    run_after = sanction.ends_at
    transaction.on_commit(lambda: tasks.sanction_expire.using(run_after=run_after).enqueue(sanction_id=sanction.pk))


def _warning_still_pending(user_id: int, community_id: int) -> bool:
    return Sanction.objects.filter(
        user_id=user_id, community_id=community_id, kind=SanctionKind.WARN, ended_at=None
    ).exists()


@transaction.atomic
def sanction_impose(
    *,
    actor: Any,
    community: Any,
    user_id: int | None,
    kind: str,
    reason: Any,
    days: Any = None,
    post: Any = None,
) -> Sanction:
    """Warn, mute, ban or suspend a person, from a post in `community` (its writer, from
    communities.selectors.post_for_sanction, never named to the moderator) or named by a moderator
    (the community's ban form)."""
    if kind not in SanctionKind.values:
        raise Invalid({"kind": [_("Please choose what to do.")]})
    if not access.check_impose_sanction(actor, community=community, kind=kind):
        if kind == SanctionKind.SUSPEND and access.check_impose_sanction(actor, community=community, kind="warn"):
            raise Invalid({"kind": [access.REASON_ADMINS_SUSPEND]})
        raise NotFound()
    target = account_selectors.user_by_id(user_id) if user_id is not None else None
    if target is None:
        raise Invalid({"__all__": [_("This person has left Alongside.")]})
    problem = access.check_sanction_target(actor, target)
    require(not problem, problem)
    reason = clean_text(
        reason,
        "reason",
        minimum=1,
        maximum=REASON_MAX_CHARS,
        missing=_("Please say why, in words the person will understand: they will read it."),
    )
    day_count = _clean_days(kind, days)
    where = None if kind == SanctionKind.SUSPEND else community
    if kind != SanctionKind.WARN and (
        Sanction.objects.select_for_update().filter(user=target, community=where, kind=kind, ended_at=None).exists()
    ):
        raise Invalid({"kind": [_("This is already in force for them. Lift it first to change it.")]})
    now = timezone.now()
    ends_at = now + timedelta(days=day_count) if day_count else None
    if kind == SanctionKind.WARN:
        community_services.membership_pause_set(community_id=community.pk, user_id=target.pk, warning_pending=True)
    elif kind == SanctionKind.MUTE:
        if not community_services.membership_pause_set(
            community_id=community.pk, user_id=target.pk, muted_until=ends_at
        ):
            raise Invalid({"kind": [_("They aren't a member here, so there is nothing to mute.")]})
    elif kind == SanctionKind.BAN:
        community_services.membership_ban(actor=actor, community=community, user=target, reason=reason)
    else:
        account_services.user_suspended_set(user_id=target.pk, suspended=True)
        chat_services.listener_chats_hand_back(user_id=target.pk)  # nobody is left talking to no one
    sanction = Sanction.objects.create(
        user=target,
        community=where,
        kind=kind,
        reason=reason,
        post=post,
        from_anonymous=bool(post is not None and post.is_anonymous),
        acted_by=actor,
        created_at=now,
        ends_at=ends_at,
    )
    _schedule_expiry(sanction)
    _tell(target, describe(sanction) + " " + _("See why, and appeal if you think it's wrong."), sanction)
    audit_record(
        actor=actor,
        action="moderation.sanction.imposed",
        target=sanction,
        reason=reason,
        data={
            "kind": kind,
            "user_id": target.pk,
            "community_id": community.pk,
            "post_id": post.pk if post is not None else None,
            "days": day_count,
        },
    )
    return sanction


def _end(sanction: Sanction, how: str, actor: Any, reason: str = "") -> None:
    sanction.ended_at, sanction.ended_how = timezone.now(), how
    sanction.save(update_fields=["ended_at", "ended_how"])
    user_id, community_id = sanction.user_id, sanction.community_id
    if sanction.kind == SanctionKind.WARN:
        if community_id and not _warning_still_pending(user_id, community_id):
            community_services.membership_pause_set(community_id=community_id, user_id=user_id, warning_pending=False)
    elif sanction.kind == SanctionKind.MUTE and community_id:
        community_services.membership_pause_set(community_id=community_id, user_id=user_id, muted_until=None)
    elif sanction.kind == SanctionKind.BAN and community_id:
        community_services.membership_ban_lift(community_id=community_id, user_id=user_id)
    elif sanction.kind == SanctionKind.SUSPEND:
        account_services.user_suspended_set(user_id=user_id, suspended=False)
    audit_record(
        actor=actor,
        action=f"moderation.sanction.ended.{how}",
        target=sanction,
        reason=reason,
        data={"user_id": user_id},
    )


@transaction.atomic
def sanction_acknowledge(*, actor: Any, sanction_id: Any) -> Sanction:
    """The person has read their warning: writing in that community opens again."""
    sanction = access.access_own_sanction(actor, sanction_id)
    sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
    if sanction.kind != SanctionKind.WARN:
        raise Invalid({"__all__": [_("Only a warning is acknowledged.")]})
    if sanction.ended_at is None:
        sanction.acknowledged_at = timezone.now()
        sanction.save(update_fields=["acknowledged_at"])
        _end(sanction, SanctionEnd.READ, None)  # not under their name: the log must never name them
    return sanction


@transaction.atomic
def sanction_lift(*, actor: Any, sanction_id: Any, reason: Any) -> Sanction:
    sanction = access.access_sanction_to_lift(actor, sanction_id)
    sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
    if sanction.ended_at is not None:
        raise Invalid({"__all__": [_("This has already ended. Nothing has changed.")]})
    reason = clean_text(reason, "reason", minimum=1, maximum=REASON_MAX_CHARS, missing=_("Please say why."))
    _end(sanction, SanctionEnd.LIFTED, actor, reason)
    _tell(sanction.user, _("A moderator has lifted this: %(what)s") % {"what": describe(sanction)}, sanction)
    return sanction


@transaction.atomic
def sanction_expire(*, sanction_id: int) -> bool:
    """The task: end a sanction whose time is up, and tell the person. True when it ended one."""
    sanction = Sanction.objects.select_for_update().filter(pk=sanction_id, ended_at=None).first()
    if sanction is None or sanction.ends_at is None or sanction.ends_at > timezone.now():
        return False  # lifted or overturned meanwhile (or not due)
    _end(sanction, SanctionEnd.EXPIRED, None)
    _tell(sanction.user, _("This has ended, on time: %(what)s") % {"what": describe(sanction)}, sanction)
    return True


def _reviewer_id(sanction: Sanction) -> int | None:
    """Someone other than the moderator who acted (and the person): the community's other
    moderators first, then site moderators (administrators for a suspension), those not away
    before those away, whoever has the fewest appeals waiting; the one who acted only where there
    is nobody else."""
    excluded = {sanction.acted_by_id, sanction.user_id}
    groups = []
    if sanction.community_id:
        groups.append(community_selectors.community_moderator_ids(community_id=sanction.community_id))
    groups.append(account_selectors.site_moderator_ids(admins_only=sanction.kind == SanctionKind.SUSPEND))
    away = moderation_selectors.away_ids()
    for ids in groups:
        everyone = [pk for pk in ids if pk not in excluded]
        candidates = [pk for pk in everyone if pk not in away] or everyone
        if candidates:
            waiting = dict(
                Appeal.objects.filter(reviewer_id__in=candidates, status=AppealStatus.OPEN)
                .values("reviewer_id")
                .annotate(n=Count("pk"))
                .values_list("reviewer_id", "n")
            )
            return min(candidates, key=lambda pk: (waiting.get(pk, 0), pk))
    return sanction.acted_by_id


@transaction.atomic
def appeal_file(*, actor: Any, sanction_id: Any, text: Any) -> Appeal:
    sanction = access.access_own_sanction(actor, sanction_id)
    sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
    if Appeal.objects.filter(sanction=sanction).exists():
        raise Invalid({"__all__": [_("You have already appealed this. You'll hear back in your notifications.")]})
    text = clean_text(
        text,
        "text",
        minimum=APPEAL_MIN_CHARS,
        maximum=APPEAL_MAX_CHARS,
        missing=_("Please tell us, in a sentence or two, why you think this was wrong."),
    )
    appeal = Appeal.objects.create(sanction=sanction, text=text, reviewer_id=_reviewer_id(sanction))
    reviewer = account_selectors.user_by_id(appeal.reviewer_id) if appeal.reviewer_id else None
    if reviewer is not None:
        notifications.notification_create(
            recipient=reviewer,
            kind=NotificationKind.NOTE,
            actor_label="",
            subject=_("Someone has appealed a sanction. Please look at it again."),
            url=reverse("moderation:appeals"),
            target=appeal,
        )
    audit_record(actor=actor, action="moderation.appeal.filed", target=appeal, data={"reviewer_id": appeal.reviewer_id})
    return appeal


@transaction.atomic
def appeal_decide(*, actor: Any, appeal_id: Any, overturn: bool, response: Any) -> Appeal:
    appeal = access.access_appeal(actor, appeal_id)
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("sanction__community", "sanction__user")
        .get(pk=appeal.pk)
    )
    if appeal.status != AppealStatus.OPEN:
        raise Invalid({"__all__": [_("Someone has already answered this appeal. Nothing has changed.")]})
    response = clean_text(
        response,
        "response",
        minimum=1,
        maximum=REASON_MAX_CHARS,
        missing=_("Please write a few words to the person: they will read them."),
    )
    appeal.status = AppealStatus.OVERTURNED if overturn else AppealStatus.UPHELD
    appeal.response, appeal.decided_by, appeal.decided_at = response, actor, timezone.now()
    appeal.save(update_fields=["status", "response", "decided_by", "decided_at"])
    sanction = appeal.sanction
    if overturn and sanction.ended_at is None:
        _end(sanction, SanctionEnd.APPEAL, actor)
    subject = (
        _("Your appeal was accepted and the sanction is lifted.")
        if overturn
        else _("Your appeal was looked at; the sanction stays.")
    )
    _tell(sanction.user, subject, sanction)
    audit_record(actor=actor, action="moderation.appeal.decided", target=appeal, data={"status": appeal.status})
    return appeal


# --- Reads ------------------------------------------------------------------------------------


def my_sanctions(*, user: Any) -> list[Sanction]:
    """The person's own sanctions, newest first, with their appeals."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Sanction.objects.filter(user=user).select_related("community", "appeal"))


def sanctions_in_force(*, viewer: Any) -> list[Sanction]:
    """Sanctions in force that this person may lift: their communities' (every community's for site
    moderators), and suspensions for administrators."""
    scope = access.moderated_community_ids(viewer)
    if scope is not None and not scope:
        return []
    in_force = Sanction.objects.filter(ended_at=None).exclude(user=viewer).select_related("community", "user", "post")
    if scope is None:
        if viewer.role != Role.ADMIN:
            in_force = in_force.exclude(kind=SanctionKind.SUSPEND)
    else:
        in_force = in_force.filter(community_id__in=scope)
    return list(in_force.order_by("-created_at", "-pk"))


def appeals_to_decide(*, viewer: Any) -> list[Appeal]:
    """Open appeals given to this person; administrators also see every open appeal they did not act on."""
    if not access.check_site_moderator(viewer) and not access.check_review_queue(viewer):
        return []
    waiting = Appeal.objects.filter(status=AppealStatus.OPEN).select_related("sanction__community", "sanction__user")
    mine = Q(reviewer=viewer)
    if viewer.role == Role.ADMIN:
        mine |= ~Q(sanction__acted_by=viewer)
    return list(waiting.filter(mine))
