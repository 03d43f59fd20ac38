"""Every write in communities. Each runs in a transaction; user text is screened before it is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from alongside.accounts.models import Role, User
from alongside.accounts.selectors import user_display_name
from alongside.communities import access
from alongside.communities.access import CommunityViewer, community_viewer
from alongside.communities.models import (
    Community,
    ContentWarning,
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
    Visibility,
)
from alongside.core.audit import audit_record
from alongside.core.markdown import mentioned_pseudonyms, quote_markdown, render_markdown
from alongside.core.screening import ScreeningDecision, screen_content
from alongside.notifications import services as notification_services
from alongside.notifications.models import NotificationKind

TITLE_MAX = 150
BODY_MAX = 20000
MAX_MENTIONS = 20  # people notified per post, so a post cannot page the whole site
ANONYMOUS_LABEL = _("Anonymous member")


class Forbidden(PermissionError):  # noqa: N818  (reads better at call sites: raise Forbidden)
    """The actor may not do this (the caller already knows the object exists for them)."""


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden


def author_label(post: Post) -> str:
    """How a post's author is shown to other members."""
    if post.is_anonymous:
        return str(ANONYMOUS_LABEL)
    if post.author is None:
        return _("Deleted member")
    return user_display_name(post.author)


# --- Validation of what people write ------------------------------------------------------


def _check_characters(value: str, field: str) -> str:
    """Refuse text no database can store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValidationError({field: _("This text contains a character we can't store. Please remove it.")})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError({field: _("This text contains a character we can't store. Please remove it.")}) from None
    return value


def _clean_reason(reason: str, *, required: bool, message: str = "") -> str:
    reason = _check_characters(reason, "reason").strip()
    if required and not reason:
        raise ValidationError({"reason": message or _("Please say why, for the moderation log.")})
    return reason[:1000]


def _clean_title(title: str) -> str:
    title = " ".join(_check_characters(title, "title").split())
    if not title:
        raise ValidationError({"title": _("Please give your thread a title.")})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("Please keep the title under %(max)d characters.") % {"max": TITLE_MAX}})
    return title


def _clean_body(body: str) -> str:
    body = _check_characters(body, "body").strip()
    if not body:
        raise ValidationError({"body": _("Please write something first.")})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": _("Please keep it under %(max)d characters.") % {"max": BODY_MAX}})
    return body


def _clean_warnings(warnings: list[str]) -> list[str]:
    unknown = [w for w in warnings if w not in ContentWarning.values]
    if unknown:
        raise ValidationError({"content_warnings": _("Unknown content warning: %(w)s") % {"w": ", ".join(unknown)}})
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
        raise ValidationError(errors)
    return results


def _screen(*, actor: User, title: str, body: str, kind: str) -> ScreeningDecision:
    return screen_content(text=f"{title}\n{body}".strip(), author=actor, kind=kind)


def _reasons(decision: ScreeningDecision) -> list[dict[str, Any]]:
    return [
        {"check": r.check, "action": str(r.action), "rule": r.rule, "score": r.score, "detail": r.detail}
        for r in decision.reasons
    ]


def _status_for(decision: ScreeningDecision) -> str:
    return PostStatus.HELD if decision.held else PostStatus.VISIBLE


# --- Communities and membership -----------------------------------------------------------


def _clean_community_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = " ".join(_check_characters(name, "name").split())
    if not name:
        raise ValidationError({"name": _("Please give the community a name.")})
    others = Community.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"name": _("A community with that name or address already exists.")})
    return name


def _clean_rules(rules: list[str]) -> list[str]:
    return [rule.strip() for rule in (_check_characters(r, "rules") for r in rules) if rule.strip()]


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
    if actor.role != Role.ADMIN:
        raise Forbidden
    name = _clean_community_name(name)
    slug = slugify(_check_characters(slug, "slug") or name)[:80]
    if not slug:
        raise ValidationError({"slug": _("Please choose an address made of letters and numbers.")})
    if Community.objects.filter(slug=slug).exists():
        raise ValidationError({"name": _("A community with that name or address already exists.")})
    community = Community(
        name=name,
        slug=slug,
        description=_check_characters(description, "description").strip(),
        rules=_clean_rules(rules or []),
        topics=list(topics or []),
        visibility=visibility,
        created_by=actor,
    )
    community.full_clean()
    community.save()
    Membership.objects.create(community=community, user=actor, role=MemberRole.HOST)
    audit_record(actor=actor, action="communities.community.created", target=community)
    return community


@transaction.atomic
def community_update(*, actor: User, community: Community, values: dict[str, Any]) -> Community:
    _require(access.check_edit_community_permission(community_viewer(actor, community)))
    allowed = {"name", "description", "rules", "topics", "visibility"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "name" in values:
        values["name"] = _clean_community_name(values["name"], exclude_pk=community.pk)
    if "description" in values:
        values["description"] = _check_characters(values["description"], "description").strip()
    if "rules" in values:
        values["rules"] = _clean_rules(values["rules"])
    for name, value in values.items():
        setattr(community, name, value)
    community.full_clean()
    community.save(update_fields=list(values))
    audit_record(actor=actor, action="communities.community.updated", target=community, data={"fields": sorted(values)})
    return community


@transaction.atomic
def community_join(*, actor: User, community: Community) -> Membership:
    """Public: join at once. Private: ask to join (moderators decide). Hidden: accept an invitation."""
    viewer = community_viewer(actor, community)
    _require(access.check_join_community_permission(viewer))
    status = MembershipStatus.PENDING if community.visibility == Visibility.PRIVATE else MembershipStatus.ACTIVE
    if viewer.membership is not None:  # an invitation
        membership = viewer.membership
        membership.status = MembershipStatus.ACTIVE
        membership.save(update_fields=["status", "updated_at"])
        return membership
    return Membership.objects.create(community=community, user=actor, status=status)


@transaction.atomic
def community_leave(*, actor: User, community: Community) -> None:
    membership = Membership.objects.filter(community=community, user=actor).first()
    if membership is None or membership.status == MembershipStatus.BANNED:
        return  # a ban stays in place when someone "leaves"
    if (
        membership.role == MemberRole.HOST
        and not Membership.objects.filter(community=community, role=MemberRole.HOST, status=MembershipStatus.ACTIVE)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(_("You are this community's only host. Please make someone else a host first."))
    membership.delete()
    if community.visibility != Visibility.PUBLIC:
        _withdraw_notifications(post_ids=Post.objects.filter(thread__community=community).values("pk"), recipient=actor)


@transaction.atomic
def membership_decide(*, actor: User, membership: Membership, approve: bool) -> Membership | None:
    """Approve or deny a request to join."""
    _require(access.check_moderate_community_permission(community_viewer(actor, membership.community)))
    if membership.status != MembershipStatus.PENDING:
        raise ValidationError(_("This request has already been answered."))
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
    _require(access.check_moderate_community_permission(community_viewer(actor, community)))
    membership = Membership.objects.filter(community=community, user=invitee).first()
    if membership is None:
        membership = Membership.objects.create(community=community, user=invitee, status=MembershipStatus.INVITED)
    elif membership.status == MembershipStatus.PENDING:
        membership.status = MembershipStatus.ACTIVE  # they asked; the invitation is the answer
        membership.save(update_fields=["status", "updated_at"])
    elif membership.status == MembershipStatus.BANNED:
        raise ValidationError(_("This person is banned from the community. Lift the ban first."))
    audit_record(actor=actor, action="communities.membership.invited", target=community, data={"user_id": invitee.pk})
    return membership


@transaction.atomic
def member_role_set(*, actor: User, community: Community, user: User, role: str) -> Membership:
    """Hosts (and administrators) make an active member a moderator or host, or a member again."""
    _require(access.check_edit_community_permission(community_viewer(actor, community)))
    membership = Membership.objects.filter(community=community, user=user, status=MembershipStatus.ACTIVE).first()
    if membership is None:
        raise ValidationError({"pseudonym": _("They need to be a member of this community first.")})
    return membership_set_role(actor=actor, membership=membership, role=role)


@transaction.atomic
def membership_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    _require(access.check_edit_community_permission(community_viewer(actor, membership.community)))
    if role not in MemberRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    if (
        membership.role == MemberRole.HOST
        and role != MemberRole.HOST
        and not Membership.objects.filter(
            community=membership.community, role=MemberRole.HOST, status=MembershipStatus.ACTIVE
        )
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError({"role": _("A community needs at least one host. Make someone else a host first.")})
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit_record(
        actor=actor,
        action="communities.membership.role_changed",
        target=membership.community,
        data={"user_id": membership.user_id, "from": previous, "to": role},
    )
    return membership


@transaction.atomic
def membership_ban(*, actor: User, community: Community, user: User, reason: str) -> Membership:
    viewer = community_viewer(actor, community)
    _require(access.check_moderate_community_permission(viewer))
    reason = _clean_reason(reason, required=True)
    membership, _created = Membership.objects.get_or_create(community=community, user=user)
    if membership.role == MemberRole.HOST and not viewer.hosts:
        raise Forbidden
    membership.status = MembershipStatus.BANNED
    membership.role = MemberRole.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    if community.visibility != Visibility.PUBLIC:
        _withdraw_notifications(post_ids=Post.objects.filter(thread__community=community).values("pk"), recipient=user)
    audit_record(
        actor=actor, action="communities.membership.banned", target=community, reason=reason, data={"user_id": user.pk}
    )
    return membership


# --- Threads and posts --------------------------------------------------------------------


def _notify_mentions(*, actor: User, post: Post, viewer_label: str) -> None:
    names = mentioned_pseudonyms(post.body)
    if not names:
        return
    community = post.thread.community
    wanted = Q()
    for name in sorted(names)[:MAX_MENTIONS]:
        wanted |= Q(username__iexact=name)
    for user in User.objects.filter(wanted, is_active=True).exclude(pk=actor.pk):
        if not access.check_read_community_permission(community_viewer(user, community)):
            continue  # never tell someone about a place they cannot read
        notification_services.notification_create(
            recipient=user,
            kind=NotificationKind.MENTION,
            actor_label=viewer_label,
            text=_("%(who)s mentioned you in “%(title)s”") % {"who": viewer_label, "title": post.thread.title},
            url=post_url(post),
            target=post,
        )


def _withdraw_notifications(*, post_ids: Any, recipient: User | None = None) -> None:
    """`post_ids`: a list of ids or a `.values("pk")` queryset (used as a subquery)."""
    notification_services.notifications_withdraw(
        target_type=Post._meta.label_lower, target_ids=post_ids, recipient=recipient
    )


def post_url(post: Post) -> str:
    return reverse("communities:post", args=[post.pk])


def _notify_after_visible(*, actor: User, post: Post) -> None:
    """Replies and mentions notify people only once the post can be seen."""
    label = author_label(post)
    thread = post.thread
    if not post.is_opening:
        opening = Post.objects.filter(thread=thread, is_opening=True).select_related("author").first()
        if (
            opening is not None
            and opening.author is not None
            and opening.author_id != actor.pk
            # Never tell someone about a place they can no longer read (they left, or were banned).
            and access.check_read_community_permission(community_viewer(opening.author, thread.community))
        ):
            notification_services.notification_create(
                recipient=opening.author,
                kind=NotificationKind.REPLY,
                actor_label=label,
                text=_("%(who)s replied to “%(title)s”") % {"who": label, "title": thread.title},
                url=post_url(post),
                target=post,
            )
    _notify_mentions(actor=actor, post=post, viewer_label=label)


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
    _require(access.check_post_thread_permission(community_viewer(actor, community)))
    title, body, warnings = _clean_all(
        lambda: _clean_title(title), lambda: _clean_body(body), lambda: _clean_warnings(content_warnings or [])
    )
    decision = _screen(actor=actor, title=title, body=body, kind="thread")
    status = _status_for(decision)
    now = timezone.now()
    thread = Thread.objects.create(
        community=community, title=title, status=status, created_at=now, last_activity_at=now
    )
    post = Post.objects.create(
        thread=thread,
        author=actor,
        is_opening=True,
        body=body,
        body_html=render_markdown(body),
        is_anonymous=is_anonymous,
        content_warnings=warnings,
        status=status,
        screening_reasons=_reasons(decision),
        created_at=now,
    )
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
    thread = Thread.objects.select_for_update().select_related("community").get(pk=thread.pk)
    viewer = community_viewer(actor, thread.community)
    _require(access.check_reply_permission(viewer, thread))
    body = _clean_body(body)
    if quote is not None:
        if quote.thread_id != thread.pk or quote.status != PostStatus.VISIBLE:
            raise ValidationError({"quote": _("You can only quote a visible post in this thread.")})
        body = _clean_body(quote_markdown(quote.body, author_label(quote)) + body)
    warnings = _clean_warnings(content_warnings or [])
    decision = _screen(actor=actor, title="", body=body, kind="reply")
    status = _status_for(decision)
    now = timezone.now()
    post = Post.objects.create(
        thread=thread,
        author=actor,
        body=body,
        body_html=render_markdown(body),
        is_anonymous=is_anonymous,
        content_warnings=warnings,
        quoted_post=quote,
        status=status,
        screening_reasons=_reasons(decision),
        created_at=now,
    )
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
    _require(access.check_edit_post_permission(viewer, post))
    body = _clean_body(body)
    thread = post.thread
    new_title = _clean_title(title) if (title is not None and post.is_opening) else thread.title
    warnings = _clean_warnings(content_warnings) if content_warnings is not None else post.content_warnings
    PostRevision.objects.create(
        post=post, body=post.body, title=thread.title if post.is_opening else "", edited_by=actor
    )
    decision = _screen(actor=actor, title=new_title if post.is_opening else "", body=body, kind="edit")
    was_visible = post.status == PostStatus.VISIBLE
    post.body, post.body_html, post.content_warnings = body, render_markdown(body), warnings
    post.edited_at = timezone.now()
    post.screening_reasons = _reasons(decision)
    if decision.held:
        post.status = PostStatus.HELD
    post.save(update_fields=["body", "body_html", "content_warnings", "edited_at", "screening_reasons", "status"])
    if post.is_opening:
        thread.title = new_title
        thread.status = post.status
        thread.save(update_fields=["title", "status"])
    elif was_visible and post.status == PostStatus.HELD:
        Thread.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") - 1)
    if post.author_id != actor.pk:
        audit_record(actor=actor, action="communities.post.edited_by_moderator", target=post)
    return post


@transaction.atomic
def post_delete(*, actor: User, post: Post, reason: str = "") -> Post:
    """Soft delete: the post shows as "removed". Removing the opening post removes the thread."""
    post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
    viewer = community_viewer(actor, post.thread.community)
    _require(access.check_delete_post_permission(viewer, post))
    reason = _clean_reason(reason, required=False)
    was_visible = post.status == PostStatus.VISIBLE
    post.status = PostStatus.REMOVED
    post.save(update_fields=["status"])
    thread = post.thread
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(status=PostStatus.REMOVED)
        _withdraw_notifications(post_ids=Post.objects.filter(thread=thread).values("pk"))
    else:
        _withdraw_notifications(post_ids=[post.pk])
        if was_visible:
            Thread.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") - 1)
    if post.author_id != actor.pk:
        audit_record(actor=actor, action="communities.post.removed", target=post, reason=reason)
    return post


@transaction.atomic
def post_review(*, actor: User, post: Post, approve: bool, reason: str = "") -> Post:
    """A moderator decides on a post that screening held back."""
    post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
    _require(access.check_moderate_community_permission(community_viewer(actor, post.thread.community)))
    if post.status != PostStatus.HELD:
        raise ValidationError(_("This post is not waiting for review."))
    reason = _clean_reason(reason, required=False)
    post.status = PostStatus.VISIBLE if approve else PostStatus.REMOVED
    post.save(update_fields=["status"])
    thread = post.thread
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(status=post.status)
    elif approve:
        Thread.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") + 1, last_activity_at=timezone.now())
    audit_record(
        actor=actor,
        action="communities.post.approved" if approve else "communities.post.rejected",
        target=post,
        reason=reason,
        data={"screening": post.screening_reasons},
    )
    if approve and post.author is not None:
        _notify_after_visible(actor=post.author, post=post)
    return post


def _thread_flag(*, actor: User, thread: Thread, field: str, value: bool) -> Thread:
    _require(access.check_moderate_community_permission(community_viewer(actor, thread.community)))
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


@transaction.atomic
def reaction_toggle(*, actor: User, post: Post, kind: str) -> bool:
    """Add the reaction, or take it back if it is there. Returns whether it is now on."""
    if kind not in ReactionKind.values:
        raise ValidationError({"kind": _("Unknown reaction.")})
    _require(access.check_react_permission(community_viewer(actor, post.thread.community), post))
    deleted, _details = Reaction.objects.filter(post=post, user=actor, kind=kind).delete()
    if deleted:
        return False
    Reaction.objects.create(post=post, user=actor, kind=kind)
    return True


@transaction.atomic
def anonymous_author_reveal(*, actor: User, post: Post, reason: str) -> User | None:
    """Moderators may see who wrote an anonymous post; every look is audited."""
    viewer: CommunityViewer = community_viewer(actor, post.thread.community)
    _require(access.check_reveal_anonymous_author_permission(viewer))
    reason = _clean_reason(reason, required=True, message=_("Please say why you need to know, for the audit log."))
    audit_record(actor=actor, action="communities.post.anonymous_author_revealed", target=post, reason=reason)
    return post.author


@transaction.atomic
def reading_preference_update(*, actor: User, collapsed_warnings: list[str]) -> ReadingPreference:
    warnings = _clean_warnings(collapsed_warnings)
    preference, _created = ReadingPreference.objects.update_or_create(
        user=actor, defaults={"collapsed_warnings": warnings}
    )
    return preference
