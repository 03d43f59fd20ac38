from __future__ import annotations

from typing import Any

from django import template

from alongside.selfcare.enums import Mood

register = template.Library()


@register.inclusion_tag("selfcare/_check_in.html", takes_context=True)
def check_in(context: Any, back: str) -> dict[str, Any]:
    """The one-tap mood check-in: five buttons, each a mood in words; `back` names where to return."""
    return {"back": back, "moods": Mood.choices, "csrf_token": context.get("csrf_token")}
