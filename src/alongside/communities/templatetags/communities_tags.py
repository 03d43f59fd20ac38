"""Template helpers for community pages: thin filters over `presenters`. No queries, no rules."""

from __future__ import annotations

from typing import Any

from django import template

from alongside.communities import presenters
from alongside.communities.models import Post

register = template.Library()


@register.filter
def opening_post(thread: Any) -> Post | None:
    """The opening post that the thread selectors prefetch as `opening_posts`."""
    posts = getattr(thread, "opening_posts", None) or []
    return posts[0] if posts else None


@register.filter
def author_label(post: Post | None) -> str:
    return presenters.author_label(post) if post is not None else ""


@register.filter
def author_view(post: Post) -> presenters.AuthorView:
    """The author's name and badge apart, for pages that show the badge beside the name."""
    return presenters.author_of(post)


@register.filter
def warning_labels(codes: list[str] | None) -> str:
    return ", ".join(presenters.warning_labels(codes or []))


@register.filter
def topic_label(value: str) -> str:
    return presenters.topic_label(value)


@register.filter
def topic_labels(codes: list[str]) -> str:
    return ", ".join(presenters.topic_label(code) for code in codes)


@register.filter
def visibility_short(value: str) -> str:
    return presenters.visibility_short(value)


@register.filter
def plain_text(body_html: str) -> str:
    return presenters.plain_text(body_html)
