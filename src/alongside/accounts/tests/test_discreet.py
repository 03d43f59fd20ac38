"""Discreet mode, for shared devices: asked once at sign-up, changed on its own page, and then every
page's title (what tabs, history and bookmarks keep) is the same neutral word, without unread counts."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from alongside.accounts import services
from alongside.accounts.models import User
from alongside.communities import services as community_services
from alongside.core.errors import NotAllowed
from tests.fixtures import PASSWORD, client_for, make_person

pytestmark = pytest.mark.django_db

THREAD_TITLE = "Bad night, can't stop the thoughts"


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found is not None
    return found.group(1).strip()


@pytest.fixture
def thread_page(admin_user: User) -> tuple[User, str]:
    """A member who wrote a thread with a telling title, got a reply, and has not read it yet."""
    writer, replier = make_person("discreet_writer"), make_person("discreet_replier")
    community = community_services.community_create(actor=admin_user, name="Night thoughts", description="")
    for person in (writer, replier):
        community_services.community_join(actor=person, community=community)
    thread = community_services.thread_create(actor=writer, community=community, title=THREAD_TITLE, body="Help")
    community_services.post_reply(actor=replier, thread=thread, body="I'm here.")
    return writer, reverse("communities:thread", args=[community.slug, thread.pk])


def test_without_discreet_mode_the_title_says_what_the_page_is_and_counts_unread(thread_page) -> None:
    writer, url = thread_page
    client = client_for(writer)
    assert title(client.get(reverse("home")).content.decode()).startswith("(1) ")  # the unread reply
    shown = title(client.get(url, follow=True).content.decode())
    assert THREAD_TITLE.replace("'", "&#x27;") in shown  # reading the thread also read the reply
    assert not shown.startswith("(")


@pytest.mark.parametrize(
    "path",
    ["thread", reverse("home"), reverse("notifications:list"), reverse("accounts:profile"), reverse("safety:help")],
)
def test_in_discreet_mode_every_page_has_the_same_neutral_title(thread_page, path: str) -> None:
    writer, url = thread_page
    services.user_discreet_set(actor=writer, user=writer, on=True)
    html = client_for(writer).get(url if path == "thread" else path, follow=True).content.decode()
    assert title(html) == settings.DISCREET_TITLE


def test_a_refused_form_still_says_error_in_discreet_mode() -> None:
    member = make_person("discreet_typo")
    services.user_discreet_set(actor=member, user=member, on=True)
    response = client_for(member).post(reverse("accounts:email"), {"email": "not an address", "password": ""})
    assert title(response.content.decode()) == f"Error: {settings.DISCREET_TITLE}"


@pytest.mark.parametrize(("answer", "expected"), [("yes", True), ("no", False), ("", False)])
def test_sign_up_asks_once_whether_to_be_discreet(answer: str, expected: bool) -> None:
    client = Client()
    page = client.get(reverse("account_signup")).content.decode()
    assert "Might someone else see this device?" in page
    data = {"username": f"asked_{answer or 'none'}", "password1": PASSWORD, "password2": PASSWORD, "discreet": answer}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 302
    assert User.objects.get(username=data["username"]).discreet is expected


def test_a_member_turns_discreet_mode_on_and_off() -> None:
    member = make_person("discreet_switch")
    client = client_for(member)
    page = client.get(reverse("accounts:discreet"))
    assert page.status_code == 200
    response = client.post(reverse("accounts:discreet"), {"discreet": "on"}, follow=True)
    assert "Discreet mode is on." in response.content.decode()
    assert title(response.content.decode()) == settings.DISCREET_TITLE
    member.refresh_from_db()
    assert member.discreet is True
    client.post(reverse("accounts:discreet"), {})
    member.refresh_from_db()
    assert member.discreet is False


def test_only_the_person_sets_their_discreet_mode() -> None:
    member, other = make_person("discreet_owner"), make_person("discreet_other")
    with pytest.raises(NotAllowed):
        services.user_discreet_set(actor=other, user=member, on=True)
    member.refresh_from_db()
    assert member.discreet is False


def test_the_discreet_page_needs_a_log_in() -> None:
    response = Client().get(reverse("accounts:discreet"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
