from __future__ import annotations

from typing import Any

from django import template

from alongside.selfcare import sharing
from alongside.selfcare.enums import Mood

register = template.Library()


@register.inclusion_tag("selfcare/_check_in.html", takes_context=True)
def check_in(context: Any, back: str) -> dict[str, Any]:
    """The one-tap mood check-in: five buttons, each a mood in words; `back` names where to return."""
    return {"back": back, "moods": Mood.choices, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("selfcare/_chat_journal_shares.html", takes_context=True)
def journal_shares(context: Any) -> dict[str, Any]:
    """On a support chat page, for its listener: the journal entries the member shared with them."""
    viewer = context.get("viewer")
    if viewer is None or viewer.conversation.is_room or not viewer.is_listener:
        return {"shares": []}
    return {"shares": sharing.shares_in_chat(user=viewer.user, conversation_id=viewer.conversation.pk)}
