"""Writes to safety plans: making and changing one, deleting it, sharing it with a chat's listener and
stopping, and recording each time a listener reads it. Each in a transaction; sharing and every
reading by a listener leave an audit entry (never the plan's words).

Plans are not screened like public posts: they are private, and their words (warning signs, how
bad things get) are exactly what a screening check is meant to catch elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.chat.access.conversations import ChatViewer
from alongside.core.audit import audit_record
from alongside.core.errors import Invalid, NotAllowed, NotFound, require
from alongside.safety.access.plans import (
    REASON_NO_PLAN,
    check_own_plan_permission,
    check_share_plan_permission,
    check_stop_sharing_permission,
)
from alongside.safety.models import PLAN_SECTIONS, SafetyPlan, SafetyPlanShare

if TYPE_CHECKING:
    from alongside.accounts.models import User

SECTION_KEYS = tuple(key for key, _heading, _prompt in PLAN_SECTIONS)
MAX_ITEMS = 20
MAX_ITEM_CHARS = 300


def _clean_section(value: Any) -> tuple[str, str]:
    """(the stored text, a problem or ""). A section is a list of short lines: text with one per
    line, or a list of strings (the API). Blank lines and spaces around each line are dropped."""
    if value is None:
        value = ""
    if isinstance(value, (list, tuple)):
        if not all(isinstance(item, str) for item in value):
            return "", _("Each item should be a short piece of text.")
        lines = [part for item in value for part in item.splitlines()]
    elif isinstance(value, str):
        lines = value.splitlines()
    else:
        return "", _("Each item should be a short piece of text.")
    if any("\x00" in line for line in lines):
        return "", _("Please remove the unusual characters from this section.")
    items = [" ".join(line.split()) for line in lines if line.strip()]
    if len(items) > MAX_ITEMS:
        return "", _("Please keep this to %(count)d lines or fewer.") % {"count": MAX_ITEMS}
    if any(len(item) > MAX_ITEM_CHARS for item in items):
        return "", _("Please keep each line under %(count)d characters: a few words is plenty.") % {
            "count": MAX_ITEM_CHARS
        }
    return "\n".join(items), ""


@transaction.atomic
def safety_plan_save(*, actor: User, sections: Mapping[str, Any]) -> SafetyPlan:
    """Make or replace the actor's own plan. `sections` holds every section by key (one the caller
    leaves out is emptied); unknown keys are refused."""
    require(check_own_plan_permission(actor))
    unknown = sorted(set(sections) - set(SECTION_KEYS))
    if unknown:
        raise Invalid({key: [_("There is no section with this name.")] for key in unknown})
    cleaned: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for key in SECTION_KEYS:
        text, problem = _clean_section(sections.get(key))
        if problem:
            problems[key] = [problem]
        cleaned[key] = text
    if problems:
        raise Invalid(problems)
    plan = SafetyPlan.objects.select_for_update().filter(owner=actor).first()
    now = timezone.now()
    if plan is None:
        return SafetyPlan.objects.create(owner=actor, created_at=now, updated_at=now, **cleaned)
    for key, text in cleaned.items():
        setattr(plan, key, text)
    plan.updated_at = now
    plan.save(update_fields=[*SECTION_KEYS, "updated_at"])
    return plan


@transaction.atomic
def safety_plan_delete(*, actor: User) -> bool:
    """Delete the actor's own plan and every share of it. True if there was one."""
    require(check_own_plan_permission(actor))
    deleted, _counts = SafetyPlan.objects.filter(owner=actor).delete()
    return deleted > 0


@transaction.atomic
def safety_plan_share_start(*, actor: User, viewer: ChatViewer) -> SafetyPlanShare:
    """Let the listener of the actor's support chat read their plan (a second press keeps the one share)."""
    if viewer.user.pk != actor.pk:
        raise NotFound()
    refused = check_share_plan_permission(viewer)
    if refused:
        raise NotAllowed(refused)
    plan = SafetyPlan.objects.select_for_update().filter(owner=actor).first()
    if plan is None:
        raise NotAllowed(REASON_NO_PLAN)
    conversation = viewer.conversation
    current = SafetyPlanShare.objects.filter(
        plan=plan, conversation_id=conversation.pk, stopped_at__isnull=True
    ).first()
    if current is not None and current.listener_id == conversation.listener_id:
        return current
    if current is not None:  # shared with an earlier listener of this chat: that one ends now
        _stop(actor, current)
    require(conversation.listener_id is not None, REASON_NO_PLAN)
    share = SafetyPlanShare.objects.create(
        plan=plan, conversation_id=conversation.pk, listener_id=int(conversation.listener_id or 0)
    )
    audit_record(
        actor=actor,
        action="safety.plan.shared",
        target=plan,
        data={"conversation_id": conversation.pk, "share_id": share.pk, "listener_id": conversation.listener_id},
    )
    return share


def _stop(actor: User, share: SafetyPlanShare) -> None:
    share.stopped_at = timezone.now()
    share.save(update_fields=["stopped_at"])
    audit_record(
        actor=actor,
        action="safety.plan.share_stopped",
        target=share.plan,
        data={"conversation_id": share.conversation_id, "share_id": share.pk},
    )


@transaction.atomic
def safety_plan_share_stop(*, actor: User, viewer: ChatViewer) -> int:
    """Stop sharing the actor's plan in this chat. How many shares ended (0: none was active)."""
    if viewer.user.pk != actor.pk or not check_stop_sharing_permission(viewer):
        raise NotFound()
    shares = list(
        SafetyPlanShare.objects.select_for_update().filter(
            plan__owner=actor, conversation_id=viewer.conversation.pk, stopped_at__isnull=True
        )
    )
    for share in shares:
        _stop(actor, share)
    return len(shares)


def safety_plan_view_record(*, actor: User, share: SafetyPlanShare) -> None:
    """A listener read a shared plan (the caller passed `access_shared_plan`): audited every time."""
    audit_record(
        actor=actor,
        action="safety.plan.viewed_by_listener",
        target=share.plan,
        data={"conversation_id": share.conversation_id, "share_id": share.pk},
    )
