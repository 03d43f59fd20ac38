"""Template tags of the safety app: the support panel, and the safety plan controls on a chat page."""

from __future__ import annotations

from typing import Any

from django import template
from django_countries import countries

from alongside.safety import selectors
from alongside.safety.access.plans import check_read_shared_plan_permission, check_share_plan_permission

register = template.Library()

PANEL_LINES = 2  # the most fitting lines first, so "Talk to a listener now" stays near; the help page has them all


@register.inclusion_tag("safety/_support_panel.html", takes_context=True)
def support_panel(context: template.Context, heading_level: int = 2) -> dict[str, Any]:
    """`{% support_panel %}`: a calm panel for someone whose words read as high risk: their country's
    crisis lines, a grounding exercise, a listener now, their safety plan and the full help page."""
    request = context.get("request")
    guess = selectors.crisis_country_for_request(request) if request is not None else selectors.CountryGuess("", "")
    lines = (
        selectors.crisis_lines_for(country=guess.code, languages=selectors.crisis_languages_for_request(request))
        if request is not None
        else []
    )
    user = getattr(request, "user", None)
    return {
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "guess": guess,
        "country_name": countries.name(guess.code) if guess.code else "",
        "lines": lines[:PANEL_LINES],
        "more_lines": len(lines) > PANEL_LINES,
        "has_plan": selectors.safety_plan_of(owner=user) is not None,
        "heading_tag": f"h{max(1, min(int(heading_level), 4))}",
        "SITE_NAME": context.get("SITE_NAME", ""),
    }


@register.inclusion_tag("safety/_chat_plan_controls.html", takes_context=True)
def plan_share_controls(context: template.Context) -> dict[str, Any]:
    """On a support chat page (context: `viewer`, chat's ChatViewer): for the member, share their
    safety plan with the listener or stop; for the listener, a link to a plan shared with them."""
    viewer = context.get("viewer")
    result: dict[str, Any] = {"csrf_token": context.get("csrf_token"), "show": False}
    if viewer is None or viewer.conversation.is_room:
        return result
    conversation = viewer.conversation
    if viewer.is_member:
        plan = selectors.safety_plan_of(owner=viewer.user)
        share = selectors.safety_plan_share_active(plan=plan, conversation_id=conversation.pk)
        # Shared with an earlier listener of this chat (before a hand-over) counts as not shared now.
        sharing = share is not None and share.listener_id == conversation.listener_id
        may_share = not check_share_plan_permission(viewer)
        result.update(
            show=share is not None or may_share,
            role="member",
            conversation_id=conversation.pk,
            has_plan=plan is not None,
            sharing=sharing,
            shared_before=share is not None and not sharing,
        )
    elif check_read_shared_plan_permission(viewer):
        share = selectors.safety_plan_share_in_chat(conversation_id=conversation.pk, listener=viewer.user)
        result.update(show=share is not None, role="listener", share=share)
    return result
