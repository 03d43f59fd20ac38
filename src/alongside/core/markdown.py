"""Markdown for everything people write: rendered with markdown-it-py, sanitised with nh3.

No raw HTML passes (markdown-it's html option is off, and nh3 removes anything that slips
through); links get rel="nofollow ugc noopener" and may only use http, https and mailto.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("strikethrough")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
_HEADING = re.compile(r"<(/?)h([1-6])>")
# A pseudonym may start or end with "-", so a mention ends where pseudonym characters end.
MENTION_PATTERN = re.compile(r"(?<![\w@-])@([A-Za-z0-9_-]{3,30})(?![A-Za-z0-9_-])")


def render_markdown(source: str) -> str:
    """Markdown source -> safe HTML. Headings become h3/h4 so they never outrank the page's own."""
    html = _HEADING.sub(lambda m: f"<{m.group(1)}h{3 if m.group(2) == '1' else 4}>", _md.render(source))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        # Exactly the attributes above (plus the rel nh3 sets): ammonia would otherwise keep generic ones
        # such as title.
        attribute_filter=lambda tag, attribute, value: (
            value if attribute in ALLOWED_ATTRIBUTES.get(tag, ()) or (tag, attribute) == ("a", "rel") else None
        ),
    )


def mentioned_pseudonyms(source: str) -> set[str]:
    """Pseudonyms mentioned as @name in the source, lower-cased (outside code is not checked)."""
    return {match.lower() for match in MENTION_PATTERN.findall(source)}


_TAG = re.compile(r"(<[^>]+>)")
_NO_LINKS_INSIDE = {"a", "code", "pre"}


def link_mentions(html: str, urls: dict[str, str]) -> str:
    """Sanitised post HTML with each @name that has a URL in `urls` (keys lower-cased) made a link
    to it; other mentions stay text. Not inside links or code. `html` is render_markdown's output,
    so its text holds no raw `<`: splitting on tags is exact."""
    if not urls or "@" not in html:
        return html
    parts = _TAG.split(html)
    open_tags: list[str] = []
    for index, part in enumerate(parts):
        if part.startswith("<"):
            name = part.strip("</>").split()[0].lower() if part.strip("</>") else ""
            if name in _NO_LINKS_INSIDE:
                if part.startswith("</"):
                    if name in open_tags:
                        open_tags.remove(name)
                elif not part.endswith("/>"):
                    open_tags.append(name)
            continue
        if open_tags or "@" not in part:
            continue

        def link(match: re.Match[str]) -> str:
            url = urls.get(match.group(1).lower())
            return f'<a class="mention" href="{url}">{match.group(0)}</a>' if url else match.group(0)

        parts[index] = MENTION_PATTERN.sub(link, part)
    return "".join(parts)
