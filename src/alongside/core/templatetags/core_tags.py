"""Template helpers every page uses (see base.html)."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.simple_tag(takes_context=True)
def failed_forms(context: template.Context) -> list[forms.BaseForm]:
    """The forms on this page that were sent and refused: base.html starts the page's title with
    "Error:" and lists what to fix at the top of the page."""
    failed: list[forms.BaseForm] = []
    for value in context.flatten().values():
        if isinstance(value, forms.BaseForm) and value.is_bound and value.errors and value not in failed:
            failed.append(value)
    return failed
