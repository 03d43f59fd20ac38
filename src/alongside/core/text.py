"""Cleaning a short free text a person wrote (a reason, a note, an appeal), for the services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from alongside.core.errors import Invalid


def clean_text(value: Any, field: str, *, maximum: int, minimum: int = 0, missing: Any = None) -> str:
    """The text stripped, or `Invalid` naming `field`: a character that cannot be stored, longer than
    `maximum`, or shorter than `minimum` (with `missing` as the message when given)."""
    text = str(value or "").strip()
    if "\x00" in text:
        raise Invalid({field: [_("This text has a character we can't store. Please remove it and try again.")]})
    if len(text) > maximum:
        raise Invalid({field: [_("Please keep this under %(max)d characters.") % {"max": maximum}]})
    if len(text) < minimum:
        message = missing or _("Please write at least %(min)d characters, so we can act on it.") % {"min": minimum}
        raise Invalid({field: [str(message)]})
    return text
