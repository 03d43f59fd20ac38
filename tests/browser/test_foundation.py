"""The foundation as a person uses it, in Chromium against uvicorn: join, log out, log in, profile,
quick exit, crisis resources, two-factor for staff, page weight. Every page is audited with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from alongside.accounts.models import ApiToken, Profile, Role, User
from alongside.accounts.services import api_token_create, email_confirmation_token
from tests.browser.harness import stub_neutral_site
from tests.fixtures import PASSWORD, make_person, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_join_log_out_log_in_and_edit_profile(page: Page, live_url: str, audit: Any) -> None:
    page.goto(live_url + "/")
    audit(page)
    page.get_by_role("link", name="Join", exact=True).click()
    expect(page).to_have_url(live_url + "/accounts/signup/")
    audit(page)

    # A mistake first: the pseudonym has a space. The form says so, nothing is created.
    page.get_by_label("Pseudonym").fill("quiet river")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator(".errorlist").get_by_text("Use only letters, numbers, underscores")).to_be_visible()
    audit(page)
    # The page says so in its title and starts at the list of what to fix; its link leads to the field.
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert").filter(has_text="Please check the following")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile("Use only letters")).click()
    expect(page.get_by_label("Pseudonym")).to_be_focused()
    assert not User.objects.filter(username__iexact="quiet river").exists()

    page.get_by_label("Pseudonym").fill("quiet_river")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Join", exact=True).click()
    # A new member lands on the welcome (not "Welcome back"), which points to crisis lines.
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Alongside, quiet_river")
    expect(page.get_by_role("link", name="Find a crisis line near you")).to_be_visible()
    audit(page)

    page.get_by_role("link", name="Your profile").first.click()
    audit(page)
    page.get_by_label("Display name").fill("River")
    page.get_by_label("Pronouns").fill("they/them")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Grief and loss").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    audit(page)
    profile = Profile.objects.get(user__username="quiet_river")
    assert (profile.display_name, profile.pronouns, profile.country.code) == ("River", "they/them", "GB")
    assert profile.topics == ["grief"]

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()
    audit(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in").click()
    audit(page)
    page.get_by_label("Pseudonym").fill("QUIET_RIVER")  # pseudonyms are case-insensitive
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, River")
    audit(page)


def test_quick_exit_button_replaces_the_page(page: Page, live_url: str, audit: Any) -> None:
    stub_neutral_site(page)
    page.goto(live_url + "/help/")
    audit(page)
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(settings.QUICK_EXIT_URL)
    expect(page.get_by_role("heading", name="Weather")).to_be_visible()
    # The page they were on was replaced, not left behind in history.
    page.go_back()
    assert not page.url.startswith(live_url)


def test_escape_twice_leaves_at_once(page: Page, live_url: str, audit: Any) -> None:
    stub_neutral_site(page)
    page.goto(live_url + "/")
    audit(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(settings.QUICK_EXIT_URL)
    assert page.title() == "Weather"


def test_one_escape_does_nothing(page: Page, live_url: str, audit: Any) -> None:
    page.goto(live_url + "/")
    audit(page)
    page.keyboard.press("Escape")
    page.wait_for_timeout(1200)
    page.keyboard.press("Escape")  # too late to count as a double press
    page.wait_for_timeout(300)
    assert page.url == live_url + "/"


def test_quick_exit_works_without_javascript(browser: Any, live_url: str, axe_source: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    stub_neutral_site(page)
    page.goto(live_url + "/")
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(settings.QUICK_EXIT_URL)
    context.close()


def test_crisis_page_shows_lines_for_the_chosen_country(page: Page, live_url: str, audit: Any) -> None:
    page.goto(live_url + "/")
    audit(page)
    page.get_by_role("link", name="Get help now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get help now")
    audit(page)
    expect(page.get_by_role("heading", name="988 Suicide & Crisis Lifeline")).to_be_visible()  # default: US
    page.get_by_label("Show services for").select_option("GB")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Services in United Kingdom")).to_be_visible()
    samaritans = page.get_by_role("listitem").filter(has_text="Samaritans")
    expect(samaritans.get_by_role("link", name="116 123")).to_have_attribute("href", "tel:116123")
    audit(page)


def test_crisis_page_starts_with_the_members_country(page: Page, live_url: str, audit: Any) -> None:
    person = make_person("fern_member")
    Profile.objects.filter(user=person).update(country="DE")
    log_in(page, live_url, audit, "fern_member")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, fern_member")
    audit(page)
    page.get_by_role("link", name="Get help now").click()
    expect(page.get_by_role("heading", name="Services in Germany")).to_be_visible()
    expect(page.get_by_role("heading", name="TelefonSeelsorge")).to_be_visible()
    audit(page)


def log_in(page: Page, live_url: str, audit: Any, pseudonym: str) -> None:
    page.goto(live_url + "/accounts/login/")
    audit(page)
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_staff_log_in_with_two_factor_code(page: Page, live_url: str, audit: Any) -> None:
    make_person("steady_keeper", Role.MODERATOR)
    log_in(page, live_url, audit, "steady_keeper")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    audit(page)
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, steady_keeper")
    audit(page)


def test_signed_in_pages_work_without_javascript(browser: Any, live_url: str, axe_source: str) -> None:
    make_person("nojs_member")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_url + "/accounts/login/")
    page.get_by_label("Pseudonym").fill("nojs_member")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, nojs_member")
    page.goto(live_url + "/accounts/profile/")
    page.get_by_label("Pronouns").fill("she/her")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()
    context.close()


def test_recovery_email_and_token_pages(page: Page, live_url: str, audit: Any) -> None:
    """A member adds a recovery address (password asked, confirmed from the mailed link) and
    revokes the token an app logged in with."""
    member = make_person("lantern_member")
    api_token_create(user=member, name="Phone app")
    log_in(page, live_url, audit, "lantern_member")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, lantern_member")
    audit(page)
    page.goto(live_url + "/accounts/profile/")
    audit(page)
    page.get_by_role("link", name="Add or change your recovery e-mail").click()
    audit(page)
    page.get_by_label("Recovery e-mail").fill("lantern@example.org")
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist")).to_be_visible()
    audit(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Please open the link we've sent to that address.")).to_be_visible()
    expect(page.get_by_text("Waiting for you to confirm")).to_be_visible()
    audit(page)

    member.refresh_from_db()
    page.goto(live_url + f"/accounts/email/confirm/{email_confirmation_token(user=member)}/")
    audit(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("This is now your recovery e-mail.")).to_be_visible()
    member.refresh_from_db()
    assert member.email == "lantern@example.org"

    audit(page)  # home, with the message
    page.goto(live_url + "/accounts/profile/")
    audit(page)
    page.get_by_role("link", name="Apps and devices logged in with a token").click()
    expect(page.get_by_role("cell", name="Phone app", exact=True)).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Revoke Phone app").click()
    expect(page.get_by_text("That token no longer works.")).to_be_visible()
    expect(page.get_by_text("No app is logged in with a token right now.")).to_be_visible()
    audit(page)
    assert not ApiToken.objects.filter(user=member).exists()


def test_home_page_first_load_is_at_most_100_kb(page: Page, live_url: str, audit: Any) -> None:
    sizes: dict[str, int] = {}

    def record(response: Any) -> None:
        sizes[response.url] = len(response.body())

    page.on("response", record)
    page.goto(live_url + "/")
    page.wait_for_load_state("networkidle")
    audit(page)
    total = sum(sizes.values())
    assert any(url.endswith(".css") for url in sizes)
    assert any(url.endswith(".js") for url in sizes)
    assert total <= 100 * 1024, f"home page weighs {total} bytes: {sizes}"
