"""Writing without fear of losing it, on the server's side: Preview shows the text as it will look
(sanitised like a post) and saves nothing, on the new-thread, reply and edit pages. (Drafts kept in
the browser and the warning before leaving are in tests/browser/test_writing.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from alongside.communities.models import Post, Thread
from alongside.communities.tests.conftest import opening_post, quick_community, start_thread
from tests.fixtures import client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db

BODY = "**Still here**, one day at a time.\n\n<script>alert(1)</script>"


@pytest.fixture
def scene(db: Any) -> dict[str, Any]:
    writer = make_person("preview_writer")
    community = quick_community("Preview place", "public", members=(writer,))
    thread = start_thread(writer, community, title="Mornings", body="Coffee first.")
    return {"writer": writer, "community": community, "thread": thread, "client": client_for(writer)}


def _shown(response: Any) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: not posted yet" in html
    return html


def test_previewing_a_new_thread_shows_it_and_saves_nothing(scene: dict[str, Any]) -> None:
    url = reverse("communities:thread_new", args=[scene["community"].slug])
    response = scene["client"].post(url, {"title": "Evenings", "body": BODY, "preview": "1"})
    html = _shown(response)
    assert "<strong>Still here</strong>" in html
    assert "<script>alert(1)</script>" not in html  # sanitised like a post
    assert "Evenings" in html  # the form keeps what was written
    assert Thread.objects.count() == 1


def test_previewing_a_reply_saves_nothing_and_posting_it_then_works(scene: dict[str, Any]) -> None:
    url = reverse("communities:reply", args=[scene["community"].slug, scene["thread"].pk])
    _shown(scene["client"].post(url, {"body": BODY, "preview": "1"}))
    assert Post.objects.filter(thread=scene["thread"]).count() == 1
    response = scene["client"].post(url, {"body": BODY})
    assert response.status_code == 302
    assert Post.objects.filter(thread=scene["thread"]).count() == 2


def test_previewing_an_edit_changes_nothing(scene: dict[str, Any]) -> None:
    post = opening_post(scene["thread"])
    url = reverse("communities:post_edit", args=[post.pk])
    html = _shown(scene["client"].post(url, {"title": "Mornings", "body": "Tea, actually.", "preview": "1"}))
    assert "Tea, actually." in html
    post.refresh_from_db()
    assert post.body == "Coffee first."


def test_previewing_nothing_says_so(scene: dict[str, Any]) -> None:
    url = reverse("communities:reply", args=[scene["community"].slug, scene["thread"].pk])
    assert "Nothing to show yet" in _shown(scene["client"].post(url, {"body": "", "preview": "1"}))


def test_writing_pages_keep_drafts_and_offer_a_preview(scene: dict[str, Any]) -> None:
    client = scene["client"]
    for url, key in (
        (reverse("communities:thread_new", args=[scene["community"].slug]), f"thread-{scene['community'].slug}"),
        (
            reverse("communities:reply", args=[scene["community"].slug, scene["thread"].pk]),
            f"reply-{scene['thread'].pk}",
        ),
        (
            reverse("communities:thread", args=[scene["community"].slug, scene["thread"].pk]),
            f"reply-{scene['thread'].pk}",
        ),
        (
            reverse("communities:post_edit", args=[opening_post(scene["thread"]).pk]),
            f"edit-{opening_post(scene['thread']).pk}",
        ),
    ):
        html = client.get(url).content.decode()
        assert f'data-draft="{key}"' in html, url
        assert 'name="preview"' in html, url
