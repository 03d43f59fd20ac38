"""The Jinja2 environment for the few hot templates (a thread's posts): Django's own backend, with
Django's translations, URL reversing, static files and the same filters the Django templates use.

Django templates stay the default everywhere else; Jinja2 renders the per-post markup, which a
50-post page repeats fifty times (docs/performance.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.dateformat import format as date_format
from jinja2 import Environment


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args or None)


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 - Django's Jinja2 backend turns autoescape on
    env.install_gettext_translations(translation, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(url=_url, static=static)
    env.filters.update(naturaltime=naturaltime, date=lambda value, fmt: date_format(value, fmt))
    return env
