"""Who may see and do what with safety plans.

Rules in words:
- A plan is its owner's alone: only they make, change, print or delete it. Nobody else sees that
  it exists: not other members, not listeners, not moderators, clinicians or administrators (not
  even in the admin). Signed out, the plan pages show what a plan is and a blank one to print.
- The owner may share it with the listener of one of their support chats while that chat is open
  and a listener is in it, and stop sharing at any time (also after the chat ended).
- The listener it was shared with reads it (never changes it) only while the share is active, the
  chat is still open, and they are still that chat's listener (once a listener who handed the chat
  over is replaced they no longer can, and the next listener sees it only if the member shares
  again). Each reading is audited. For anyone else the shared plan does not exist.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from alongside.chat.access.conversations import ChatViewer, access_conversation
from alongside.chat.enums import ConversationStatus
from alongside.core.errors import NotFound
from alongside.safety.models import SafetyPlan, SafetyPlanShare

REASON_MEMBER_ONLY = _("Only the person who asked for support can share their safety plan in this chat.")
REASON_NOT_OPEN = _("Your plan can be shared once a listener has joined, while the chat is open.")
REASON_NO_PLAN = _("Make your safety plan first, then you can share it here.")


def check_own_plan_permission(user: Any) -> bool:
    """Make, change, print or delete one's own plan: any signed-in, active person."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def check_share_plan_permission(viewer: ChatViewer) -> str:
    """ "" if the viewer may share their plan in this chat now, else the reason they may not."""
    conversation = viewer.conversation
    if conversation.is_room or not viewer.is_member:
        return str(REASON_MEMBER_ONLY)
    if conversation.status != ConversationStatus.ACTIVE or conversation.listener_id is None:
        return str(REASON_NOT_OPEN)
    return ""


def check_stop_sharing_permission(viewer: ChatViewer) -> bool:
    """Stop sharing: the chat's member, at any time."""
    return not viewer.conversation.is_room and viewer.is_member


def check_read_shared_plan_permission(viewer: ChatViewer) -> bool:
    """Read a plan shared in this chat: its listener now, while the chat is open."""
    conversation = viewer.conversation
    return (
        not conversation.is_room
        and viewer.is_listener
        and viewer.is_current
        and conversation.status == ConversationStatus.ACTIVE
        and conversation.listener_id == getattr(viewer.user, "pk", None)
    )


def access_chat(user: Any, conversation_id: Any) -> ChatViewer:
    """A support chat the person is in (chat's own rule), or NotFound."""
    viewer = access_conversation(user, conversation_id)
    if viewer.conversation.is_room:
        raise NotFound()
    return viewer


def access_shared_plan(user: Any, share_id: Any) -> tuple[SafetyPlanShare, SafetyPlan]:
    """A plan shared with this person as the chat's listener, or NotFound (missing, stopped, or not
    theirs to read: the same answer, so nothing tells that a plan exists)."""
    try:
        pk = int(share_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not check_own_plan_permission(user):
        raise NotFound()
    share = SafetyPlanShare.objects.select_related("plan").filter(pk=pk, stopped_at__isnull=True).first()
    if share is None or share.listener_id != user.pk or share.plan.owner_id == user.pk:
        raise NotFound()
    viewer = access_conversation(user, share.conversation_id)
    if not check_read_shared_plan_permission(viewer):
        raise NotFound()
    return share, share.plan
