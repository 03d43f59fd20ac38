"""Live support chat in Chromium against uvicorn, two people in two browser contexts: a member asks
for a listener, a listener goes online and joins, they talk live (typing, read receipts), the
member's network drops and they catch up on what they missed, the listener asks responders for help
and stays, and a member whose network blocks WebSockets chats over HTTP. Every page and state is
audited with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from alongside.chat.models import ListenerProfile, ListenerStatus
from tests.browser.test_threads import log_in
from tests.fixtures import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCK_WEBSOCKETS = """
window.WebSocket = function () {
  var socket = this;
  socket.readyState = 3;
  setTimeout(function () { if (socket.onclose) socket.onclose({ code: 1006 }); }, 20);
};
"""


def _listener(pseudonym: str) -> Any:
    user = make_person(pseudonym, "listener")
    ListenerProfile.objects.create(user=user, status=ListenerStatus.APPROVED, languages=["en"], capacity=2)
    return user


def _messages(page: Page) -> Any:
    return page.locator("#messages li")


def test_a_member_and_a_listener_talk_live_and_nothing_is_lost(browser: Browser, live_url: str, audit: Any) -> None:
    make_person("ash_member")
    _listener("willow_listener")
    member_context, listener_context = browser.new_context(), browser.new_context()
    member, listener = member_context.new_page(), listener_context.new_page()

    # The member's chat socket goes through Playwright, so the test can cut it like a lost network.
    network: dict[str, Any] = {"down": False, "sockets": []}

    def through_network(socket: Any) -> None:
        if network["down"]:
            socket.close()
            return
        socket.connect_to_server()
        network["sockets"].append(socket)

    member.route_web_socket(re.compile(r"/ws/chat/[0-9]+/$"), through_network)
    log_in(member, live_url, "ash_member", audit)
    member.get_by_role("link", name="Talk with a listener").first.click()
    audit(member)
    member.get_by_label("Anything you'd like your listener to know first? (optional)").fill("I keep waking at 4am.")
    member.get_by_role("button", name="Ask for a listener").click()
    expect(member.locator("#queue-position")).to_contain_text("number 1 in the queue")
    expect(member.locator("#connection")).to_have_text("Connected.")
    audit(member)

    log_in(listener, live_url, "willow_listener")
    listener.goto(live_url + "/chat/desk/")
    audit(listener)
    listener.get_by_role("button", name="Go online").click()
    audit(listener)
    listener.get_by_role("link", name="Chat with ash_member").click()
    expect(_messages(listener).first).to_contain_text("I keep waking at 4am.")
    audit(listener)

    # The member sees the listener join without reloading, then they talk.
    expect(member.locator("#messages")).to_contain_text("joined the chat")
    expect(member.locator("#queue-status")).to_be_hidden()
    expect(member.get_by_role("heading", level=1)).to_have_text("Chat with willow_listener")
    listener.get_by_label("Your message").fill("Hi, I'm Willow. I'm here.")
    expect(member.locator("#latest")).to_have_text("is writing…")
    listener.get_by_role("button", name="Send").click()
    expect(member.locator("#messages")).to_contain_text("Hi, I'm Willow. I'm here.")
    expect(listener.locator("#receipt")).to_have_text("Read")
    member.get_by_label("Your message").fill("Thank you for coming.")
    member.get_by_role("button", name="Send").click()
    expect(listener.locator("#messages")).to_contain_text("Thank you for coming.")
    audit(member)

    # The member's network drops; the listener writes three messages; the member comes back.
    network["down"] = True
    for socket in network["sockets"]:
        socket.close()
    expect(member.locator("#connection")).to_contain_text("Connection lost")
    for n in (1, 2, 3):
        listener.get_by_label("Your message").fill(f"While you were away {n}")
        listener.get_by_role("button", name="Send").click()
        expect(listener.locator("#messages")).to_contain_text(f"While you were away {n}")
    network["down"] = False
    for n in (1, 2, 3):
        expect(member.locator("#messages li", has_text=f"While you were away {n}")).to_have_count(1)
    seqs = [int(s) for s in member.locator("#messages li[data-seq]").evaluate_all("els => els.map(e => e.dataset.seq)")]
    assert seqs == sorted(seqs)
    assert len(seqs) == len(set(seqs))
    assert seqs == list(range(1, len(seqs) + 1))

    # The listener asks responders for help and stays; the member sees the crisis panel beside the chat.
    listener.get_by_role("button", name="Ask responders for help (you stay in the chat)").click()
    expect(listener.get_by_text("Responders have been asked to help")).to_be_visible()
    expect(member.locator("#crisis-panel")).to_be_visible()
    expect(member.get_by_role("link", name="Crisis lines for your country (opens in a new tab)")).to_be_visible()
    audit(member)
    audit(listener)
    listener.get_by_label("Your message").fill("I'm still right here with you.")
    listener.get_by_role("button", name="Send").click()
    expect(member.locator("#messages")).to_contain_text("I'm still right here with you.")

    # The member ends the chat and may rate it.
    member.get_by_role("button", name="End chat").click()
    expect(member.locator("#ended")).to_be_visible()
    member.wait_for_load_state("load")
    audit(member)
    member.get_by_label("4").check()
    member.get_by_role("button", name="Send feedback").click()
    expect(member.get_by_text("Thank you. Your feedback helps listeners learn.")).to_be_visible()
    audit(member)
    member_context.close()
    listener_context.close()


def test_when_websockets_are_blocked_the_chat_falls_back_to_http(browser: Browser, live_url: str, audit: Any) -> None:
    make_person("fern_member")
    helper = _listener("birch_listener")
    ListenerProfile.objects.filter(user=helper).update(is_online=True)
    member_context, listener_context = browser.new_context(), browser.new_context()
    member_context.add_init_script(BLOCK_WEBSOCKETS)
    member, listener = member_context.new_page(), listener_context.new_page()
    log_in(member, live_url, "fern_member")
    member.goto(live_url + "/chat/")
    audit(member)
    member.get_by_role("button", name="Ask for a listener").click()
    expect(member.locator("#connection")).to_contain_text("slower mode")
    audit(member)
    member.get_by_label("Your message").fill("Can anyone hear me?")
    member.get_by_role("button", name="Send").click()

    log_in(listener, live_url, "birch_listener")
    listener.goto(live_url + "/chat/desk/")
    listener.get_by_role("link", name="Chat with fern_member").click()
    audit(listener)
    expect(listener.locator("#messages")).to_contain_text("Can anyone hear me?")
    listener.get_by_label("Your message").fill("Yes, I'm here.")
    listener.get_by_role("button", name="Send").click()
    expect(member.locator("#messages li", has_text="Yes, I'm here.")).to_have_count(1)
    expect(member.locator("#messages li", has_text="Can anyone hear me?")).to_have_count(1)
    member_context.close()
    listener_context.close()
