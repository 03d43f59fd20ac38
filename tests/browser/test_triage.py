"""The triage guide and the self-help exercises in Chromium on a 375 px phone: through the guide to a
suggestion (written, and chosen), crisis words that put the support panel first, each exercise page
(the breathing circle, and reduced motion), and the guide and exercises with JavaScript switched off.
axe-core (WCAG 2.2 AA) audits every page; screenshots go to var/screenshots/triage-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from alongside.accounts.models import Role
from alongside.communities import services
from tests.browser.harness import ROOT, PageAudits
from tests.fixtures import PASSWORD, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 375, "height": 740}
SHOTS = ROOT / "var" / "screenshots"
SLEEP_EXPLAINED = (
    "You mentioned trouble sleeping and racing thoughts; people often find a slow breathing exercise helps with that."
)
CRISIS = "I can't go on. I want to kill myself tonight and I have the pills here."


def shot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"triage-{name}.png"
    if full_page:
        page.evaluate("window.scrollTo(0, 0)")  # else the sticky header is pictured mid-page
    page.screenshot(path=str(path), full_page=full_page)
    return path


def communities() -> None:
    admin = make_person("harbour_keeper", Role.ADMIN)
    services.community_create(
        actor=admin, name="Grief and loss", description="For anyone grieving a parent, partner, friend or pet."
    )
    services.community_create(
        actor=admin, name="New parents", description="Sleepless nights, feeding, and feeling out of your depth."
    )


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_through_the_guide_to_a_suggestion(page: Page, live_url: str, audit: Any) -> None:
    communities()
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/help/guide/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What brings you here today?")
    expect(page.get_by_text("I'm an automated guide, not a person.")).to_be_visible()
    audit(page)
    no_sideways_scroll(page)
    shot(page, "start")

    page.get_by_label("What brings you here today?").fill(
        "My dad died last month and I'd like to hear from others who are grieving"
    )
    page.get_by_role("button", name="Suggest a place to start").click()
    answer = page.get_by_role("region", name=re.compile("A place to start"))
    expect(answer).to_contain_text("Communities")
    expect(answer).to_contain_text("You mentioned a loss")
    expect(answer.get_by_role("link", name="Grief and loss")).to_be_visible()
    audit(page)
    no_sideways_scroll(page)
    shot(page, "communities")

    page.get_by_role("button", name="Start again").click()
    expect(page.get_by_label("What brings you here today?")).to_have_value("")
    audit(page)
    page.get_by_role("button", name="I feel tense or panicky and want to calm down").click()
    expect(page.get_by_role("region", name=re.compile("A place to start"))).to_contain_text(
        "You said you feel tense and want to calm down."
    )
    audit(page)
    page.get_by_role("link", name="Start the breathing exercise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slow breathing")
    audit(page)

    page.goto(live_url + "/help/guide/")
    page.get_by_role("button", name="Start again").click()
    page.get_by_label("What brings you here today?").fill("I can't sleep and my thoughts are racing")
    page.get_by_role("button", name="Suggest a place to start").click()
    expect(page.locator(".guide-why")).to_have_text(SLEEP_EXPLAINED)
    audit(page)
    shot(page, "breathing-suggested")


def test_crisis_words_put_the_support_panel_first(page: Page, live_url: str, audit: Any) -> None:
    make_person("still_harbour")
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/accounts/login/")
    audit(page)
    page.get_by_label("Pseudonym").fill("still_harbour")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit(page)

    page.goto(live_url + "/help/guide/")
    audit(page)
    page.get_by_label("What brings you here today?").fill(CRISIS)
    page.get_by_role("button", name="Suggest a place to start").click()
    expect(page).to_have_url(re.compile(r"/help/guide/#support-panel$"))
    panel = page.get_by_role("region", name=re.compile("really hard", re.IGNORECASE))
    expect(panel).to_be_visible()
    expect(panel.get_by_role("button", name="Talk to a listener now")).to_be_visible()
    answer = page.locator("#guide-answer")
    panel_box, answer_box = panel.bounding_box(), answer.bounding_box()
    assert panel_box
    assert answer_box
    assert panel_box["y"] < answer_box["y"]
    expect(page.locator(".community-card")).to_have_count(0)
    audit(page)
    shot(page, "crisis-first", full_page=False)
    shot(page, "crisis-first-full")


def test_each_exercise_page(page: Page, live_url: str, audit: Any) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/help/exercises/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-help exercises")
    audit(page)
    shot(page, "exercises")

    page.get_by_role("link", name="Slow breathing").click()
    guided = page.locator("[data-breathing]")
    expect(guided).to_be_visible()  # the script shows it
    page.get_by_role("button", name="Start one minute").click()
    expect(page.locator("[data-phase]")).to_have_text("Breathe in")
    expect(page.locator(".breath-circle")).to_have_class(re.compile(r"\bis-in\b"))
    expect(page.locator("[data-phase]")).to_have_text("Breathe out", timeout=6000)
    audit(page)
    no_sideways_scroll(page)
    shot(page, "breathing")
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("button", name="Start one minute")).to_be_focused()

    page.goto(live_url + "/help/exercises/grounding/")
    expect(page.get_by_role("heading", name="Five things you can see")).to_be_visible()
    audit(page)
    no_sideways_scroll(page)
    shot(page, "grounding")

    page.goto(live_url + "/help/exercises/thought-record/")
    page.get_by_label("1. What happened?").fill("A friend didn't reply all day.")
    expect(page.get_by_role("button", name="Print this worksheet")).to_be_visible()
    audit(page)
    no_sideways_scroll(page)
    shot(page, "thought-record")
    page.emulate_media(media="print")  # printed: the worksheet and what was typed, no menus or buttons
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this worksheet")).to_be_hidden()
    expect(page.get_by_label("1. What happened?")).to_have_value("A friend didn't reply all day.")
    shot(page, "thought-record-print")


def test_reduced_motion_keeps_the_circle_still(browser: Browser, live_url: str, axe_source: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, reduced_motion="reduce")
    page = context.new_page()
    page.goto(live_url + "/help/exercises/breathing/")
    page.get_by_role("button", name="Start one minute").click()
    expect(page.locator("[data-phase]")).to_have_text("Breathe in")
    assert page.locator(".breath-circle").evaluate("e => getComputedStyle(e).transform") == "none"
    duration = page.locator(".breath-circle").evaluate("e => getComputedStyle(e).transitionDuration")
    assert float(duration.removesuffix("s")) < 0.01
    PageAudits(axe_source).audit(page)
    context.close()


def test_without_javascript_the_guide_and_exercises_still_work(browser: Browser, live_url: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_url + "/help/guide/")
    page.get_by_label("What brings you here today?").fill("Everything feels far away and unreal")
    page.get_by_role("button", name="Suggest a place to start").click()
    expect(page.get_by_role("region", name=re.compile("A place to start"))).to_contain_text("5-4-3-2-1 grounding")
    page.get_by_role("link", name="Start the grounding exercise").click()
    expect(page.get_by_role("heading", name="One thing you can taste")).to_be_visible()

    page.goto(live_url + "/help/exercises/breathing/")
    expect(page.locator("[data-breathing]")).to_be_hidden()
    expect(page.get_by_text("Breathe in through your nose while you count slowly to 4")).to_be_visible()
    page.goto(live_url + "/help/exercises/thought-record/")
    expect(page.get_by_role("button", name="Print this worksheet")).to_be_hidden()
    expect(page.get_by_text("To print, use your browser's Print command.")).to_be_visible()
    shot(page, "thought-record-no-js")
    context.close()
