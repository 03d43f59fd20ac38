"""The route from a crisis post to a human, in Chromium against uvicorn, two people in two browser
contexts: a responder has the queue open; a member posts words that read as a crisis. The member
lands on their thread with a calm support panel above it (crisis lines, grounding, "talk to a
listener now"), not an error, and the post is published; the responder's queue and header count
change without a reload; the responder opens the event, sees the words and why, and reaches out in
a private chat, which the member finds in their notifications. axe-core audits every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from alongside.accounts.models import Role
from alongside.communities import services
from alongside.safety.models import Responder
from tests.browser.test_communities import log_in_staff
from tests.browser.test_threads import log_in
from tests.fixtures import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CRISIS = "I can't do this anymore. I want to kill myself tonight and I have the pills here."


def test_a_crisis_post_reaches_the_writers_panel_and_a_responders_live_queue(
    browser: Browser, live_url: str, audit: Any
) -> None:
    writer = make_person("still_water")
    responder = make_person("harbour_light", Role.CLINICIAN)
    Responder.objects.create(user=responder)
    admin = make_person("site_lead", Role.ADMIN)
    community = services.community_create(actor=admin, name="Hard nights")
    services.community_join(actor=writer, community=community)

    responder_context, writer_context = browser.new_context(), browser.new_context()
    desk, page = responder_context.new_page(), writer_context.new_page()

    log_in_staff(desk, live_url, audit, "harbour_light")
    desk.goto(live_url + "/responders/")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Responders")
    expect(desk.get_by_text("Nobody is waiting right now.")).to_be_visible()
    audit(desk)
    responders_link = desk.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Responders"))
    expect(responders_link).to_have_accessible_name("Responders")

    log_in(page, live_url, "still_water", audit)
    page.goto(f"{live_url}/c/{community.slug}/new/")
    page.get_by_label("Title").fill("Tonight")
    page.get_by_label("What would you like to share?").fill(CRISIS)
    page.get_by_role("button", name=re.compile("^Post")).click()

    # The writer: their thread, published, with the support panel above it. Not an error.
    panel = page.get_by_role("region", name=re.compile("really hard", re.IGNORECASE))
    expect(panel).to_be_visible()
    expect(panel.get_by_role("button", name="Talk to a listener now")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tonight")
    expect(page.locator(".post-body").first).to_contain_text("pills")
    assert "Error" not in page.title()
    audit(page)
    page.screenshot(path="var/test-results/crisis-route-writer.png", full_page=True)

    # The responder: the queue and the header's count follow without a reload.
    expect(desk.locator("#risk-queue")).to_contain_text("About still_water")
    expect(desk.locator("#risk-queue")).to_contain_text("Crisis")
    expect(responders_link).to_have_accessible_name("Responders 1 waiting")
    audit(desk)
    desk.screenshot(path="var/test-results/crisis-route-queue.png", full_page=True)

    desk.get_by_role("link", name="About still_water").click()
    expect(desk.get_by_role("heading", name="What they wrote")).to_be_visible()
    expect(desk.locator(".risk-words")).to_contain_text("pills")
    audit(desk)
    desk.get_by_role("button", name="Reach out in a private chat").click()
    expect(desk).to_have_url(re.compile(r"/chat/\d+/$"))
    expect(desk.get_by_role("heading", level=1)).to_have_text("Chat with still_water")
    audit(desk)

    page.goto(live_url + "/notifications/")
    page.get_by_role("button", name="Someone from the support team would like to check in with you.").click()
    expect(page).to_have_url(re.compile(r"/chat/\d+/$"))
    expect(page.get_by_text("started this private chat to check in with you")).to_be_visible()
    audit(page)
    responder_context.close()
    writer_context.close()


def test_in_a_live_chat_the_panel_appears_at_once_and_an_escalation_brings_a_responder(
    browser: Browser, live_url: str, audit: Any
) -> None:
    from alongside.chat.models import ListenerProfile, ListenerStatus

    make_person("reed_member")
    listener_user = make_person("willow_listener", Role.LISTENER)
    ListenerProfile.objects.create(user=listener_user, status=ListenerStatus.APPROVED, languages=["en"], capacity=2)
    responder = make_person("harbour_light", Role.CLINICIAN)
    Responder.objects.create(user=responder)
    contexts = [browser.new_context() for _ in range(3)]
    member, listener, desk = (context.new_page() for context in contexts)

    log_in(member, live_url, "reed_member", audit)
    member.goto(live_url + "/chat/")
    member.get_by_role("button", name="Ask for a listener").click()
    expect(member.locator("#connection")).to_have_text("Connected.")
    log_in(listener, live_url, "willow_listener")
    listener.goto(live_url + "/chat/desk/")
    listener.get_by_role("button", name="Go online").click()
    listener.get_by_role("link", name="Chat with reed_member").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Chat with willow_listener")

    # Words that read as a crisis: the message is sent, and the panel appears beside the chat.
    member.get_by_label("Your message").fill("I want to kill myself tonight, I have the pills right here.")
    member.get_by_role("button", name="Send").click()
    panel = member.get_by_role("region", name=re.compile("really hard", re.IGNORECASE))
    expect(panel).to_be_visible()
    expect(panel).to_be_focused()
    expect(listener.locator("#messages")).to_contain_text("pills right here")
    audit(member)
    member.screenshot(path="var/test-results/crisis-route-chat.png", full_page=True)

    # The listener asks responders for help and stays; a responder joins beside them.
    listener.get_by_label(re.compile("note", re.IGNORECASE)).first.fill("They have pills with them.")
    listener.get_by_role("button", name=re.compile("Ask responders for help")).click()
    log_in_staff(desk, live_url, audit, "harbour_light")
    desk.goto(live_url + "/responders/")
    expect(desk.locator(".risk-event")).to_have_count(2)  # their words in the chat, and the listener's call
    desk.locator(".risk-event", has_text="A listener asked for help").get_by_role("link").click()
    expect(desk.get_by_text("A listener asked responders for help in a chat.")).to_be_visible()
    audit(desk)
    desk.get_by_role("button", name="Join the chat beside the listener").click()
    expect(desk).to_have_url(re.compile(r"/chat/\d+/$"))
    expect(member.locator("#messages")).to_contain_text("from the support team joined to help")
    desk.get_by_label("Your message").fill("Hi, I'm from the support team. I'm here with you both.")
    desk.get_by_role("button", name="Send").click()
    expect(member.locator("#messages")).to_contain_text("I'm here with you both.")
    audit(desk)
    for context in contexts:
        context.close()
