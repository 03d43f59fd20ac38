"""What every HTML form shares: plain error messages that name the field by its label.

Django's defaults ("This field is required.", "Ensure this value has at least 3 characters (it
has 2).") don't say which field they mean once they are gathered in the error summary at the top
of the page, and read like a machine. `PlainErrors` rewords them; a message a form sets itself is
left alone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import pretty_name
from django.utils.translation import gettext as _


def _plain_messages() -> dict[str, str]:
    # %(label)s is filled in here; the other placeholders are Django's own, filled in when it fails.
    return {
        "required": _("Please fill in “%(label)s”."),
        "min_length": _("“%(label)s” needs at least %(limit_value)d characters (it has %(show_value)d)."),
        "max_length": _("“%(label)s” can be at most %(limit_value)d characters long (it has %(show_value)d)."),
        "invalid_choice": _("Please choose one of the options for “%(label)s”."),
    }


def _invalid_message(field: forms.Field) -> str | None:
    if isinstance(field, forms.EmailField):
        return _("“%(label)s” needs an e-mail address, like name@example.org.")
    if isinstance(field, forms.IntegerField):
        return _("“%(label)s” needs a whole number.")
    return None


def _defaults(field: forms.Field) -> dict[str, Any]:
    messages: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def reword_errors(name: str, field: forms.Field) -> None:
    label = str(field.label or pretty_name(name))
    safe_label = label.replace("%", "%%")
    defaults = _defaults(field)
    wanted = _plain_messages()
    if (invalid := _invalid_message(field)) is not None:
        wanted["invalid"] = invalid
    for code, message in wanted.items():
        if code in ("min_length", "max_length") and getattr(field, code, None) is None:
            continue
        if code in field.error_messages and field.error_messages[code] != defaults.get(code):
            continue  # the form chose its own words
        field.error_messages[code] = message.replace("%(label)s", safe_label)


class PlainErrors:
    """Mix into every form (before `forms.Form`): see the module's docstring."""

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        # Here, not in __init__: forms set their labels after their parents' __init__.
        for name, field in self.fields.items():
            reword_errors(name, field)
        super().full_clean()  # type: ignore[misc]
