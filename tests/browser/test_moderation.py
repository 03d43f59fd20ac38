"""Reports and feedback in Chromium against uvicorn. A member reports a post; its community's host
finds it in the review queue and removes it with a reason; the member is told in their
notifications and sees the reason on their reports page. And the anonymous feedback form, signed
out and with JavaScript off, with a mistake first. axe-core audits every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from alongside.communities import services as community_services
from alongside.communities.models import MemberRole, Membership, Visibility
from alongside.communities.tests.conftest import opening_post, quick_community, start_thread
from alongside.moderation.models import Feedback
from alongside.moderation.services import report_file
from tests.browser.harness import ROOT, PageAudits
from tests.browser.test_communities import log_in_staff
from tests.browser.test_threads import log_in
from tests.fixtures import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = ROOT / "var" / "screenshots"


def test_report_to_queue_to_removal_to_the_reporter_being_told(browser: Browser, live_url: str, audit: Any) -> None:
    writer, reporter, host = make_person("tide_pool"), make_person("fern_gully"), make_person("oak_hollow")
    room = quick_community("Evenings", Visibility.PUBLIC, members=(writer, reporter, host))
    Membership.objects.filter(community=room, user=host).update(role=MemberRole.HOST)
    post = opening_post(start_thread(writer, room, title="Great deals", body="Cheap watches, message me"))

    reporter_context, host_context = browser.new_context(), browser.new_context()
    page, desk = reporter_context.new_page(), host_context.new_page()

    log_in(page, live_url, "fern_gully", audit)
    page.goto(f"{live_url}/c/{room.slug}/t/{post.thread_id}/")
    audit(page)
    page.get_by_role("link", name=re.compile("^Report")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a post")
    audit(page)
    page.get_by_role("button", name="Send the report").click()  # no reason chosen: the form says so
    expect(page.get_by_role("link", name="Please fill in “What is wrong with it?”.")).to_be_visible()
    audit(page)
    page.get_by_label("Spam or advertising").check()
    page.get_by_label("Anything a moderator should know? (optional)").fill("In every thread today")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    audit(page)

    log_in(desk, live_url, "oak_hollow", audit)
    desk.goto(f"{live_url}/moderation/")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Review queue")
    entry = desk.get_by_role("listitem").filter(has_text="Cheap watches")
    expect(entry).to_contain_text("Reported once, in Evenings")
    expect(entry).to_contain_text("In every thread today")
    audit(desk)
    SHOTS.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(SHOTS / "moderation-queue.png"), full_page=True)
    entry.get_by_label("Reason (the reporters see it)").fill("Selling isn't allowed here")
    entry.get_by_role("button", name="Remove the post").click()
    expect(desk.get_by_text("Removed. 1 reporter(s) will be told.")).to_be_visible()
    expect(desk.get_by_text("Nothing is waiting.")).to_be_visible()
    audit(desk)

    page.goto(f"{live_url}/notifications/")
    expect(page.get_by_text("A post you reported has been removed")).to_be_visible()
    audit(page)
    page.get_by_role("button", name=re.compile("A post you reported has been removed")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your reports")
    expect(page.get_by_text("The moderator said: Selling isn't allowed here")).to_be_visible()
    audit(page)
    reporter_context.close()
    host_context.close()


def _fill(page: Page, message: str) -> None:
    page.get_by_label("A moderator").check()
    page.get_by_label("What happened?").fill(message)


def _send_feedback(page: Page, live_url: str, audit: Callable[[Page], None]) -> None:
    """Signed out: from the footer to the form, a mistake first, then sent."""
    page.goto(live_url + "/")
    page.get_by_role("link", name="Tell us about a concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us about a concern")
    audit(page)
    expect(page.get_by_label("Leave this empty")).to_be_hidden()  # the honeypot
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "feedback.png"), full_page=True)

    _fill(page, "Too short")
    page.get_by_label("An e-mail address for a reply (optional)").fill("not an address")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#id_message_error")).to_contain_text("at least 10 characters")
    expect(page.locator("#id_reply_to_error")).to_contain_text("doesn't look like an e-mail address")
    audit(page)

    _fill(page, "A moderator was unkind to me when I asked a question.")
    page.get_by_label("An e-mail address for a reply (optional)").fill("")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your message")
    audit(page)


def test_the_anonymous_feedback_form_with_and_without_javascript(
    browser: Browser, live_url: str, axe_source: str
) -> None:
    # axe-core needs JavaScript: the same pages are audited with it on.
    without = browser.new_context(java_script_enabled=False)
    _send_feedback(without.new_page(), live_url, lambda page: None)
    assert Feedback.objects.count() == 1
    without.close()

    audits = PageAudits(axe_source)
    with_js = browser.new_context()
    _send_feedback(with_js.new_page(), live_url, audits.audit)
    assert list(Feedback.objects.values_list("about", flat=True)) == ["moderator", "moderator"]
    with_js.close()


def test_blocking_a_writer_hides_their_posts_and_can_be_undone(browser: Browser, live_url: str, audit: Any) -> None:
    me, pest = make_person("reed_bank"), make_person("sly_fox")
    room = quick_community("Mornings", Visibility.PUBLIC, members=(me, pest))
    thread = start_thread(me, room, title="Up early", body="Anyone else awake at five?")
    community_services.post_reply(actor=pest, thread=thread, body="Nobody cares, honestly")
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_url, "reed_bank", audit)
    page.goto(f"{live_url}/c/{room.slug}/t/{thread.pk}/")
    page.get_by_role("link", name=re.compile("^Block")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Block this person")
    audit(page)
    page.get_by_label("Also report this post to the moderators").check()
    page.get_by_role("button", name="Block").click()  # reporting without a reason: the form says so
    expect(page.locator("#id_reason_error")).to_contain_text("Please choose what is wrong with it")
    audit(page)
    page.get_by_label("Harassment or bullying").check()
    page.get_by_role("button", name="Block").click()
    expect(page.get_by_text("Your report has gone to the moderators.")).to_be_visible()
    expect(page.get_by_text("Hidden: you blocked the person who wrote this.")).to_be_visible()
    expect(page.get_by_text("Nobody cares, honestly")).to_have_count(0)
    audit(page)

    page.goto(f"{live_url}/moderation/blocked/")
    expect(page.get_by_role("strong")).to_have_text("sly_fox")
    audit(page)
    page.get_by_role("button", name="Unblock sly_fox").click()
    expect(page.get_by_text("Unblocked. You'll see their posts again.")).to_be_visible()
    audit(page)
    page.goto(f"{live_url}/c/{room.slug}/t/{thread.pk}/")
    expect(page.get_by_text("Nobody cares, honestly")).to_be_visible()
    context.close()


def test_a_host_writes_rules_sees_a_mistake_by_its_line_tries_them_and_turns_them_on(
    browser: Browser, live_url: str, audit: Any
) -> None:
    host, writer = make_person("bay_leaf"), make_person("ash_grove")
    room = quick_community("Allotments", Visibility.PUBLIC, host=host, members=(writer,))
    start_thread(writer, room, title="Cheap seeds here", body="Message me for a discount")
    start_thread(writer, room, title="First tomatoes", body="So proud of these")
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_url, "bay_leaf", audit)
    page.goto(f"{live_url}/c/{room.slug}/moderate/")
    page.get_by_role("link", name="Automatic rules").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Automatic rules for Allotments")
    audit(page)
    rules = page.get_by_label("Rules, in AutoModerator's format")
    rules.fill("# Selling\ntype: submission\ntitle: [cheap]\naction: delete\n")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_source_error")).to_contain_text("line 4: 'action' must be one of")
    audit(page)
    rules.fill("# Selling\ntype: submission\ntitle: [cheap]\naction: filter\n")
    page.get_by_role("button", name="Try on recent posts").click()
    expect(page.get_by_role("heading", name="The rules would have matched 1 post")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Cheap seeds here"))).to_be_visible()
    expect(page.get_by_role("cell", name="Selling (line 2)")).to_be_visible()
    audit(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "moderation-rules.png"), full_page=True)
    page.get_by_label("Apply these rules to new posts and replies").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. The rules apply to new posts and replies while they are on.")).to_be_visible()
    expect(page.get_by_text("The saved rules are on.")).to_be_visible()
    audit(page)
    # The host's badge on their post says what it means.
    thread = start_thread(host, room, title="Welcome, growers", body="Say hello!")
    page.goto(f"{live_url}/c/{room.slug}/t/{thread.pk}/")
    page.get_by_role("link", name="Host", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What the badges mean")
    audit(page)
    # A post giving risky health advice gets the moderators' note, with a better resource.
    risky = start_thread(writer, room, title="My cure", body="Skip your medication, it worked for me")
    page.goto(f"{live_url}/c/{room.slug}/t/{risky.pk}/")
    page.get_by_role("link", name=re.compile("^Note: not professional advice")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Not professional advice")
    audit(page)
    page.get_by_label("A better resource (optional)").fill("not a link")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator("#id_resource_error")).to_contain_text("Please give a web address")
    audit(page)
    page.get_by_label("A better resource (optional)").fill("/help/")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_text("not professional advice.", exact=False).first).to_be_visible()
    expect(page.get_by_role("link", name="A moderator suggests this resource.")).to_have_attribute("href", "/help/")
    audit(page)
    context.close()
    held = opening_post(start_thread(writer, room, title="Cheap pots", body="Going spare"))
    assert held.status == "held"


def test_a_mute_from_the_queue_is_seen_appealed_and_lifted_by_another_moderator(
    browser: Browser, live_url: str, audit: Any
) -> None:
    writer, reporter = make_person("gale_moor"), make_person("wren_heath")
    host, moderator = make_person("ash_grove"), make_person("bay_laurel")
    room = quick_community("Afternoons", Visibility.PUBLIC, host=host, members=(writer, reporter, moderator))
    Membership.objects.filter(community=room, user=moderator).update(role=MemberRole.MODERATOR)
    thread = start_thread(writer, room, title="Shout", body="Everyone here is pathetic")
    post = opening_post(thread)
    report_file(actor=reporter, post=post, writer_id=writer.pk, reason="harassment")
    desk_context, writer_context, host_context = browser.new_context(), browser.new_context(), browser.new_context()
    desk, page, other = desk_context.new_page(), writer_context.new_page(), host_context.new_page()

    log_in(desk, live_url, "bay_laurel", audit)
    desk.goto(f"{live_url}/moderation/")
    desk.get_by_role("button", name="I'll look at this").click()
    expect(desk.get_by_text("You're looking at this.")).to_be_visible()
    audit(desk)
    desk.get_by_role("link", name="Warn, mute or ban the writer").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Act on the writer of a post")
    audit(desk)
    desk.get_by_label("Mute here: they can read, but not write").check()
    desk.get_by_label("Why (the person reads this)").fill("Please be kind: people here are struggling.")
    desk.get_by_role("button", name="Do it and tell them").click()  # no length for a mute: the form says so
    expect(desk.get_by_role("link", name=re.compile("1 to 28"))).to_be_visible()
    audit(desk)
    desk.get_by_label("For how many days?").fill("3")
    desk.get_by_role("button", name="Do it and tell them").click()
    expect(desk.get_by_text(re.compile("They have been told why"))).to_be_visible()
    desk.goto(f"{live_url}/moderation/sanctions/")
    expect(desk.get_by_role("listitem").filter(has_text="gale_moor")).to_contain_text("until")
    audit(desk)

    log_in(page, live_url, "gale_moor", audit)
    page.goto(f"{live_url}/c/{room.slug}/t/{thread.pk}/")
    expect(page.get_by_text("You can read here, but you can't write for now.")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="See why and until when").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account standing")
    expect(page.get_by_text("Please be kind: people here are struggling.")).to_be_visible()
    page.get_by_text("Appeal this").click()
    audit(page)
    page.get_by_label("Why do you think this was wrong?").fill("I was angry about something else. I'm sorry.")
    page.get_by_role("button", name="Send my appeal").click()
    expect(page.get_by_text("Your appeal is sent.")).to_be_visible()
    audit(page)

    log_in(other, live_url, "ash_grove", audit)  # the host: not the moderator who acted
    other.goto(f"{live_url}/moderation/appeals/")
    item = other.get_by_role("listitem").filter(has_text="I was angry about something else")
    audit(other)
    SHOTS.mkdir(parents=True, exist_ok=True)
    other.screenshot(path=str(SHOTS / "moderation-appeals.png"), full_page=True)
    item.get_by_label("Your answer (the person reads it)").fill("Thank you for saying so. Welcome back.")
    item.get_by_role("button", name="Lift it").click()
    expect(other.get_by_text("Answered. They have been told.")).to_be_visible()
    expect(other.get_by_text("No appeals are waiting for you.")).to_be_visible()
    other.goto(f"{live_url}/moderation/log/{room.slug}/")
    expect(other.get_by_role("cell", name="Lifted a sanction on appeal")).to_be_visible()
    expect(other.get_by_text("gale_moor")).to_have_count(0)  # whom it was for is never in the log
    audit(other)
    other.screenshot(path=str(SHOTS / "moderation-log.png"), full_page=True)

    page.goto(f"{live_url}/moderation/standing/")
    expect(page.get_by_text("Thank you for saying so. Welcome back.")).to_be_visible()
    expect(page.get_by_text("Lifted after your appeal", exact=False)).to_be_visible()
    audit(page)
    page.goto(f"{live_url}/c/{room.slug}/t/{thread.pk}/")
    expect(page.get_by_role("heading", name="Reply")).to_be_visible()
    expect(page.get_by_text("You can read here, but you can't write for now.")).to_have_count(0)
    page.get_by_role("link", name="How we moderate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How we moderate: monthly summary")
    expect(page.get_by_role("cell", name="Harassment or bullying")).to_be_visible()
    audit(page)
    for context in (desk_context, writer_context, host_context):
        context.close()


def test_a_room_message_is_reported_and_removed_and_site_rules_are_written(
    browser: Browser, live_url: str, audit: Any
) -> None:
    from alongside.accounts.enums import Role
    from alongside.chat.access.conversations import access_room
    from alongside.chat.services import rooms
    from alongside.chat.tests.conftest import say

    host, writer, reader = make_person("elm_host"), make_person("rowan_writer"), make_person("ivy_reader")
    make_person("ada_root", Role.ADMIN)
    community = quick_community("Late night", Visibility.PUBLIC, host=host, members=(writer, reader))
    viewer, _room = access_room(host, community.slug)
    room = rooms.room_open_set(actor=host, community_viewer=viewer, on=True)
    say(writer, room, "Nobody here cares about you")

    reader_context, host_context, admin_context = browser.new_context(), browser.new_context(), browser.new_context()
    page, desk, admin = reader_context.new_page(), host_context.new_page(), admin_context.new_page()
    log_in(page, live_url, "ivy_reader", audit)
    page.goto(f"{live_url}/chat/room/{community.slug}/")
    expect(page.get_by_role("link", name=re.compile("^Report message"))).to_have_count(1)
    writing_context = browser.new_context()
    writing = writing_context.new_page()
    log_in(writing, live_url, "rowan_writer", audit)
    writing.goto(f"{live_url}/chat/room/{community.slug}/")
    writing.get_by_label("Your message").fill("Nobody would notice if you left")
    writing.get_by_role("button", name="Send").click()
    arrived = page.locator("#messages li").filter(has_text="Nobody would notice if you left")
    expect(arrived).to_be_visible()  # live, after the page was drawn: its Report link comes with it
    expect(writing.locator("#messages li").filter(has_text="Nobody would notice").get_by_role("link")).to_have_count(0)
    writing_context.close()
    audit(page)
    arrived.get_by_role("link", name=re.compile("^Report message")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a message in the live room")
    expect(page.get_by_text("Nobody would notice if you left")).to_be_visible()
    audit(page)
    page.get_by_label("Harassment or bullying").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    audit(page)

    log_in(desk, live_url, "elm_host", audit)
    desk.goto(f"{live_url}/moderation/")
    entry = desk.get_by_role("listitem").filter(has_text="Nobody would notice if you left")
    entry.get_by_label("Reason (the reporters see it)").fill("Unkind to everyone here")
    entry.get_by_role("button", name="Remove the message").click()
    expect(desk.get_by_text("Removed. 1 reporter(s) will be told.")).to_be_visible()
    audit(desk)

    log_in_staff(admin, live_url, audit, "ada_root")
    admin.goto(f"{live_url}/moderation/site-rules/")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Automatic rules for every community")
    admin.get_by_label("Rules, in AutoModerator's format").fill(
        "# Kind\ntype: any\nbody: [cares about]\naction: filter\n"
    )
    admin.get_by_role("button", name="Try on recent posts").click()
    expect(admin.get_by_role("heading", level=2, name=re.compile("would have matched"))).to_be_visible()
    audit(admin)
    for context in (reader_context, host_context, admin_context):
        context.close()
