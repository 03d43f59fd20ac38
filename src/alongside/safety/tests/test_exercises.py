"""The self-help exercises: slow breathing, 5-4-3-2-1 grounding and a thought record. Open to
everyone, complete without JavaScript, nothing inline for the Content-Security-Policy to block, and
nothing typed into them ever leaves the page."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from alongside.safety.triage import exercises
from tests.fixtures import client_for

pytestmark = pytest.mark.django_db

PAGES = ["/help/exercises/", *(f"/help/exercises/{e.slug}/" for e in exercises.EXERCISES)]


def _page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.content.decode())


def test_the_list_links_every_exercise_and_the_guide(stranger):
    page = _page(stranger, "/help/exercises/")
    for exercise in exercises.EXERCISES:
        assert f'href="/help/exercises/{exercise.slug}/"' in page
    assert 'href="/help/guide/"' in page
    assert "not therapy" in page


@pytest.mark.parametrize("path", PAGES)
def test_members_and_visitors_alike_can_open_every_page(path, member):
    assert Client().get(path).status_code == 200
    assert client_for(member).get(path).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_nothing_inline_for_the_content_security_policy_to_block(path, stranger):
    response = stranger.get(path)
    page = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "an inline script"
    assert " style=" not in page, "an inline style"
    assert "<style" not in page, "an inline style sheet"


def test_an_unknown_exercise_is_not_found(stranger):
    assert stranger.get("/help/exercises/juggling/").status_code == 404


def test_breathing_is_written_out_in_full_without_javascript(stranger):
    page = _page(stranger, "/help/exercises/breathing/")
    assert "Breathe in through your nose while you count slowly to 4" in page
    assert "count slowly to 6" in page
    assert "Do it 6 times: about a minute." in page
    # The animated guide appears only when its script runs; its script comes from the app's static files.
    assert re.search(r"<section [^>]*data-breathing[^>]*\bhidden>", page.replace("\n", " "))
    assert 'src="/static/safety/exercises-breathing.js"' in page
    assert exercises.BREATHS * (exercises.BREATH_IN_SECONDS + exercises.BREATH_OUT_SECONDS) == 60


def test_the_breathing_animation_respects_reduced_motion(stranger):
    css = b"".join(stranger.get("/static/safety/exercises-pages.css").streaming_content).decode()
    reduced = css[css.index("@media (prefers-reduced-motion: reduce)") :]
    assert "transition: none" in reduced.split("}")[0] + reduced.split("}")[1]
    script = b"".join(stranger.get("/static/safety/exercises-breathing.js").streaming_content).decode()
    assert "reduced motion" in script.lower()


def test_grounding_counts_down_from_five_senses_to_one(stranger):
    page = _page(stranger, "/help/exercises/grounding/")
    assert '<ol class="grounding-steps" reversed>' in page
    order = [page.index(text) for text in ("Five things you can see", "Four things you can touch",
                                           "Three things you can hear", "Two things you can smell",
                                           "One thing you can taste")]  # fmt: skip
    assert order == sorted(order)


def test_the_thought_record_has_every_part_labelled_and_cannot_be_sent(stranger):
    page = _page(stranger, "/help/exercises/thought-record/")
    content = page[page.index('<main id="main"') : page.index("</main>")]
    for field_id, label in [
        ("tr-situation", "What happened?"),
        ("tr-feelings", "What did you feel?"),
        ("tr-strength", "How strong was the strongest feeling?"),
        ("tr-thought", "What went through your mind?"),
        ("tr-for", "What makes the thought seem true?"),
        ("tr-against", "What doesn't fit the thought?"),
        ("tr-balanced", "A kinder, more balanced thought"),
    ]:
        assert re.search(rf'<label for="{field_id}">[^<]*{re.escape(label)}', content), label
        assert f'id="{field_id}"' in content
    # Not a form: nothing to submit, so the words never reach the server or an address bar.
    assert "<form" not in content
    assert "Nothing you type here is sent or saved" in content
    # Printable: a print button (shown by the script) and print styles without the site's menus.
    assert "data-print hidden" in content
    css = b"".join(stranger.get("/static/safety/exercises-pages.css").streaming_content).decode()
    assert "@media print" in css


def test_exercise_pages_say_they_are_not_therapy_and_point_to_crisis_lines(stranger):
    for slug in ("breathing", "grounding", "thought-record"):
        page = _page(stranger, f"/help/exercises/{slug}/")
        assert "not therapy or treatment" in page
        assert 'href="/help/"' in page
