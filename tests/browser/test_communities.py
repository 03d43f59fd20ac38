"""Communities as two members use them, in Chromium against uvicorn: join, post behind a content
warning, reply, react, get notified, search, post anonymously. Every page, in both browsers, is
audited with axe-core. Plus the thread page's query count, which must not grow with its posts.

Set COMMUNITY_SCREENSHOTS=/some/dir to also save phone and desktop screenshots, light and dark.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from alongside.accounts.models import Role, User
from alongside.communities import services
from alongside.communities.models import Community, ContentWarning, MembershipStatus, Post, ReactionKind, Visibility
from alongside.core.models import BlockedTerm
from tests.browser.harness import PageAudits
from tests.fixtures import PASSWORD, client_for, make_person, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("COMMUNITY_SCREENSHOTS", "")
PHONE: ViewportSize = {"width": 380, "height": 800}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

THREAD_TITLE = "Missing my grandmother's garden"
THREAD_BODY = "Every spring she planted marigolds along the fence. This year the fence is bare and I can't face it."
ANONYMOUS_TITLE = "Something I haven't told anyone"
ANONYMOUS_BODY = "I still set out two cups in the morning, out of habit, and then put one back."


def grief_circle() -> Community:
    admin = make_person("site_lead", Role.ADMIN)  # staff need two-factor codes: never logged in here
    return services.community_create(
        actor=admin,
        name="Grief and loss circle",
        description="For anyone missing someone. Share as much or as little as you like.",
        rules=["Be gentle: everyone grieves differently.", "No advice unless someone asks for it."],
        topics=["grief"],
    )


class SecondBrowser:
    """Another person's browser: its own context (cookies), its own record of audited pages."""

    def __init__(self, browser: Browser, live_url: str, axe_source: str) -> None:
        self.context: BrowserContext = browser.new_context()
        self.page: Page = self.context.new_page()
        self.audits = PageAudits(axe_source)
        self.live_url = live_url
        self.page.on("framenavigated", self._on_navigate)

    def _on_navigate(self, frame: Any) -> None:
        if frame == self.page.main_frame and frame.url.startswith(self.live_url):
            self.audits.visited.append(frame.url.split("#", 1)[0])

    def audit(self, page: Page) -> None:
        self.audits.audit(page)

    def close(self) -> None:
        missed = sorted({url for url in self.audits.visited if url not in self.audits.audited})
        self.context.close()
        assert not missed, f"These pages were visited but not checked with axe-core: {missed}"


@pytest.fixture
def second_browser(browser: Browser, live_url: str, axe_source: str) -> Iterator[SecondBrowser]:
    other = SecondBrowser(browser, live_url, axe_source)
    yield other
    other.close()


def log_in(page: Page, live_url: str, audit: Any, pseudonym: str) -> None:
    page.goto(live_url + "/accounts/login/")
    audit(page)
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")
    audit(page)


def join_from_directory(page: Page, live_url: str, audit: Any, community: Community) -> None:
    page.goto(live_url + "/communities/")
    audit(page)
    page.get_by_role("link", name=community.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(community.name)
    audit(page)
    expect(page.get_by_role("list").filter(has_text="Be gentle")).to_be_visible()  # the rules, numbered
    page.get_by_role("button", name="Join this community").click()
    expect(page.get_by_text(f"Welcome to {community.name}")).to_be_visible()
    audit(page)


def screenshots(page: Page, name: str) -> None:
    """Phone and desktop, light and dark, of the page as it is now."""
    if not SCREENSHOT_DIR:
        return
    folder = Path(SCREENSHOT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=str(folder / f"comm-{name}-{size_name}-{scheme}.png"), full_page=True)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(DESKTOP)


def test_two_members_share_reply_react_search_and_stay_anonymous(
    page: Page, live_url: str, audit: Any, second_browser: SecondBrowser
) -> None:
    community = grief_circle()
    make_person("quiet_river")
    make_person("maple_leaf")

    # A joins through the directory and starts a thread behind a content warning.
    log_in(page, live_url, audit, "quiet_river")
    join_from_directory(page, live_url, audit, community)
    screenshots(page, "community-empty")
    page.get_by_role("link", name="Start a thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a thread")
    audit(page)
    expect(page.get_by_text("No advice unless someone asks for it.")).to_be_visible()  # rules before posting
    page.get_by_label("Title").fill(THREAD_TITLE)
    page.get_by_label("What would you like to share?").fill(THREAD_BODY)
    page.get_by_role("checkbox", name="Grief and loss").check()
    screenshots(page, "thread-new")
    page.get_by_role("button", name="Post thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(THREAD_TITLE)
    audit(page)
    opening = Post.objects.get(thread__title=THREAD_TITLE, is_opening=True)
    assert opening.content_warnings == [ContentWarning.GRIEF]

    # B joins too, and finds A's thread in "Waiting for a reply", above the list of conversations.
    b = second_browser.page
    log_in(b, live_url, second_browser.audit, "maple_leaf")
    join_from_directory(b, live_url, second_browser.audit, community)
    waiting = b.get_by_role("region", name="Waiting for a reply")
    expect(waiting.get_by_role("link", name=THREAD_TITLE)).to_be_visible()
    assert waiting.bounding_box()["y"] < b.get_by_role("region", name="Conversations").bounding_box()["y"]
    screenshots(b, "community")
    waiting.get_by_role("link", name=THREAD_TITLE).click()
    expect(b.get_by_role("heading", level=1)).to_have_text(THREAD_TITLE)
    second_browser.audit(b)

    # The body is folded away behind its content warning until B chooses to open it.
    post_a = b.locator(f"#post-{opening.pk}")
    details = post_a.locator("details")
    assert details.get_attribute("open") is None
    expect(post_a.get_by_text("marigolds")).to_be_hidden()
    screenshots(b, "thread-collapsed")
    post_a.get_by_text("Content warning: Grief and loss — open to read").click()
    expect(post_a.get_by_text("marigolds")).to_be_visible()

    # B replies, then says "I relate" to A's post.
    b.get_by_label("Your reply").fill("The bare fence sounds so hard. Sending you warmth.")
    b.get_by_role("button", name="Post reply").click()
    expect(b.get_by_text("Your reply is posted.")).to_be_visible()
    second_browser.audit(b)
    relate = b.locator(f"#post-{opening.pk}").get_by_role("button", name="I relate")
    expect(relate).to_have_attribute("aria-pressed", "false")
    url_before = b.url
    relate.click()
    relate = b.locator(f"#post-{opening.pk}").get_by_role("button", name="I relate")
    expect(relate).to_have_attribute("aria-pressed", "true")
    expect(relate.locator(".reaction-count")).to_have_text("1")
    assert b.url == url_before  # htmx swapped just the reaction bar; without script it is a plain form post
    expect(relate).to_be_focused()  # and the keyboard user's place is kept
    second_browser.audit(b)
    assert opening.reactions.filter(user__username="maple_leaf", kind=ReactionKind.RELATE).count() == 1
    b.locator(f"#post-{opening.pk} details summary").click()  # open, for the picture
    screenshots(b, "thread")

    # A hears about the reply.
    page.goto(live_url + "/notifications/")
    audit(page)
    expect(page.get_by_role("main")).to_contain_text(f"1 new reply in “{THREAD_TITLE}”")

    # A finds the thread by a word from its body.
    page.goto(live_url + "/search/?q=marigolds")
    audit(page)
    expect(page.get_by_role("link", name=THREAD_TITLE)).to_be_visible()
    screenshots(page, "search")
    # A misspelt word still finds it; the community comes first, found by its topic.
    page.goto(live_url + "/search/?q=marigols")
    audit(page)
    expect(page.get_by_role("status")).to_have_text("Nothing matched “marigols”. Showing results for “marigold”.")
    expect(page.get_by_role("link", name=THREAD_TITLE)).to_be_visible()
    page.get_by_label("Search communities and posts").fill("greif")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Showing results for “grief”")
    audit(page)
    expect(page.get_by_role("heading", level=2).first).to_have_text("1 community")
    expect(page.get_by_role("link", name=community.name)).to_be_visible()
    screenshots(page, "search-communities")

    # A posts anonymously; B sees "Anonymous member" and nothing that could name A.
    page.goto(live_url + f"/c/{community.slug}/new/")
    audit(page)
    page.get_by_label("Title").fill(ANONYMOUS_TITLE)
    page.get_by_label("What would you like to share?").fill(ANONYMOUS_BODY)
    page.get_by_role("checkbox", name="Post anonymously").check()
    page.get_by_role("button", name="Post thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ANONYMOUS_TITLE)
    audit(page)

    b.goto(live_url + f"/c/{community.slug}/")
    second_browser.audit(b)
    b.get_by_role("link", name=ANONYMOUS_TITLE).first.click()
    expect(b.get_by_role("heading", level=1)).to_have_text(ANONYMOUS_TITLE)
    second_browser.audit(b)
    expect(b.get_by_text("Anonymous member", exact=True)).to_be_visible()
    assert "quiet_river" not in b.content().lower()


def test_reacting_and_reading_work_without_javascript(browser: Browser, live_url: str, axe_source: str) -> None:
    community = grief_circle()
    author = make_person("quiet_river")
    reader = make_person("maple_leaf")
    services.community_join(actor=author, community=community)
    services.community_join(actor=reader, community=community)
    thread = services.thread_create(
        actor=author, community=community, title=THREAD_TITLE, body=THREAD_BODY, content_warnings=["grief"]
    )
    opening = thread.posts.get()

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_url + "/accounts/login/")
    page.get_by_label("Pseudonym").fill("maple_leaf")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_url + f"/c/{community.slug}/t/{thread.pk}/")
    post = page.locator(f"#post-{opening.pk}")
    post.get_by_text("Content warning: Grief and loss — open to read").click()  # <details> needs no script
    expect(post.get_by_text("marigolds")).to_be_visible()
    post.get_by_role("button", name="Sending support").click()
    expect(page).to_have_url(re.compile(rf"/c/{community.slug}/t/{thread.pk}/#post-{opening.pk}$"))
    support = page.locator(f"#post-{opening.pk}").get_by_role("button", name="Sending support")
    expect(support).to_have_attribute("aria-pressed", "true")
    context.close()


def log_in_staff(page: Page, live_url: str, audit: Any, pseudonym: str) -> None:
    page.goto(live_url + "/accounts/login/")
    audit(page)
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    audit(page)
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")
    audit(page)


def test_member_and_moderator_pages(page: Page, live_url: str, audit: Any, second_browser: SecondBrowser) -> None:
    """Every other community page, as a member and as the host, each audited."""
    circle = grief_circle()
    host = User.objects.get(username="site_lead")
    carers = services.community_create(
        actor=host, name="Carers' corner", description="Looking after someone.", visibility=Visibility.PRIVATE
    )
    writer = make_person("quiet_river")
    make_person("maple_leaf")
    services.community_join(actor=writer, community=circle)
    secret = services.thread_create(
        actor=writer, community=circle, title=ANONYMOUS_TITLE, body=ANONYMOUS_BODY, is_anonymous=True
    )
    secret_post = secret.posts.get()
    services.post_edit(actor=writer, post=secret_post, body=ANONYMOUS_BODY + " Most mornings.")
    sad = services.thread_create(
        actor=writer, community=circle, title=THREAD_TITLE, body=THREAD_BODY, content_warnings=["grief"]
    )
    BlockedTerm.objects.create(term="bargainpills")
    held = services.thread_create(actor=writer, community=circle, title="Cheap", body="bargainpills here")

    # The member: asks to join a private community, reads, chooses what stays folded, replies, edits, deletes.
    log_in(page, live_url, audit, "maple_leaf")
    page.goto(live_url + "/communities/")
    audit(page)
    screenshots(page, "directory")
    page.get_by_role("button", name="Ask to join Carers' corner").click()
    expect(page.get_by_text("Your request is waiting for a moderator")).to_be_visible()
    audit(page)
    page.goto(live_url + f"/c/{circle.slug}/")
    audit(page)
    page.get_by_role("button", name="Join this community").click()
    audit(page)
    page.goto(live_url + "/feed/")
    audit(page)
    expect(page.get_by_role("link", name=THREAD_TITLE)).to_be_visible()
    expect(page.get_by_role("link", name="Cheap")).to_have_count(0)  # held: only the writer and moderators
    page.goto(live_url + "/waiting/")
    audit(page)
    expect(page.get_by_role("link", name=ANONYMOUS_TITLE)).to_be_visible()

    page.goto(live_url + "/preferences/reading/")
    audit(page)
    page.get_by_role("checkbox", name="Grief and loss").uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your reading preferences are saved.")).to_be_visible()
    audit(page)
    page.goto(live_url + f"/c/{circle.slug}/t/{sad.pk}/")
    audit(page)
    expect(page.locator("details.content-warning")).to_have_count(0)
    expect(page.get_by_text("marigolds")).to_be_visible()
    expect(page.get_by_text("Content warning: Grief and loss")).to_be_visible()

    page.get_by_role("link", name="Quote quiet_river's post").click()
    audit(page)
    expect(page.get_by_text("You are quoting quiet_river:")).to_be_visible()
    page.get_by_label("Your reply").fill("Same here, with my grandad's roses.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    audit(page)
    mine = page.locator("article").filter(has_text="grandad's roses")
    expect(mine.locator("blockquote")).to_contain_text("marigolds")
    mine.get_by_role("link", name="Edit maple_leaf's post").click()
    audit(page)
    page.get_by_label("Message").fill("Same here, with my grandad's roses. Thank you for writing this.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    audit(page)
    page.locator("article").filter(has_text="Thank you for writing this").get_by_role("link", name="Delete").click()
    audit(page)
    page.get_by_role("button", name="Remove post").click()
    expect(page.get_by_text("This post was removed.")).to_be_visible()
    audit(page)

    response = page.goto(live_url + f"/c/{circle.slug}/moderate/")
    assert response is not None
    assert response.status == 403
    audit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("This isn't open to you right now")

    # The host: lets the member in, reviews a held thread, invites, locks, pins, reveals, reads history, edits.
    h = second_browser.page
    log_in_staff(h, live_url, second_browser.audit, "site_lead")
    h.goto(live_url + f"/c/{carers.slug}/moderate/")
    second_browser.audit(h)
    h.get_by_role("button", name="Let in maple_leaf").click()
    expect(h.get_by_text("They are now a member.")).to_be_visible()
    second_browser.audit(h)
    assert carers.memberships.get(user__username="maple_leaf").status == MembershipStatus.ACTIVE
    h.get_by_label("Pseudonym").first.fill("nobody_here")
    h.get_by_role("button", name="Send invitation").click()
    expect(h.locator(".errorlist").get_by_text("No one has that pseudonym.")).to_be_visible()
    expect(h.get_by_role("alert").get_by_role("link", name="No one has that pseudonym.")).to_be_visible()
    second_browser.audit(h)

    h.goto(live_url + f"/c/{circle.slug}/moderate/")
    second_browser.audit(h)
    screenshots(h, "moderate")
    h.get_by_role("button", name="Approve", exact=True).click()
    expect(h.get_by_text("The post is now visible.")).to_be_visible()
    second_browser.audit(h)
    held.refresh_from_db()
    assert held.status == "visible"

    h.goto(live_url + f"/c/{circle.slug}/t/{secret.pk}/")
    second_browser.audit(h)
    expect(h.get_by_text("quiet_river")).to_have_count(0)
    h.get_by_role("button", name="Lock thread").click()
    expect(h.get_by_text("The thread is locked.")).to_be_visible()
    second_browser.audit(h)
    h.get_by_role("button", name="Pin thread").click()
    expect(h.get_by_text("Pinned", exact=True)).to_be_visible()
    second_browser.audit(h)
    h.get_by_role("link", name="Edit history").click()
    expect(h.get_by_text("Most mornings.")).to_be_visible()
    second_browser.audit(h)
    h.goto(live_url + f"/c/{circle.slug}/t/{secret.pk}/")
    second_browser.audit(h)
    h.get_by_role("link", name="Reveal author").click()
    second_browser.audit(h)
    h.get_by_role("button", name="Reveal author").click()
    expect(h.locator(".errorlist").get_by_text("Please say why you need to know")).to_be_visible()
    second_browser.audit(h)
    h.get_by_label("Why do you need to know").fill("A report says this person may be at risk.")
    h.get_by_role("button", name="Reveal author").click()
    expect(h.get_by_text("This post was written by quiet_river.")).to_be_visible()
    second_browser.audit(h)
    screenshots(h, "revealed")

    h.goto(live_url + f"/c/{circle.slug}/edit/")
    second_browser.audit(h)
    h.get_by_label("Rules").fill("Be gentle.\nNo advice unless asked.\nLook after yourself too.")
    h.get_by_role("button", name="Save details").click()
    expect(h.get_by_text("The community's details are saved.")).to_be_visible()
    second_browser.audit(h)
    expect(h.locator("ol.rules li")).to_have_count(3)


def _thread_page_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# HTTP only (no browser, no live server): an ordinary rolled-back test is enough.
@pytest.mark.django_db
def test_thread_page_query_count_does_not_grow_with_posts_and_reactions() -> None:
    community = grief_circle()
    people: list[User] = [make_person(f"member_{n}") for n in range(4)]
    for person in people:
        services.community_join(actor=person, community=community)
    thread = services.thread_create(
        actor=people[0], community=community, title=THREAD_TITLE, body=THREAD_BODY, content_warnings=["grief"]
    )
    client = client_for(people[1])
    url = f"/c/{community.slug}/t/{thread.pk}/?page=1"  # the page itself (without ?page= a returning reader is sent on)
    client.get(url)  # warm up: sessions, content types
    few = _thread_page_queries(client, url)

    for n in range(12):
        author = people[n % len(people)]
        reply = services.post_reply(
            actor=author, thread=thread, body=f"Reply number {n}", is_anonymous=n % 3 == 0, content_warnings=["grief"]
        )
        for person in people:
            services.reaction_set(actor=person, post=reply, kind=ReactionKind.values[n % 3], on=True)
    client.get(url)  # the first read of new posts also moves the reader's place and marks what it answers
    many = _thread_page_queries(client, url)
    assert many == few, f"the thread page ran {few} queries with one post and {many} with thirteen"


# HTTP only (no browser, no live server): an ordinary rolled-back test is enough.
@pytest.mark.django_db
def test_community_feed_and_waiting_query_counts_do_not_grow_with_threads() -> None:
    community = grief_circle()
    people: list[User] = [make_person(f"member_{n}") for n in range(3)]
    for person in people:
        services.community_join(actor=person, community=community)
    services.thread_create(actor=people[0], community=community, title="First", body="Hello")
    client = client_for(people[1])
    urls = [f"/c/{community.slug}/", "/feed/", "/waiting/"]
    for url in urls:
        client.get(url)
    few = [_thread_page_queries(client, url) for url in urls]
    for n in range(10):
        services.thread_create(
            actor=people[n % 3], community=community, title=f"Thread {n}", body="Hi", is_anonymous=n % 2 == 0
        )
    many = [_thread_page_queries(client, url) for url in urls]
    assert many == few, f"queries with one thread: {few}; with eleven: {many} (for {urls})"
