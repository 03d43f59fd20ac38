"""Live updates in Chromium against uvicorn, two people in two browser contexts: one reads a thread
they started, the other replies; the reader sees "1 new reply — show" and their header's count go
up without reloading, focus stays where it was, and "show" opens the newest reply. In discreet mode
the count never reaches the title. Every page and state is audited with axe-core (light)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from alongside.accounts import services as account_services
from alongside.accounts.models import Role, User
from alongside.communities import services
from alongside.communities.models import Post, Thread
from tests.browser.test_threads import log_in
from tests.fixtures import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Sundays feel long"


def _thread() -> Thread:
    """quiet_river started a thread (so follows it) in a community maple_leaf belongs to too."""
    river, maple = make_person("quiet_river"), make_person("maple_leaf")
    admin = make_person("site_lead", Role.ADMIN)  # staff need two-factor codes: never logged in here
    community = services.community_create(actor=admin, name="Weekend circle")
    for person in (river, maple):
        services.community_join(actor=person, community=community)
    thread = services.thread_create(actor=river, community=community, title=TITLE, body="How do you fill them?")
    services.post_reply(actor=maple, thread=thread, body="A long walk, whatever the weather.")
    return thread


def _notifications_link(page: Page) -> Any:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Notifications"))


def _reply(page: Page, body: str) -> None:
    page.get_by_label("Your reply").fill(body)
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".post").last).to_contain_text(body)


def test_a_reader_sees_new_replies_and_their_count_arrive_without_reloading(
    browser: Browser, live_url: str, audit: Any
) -> None:
    thread = _thread()
    url = f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/"
    reader_context, writer_context = browser.new_context(), browser.new_context()
    reader, writer = reader_context.new_page(), writer_context.new_page()

    # The reader is at the newest reply ("Jump to the newest reply"), with nothing unread.
    log_in(reader, live_url, "quiet_river", audit)
    reader.goto(url)
    reader.get_by_role("link", name="Jump to the newest reply").click()
    expect(reader).to_have_url(re.compile(r"\?page=last#newest$"))
    expect(_notifications_link(reader)).to_have_accessible_name("Notifications")
    audit(reader)
    title = reader.title()
    assert not title.startswith("(")
    reader.get_by_label("Your reply").focus()  # about to write; nothing below may move them

    # Someone else replies, from their own browser.
    log_in(writer, live_url, "maple_leaf", audit)
    writer.goto(url + "?page=last")
    audit(writer)
    _reply(writer, "Sundays are easier with a plan, even a tiny one.")
    audit(writer)

    # The reader hears of it: a polite notice with a link, and their header's count, in place.
    show = reader.get_by_role("status").get_by_role("link", name="1 new reply — show")
    expect(show).to_be_visible()
    expect(_notifications_link(reader)).to_have_accessible_name("Notifications 1 unread")
    expect(reader).to_have_title("(1) " + title)
    assert reader.evaluate("document.activeElement.name") == "body"  # the reply box still has focus
    audit(reader)

    # A second reply, mentioning them: two new replies, and a second notification.
    _reply(writer, "@quiet_river you're not the only one, truly.")
    expect(reader.get_by_role("status").get_by_role("link", name="2 new replies — show")).to_be_visible()
    expect(_notifications_link(reader)).to_have_accessible_name("Notifications 2 unread")
    expect(reader).to_have_title("(2) " + title)
    audit(reader)

    # "show" loads the page again at the newest reply, which reading marks read.
    reader.get_by_role("link", name="2 new replies — show").click()
    newest = Post.objects.filter(thread=thread).order_by("-pk").first()
    assert newest is not None
    expect(reader.locator(f"#post-{newest.pk}")).to_contain_text("you're not the only one")
    expect(reader.locator(f"#post-{newest.pk}")).to_be_in_viewport()
    expect(_notifications_link(reader)).to_have_accessible_name("Notifications")
    expect(reader.locator(".live-replies")).to_be_empty()
    audit(reader)

    reader_context.close()
    writer_context.close()


def test_in_discreet_mode_the_count_never_reaches_the_title(browser: Browser, live_url: str, audit: Any) -> None:
    thread = _thread()
    river = User.objects.get(username="quiet_river")
    account_services.user_discreet_set(actor=river, user=river, on=True)
    url = f"{live_url}/c/{thread.community.slug}/t/{thread.pk}/?page=last"
    reader_context, writer_context = browser.new_context(), browser.new_context()
    reader, writer = reader_context.new_page(), writer_context.new_page()

    log_in(reader, live_url, "quiet_river", audit)
    reader.goto(url)
    audit(reader)
    neutral = reader.title()
    log_in(writer, live_url, "maple_leaf", audit)
    writer.goto(url)
    audit(writer)
    _reply(writer, "Thinking of you this Sunday.")
    audit(writer)

    expect(reader.get_by_role("link", name="1 new reply — show")).to_be_visible()
    expect(_notifications_link(reader)).to_have_accessible_name("Notifications 1 unread")
    assert reader.title() == neutral
    audit(reader)

    reader_context.close()
    writer_context.close()
