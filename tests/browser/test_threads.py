"""Long threads, following and grouped notifications, and the signed-in home, as people use them in
Chromium against uvicorn. Every page and state is audited with axe-core (WCAG 2.2 AA) at phone
(375 px) and desktop sizes, in light and dark; the same journeys work without JavaScript.

Set THREAD_SCREENSHOTS=/some/dir to also save each audited state as a screenshot.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from alongside.accounts.models import Role
from alongside.communities import services
from alongside.communities.models import Community, FollowLevel, Post, Thread, ThreadState
from alongside.notifications.models import Notification
from tests.fixtures import PASSWORD, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("THREAD_SCREENSHOTS", "")
SIZES: dict[str, ViewportSize] = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 900}}
TITLE = "Evenings are the hardest"


def audit_everywhere(page: Page, audit: Any, name: str = "") -> None:
    """axe-core on the page as it is now, light and dark, phone and desktop; on the phone nothing may
    be wider than the screen."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for size_name, size in SIZES.items():
            page.set_viewport_size(size)
            audit(page)
            if size_name == "phone":
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= size["width"], f"{page.url} is {width} px wide on a {size['width']} px phone"
            if SCREENSHOT_DIR and name:
                Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
                tall = page.evaluate("document.documentElement.scrollHeight") > 3000  # a page of posts: where it lands
                page.screenshot(path=f"{SCREENSHOT_DIR}/threads-{name}-{size_name}-{scheme}.png", full_page=not tall)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(SIZES["desktop"])


def log_in(page: Page, live_url: str, pseudonym: str, audit: Any = None) -> None:
    page.goto(live_url + "/accounts/login/")
    if audit is not None:
        audit(page)
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")


class Circle:
    """A community where quiet_river started a thread that then got 120 replies (three pages), one of
    them, on page 2, mentioning quiet_river; and a thread of someone else's nobody answered yet."""

    def __init__(self) -> None:
        self.river = make_person("quiet_river")
        self.maple = make_person("maple_leaf")
        self.others = [make_person(f"evening_friend_{n}") for n in range(3)]
        admin = make_person("site_lead", Role.ADMIN)  # staff need two-factor codes: never logged in here
        self.community: Community = services.community_create(actor=admin, name="Evening circle")
        for person in (self.river, self.maple, *self.others):
            services.community_join(actor=person, community=self.community)
        self.thread: Thread = services.thread_create(
            actor=self.river, community=self.community, title=TITLE, body="What gets you through the evenings?"
        )
        self.mention: Post | None = None
        for n in range(120):
            body = f"A cup of tea and a short walk, number {n}."
            if n == 69:
                body = "@quiet_river I think of you every evening. You are not alone."
            post = services.post_reply(actor=self.others[n % 3], thread=self.thread, body=body, is_anonymous=n == 119)
            if n == 69:
                self.mention = post
        self.waiting: Thread = services.thread_create(
            actor=self.maple, community=self.community, title="First night on my own", body="The house is so quiet."
        )
        self.url = f"/c/{self.community.slug}/t/{self.thread.pk}/"


def test_a_long_followed_thread_from_the_home_page_to_the_newest_reply(page: Page, live_url: str, audit: Any) -> None:
    circle = Circle()
    assert circle.mention is not None
    log_in(page, live_url, "quiet_river", audit)
    audit_everywhere(page, audit, "home")

    # Home: the followed thread with its new replies, what waits for a reply, my communities.
    followed = page.get_by_role("region", name="New replies in threads you follow")
    expect(followed.get_by_role("link", name=TITLE)).to_be_visible()
    expect(followed).to_contain_text("120 new replies")
    waiting = page.get_by_role("region", name="Waiting for a reply")
    expect(waiting.get_by_role("link", name="First night on my own")).to_be_visible()
    expect(
        page.get_by_role("region", name="Your communities").get_by_role("link", name="Evening circle")
    ).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(
        nav.get_by_role("link", name="Notifications 2 unread")
    ).to_be_visible()  # the mention, and one item for the rest

    # Notifications: the mention first, then one item that counts the other replies.
    nav.get_by_role("link", name="Notifications").click()
    audit_everywhere(page, audit, "notifications")
    items = page.locator(".notification-list > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("evening_friend_0 mentioned you in “Evenings are the hardest”")
    expect(items.nth(0)).to_contain_text("I think of you every evening")
    expect(items.nth(1)).to_contain_text(f"119 new replies in “{TITLE}”")
    expect(items.nth(1)).to_contain_text("Newest, from Anonymous member:")

    # The mention leads to its post on page 2, and the page opens there.
    items.nth(0).get_by_role("button").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(circle.url)}\?page=2#post-{circle.mention.pk}$"))
    expect(page.locator(f"#post-{circle.mention.pk}")).to_be_in_viewport()
    audit_everywhere(page, audit, "thread-mention")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications 1 unread")
    ).to_be_visible()

    # The rest: "Jump to the newest reply" goes to page 3, at the newest post (anonymous, named as such).
    page.get_by_role("link", name="Jump to the newest reply").click()
    expect(page).to_have_url(re.compile(r"\?page=last#newest$"))
    newest = Post.objects.filter(thread=circle.thread).order_by("-pk").first()
    assert newest is not None
    expect(page.locator(f"#post-{newest.pk}")).to_be_in_viewport()
    expect(page.locator(f"#post-{newest.pk}")).to_contain_text("Anonymous member")
    audit_everywhere(page, audit, "thread-newest")
    assert Notification.objects.filter(recipient=circle.river, read_at__isnull=True).count() == 0

    # First and last pages, top and bottom; the reply box is here on page 3 too.
    top = page.get_by_role("navigation", name="Pages of this thread, at the top")
    expect(top.get_by_role("link", name="First page")).to_be_visible()
    expect(top).to_contain_text("Page 3 of 3")
    page.get_by_label("Your reply").fill("Thank you, all of you. Tonight feels a little lighter.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    mine = Post.objects.get(body__startswith="Thank you, all of you")
    expect(page).to_have_url(re.compile(rf"\?page=3#post-{mine.pk}$"))
    audit_everywhere(page, audit, "thread-replied")

    # Coming back later opens at what is new since.
    services.post_reply(actor=circle.maple, thread=circle.thread, body="So glad to hear it.")
    page.goto(live_url + circle.url)
    expect(page).to_have_url(re.compile(r"\?page=3#unread$"))
    marker = page.get_by_role("heading", name="New since your last visit")
    expect(marker).to_be_in_viewport()
    audit_everywhere(page, audit, "thread-unread")

    # Mute, then unmute, then follow again: plain forms, each state audited.
    page.get_by_role("button", name="Mute this thread").click()
    expect(page.get_by_text("You've muted this thread: you won't hear about anything here")).to_be_visible()
    audit_everywhere(page, audit, "thread-muted")
    page.get_by_role("button", name="Unmute").click()
    expect(page.get_by_text("Follow this thread to hear about new replies.")).to_be_visible()
    audit_everywhere(page, audit, "thread-not-following")
    page.get_by_role("button", name="Follow this thread").click()
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    assert ThreadState.objects.get(user=circle.river, thread=circle.thread).level == FollowLevel.FOLLOWING

    # "Waiting for a reply" from the main navigation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Waiting for a reply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting for a reply")
    expect(page.get_by_role("link", name="First night on my own")).to_be_visible()
    audit_everywhere(page, audit, "waiting")

    # Home again: nothing new now.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.get_by_text("Nothing new in the threads you follow.")).to_be_visible()
    audit_everywhere(page, audit, "home-read")


def test_a_newcomers_home_and_an_empty_notifications_page(page: Page, live_url: str, audit: Any) -> None:
    make_person("new_here")
    log_in(page, live_url, "new_here", audit)
    expect(page.get_by_text("You haven't joined a community yet.")).to_be_visible()
    audit_everywhere(page, audit, "home-newcomer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications").click()
    expect(page.get_by_text("Nothing new.")).to_be_visible()
    audit_everywhere(page, audit, "notifications-empty")


def test_long_threads_and_following_work_without_javascript(browser: Browser, live_url: str) -> None:
    circle = Circle()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_url, "maple_leaf")

    # A first visit opens at the start; following is a plain form that comes back to the same page.
    page.goto(live_url + circle.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("button", name="Follow this thread").click()
    expect(page).to_have_url(re.compile(r"\?page=1$"))
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    assert ThreadState.objects.get(user=circle.maple, thread=circle.thread).level == FollowLevel.FOLLOWING

    # Pages by link; the reply box on page 2; replying lands on the new post.
    page.get_by_role("navigation", name="Pages of this thread", exact=True).get_by_role(
        "link", name="Next page"
    ).click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    page.get_by_label("Your reply").fill("Reading all of this tonight.")
    page.get_by_role("button", name="Post reply").click()
    mine = Post.objects.get(body="Reading all of this tonight.")
    expect(page).to_have_url(re.compile(rf"\?page=3#post-{mine.pk}$"))

    # Someone answers; coming back opens at the marker, with no script.
    services.post_reply(actor=circle.river, thread=circle.thread, body="Glad you're here, maple.")
    page.goto(live_url + "/")
    expect(page.get_by_role("region", name="New replies in threads you follow")).to_contain_text("1 new reply")
    page.get_by_role("region", name="New replies in threads you follow").get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(r"\?page=3#unread$"))
    expect(page.get_by_role("heading", name="New since your last visit")).to_be_visible()
    page.get_by_role("button", name="Mute this thread").click()
    expect(page.get_by_role("button", name="Unmute")).to_be_visible()
    assert ThreadState.objects.get(user=circle.maple, thread=circle.thread).level == FollowLevel.MUTED
    context.close()
