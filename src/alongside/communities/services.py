"""Every write in communities. Each runs in a transaction; user text is screened before it is saved.

A service that refuses raises the shared vocabulary (core.errors): NotAllowed with a reason from
`access`, or Invalid with messages per field. No display text lives here: labels come from
`presenters`, notification wording from the notifications app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from alongside.accounts import selectors as account_selectors
from alongside.accounts.enums import SITE_MODERATOR_ROLES
from alongside.communities import access, presenters, search, selectors
from alongside.communities.access import community_viewer
from alongside.communities.authorship import author_fields, sealed_author_id
from alongside.communities.models import (
    Community,
    ContentWarning,
    FollowLevel,
    MemberRole,
    Membership,
    MembershipStatus,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    ReactionKind,
    ReadingPreference,
    Thread,
    ThreadState,
    Visibility,
)
from alongside.core import live
from alongside.core.audit import audit_record
from alongside.core.errors import Invalid, as_invalid, require
from alongside.core.markdown import mentioned_pseudonyms, render_markdown
from alongside.core.models import ScreeningAction
from alongside.core.screening import ScreeningDecision, screen_content
from alongside.moderation import services as moderation_services
from alongside.moderation import trust
from alongside.moderation.enums import PERMALINK_LATER, RULES_CHECK
from alongside.notifications import selectors as notification_selectors
from alongside.notifications import services as notification_services
from alongside.notifications.enums import NotificationKind
from alongside.safety.services import risk as safety_risk

if TYPE_CHECKING:
    from alongside.accounts.models import User

TITLE_MAX = 150
BODY_MAX = 20000
MAX_MENTIONS = 20  # people notified per post, so a post cannot page the whole site


# --- Validation of what people write ------------------------------------------------------


def _check_characters(value: str, field: str) -> str:
    """Refuse text no database can store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise Invalid({field: _("This text contains a character we can't store. Please remove it.")})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid({field: _("This text contains a character we can't store. Please remove it.")}) from None
    return value


def _clean_reason(reason: str, *, required: bool, message: str = "") -> str:
    reason = _check_characters(reason, "reason").strip()
    if required and not reason:
        raise Invalid({"reason": message or _("Please say why, for the moderation log.")})
    return reason[:1000]


def _clean_title(title: str) -> str:
    title = " ".join(_check_characters(title, "title").split())
    if not title:
        raise Invalid({"title": _("Please give your thread a title.")})
    if len(title) > TITLE_MAX:
        raise Invalid({"title": _("Please keep the title under %(max)d characters.") % {"max": TITLE_MAX}})
    return title


def _clean_body(body: str) -> str:
    body = _check_characters(body, "body").strip()
    if not body:
        raise Invalid({"body": _("Please write something first.")})
    if len(body) > BODY_MAX:
        raise Invalid({"body": _("Please keep it under %(max)d characters.") % {"max": BODY_MAX}})
    return body


def _clean_warnings(warnings: list[str]) -> list[str]:
    unknown = [w for w in warnings if w not in ContentWarning.values]
    if unknown:
        raise Invalid({"content_warnings": _("Unknown content warning: %(w)s") % {"w": ", ".join(unknown)}})
    return [w for w in ContentWarning.values if w in warnings]  # canonical order, no repeats


def _clean_all(*cleaners: Callable[[], Any]) -> list[Any]:
    """Run every cleaner and report all their errors together, so a form shows every problem at once."""
    results, errors = [], {}
    for clean in cleaners:
        try:
            results.append(clean())
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise Invalid(errors)
    return results


def _require_write(
    viewer: access.CommunityViewer, allowed: Callable[[access.CommunityViewer], bool], reason: Any
) -> str:
    """Refuses a write `allowed` does not permit. When only a sanction's pause stands in the way,
    returns its refusal instead, for `_screen` to apply: a paused member's words are refused, unless
    the crisis check reads them as high risk (then they are held, never published)."""
    if allowed(viewer):
        return ""
    require(viewer.paused and allowed(access.unpaused(viewer)), access.reason_for(viewer, reason))
    return str(access.REASON_PAUSED)


def _screen(
    *,
    actor: User,
    title: str,
    body: str,
    kind: str,
    reply: bool = False,
    where: dict[str, Any] | None = None,
    paused: str = "",
) -> ScreeningDecision:
    """`reply`: words written in answer to someone, read as support for them (the crisis check).
    `where`: the post's place, for the community's own rules (moderation.rules). `paused`: the
    refusal for a member a sanction has paused (`_require_write`). A paused member's words, and a
    new account's links and many mentions (moderation.trust), are refused with a sentence saying
    why, unless the crisis check reads the words as high risk: those are never turned away but held
    for a moderator (unseen by others), while the responders hear of them and the writer sees the
    support panel."""
    context = "reply" if reply else "post"
    text = f"{title}\n{body}".strip()
    # One's own words are limited; a moderator's redaction (an edit with no place) is not.
    problem = trust.new_account_problem(author=actor, text=text) if kind != "edit" or where is not None else None
    decision = screen_content(text=text, author=actor, kind=kind, context=context, where=where)
    if not (paused or problem):
        return decision
    check, rule = ("sanction", "paused") if paused else (trust.CHECK, "new_account")
    held = safety_risk.held_not_refused(decision, check=check, rule=rule, refusal=paused or problem or "")
    if held is None:
        require(not paused, paused)
        raise Invalid({"body": [problem]})
    return held


def _where(
    thread: Thread | Community, *, title: str, body: str, anonymous: bool, opener_id: int | None
) -> dict[str, Any]:
    community_id = thread.pk if isinstance(thread, Community) else thread.community_id
    return {
        "community_id": community_id,
        "is_opening": isinstance(thread, Community),
        "title": title,
        "body": body,
        "anonymous": anonymous,
        "opener_id": opener_id,
    }


def _rule_says(decision: ScreeningDecision) -> dict[str, Any]:
    """What the community's rules asked for this post (empty when none matched)."""
    reason = decision.reason_from(RULES_CHECK)
    return dict(reason.data or {}) if reason is not None else {}


def _status_for(decision: ScreeningDecision, community: Community) -> str:
    """Removed when one of the community's rules removes it (never words the crisis check reads as
    high risk: the rules hold those instead); held when screening says so, or when the community
    holds posts the crisis check reads as high risk (`hold_risky_posts`); visible otherwise."""
    rule = _rule_says(decision)
    if rule.get("action") == "remove" and not rule.get("crisis_override"):
        return PostStatus.REMOVED
    if decision.held:
        return PostStatus.HELD
    return (
        PostStatus.HELD
        if community.hold_risky_posts and safety_risk.reads_as_high_risk(decision)
        else PostStatus.VISIBLE
    )


def _follow_rules(decision: ScreeningDecision, *, actor: User, post: Post) -> None:
    """After saving: what the community's rules asked beyond removing or holding, each named in the
    audit log with its rule. The writer hears privately of a removal and of the rules' messages (and
    comments: a robot's public reply has no place in a support thread); a `report` files one for
    the review queue; `set_locked` locks or opens the thread."""
    rule = _rule_says(decision)
    if not rule:
        return
    thread, link = post.thread, post_url(post)
    named = {"rule": rule["rule"], "line": rule["line"], "crisis_override": rule["crisis_override"]}
    reason = decision.reason_from(RULES_CHECK)
    detail = reason.detail if reason is not None else ""
    if post.status == PostStatus.REMOVED:
        Post.objects.filter(pk=post.pk).update(removed_by_rule=rule["rule"][:200])
        audit_record(actor=None, action="communities.post.removed_by_rule", target=post, reason=detail, data=named)
        _tell_writer(
            actor,
            post,
            _("One of %(community)s's rules took your post down.") % {"community": thread.community.name}
            + (" " + detail if detail else ""),
        )
    elif rule["action"] == "filter":
        audit_record(actor=None, action="communities.post.held_by_rule", target=post, reason=detail, data=named)
    for message in rule["messages"]:
        _tell_writer(actor, post, message.replace(PERMALINK_LATER, link))
    if rule["reports"] and post.status == PostStatus.VISIBLE:
        moderation_services.report_from_rule(post=post, rule=rule["rule"], reasons=rule["reports"])
    if rule["set_locked"] is not None and thread.is_locked != rule["set_locked"]:
        Thread.objects.filter(pk=thread.pk).update(is_locked=rule["set_locked"])
        thread.is_locked = rule["set_locked"]
        action = "communities.thread.locked_by_rule" if rule["set_locked"] else "communities.thread.unlocked_by_rule"
        audit_record(actor=None, action=action, target=thread, data=named)


def _flag_for_review(decision: ScreeningDecision, *, post: Post) -> None:
    """After saving a visible post: a watched word's `flag` puts it in front of the community's
    moderators as a report naming it, and the task worker reads it with the toxicity signal (which
    may file one too). Never a removal. (The crisis check's flags go to the safety responders, the
    rules' `report` action is filed by _follow_rules.)"""
    if post.status != PostStatus.VISIBLE:
        return  # held or removed: already in front of them
    for reason in decision.reasons:
        if reason.check == "blocked_terms" and reason.action == ScreeningAction.FLAG:
            moderation_services.report_from_rule(post=post, rule=str(_("Watched word")), reasons=[reason.rule])
    moderation_services.toxicity_scan_later(post=post)


def _tell_writer(writer: User, post: Post, sentence: str) -> None:
    notification_services.notification_create(
        recipient=writer,
        kind=NotificationKind.NOTE,
        actor_label=str(_("%(community)s moderators") % {"community": post.thread.community.name}),
        subject=sentence if len(sentence) <= 200 else sentence[:199] + "…",
        url=post_url(post),
        target=post,
    )


def _raise_risk(decision: ScreeningDecision, *, actor: User, post: Post, title: str = "") -> None:
    """After saving: a risk event when the crisis check read the words as a concern or worse."""
    safety_risk.risk_from_screening(
        decision,
        subject=actor,
        source="thread" if post.is_opening else "reply",
        content=f"{title}\n\n{post.body}".strip(),
        link=post_url(post),
        target=post,
    )


# --- Communities and membership -----------------------------------------------------------


def _clean_community_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = " ".join(_check_characters(name, "name").split())
    if not name:
        raise Invalid({"name": _("Please give the community a name.")})
    others = Community.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise Invalid({"name": _("A community with that name or address already exists.")})
    return name


def _clean_rules(rules: list[str]) -> list[str]:
    return [rule.strip() for rule in (_check_characters(r, "rules") for r in rules) if rule.strip()]


def _full_clean(instance: Any) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise as_invalid(error) from None


@transaction.atomic
def community_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    rules: list[str] | None = None,
    topics: list[str] | None = None,
    visibility: str = Visibility.PUBLIC,
    slug: str = "",
) -> Community:
    """Administrators create communities; the creator becomes its host."""
    require(access.check_create_community_permission(actor), access.REASON_ADMINS)
    name = _clean_community_name(name)
    slug = slugify(_check_characters(slug, "slug") or name)[:80]
    if not slug:
        raise Invalid({"slug": _("Please choose an address made of letters and numbers.")})
    if Community.objects.filter(slug=slug).exists():
        raise Invalid({"name": _("A community with that name or address already exists.")})
    community = Community(
        name=name,
        slug=slug,
        description=_check_characters(description, "description").strip(),
        rules=_clean_rules(rules or []),
        topics=list(topics or []),
        topic_words=search.community_topic_words(list(topics or [])),
        visibility=visibility,
        created_by=actor,
    )
    _full_clean(community)
    community.save()
    Membership.objects.create(community=community, user=actor, role=MemberRole.HOST)
    audit_record(actor=actor, action="communities.community.created", target=community)
    return community


@transaction.atomic
def community_update(*, actor: User, community: Community, values: dict[str, Any]) -> Community:
    require(access.check_edit_community_permission(community_viewer(actor, community)), access.REASON_HOSTS)
    allowed = {"name", "description", "rules", "topics", "visibility", "hold_risky_posts", "hold_new_first_posts"}
    unknown = set(values) - allowed
    if unknown:
        raise Invalid(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "name" in values:
        values["name"] = _clean_community_name(values["name"], exclude_pk=community.pk)
    if "description" in values:
        values["description"] = _check_characters(values["description"], "description").strip()
    if "rules" in values:
        values["rules"] = _clean_rules(values["rules"])
    fields = list(values)
    if "topics" in values:
        values = {**values, "topic_words": search.community_topic_words(list(values["topics"]))}
    was_public = community.visibility == Visibility.PUBLIC
    for name, value in values.items():
        setattr(community, name, value)
    _full_clean(community)
    community.save(update_fields=list(values))
    if was_public and community.visibility != Visibility.PUBLIC:
        _withdraw_from_non_readers(community)
    audit_record(actor=actor, action="communities.community.updated", target=community, data={"fields": sorted(fields)})
    return community


@transaction.atomic
def community_join(*, actor: User, community: Community) -> Membership:
    """Public: join at once. Private: ask to join (moderators decide). Hidden: accept an invitation."""
    viewer = community_viewer(actor, community)
    require(access.check_join_community_permission(viewer), access.REASON_CANNOT_JOIN)
    status = MembershipStatus.PENDING if community.visibility == Visibility.PRIVATE else MembershipStatus.ACTIVE
    if viewer.membership is not None:  # an invitation
        membership = viewer.membership
        membership.status = MembershipStatus.ACTIVE
        membership.save(update_fields=["status", "updated_at"])
        return membership
    return Membership.objects.create(community=community, user=actor, status=status)


def _other_active_hosts(membership: Membership) -> bool:
    return (
        Membership.objects.filter(
            community_id=membership.community_id, role=MemberRole.HOST, status=MembershipStatus.ACTIVE
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def community_leave(*, actor: User, community: Community) -> None:
    membership = Membership.objects.filter(community=community, user=actor).first()
    if membership is None or membership.status == MembershipStatus.BANNED:
        return  # a ban stays in place when someone "leaves"
    if membership.role == MemberRole.HOST and not _other_active_hosts(membership):
        raise Invalid(_("You are this community's only host. Please make someone else a host first."))
    membership.delete()
    _stop_following_community(user=actor, community=community)
    if community.visibility != Visibility.PUBLIC:
        _withdraw_community_notifications(community=community, recipient=actor)


@transaction.atomic
def membership_decide(*, actor: User, membership: Membership, approve: bool) -> Membership | None:
    """Approve or deny a request to join."""
    require(
        access.check_moderate_community_permission(community_viewer(actor, membership.community)),
        access.REASON_MODERATORS,
    )
    if membership.status != MembershipStatus.PENDING:
        raise Invalid(_("This request has already been answered."))
    audit_record(
        actor=actor,
        action="communities.membership.approved" if approve else "communities.membership.denied",
        target=membership.community,
        data={"user_id": membership.user_id},
    )
    if not approve:
        membership.delete()
        return None
    membership.status = MembershipStatus.ACTIVE
    membership.save(update_fields=["status", "updated_at"])
    return membership


@transaction.atomic
def community_invite(*, actor: User, community: Community, invitee: User) -> Membership:
    require(access.check_moderate_community_permission(community_viewer(actor, community)), access.REASON_MODERATORS)
    membership = Membership.objects.filter(community=community, user=invitee).first()
    if membership is None:
        membership = Membership.objects.create(community=community, user=invitee, status=MembershipStatus.INVITED)
    elif membership.status == MembershipStatus.PENDING:
        membership.status = MembershipStatus.ACTIVE  # they asked; the invitation is the answer
        membership.save(update_fields=["status", "updated_at"])
    elif membership.status == MembershipStatus.BANNED:
        raise Invalid({"pseudonym": _("This person is banned from the community. Lift the ban first.")})
    audit_record(actor=actor, action="communities.membership.invited", target=community, data={"user_id": invitee.pk})
    return membership


@transaction.atomic
def member_role_set(*, actor: User, community: Community, user: User, role: str) -> Membership:
    """Hosts (and administrators) make an active member a moderator or host, or a member again.
    A community always keeps at least one host."""
    require(access.check_edit_community_permission(community_viewer(actor, community)), access.REASON_HOSTS)
    if role not in MemberRole.values:
        raise Invalid({"role": _("Unknown role.")})
    membership = Membership.objects.filter(community=community, user=user, status=MembershipStatus.ACTIVE).first()
    if membership is None:
        raise Invalid({"pseudonym": _("They need to be a member of this community first.")})
    if membership.role == MemberRole.HOST and role != MemberRole.HOST and not _other_active_hosts(membership):
        raise Invalid({"role": _("A community needs at least one host. Make someone else a host first.")})
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit_record(
        actor=actor,
        action="communities.membership.role_changed",
        target=community,
        data={"user_id": membership.user_id, "from": previous, "to": role},
    )
    return membership


@transaction.atomic
def membership_ban(*, actor: User, community: Community, user: User, reason: str) -> Membership:
    viewer = community_viewer(actor, community)
    require(access.check_moderate_community_permission(viewer), access.REASON_MODERATORS)
    reason = _clean_reason(reason, required=True)
    membership, _created = Membership.objects.get_or_create(community=community, user=user)
    require(access.check_ban_member_permission(viewer, membership), access.REASON_HOSTS)
    membership.status = MembershipStatus.BANNED
    membership.role = MemberRole.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    _stop_following_community(user=user, community=community)
    if community.visibility != Visibility.PUBLIC:
        _withdraw_community_notifications(community=community, recipient=user)
    audit_record(
        actor=actor, action="communities.membership.banned", target=community, reason=reason, data={"user_id": user.pk}
    )
    return membership


def membership_ban_lift(*, community_id: int, user_id: int) -> bool:
    """End a ban: the person is a stranger to the community again (they may join a public one, ask to
    join a private one, or be invited to a hidden one). Called by moderation's sanctions, which
    decide who may and keep the log. True if there was a ban to lift."""
    deleted, _rows = Membership.objects.filter(
        community_id=community_id, user_id=user_id, status=MembershipStatus.BANNED
    ).delete()
    return bool(deleted)


def membership_pause_set(*, community_id: int, user_id: int, **pause: Any) -> bool:
    """Set `muted_until` and/or `warning_pending` of a membership (see Membership). Called by
    moderation's sanctions, which decide who may and keep the log. False if they are not an active
    member (nothing to pause: they cannot write there anyway)."""
    if not pause or set(pause) - {"muted_until", "warning_pending"}:
        raise ValueError(f"unknown pause fields: {sorted(pause)}")
    return bool(
        Membership.objects.filter(community_id=community_id, user_id=user_id, status=MembershipStatus.ACTIVE).update(
            **pause, updated_at=timezone.now()
        )
    )


# --- Notifications ----------------------------------------------------------------------------


def post_url(post: Post) -> str:
    """Where a post is: this address redirects to its page of the thread, at the post."""
    return reverse("communities:post", args=[post.pk])


def _can_read(user: User, community: Community) -> bool:
    return access.check_read_community_permission(community_viewer(user, community))


def _notify_mentions(*, actor: User, post: Post, label: str) -> set[int]:
    """Tell the people a post mentions, one notification each; returns who was told. Not those who
    cannot read the place (never tell someone about a place they cannot read), nor those who muted
    the thread."""
    names = sorted(mentioned_pseudonyms(post.body))[:MAX_MENTIONS]
    if not names:
        return set()
    thread = post.thread
    people = list(
        account_selectors.users_by_pseudonyms(names)
        .exclude(pk=actor.pk)
        .exclude(pk__in=account_selectors.blocker_ids(actor))  # who blocked the writer hears nothing of them
    )
    muted = selectors.thread_muted_by(thread=thread, user_ids=[user.pk for user in people])
    told = set()
    for user in people:
        if user.pk not in muted and _can_read(user, thread.community):
            notification_services.notification_create(
                recipient=user,
                kind=NotificationKind.MENTION,
                actor_label=label,
                subject=thread.title,
                url=post_url(post),
                target=post,
            )
            told.add(user.pk)
    return told


def _withdraw_notifications(*, post_ids: Any = (), thread_ids: Any = (), recipient: User | None = None) -> None:
    """Withdraw notifications about these posts and threads (each a list of ids or a `.values("pk")`
    queryset, used as a subquery): their text names what they are about."""
    for target_type, ids in ((selectors.POST_TARGET, post_ids), (selectors.THREAD_TARGET, thread_ids)):
        if isinstance(ids, (list, tuple)) and not ids:
            continue
        notification_services.notifications_withdraw(target_type=target_type, target_ids=ids, recipient=recipient)


def _withdraw_community_notifications(*, community: Community, recipient: User) -> None:
    """Someone can no longer read a community: nothing they were told about it stays."""
    _withdraw_notifications(
        post_ids=Post.objects.filter(thread__community=community).values("pk"),
        thread_ids=Thread.objects.filter(community=community).values("pk"),
        recipient=recipient,
    )


def _withdraw_thread_notifications(thread: Thread) -> None:
    """A thread removed, or held again: nobody is told anything more about it or its posts."""
    _withdraw_notifications(post_ids=Post.objects.filter(thread=thread).values("pk"), thread_ids=[thread.pk])


def _prune_reply_items(thread: Thread) -> None:
    """A reply went (removed, or held again): items about new replies in the thread that now stand
    for none are withdrawn, so nobody is told of replies that are not there to read."""
    notification_services.notifications_withdraw_unread(
        kind=NotificationKind.REPLIES,
        target=thread,
        unless=selectors.still_new_to(
            thread=thread,
            recipient_field="recipient_id",
            excluding=notification_selectors.mentioned_posts(recipient=OuterRef(OuterRef("recipient_id"))),
        ),
    )


def _withdraw_from_non_readers(community: Community) -> None:
    """A community stopped being public: people who are not its active members (nor site staff)
    no longer hear of it, and nothing they were told about it stays."""
    readers = Q(recipient__role__in=SITE_MODERATOR_ROLES) | Q(
        recipient_id__in=Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE).values(
            "user_id"
        )
    )
    for target_type, ids in (
        (selectors.POST_TARGET, Post.objects.filter(thread__community=community).values("pk")),
        (selectors.THREAD_TARGET, Thread.objects.filter(community=community).values("pk")),
    ):
        notification_services.notifications_withdraw_unless_recipient(
            target_type=target_type, target_ids=ids, keep=readers
        )
    active = Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE).values("user_id")
    ThreadState.objects.filter(thread__community=community, level=FollowLevel.FOLLOWING).exclude(
        user_id__in=active
    ).exclude(user__role__in=SITE_MODERATOR_ROLES).update(level=FollowLevel.UNSET)


def _notify_after_visible(*, actor: User, post: Post) -> None:
    """Once a post can be seen: the people it mentions are told one by one, and everyone else who
    follows the thread has their one item about new replies in it opened again (a reply that
    mentions someone is one notification for them, not two). Bounded whatever the number of
    followers: one query finds them, one bulk insert and one update bring their items up to date."""
    thread = post.thread
    told = _notify_mentions(actor=actor, post=post, label=presenters.author_label(post))
    if post.is_opening:
        return
    # Open pages of the thread hear of the reply (not the writer's own: they know).
    live.push_after_commit(
        live.thread_group(thread.pk),
        live.frame_event(
            {"type": "thread_reply", "thread": thread.pk, "post": post.pk}, not_for=live.person_key(actor.pk)
        ),
    )
    followers = selectors.thread_followers(
        thread=thread, exclude=[actor.pk, *told, *account_selectors.blocker_ids(actor)]
    )
    notification_services.notifications_group_bump(
        recipient_ids=followers,
        kind=NotificationKind.REPLIES,
        subject=thread.title,
        url=presenters.thread_url(thread),
        target=thread,
    )


# --- Following and reading ----------------------------------------------------------------------


def _state_for(*, user: User, thread: Thread) -> ThreadState:
    """The person's state in the thread, made if it does not exist yet (two requests at once are fine)."""
    state = ThreadState.objects.filter(user=user, thread=thread).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return ThreadState.objects.create(user=user, thread=thread)
    except IntegrityError:  # made meanwhile by another request of theirs
        return ThreadState.objects.get(user=user, thread=thread)


def _move_reading_position(*, user: User, thread: Thread, post_id: int) -> None:
    """Forward only: reading an older page never makes newer posts new again."""
    ThreadState.objects.filter(user=user, thread=thread).filter(
        Q(last_read_post_id__isnull=True) | Q(last_read_post_id__lt=post_id)
    ).update(last_read_post_id=post_id)


def _after_writing(*, actor: User, thread: Thread, post: Post) -> None:
    """Whoever writes in a thread follows it, unless they chose otherwise, and has read it up to what
    they wrote (so their own words are never "new" to them, and nothing before them is either)."""
    state = _state_for(user=actor, thread=thread)
    if state.level == FollowLevel.UNSET:
        ThreadState.objects.filter(pk=state.pk, level=FollowLevel.UNSET).update(level=FollowLevel.FOLLOWING)
    _move_reading_position(user=actor, thread=thread, post_id=post.pk)
    if not post.is_opening:
        notification_services.notifications_mark_read_about(
            actor=actor, target_type=selectors.THREAD_TARGET, target_ids=[thread.pk]
        )


def _set_level(*, actor: User, thread: Thread, level: str, only_from: tuple[str, ...] | None = None) -> ThreadState:
    state = _state_for(user=actor, thread=thread)
    if state.level != level and (only_from is None or state.level in only_from):
        state.level = level
        state.save(update_fields=["level"])
    return state


@transaction.atomic
def thread_follow_set(*, actor: User, thread: Thread, on: bool) -> ThreadState:
    """Follow a thread (hear of its new replies; this also ends a mute), or stop following it.
    Idempotent: doing it twice is the same as once. Stopping is a choice that stays: replying
    later does not make them follow again."""
    viewer = community_viewer(actor, thread.community)
    if not on:
        require(access.check_mute_thread_permission(viewer, thread), access.REASON_MUTE)
        state = _set_level(
            actor=actor,
            thread=thread,
            level=FollowLevel.NOT_FOLLOWING,
            only_from=(FollowLevel.UNSET, FollowLevel.FOLLOWING),
        )
        # Nothing more about new replies here, including what was waiting to be read.
        notification_services.notifications_mark_read_about(
            actor=actor, target_type=selectors.THREAD_TARGET, target_ids=[thread.pk]
        )
        return state
    require(access.check_follow_thread_permission(viewer, thread), access.REASON_FOLLOW)
    state = _set_level(actor=actor, thread=thread, level=FollowLevel.FOLLOWING)
    if state.last_read_post_id is None:  # new replies from now on are news to them
        newest = Post.objects.filter(thread=thread).order_by("-pk").values_list("pk", flat=True).first()
        if newest is not None:
            _move_reading_position(user=actor, thread=thread, post_id=newest)
            state.last_read_post_id = newest
    return state


@transaction.atomic
def thread_mute_set(*, actor: User, thread: Thread, on: bool) -> ThreadState:
    """Mute a thread (hear nothing from it: no replies, no mentions; it also leaves "Waiting for a
    reply"), or unmute it (back to not following). Idempotent."""
    require(access.check_mute_thread_permission(community_viewer(actor, thread.community), thread), access.REASON_MUTE)
    if not on:
        return _set_level(actor=actor, thread=thread, level=FollowLevel.NOT_FOLLOWING, only_from=(FollowLevel.MUTED,))
    state = _set_level(actor=actor, thread=thread, level=FollowLevel.MUTED)
    notification_services.notifications_mark_read_about(
        actor=actor, target_type=selectors.THREAD_TARGET, target_ids=[thread.pk]
    )
    return state


def thread_read(
    *,
    actor: User,
    thread: Thread,
    state: ThreadState | None,
    post_ids: list[int],
    saw_newest: bool,
    has_unread: bool = True,
) -> int:
    """Someone read a page of a thread (reached with access_thread; `state` is theirs, as the page
    loaded it): their reading position moves forward to the newest post on it, the notifications
    about those posts are marked read, and once they have seen the newest post so is their item
    about new replies here. `has_unread`: whether they have any unread notification at all (the
    page knows it from its header; without any, there is nothing to mark). Returns how many were
    marked read. At most two statements, each right on its own (no transaction on a page view)."""
    if not post_ids:
        return 0
    newest = max(post_ids)
    if state is None:
        ThreadState.objects.bulk_create(
            [ThreadState(user=actor, thread=thread, last_read_post_id=newest)], ignore_conflicts=True
        )
    elif state.last_read_post_id is None or state.last_read_post_id < newest:
        _move_reading_position(user=actor, thread=thread, post_id=newest)
    if not has_unread:
        return 0
    return notification_services.notifications_mark_read_about(
        actor=actor,
        target_type=selectors.POST_TARGET,
        target_ids=post_ids,
        also=(selectors.THREAD_TARGET, thread.pk) if saw_newest else None,
    )


def _stop_following_community(*, user: User, community: Community) -> None:
    """Someone left or was banned: they no longer follow its threads (a mute stays a mute)."""
    ThreadState.objects.filter(user=user, thread__community=community, level=FollowLevel.FOLLOWING).update(
        level=FollowLevel.UNSET
    )


# --- Threads and posts --------------------------------------------------------------------


@transaction.atomic
def thread_create(
    *,
    actor: User,
    community: Community,
    title: str,
    body: str,
    is_anonymous: bool = False,
    content_warnings: list[str] | None = None,
) -> Thread:
    viewer = community_viewer(actor, community)
    paused = _require_write(viewer, access.check_post_thread_permission, access.REASON_JOIN_FIRST)
    title, body, warnings = _clean_all(
        lambda: _clean_title(title), lambda: _clean_body(body), lambda: _clean_warnings(content_warnings or [])
    )
    where = _where(community, title=title, body=body, anonymous=is_anonymous, opener_id=actor.pk)
    decision = _screen(actor=actor, title=title, body=body, kind="thread", where=where, paused=paused)
    status = _status_for(decision, community)
    now = timezone.now()
    thread = Thread.objects.create(
        community=community, title=title, status=status, created_at=now, last_activity_at=now
    )
    post = Post.objects.create(
        thread=thread,
        **author_fields(actor, anonymous=is_anonymous),
        is_opening=True,
        body=body,
        body_html=render_markdown(body),
        is_anonymous=is_anonymous,
        content_warnings=warnings,
        status=status,
        screening_reasons=decision.stored_reasons(),
        created_at=now,
    )
    _after_writing(actor=actor, thread=thread, post=post)
    _raise_risk(decision, actor=actor, post=post, title=title)
    _follow_rules(decision, actor=actor, post=post)
    _flag_for_review(decision, post=post)
    if status == PostStatus.VISIBLE:
        _notify_after_visible(actor=actor, post=post)
    return thread


@transaction.atomic
def post_reply(
    *,
    actor: User,
    thread: Thread,
    body: str,
    is_anonymous: bool = False,
    content_warnings: list[str] | None = None,
    quote: Post | None = None,
) -> Post:
    """A reply. A quoted post is shown above it for as long as the quoted post stays visible; its
    text is not copied into the reply, so removing a post removes its quotes too."""
    thread = Thread.objects.select_for_update().select_related("community").get(pk=thread.pk)
    viewer = community_viewer(actor, thread.community)
    paused = _require_write(
        viewer, lambda who: access.check_reply_permission(who, thread), access.REASON_REPLIES_CLOSED
    )
    opener = sealed_author_id(selectors.opening_post(thread=thread))
    require(not account_selectors.is_blocked_by(actor, opener), access.REASON_REPLIES_CLOSED)  # they blocked you
    if quote is not None and not access.check_quote_post_permission(viewer, thread, quote):
        raise Invalid({"quote": access.REASON_QUOTE})
    body, warnings = _clean_all(lambda: _clean_body(body), lambda: _clean_warnings(content_warnings or []))
    where = _where(thread, title=thread.title, body=body, anonymous=is_anonymous, opener_id=opener)
    decision = _screen(actor=actor, title="", body=body, kind="reply", reply=True, where=where, paused=paused)
    status = _status_for(decision, thread.community)
    now = timezone.now()
    post = Post.objects.create(
        thread=thread,
        **author_fields(actor, anonymous=is_anonymous),
        body=body,
        body_html=render_markdown(body),
        is_anonymous=is_anonymous,
        content_warnings=warnings,
        quoted_post=quote,
        status=status,
        screening_reasons=decision.stored_reasons(),
        created_at=now,
    )
    _after_writing(actor=actor, thread=thread, post=post)
    _raise_risk(decision, actor=actor, post=post)
    _follow_rules(decision, actor=actor, post=post)
    _flag_for_review(decision, post=post)
    if status == PostStatus.VISIBLE:
        Thread.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") + 1, last_activity_at=now)
        _notify_after_visible(actor=actor, post=post)
    return post


@transaction.atomic
def post_edit(
    *,
    actor: User,
    post: Post,
    body: str,
    title: str | None = None,
    content_warnings: list[str] | None = None,
) -> Post:
    post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
    viewer = community_viewer(actor, post.thread.community)

    def may_edit(who: access.CommunityViewer) -> bool:  # a paused moderator edits no one else's post
        return access.check_edit_post_permission(who, post) and (who.wrote(post) or not viewer.paused)

    paused = _require_write(viewer, may_edit, access.REASON_EDIT)
    thread = post.thread
    new_title = thread.title
    body, warnings = _clean_all(
        lambda: _clean_body(body),
        lambda: _clean_warnings(content_warnings) if content_warnings is not None else post.content_warnings,
    )
    if title is not None and post.is_opening:
        new_title = _clean_title(title)
    by_author = viewer.wrote(post)
    PostRevision.objects.create(
        post=post,
        body=post.body,
        title=thread.title if post.is_opening else "",
        # An anonymous author's own edit is recorded without their name.
        edited_by=None if (by_author and post.is_anonymous) else actor,
        by_author=by_author,
    )
    where = None
    if by_author:  # the community's rules look at its members' edits, as AutoModerator does
        opener = actor.pk if post.is_opening else sealed_author_id(selectors.opening_post(thread=thread))
        where = _where(thread, title=new_title, body=body, anonymous=post.is_anonymous, opener_id=opener)
        where.update(is_opening=post.is_opening, is_edited=True)
    decision = _screen(
        actor=actor,
        title=new_title if post.is_opening else "",
        body=body,
        kind="edit",
        reply=not post.is_opening,
        where=where,
        paused=paused,
    )
    was_visible = post.status == PostStatus.VISIBLE
    post.body, post.body_html, post.content_warnings = body, render_markdown(body), warnings
    post.edited_at = timezone.now()
    post.screening_reasons = decision.stored_reasons()
    if (status := _status_for(decision, thread.community)) != PostStatus.VISIBLE:
        post.status = status  # held (or removed by a rule) again: nobody else may read it now
    post.save(update_fields=["body", "body_html", "content_warnings", "edited_at", "screening_reasons", "status"])
    if post.is_opening:
        thread.title = new_title
        thread.status = post.status
        thread.save(update_fields=["title", "status"])
        if was_visible and post.status != PostStatus.VISIBLE:
            _withdraw_thread_notifications(thread)
    elif was_visible and post.status != PostStatus.VISIBLE:
        Thread.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") - 1)
        _withdraw_notifications(post_ids=[post.pk])
        _prune_reply_items(thread)
    if by_author:
        _raise_risk(decision, actor=actor, post=post, title=thread.title if post.is_opening else "")
        _follow_rules(decision, actor=actor, post=post)
        _flag_for_review(decision, post=post)
    else:
        audit_record(actor=actor, action="communities.post.edited_by_moderator", target=post)
    return post


@transaction.atomic
def post_delete(*, actor: User, post: Post, reason: str = "") -> Post:
    """Soft delete: the post shows as "removed". Removing the opening post removes the thread."""
    post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
    viewer = community_viewer(actor, post.thread.community)
    require(access.check_delete_post_permission(viewer, post), access.REASON_DELETE)
    reason = _clean_reason(reason, required=False)
    was_visible = post.status == PostStatus.VISIBLE
    post.status = PostStatus.REMOVED
    post.save(update_fields=["status"])
    thread = post.thread
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(status=PostStatus.REMOVED)
        _withdraw_thread_notifications(thread)
    else:
        _withdraw_notifications(post_ids=[post.pk])
        if was_visible:
            Thread.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") - 1)
            _prune_reply_items(thread)
    if not viewer.wrote(post):
        audit_record(actor=actor, action="communities.post.removed", target=post, reason=reason)
    return post


@transaction.atomic
def post_review(*, actor: User, post: Post, approve: bool, reason: str = "") -> Post:
    """A moderator decides on a post that screening held back, or that a rule took down."""
    post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
    viewer = community_viewer(actor, post.thread.community)
    require(access.check_moderate_community_permission(viewer), access.REASON_MODERATORS)
    if post.status != PostStatus.HELD and not (post.status == PostStatus.REMOVED and post.removed_by_rule):
        raise Invalid(_("This post is not waiting for review."))
    reason = _clean_reason(reason, required=False)
    post.status = PostStatus.VISIBLE if approve else PostStatus.REMOVED
    post.removed_by_rule = None
    post.save(update_fields=["status", "removed_by_rule"])
    thread = post.thread
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(status=post.status)
    elif approve:
        Thread.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") + 1, last_activity_at=timezone.now())
    if not approve:  # nothing should speak of a held post; if anything does, it goes with it
        if post.is_opening:
            _withdraw_thread_notifications(thread)
        else:
            _withdraw_notifications(post_ids=[post.pk])
    audit_record(
        actor=actor,
        action="communities.post.approved" if approve else "communities.post.rejected",
        target=post,
        reason=reason,
        data={"screening": post.screening_reasons},
    )
    if approve:
        writer_id = sealed_author_id(post)
        writer = account_selectors.user_by_id(writer_id) if writer_id is not None else None
        if writer is not None:
            _notify_after_visible(actor=writer, post=post)
    return post


def _thread_flag(*, actor: User, thread: Thread, field: str, value: bool) -> Thread:
    require(
        access.check_moderate_community_permission(community_viewer(actor, thread.community)),
        access.REASON_MODERATORS,
    )
    if getattr(thread, field) == value:
        return thread  # already so: nothing changes, nothing to log (PUT and DELETE may be retried)
    setattr(thread, field, value)
    thread.save(update_fields=[field])
    action = {"is_locked": ("locked", "unlocked"), "is_pinned": ("pinned", "unpinned")}[field][0 if value else 1]
    audit_record(actor=actor, action=f"communities.thread.{action}", target=thread)
    return thread


@transaction.atomic
def thread_lock(*, actor: User, thread: Thread, locked: bool = True) -> Thread:
    return _thread_flag(actor=actor, thread=thread, field="is_locked", value=locked)


@transaction.atomic
def thread_pin(*, actor: User, thread: Thread, pinned: bool = True) -> Thread:
    return _thread_flag(actor=actor, thread=thread, field="is_pinned", value=pinned)


RESOURCE_MAX = 300


def _clean_resource(value: str) -> str:
    """A better resource: a web address (https or http) or an address on this site ("/help/")."""
    value = _check_characters(str(value or ""), "resource").strip()
    if not value:
        return ""
    if len(value) > RESOURCE_MAX:
        raise Invalid({"resource": _("Please keep the address under %(max)d characters.") % {"max": RESOURCE_MAX}})
    if value.startswith("/") and not value.startswith("//"):
        return value
    try:
        URLValidator(schemes=["https", "http"])(value)
    except ValidationError:
        raise Invalid(
            {"resource": _("Please give a web address (https://…) or an address on this site (/…).")}
        ) from None
    return value


@transaction.atomic
def post_mark_experience(*, actor: User, post: Post, marked: bool = True, resource: str = "") -> Post:
    """A moderator marks a post as one person's shared experience, not professional advice, and may
    point to a better resource; or takes the mark off. Audited; marking again updates the resource."""
    post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
    require(
        access.check_moderate_community_permission(community_viewer(actor, post.thread.community)),
        access.REASON_MODERATORS,
    )
    resource = _clean_resource(resource) if marked else ""
    post.experience_noted_at = timezone.now() if marked else None
    post.experience_resource = resource or None
    post.save(update_fields=["experience_noted_at", "experience_resource"])
    action = "communities.post.marked_experience" if marked else "communities.post.unmarked_experience"
    audit_record(actor=actor, action=action, target=post, data={"resource": resource})
    return post


def _reaction_check(*, actor: User, post: Post, kind: str) -> None:
    if kind not in ReactionKind.values:
        raise Invalid({"kind": _("Unknown reaction.")})
    viewer = community_viewer(actor, post.thread.community)
    require(access.check_react_permission(viewer, post), access.reason_for(viewer, access.REASON_REACT))


@transaction.atomic
def reaction_set(*, actor: User, post: Post, kind: str, on: bool) -> bool:
    """Put the actor's reaction of this kind on (or take it off). Idempotent: doing it twice is the
    same as once, so a retried request can never undo itself. Returns whether anything changed."""
    _reaction_check(actor=actor, post=post, kind=kind)
    if not on:
        deleted, _details = Reaction.objects.filter(post=post, user=actor, kind=kind).delete()
        return deleted > 0
    _reaction, created = Reaction.objects.get_or_create(post=post, user=actor, kind=kind)
    return created


@transaction.atomic
def anonymous_author_reveal(*, actor: User, post: Post, reason: str) -> User | None:
    """Moderators may see who wrote an anonymous post; every look is audited."""
    viewer = community_viewer(actor, post.thread.community)
    require(access.check_reveal_anonymous_author_permission(viewer, post), access.REASON_REVEAL)
    reason = _clean_reason(reason, required=True, message=_("Please say why you need to know, for the audit log."))
    audit_record(actor=actor, action="communities.post.anonymous_author_revealed", target=post, reason=reason)
    writer_id = sealed_author_id(post)
    return account_selectors.user_by_id(writer_id, active_only=False) if writer_id is not None else None


@transaction.atomic
def reading_preference_update(*, actor: User, collapsed_warnings: list[str]) -> ReadingPreference:
    warnings = _clean_warnings(collapsed_warnings)
    preference, _created = ReadingPreference.objects.update_or_create(
        user=actor, defaults={"collapsed_warnings": warnings}
    )
    return preference
