"""Writing without fear of losing it, in Chromium: a half-written reply survives a reload (and is
kept only for the tab in discreet mode), leaving with unsent text asks first, Preview shows the
reply before it is posted, and Quick exit and logging out forget every draft. Audited with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from alongside.accounts import services as account_services
from alongside.accounts.models import Role
from alongside.communities import services
from alongside.communities.models import Post, Thread
from tests.browser.harness import stub_neutral_site
from tests.fixtures import PASSWORD, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAFT = "I keep thinking about what you said, and"
RESTORED = "We kept what you were writing here. It has not been sent yet."


def thread_for(pseudonym: str) -> Thread:
    lead = make_person("writing_lead", Role.ADMIN)
    writer = make_person(pseudonym)
    community = services.community_create(actor=lead, name="Small steps", description="One day at a time.")
    services.community_join(actor=writer, community=community)
    return services.thread_create(actor=writer, community=community, title="Today", body="How was your day?")


def log_in(page: Page, live_url: str, audit: Any, pseudonym: str) -> None:
    page.goto(live_url + "/accounts/login/")
    audit(page)
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit(page)


def write(page: Page, text: str) -> None:
    box = page.get_by_label("Your reply")
    box.click()
    box.press_sequentially(text, delay=5)
    page.wait_for_timeout(400)  # saved after a short pause in typing


@pytest.mark.parametrize(
    ("size", "scheme"), [({"width": 375, "height": 740}, "dark"), ({"width": 1280, "height": 900}, "light")]
)
def test_a_half_written_reply_survives_a_reload_and_a_preview_then_goes_when_posted(
    page: Page, live_url: str, audit: Any, size: Any, scheme: str
) -> None:
    page.set_viewport_size(size)
    page.emulate_media(color_scheme=scheme)
    thread = thread_for("draft_keeper")
    url = f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/"
    log_in(page, live_url, audit, "draft_keeper")
    page.goto(url)
    audit(page)
    write(page, DRAFT)
    page.once("dialog", lambda dialog: dialog.accept())  # "leave with unsent text?": yes
    page.reload()
    expect(page.get_by_label("Your reply")).to_have_value(DRAFT)
    expect(page.get_by_role("status").filter(has_text=RESTORED)).to_be_visible()
    audit(page)

    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview).to_be_focused()
    expect(preview).to_contain_text(DRAFT)
    expect(page.get_by_label("Your reply")).to_have_value(DRAFT)
    audit(page)
    assert Post.objects.filter(thread=thread).count() == 1

    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    audit(page)
    assert Post.objects.filter(thread=thread, body=DRAFT).exists()
    page.goto(url)
    expect(page.get_by_label("Your reply")).to_have_value("")
    expect(page.get_by_text(RESTORED)).to_have_count(0)


def test_leaving_with_unsent_text_asks_first_and_start_again_clears_it(page: Page, live_url: str, audit: Any) -> None:
    thread = thread_for("draft_leaver")
    url = f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/"
    log_in(page, live_url, audit, "draft_leaver")
    page.goto(url)
    audit(page)
    write(page, DRAFT)
    asked: list[str] = []

    def stay(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Communities").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert page.url == url

    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.get_by_role("button", name="Start again").click()
    expect(page.get_by_label("Your reply")).to_have_value("")
    expect(page.get_by_label("Your reply")).to_be_focused()
    page.goto(url)  # nothing unsent now: no question
    expect(page.get_by_text(RESTORED)).to_have_count(0)
    audit(page)


def test_quick_exit_forgets_drafts(page: Page, live_url: str, audit: Any) -> None:
    thread = thread_for("draft_exiter")
    url = f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/"
    stub_neutral_site(page)
    log_in(page, live_url, audit, "draft_exiter")
    page.goto(url)
    audit(page)
    write(page, DRAFT)
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(settings.QUICK_EXIT_URL)
    assert asked == []  # leaving at once never stops to ask
    page.goto(url)
    expect(page.get_by_label("Your reply")).to_have_value("")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('alongside-draft:'))") == []
    audit(page)


def test_in_discreet_mode_a_draft_lives_only_as_long_as_the_tab(page: Page, live_url: str, audit: Any) -> None:
    thread = thread_for("draft_discreet")
    writer = thread.community.memberships.get(user__username="draft_discreet").user
    account_services.user_discreet_set(actor=writer, user=writer, on=True)
    url = f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/"
    log_in(page, live_url, audit, "draft_discreet")
    page.goto(url)
    audit(page)
    write(page, DRAFT)
    key = f"alongside-draft:{writer.pk}:reply-{thread.pk}"
    assert page.evaluate(f"sessionStorage.getItem('{key}')") is not None
    assert page.evaluate(f"localStorage.getItem('{key}')") is None


def test_logging_out_forgets_drafts(page: Page, live_url: str, audit: Any) -> None:
    thread = thread_for("draft_leaving")
    url = f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/"
    log_in(page, live_url, audit, "draft_leaving")
    page.goto(url)
    audit(page)
    write(page, DRAFT)
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_attached()
    audit(page)
    assert asked == []
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('alongside-draft:'))") == []


def test_names_are_offered_while_typing_a_mention_and_the_mention_links_to_the_person(
    page: Page, live_url: str, audit: Any
) -> None:
    thread = thread_for("draft_mentioner")
    maple = make_person("maple_leaf", display_name="Maple")
    services.community_join(actor=maple, community=thread.community)
    services.post_reply(actor=maple, thread=thread, body="Walking helps me.")
    url = f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/?page=1"
    log_in(page, live_url, audit, "draft_mentioner")
    page.goto(url)
    audit(page)
    write(page, "Thank you @Map")
    choice = page.get_by_role("group", name="People you can mention").get_by_role("button", name="Maple (@maple_leaf)")
    expect(choice).to_be_visible()
    audit(page)
    choice.click()
    expect(page.get_by_label("Your reply")).to_have_value("Thank you @maple_leaf ")
    expect(page.get_by_label("Your reply")).to_be_focused()
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="@maple_leaf").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maple")
    audit(page)


def test_a_restored_draft_keeps_posting_anonymously_and_shows_it(page: Page, live_url: str, audit: Any) -> None:
    thread = thread_for("draft_anonymous")
    url = f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/?page=1"
    log_in(page, live_url, audit, "draft_anonymous")
    page.goto(url)
    audit(page)
    page.get_by_text("Content warnings and posting anonymously").click()
    page.get_by_label("Reply anonymously").check()
    write(page, DRAFT)
    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    expect(page.get_by_label("Your reply")).to_have_value(DRAFT)
    expect(page.get_by_label("Reply anonymously")).to_be_checked()
    expect(page.get_by_label("Reply anonymously")).to_be_visible()  # its options are open, not hidden
    audit(page)


def test_a_refused_reply_is_kept_as_a_draft(page: Page, live_url: str, audit: Any) -> None:
    thread = thread_for("draft_refused")
    url = f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/?page=1"
    log_in(page, live_url, audit, "draft_refused")
    page.goto(url)
    audit(page)
    write(page, "x" * 10)
    page.evaluate("document.getElementById('id_body').value = 'I want to say\\u0000 this'")  # refused by the server
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("alert").filter(has_text="Please check the following")).to_be_visible()
    audit(page)
    writer_id = thread.community.memberships.get(user__username="draft_refused").user_id
    key = f"alongside-draft:{writer_id}:reply-{thread.pk}"
    assert page.evaluate(f"localStorage.getItem('{key}')") is not None
