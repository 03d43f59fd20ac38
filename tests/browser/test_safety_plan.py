"""Safety plans and crisis resources in a real browser: building a plan and printing it, the "Get
help now" page and the support panel on a 375 px phone (the first number in view without
scrolling), the time zone script, and axe-core (WCAG 2.2 AA) on every page. Screenshots of the
phone and desktop layouts go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from alongside.safety.models import SafetyPlan
from tests.browser.harness import ROOT, PageAudits
from tests.fixtures import PASSWORD, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 375, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
SHOTS = ROOT / "var" / "screenshots"


def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"safety-{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def log_in(page: Page, live_url: str, audit: Any, pseudonym: str) -> None:
    page.goto(live_url + "/accounts/login/")
    audit(page)
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit(page)


def phone(browser: Browser, **options: Any) -> Any:
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, **options)


def first_in_view(page: Page, selector: str) -> None:
    """The first such element is wholly inside the first screen of a page just opened (not scrolled).
    Measured through the browser's protocol, so it works with JavaScript off too."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0, box
    assert box["y"] + box["height"] <= PHONE["height"], box


def test_a_member_builds_a_plan_and_prints_it(page: Page, live_url: str, audit: Any) -> None:
    member = make_person("plan_builder")
    page.set_viewport_size(DESKTOP)
    log_in(page, live_url, audit, "plan_builder")
    page.goto(live_url + "/help/")
    audit(page)
    page.get_by_role("link", name="Make a safety plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My safety plan")
    audit(page)
    page.get_by_role("link", name="Make my safety plan").click()
    audit(page)
    page.get_by_label("My warning signs").fill("Not sleeping\nSkipping meals")
    page.get_by_label("Things I can do on my own that help").fill("Cold water on my face")
    page.get_by_label("My reasons for living").fill("My cat Pepper")
    page.get_by_role("button", name="Save my plan").click()
    expect(page.get_by_text("Your safety plan is saved")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Skipping meals")).to_be_visible()
    audit(page)
    assert SafetyPlan.objects.get(owner=member).warning_signs == "Not sleeping\nSkipping meals"

    page.get_by_role("link", name="Print my plan").click()
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # shown by the script
    audit(page)
    shot(page, "plan-print-screen")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_text("Cold water on my face")).to_be_visible()
    shot(page, "plan-print-media")
    page.emulate_media(media="screen")


def test_on_a_phone_the_first_number_is_in_view(browser: Browser, live_url: str, axe_source: str) -> None:
    audits = PageAudits(axe_source)
    context = phone(browser, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.goto(live_url + "/help/")
    expect(page.get_by_role("heading", name="Services in United Kingdom")).to_be_visible()
    first_in_view(page, ".crisis-line .number")
    assert page.locator(".crisis-line .number").first.get_attribute("href", timeout=1000).startswith("tel:")
    audits.audit(page)
    shot(page, "help-375")

    page.goto(live_url + "/help/support/")
    expect(page.get_by_role("heading", name="It sounds like things are really hard right now")).to_be_visible()
    first_in_view(page, "#support-panel .crisis-line .number")
    audits.audit(page)
    shot(page, "support-375")
    page.get_by_text("A one-minute grounding exercise").click()
    expect(page.get_by_text("5 things you can see")).to_be_visible()
    audits.audit(page)
    context.close()


def test_the_support_panel_on_a_desktop(browser: Browser, live_url: str, axe_source: str) -> None:
    audits = PageAudits(axe_source)
    context = browser.new_context(viewport=DESKTOP, locale="en-AU", timezone_id="Australia/Sydney")
    page = context.new_page()
    page.goto(live_url + "/help/support/")
    expect(page.locator("#support-panel .number").first).to_have_text("13 11 14")
    page.locator("#support-panel").focus()  # scripts may move focus to it
    assert page.evaluate("document.activeElement.id") == "support-panel"
    audits.audit(page)
    shot(page, "support-desktop")
    context.close()


def test_the_time_zone_tells_the_country_when_the_language_does_not(
    browser: Browser, live_url: str, axe_source: str
) -> None:
    audits = PageAudits(axe_source)
    context = phone(browser, locale="en", timezone_id="Etc/UTC")  # a zone in no country: the page asks
    page = context.new_page()
    page.goto(live_url + "/help/")
    expect(page.get_by_role("heading", name="Help in any country")).to_be_visible()
    audits.audit(page)
    shot(page, "help-unknown-375")
    context.close()

    context = phone(browser, locale="en", timezone_id="Europe/Dublin")
    page = context.new_page()
    page.goto(live_url + "/help/")
    # The script sends the time zone and shows the page again, once.
    expect(page.get_by_role("heading", name="Services in Ireland")).to_be_visible()
    audits.audit(page)
    context.close()


def test_without_javascript_the_country_is_chosen_in_one_tap(browser: Browser, live_url: str) -> None:
    # axe-core needs JavaScript: these pages are audited with it on in the tests above.
    context = phone(browser, java_script_enabled=False, locale="en")
    page = context.new_page()
    page.goto(live_url + "/help/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Get help now")
    expect(page.get_by_role("heading", name="Help in any country")).to_be_visible()
    page.get_by_label("Show services for").select_option("NZ")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Services in New Zealand")).to_be_visible()
    first_in_view(page, ".crisis-line .number")
    page.goto(live_url + "/help/plan/print/")
    expect(page.get_by_role("heading", name="1. My warning signs")).to_be_visible()
    context.close()


def test_the_listener_reads_a_shared_plan(page: Page, live_url: str, audit: Any) -> None:
    from alongside.safety.tests.plan_scenes import SECRET, make_plan, open_chat, share

    owner = make_person("sharing_member")
    listener = make_person("reading_listener", "listener")
    conversation = open_chat(owner, listener)
    make_plan(owner)
    shared = share(owner, conversation)
    page.set_viewport_size(PHONE)
    log_in(page, live_url, audit, "reading_listener")
    page.goto(f"{live_url}/help/plan/shared/{shared.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("A safety plan shared with you")
    expect(page.get_by_text(SECRET)).to_be_visible()
    audit(page)
