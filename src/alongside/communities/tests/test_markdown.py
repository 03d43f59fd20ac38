"""Markdown people write (core/markdown.py): what may come out of render_markdown, and which
@mentions mentioned_pseudonyms finds. Everything posted in communities passes through these."""

from __future__ import annotations

import re

import pytest

from alongside.core.markdown import mentioned_pseudonyms, render_markdown

ATTRIBUTE = re.compile(r"<[a-z0-9]+\s([^>]*)>", re.IGNORECASE)


def tags(html: str) -> set[str]:
    return {name.lower() for name in re.findall(r"</?([a-zA-Z0-9]+)", html)}


def attribute_names(html: str) -> set[str]:
    names: set[str] = set()
    for attributes in ATTRIBUTE.findall(html):
        names |= {name.lower() for name in re.findall(r"([a-zA-Z-]+)=", attributes)}
    return names


# --- No scripts, no handlers, no dangerous links ------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<a href='https://example.org' onclick='alert(1)'>hi</a>",
    "<p onmouseover=alert(1)>hover</p>",
    "<details open ontoggle=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src='javascript:alert(1)'></iframe>",
    "<style>body{display:none}</style>",
    "text <b onclick=alert(1)>bold</b> text",
    '[x](https://e.org" onmouseover="alert(1))',
    "```\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "<!-- <script>alert(1)</script> -->",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_no_script_and_no_event_handler_survives(source: str) -> None:
    html = render_markdown(source)
    assert "<script" not in html.lower()
    assert not {"script", "style", "iframe", "svg", "img", "details"} & tags(html)
    assert not any(name.startswith("on") for name in attribute_names(html)), html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](javascript&#58;alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        "[click][ref]\n\n[ref]: javascript:alert(1)",
    ],
)
def test_javascript_and_other_dangerous_links_are_dropped(source: str) -> None:
    html = render_markdown(source)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs == [], html
    assert 'href="javascript' not in html.lower()


def test_only_http_https_and_mailto_links_keep_their_address() -> None:
    assert 'href="https://example.org/a?b=1&amp;c=2"' in render_markdown("[a](https://example.org/a?b=1&c=2)")
    assert 'href="http://example.org"' in render_markdown("[a](http://example.org)")
    assert 'href="mailto:help@example.org"' in render_markdown("[mail](mailto:help@example.org)")
    assert "href" not in render_markdown("[files](ftp://example.org/file)")


@pytest.mark.parametrize(
    "source",
    ["[a](https://example.org)", "<https://example.org>", "[m](mailto:a@example.org)", "[r][1]\n\n[1]: http://e.org"],
)
def test_links_get_rel_nofollow_ugc_noopener(source: str) -> None:
    html = render_markdown(source)
    anchors = re.findall(r"<a\s[^>]*>", html)
    assert anchors, html
    for anchor in anchors:
        assert 'rel="nofollow ugc noopener"' in anchor


def test_a_link_cannot_choose_its_own_rel_or_target() -> None:
    html = render_markdown('<a href="https://example.org" rel="opener" target="_blank">x</a>')
    assert "a" not in tags(html)  # raw HTML is text, not a link
    html = render_markdown('[x](https://example.org "t")')
    (anchor,) = re.findall(r"<a\s[^>]*>", html)
    assert anchor.count("rel=") == 1
    assert "target=" not in anchor


@pytest.mark.parametrize(
    "source",
    ["![a cat](https://example.org/cat.png)", "<img src='https://example.org/cat.png'>", "![x][i]\n\n[i]: /p.png"],
)
def test_images_are_not_allowed(source: str) -> None:
    html = render_markdown(source)
    assert "<img" not in html.lower()
    assert "cat.png" not in html or "&lt;img" in html  # at most shown as escaped text, never loaded


def test_headings_are_demoted_to_h3_and_h4() -> None:
    html = render_markdown("# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six\n\nBig\n===\n")
    assert tags(html) <= {"h3", "h4", "p"}
    assert re.findall(r"<h([1-6])>", html) == ["3", "4", "4", "4", "4", "4", "3"]
    assert "<h3>One</h3>" in html
    assert "<h4>Two</h4>" in html


def test_code_blocks_are_escaped() -> None:
    fenced = render_markdown('```html\n<b onclick="x()">bold</b> & "quotes"\n```')
    assert "<pre><code" in fenced
    assert '&lt;b onclick="x()"&gt;bold&lt;/b&gt; &amp;' in fenced or "&lt;b onclick=&quot;x()&quot;&gt;" in fenced
    assert "<b" not in fenced
    indented = render_markdown("    <i>not italic</i>")
    assert "&lt;i&gt;not italic&lt;/i&gt;" in indented
    inline = render_markdown("use `<br>` here")
    assert "<code>&lt;br&gt;</code>" in inline


def test_raw_html_is_shown_as_text() -> None:
    html = render_markdown("<b>bold</b> and <em>em</em>")
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>" not in html


def test_ordinary_formatting_survives() -> None:
    html = render_markdown("**strong** _em_ `code`\n\n> quoted\n\n- one\n- two\n\n3. three\n\n---\n\nline  \nbreak")
    assert {"strong", "em", "code", "blockquote", "ul", "li", "ol", "hr", "br", "p"} <= tags(html)
    assert '<ol start="3">' in html


def test_strikethrough_is_kept() -> None:
    html = render_markdown("~~gone~~")
    assert tags(html) & {"del", "s"}


def test_only_the_allowed_attributes_remain() -> None:
    html = render_markdown('[a](https://example.org "a title")\n\n3. x\n\n<p class="x" style="color:red">y</p>')
    assert attribute_names(html) <= {"href", "rel", "start", "title"}
    assert "p" in tags(html)
    assert not re.search(r"<p\s", html)  # the raw <p class style> is escaped text


# --- Mentions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("hi @river_member", {"river_member"}),
        ("@River_Member, @MAPLE-1 and @kind_listener!", {"river_member", "maple-1", "kind_listener"}),
        ("(@paren) @end.", {"paren", "end"}),
        ("@a-b-c's idea", {"a-b-c"}),
        ("line one\n@second_line", {"second_line"}),
        ("@ab is too short, @" + "x" * 30 + " is the longest", {"x" * 30}),
    ],
)
def test_mentioned_pseudonyms_finds_at_names(source: str, expected: set[str]) -> None:
    assert mentioned_pseudonyms(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "write to river@example.org",
        "river_member@example.org",
        "a.b@river_member.org",
        "@@double",
        "no at sign river_member",
        "x" * 5 + "@river_member",
        "@" + "y" * 31,  # longer than any pseudonym
        "@ab",
        "",
    ],
)
def test_mentioned_pseudonyms_ignores_e_mail_addresses_and_non_names(source: str) -> None:
    assert mentioned_pseudonyms(source) == set()


def test_mentions_of_pseudonyms_with_a_leading_or_trailing_hyphen_are_found_whole() -> None:
    assert mentioned_pseudonyms("thanks @sky- and @-dash-") == {"sky-", "-dash-"}
