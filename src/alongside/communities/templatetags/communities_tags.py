"""Template helpers for community pages. Presentation only: no queries, no rules."""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from alongside.accounts.models import Topic
from alongside.communities import services
from alongside.communities.models import ContentWarning, Post, Visibility

register = template.Library()


@register.filter
def opening_post(thread: Any) -> Post | None:
    """The opening post that the thread selectors prefetch as `opening_posts`."""
    posts = getattr(thread, "opening_posts", None) or []
    return posts[0] if posts else None


@register.filter
def author_label(post: Post | None) -> str:
    return services.author_label(post) if post is not None else ""


@register.filter
def warning_labels(codes: list[str] | None) -> str:
    labels = dict(ContentWarning.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or [])


@register.filter
def topic_label(value: str) -> str:
    """A topic's name; communities use the same topics as profiles."""
    return str(dict(Topic.choices).get(value, value))


@register.filter
def visibility_short(value: str) -> str:
    short = {
        str(Visibility.PUBLIC): _("Public"),
        str(Visibility.PRIVATE): _("Private"),
        str(Visibility.HIDDEN): _("Invitation only"),
    }
    return short.get(value, "")


@register.filter
def plain_text(body_html: str) -> str:
    """Sanitised post HTML as plain text, for snippets (the template escapes it again)."""
    return " ".join(html.unescape(strip_tags(body_html or "")).split())
