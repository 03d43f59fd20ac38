"""Quick exit within reach at every scroll position, and a header that leaves room to read: on a
375 px phone, one line (the name, the menu and Quick exit); on a desktop, the menu always open.
Every page and state is audited with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, ViewportSize, expect

from alongside.accounts.models import Role
from alongside.communities import services
from alongside.communities.models import Thread
from tests.browser.harness import stub_neutral_site
from tests.fixtures import PASSWORD, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 375, "height": 667}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
TAP_TARGET_PX = 44


def long_thread() -> Thread:
    admin = make_person("reach_lead", Role.ADMIN)
    writer = make_person("reach_writer")
    community = services.community_create(actor=admin, name="Night owls", description="For the small hours.")
    services.community_join(actor=writer, community=community)
    thread = services.thread_create(actor=writer, community=community, title="Awake again", body="Anyone else up?")
    for number in range(1, 20):
        services.post_reply(actor=writer, thread=thread, body=f"Still awake, hour {number}. " + "Counting sheep. " * 12)
    return thread


def log_in(page: Page, live_url: str, audit: Any, pseudonym: str) -> None:
    page.goto(live_url + "/accounts/login/")
    audit(page)
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit(page)


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not on screen"
    return dict(found)


def assert_on_screen(page: Page, selector: str, viewport: ViewportSize) -> None:
    """Within the visible part of the page, at the current scroll position."""
    top = page.evaluate(f"document.querySelector('{selector}').getBoundingClientRect().top")
    bottom = page.evaluate(f"document.querySelector('{selector}').getBoundingClientRect().bottom")
    assert top >= 0, (selector, top)
    assert bottom <= viewport["height"], (selector, bottom)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_quick_exit_stays_in_reach_down_a_long_thread(
    page: Page, live_url: str, audit: Any, scheme: str
) -> None:
    thread = long_thread()
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme=scheme)
    stub_neutral_site(page)
    log_in(page, live_url, audit, "reach_writer")
    page.goto(f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/")
    audit(page)

    # One line: the name, the menu and Quick exit side by side, and nothing else above the page.
    brand, menu, exit_ = box(page, ".brand"), box(page, ".site-menu > summary"), box(page, "#quick-exit")
    header = box(page, ".site-header")
    for item in (brand, menu, exit_):
        assert item["y"] >= header["y"]
        assert item["y"] + item["height"] <= header["y"] + header["height"]
    assert header["height"] <= exit_["height"] + 24, header  # the exit's line and its padding
    assert exit_["width"] >= TAP_TARGET_PX
    assert exit_["height"] >= TAP_TARGET_PX
    assert menu["height"] >= TAP_TARGET_PX
    # The rest of the menu is one tap away, and the header does not cover the page when closed.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Communities")).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(nav.get_by_role("link", name="Communities")).to_be_visible()
    expect(nav.get_by_role("link", name="Get help now")).to_be_visible()
    audit(page)
    page.get_by_text("Menu", exact=True).click()
    expect(nav.get_by_role("link", name="Communities")).to_be_hidden()

    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("window.scrollY > 1000")
    expect(page.get_by_role("button", name="Post reply")).to_be_in_viewport()
    assert_on_screen(page, "#quick-exit", PHONE)
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(settings.QUICK_EXIT_URL)
    expect(page.get_by_role("heading", name="Weather")).to_be_visible()


def test_on_a_desktop_the_menu_is_open_and_quick_exit_stays_in_reach(page: Page, live_url: str, audit: Any) -> None:
    thread = long_thread()
    page.set_viewport_size(DESKTOP)
    log_in(page, live_url, audit, "reach_writer")
    page.goto(f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/")
    audit(page)
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Communities", "My feed", "Search", "Notifications", "Your profile"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("window.scrollY > 500")
    assert_on_screen(page, "#quick-exit", DESKTOP)
    # Moving through the page by keyboard never hides the focused control under the header.
    page.get_by_role("button", name="Post reply").focus()
    page.keyboard.press("Shift+Tab")
    focused_top = page.evaluate("document.activeElement.getBoundingClientRect().top")
    header_bottom = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().bottom")
    assert focused_top >= header_bottom - 1


def test_the_phone_menu_works_without_javascript(browser: Any, live_url: str, axe_source: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_url + "/")
    expect(page.get_by_role("link", name="Log in", exact=True).first).to_be_visible()  # the page's own button
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Join").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Alongside")
    context.close()
