"""@mentions: linked in posts to the person's page (or left as text where nobody can be seen
there), a person's page that shows only what others may see, and the names offered while typing:
only people who have posted under their own name in that community."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts import services as account_services
from alongside.accounts.models import Role, User
from alongside.communities import services
from alongside.communities.tests.conftest import join_as, quick_community, start_thread
from alongside.core.markdown import link_mentions, render_markdown
from tests.fixtures import client_for
from tests.personas import make_person
from tests.support import Caller

pytestmark = pytest.mark.django_db

URLS = {"maple_leaf": "/accounts/people/maple_leaf/"}


def test_mentions_become_links_only_for_people_who_can_be_seen() -> None:
    html = render_markdown("Thanks @Maple_Leaf and @nobody_here")
    linked = link_mentions(html, URLS)
    assert '<a class="mention" href="/accounts/people/maple_leaf/">@Maple_Leaf</a>' in linked
    assert "@nobody_here" in linked
    assert linked.count("<a ") == 1


def test_mentions_in_code_or_links_stay_as_they_are() -> None:
    html = render_markdown("`@maple_leaf` and [see @maple_leaf](https://example.org) and\n\n    @maple_leaf")
    assert link_mentions(html, URLS) == html


@pytest.fixture
def place(db: Any) -> dict[str, Any]:
    writer = make_person("maple_leaf", display_name="Maple")
    reader = make_person("quiet_reader")
    hidden = make_person("mapled_hidden")
    lurker = make_person("maple_lurker")
    community = quick_community("Mention place", "public", members=(writer, reader, hidden, lurker))
    thread = start_thread(writer, community, title="Tea", body="Chamomile helps")
    services.post_reply(actor=hidden, thread=thread, body="Me too", is_anonymous=True)
    return {"writer": writer, "reader": reader, "community": community, "thread": thread}


def test_a_thread_page_links_a_mention_to_the_persons_page_while_they_can_be_seen(place) -> None:
    services.post_reply(actor=place["reader"], thread=place["thread"], body="Thank you @maple_leaf")
    page_url = reverse("communities:thread", args=[place["community"].slug, place["thread"].pk]) + "?page=1"
    client = client_for(place["reader"])
    assert 'href="/people/maple_leaf/">@maple_leaf</a>' in client.get(page_url).content.decode()
    User.objects.filter(pk=place["writer"].pk).update(is_active=False)
    html = client.get(page_url).content.decode()
    assert "@maple_leaf" in html
    assert "/people/maple_leaf/" not in html


def test_a_persons_page_shows_what_others_may_see_and_nothing_else(place) -> None:
    account_services.profile_update(
        actor=place["writer"], user=place["writer"], values={"pronouns": "she/her", "topics": ["grief"]}
    )
    html = client_for(place["reader"]).get(reverse("communities:person", args=["MAPLE_LEAF"])).content.decode()
    assert "Maple" in html
    assert "@maple_leaf" in html
    assert "she/her" in html
    assert "Grief" not in html  # topics are the person's own
    staff = make_person("steady_keeper", Role.MODERATOR)
    assert (
        "Moderator"
        in client_for(place["reader"]).get(reverse("communities:person", args=[staff.username])).content.decode()
    )


def test_a_persons_page_needs_a_log_in_and_an_active_account(place) -> None:
    url = reverse("communities:person", args=["maple_leaf"])
    assert Client().get(url).status_code == 302
    # Someone who only reads, or only posts anonymously, cannot be looked up: it would say where they belong.
    for quiet in ("maple_lurker", "mapled_hidden"):
        assert client_for(place["reader"]).get(reverse("communities:person", args=[quiet])).status_code == 404
    # Nor someone whose named posts are all in a community the reader cannot read.
    private = quick_community("Closed room", "private")
    elsewhere = make_person("elsewhere_writer")
    join_as(elsewhere, private)
    start_thread(elsewhere, private, title="Hush", body="Only here")
    assert client_for(place["reader"]).get(reverse("communities:person", args=["elsewhere_writer"])).status_code == 404
    assert client_for(elsewhere).get(reverse("communities:person", args=["elsewhere_writer"])).status_code == 200
    User.objects.filter(pk=place["writer"].pk).update(is_active=False)
    assert client_for(place["reader"]).get(url).status_code == 404
    assert client_for(place["reader"]).get(reverse("communities:person", args=["no_such_one"])).status_code == 404


def test_names_offered_while_typing_are_only_people_who_posted_under_their_name(place, openapi_spec) -> None:
    path = f"/communities/{place['community'].slug}/mentionable?prefix=MAP"
    found = Caller(openapi_spec, place["reader"])("GET", path).json()
    # Not the anonymous writer (mapled_hidden), not the member who only reads (maple_lurker).
    assert [person["pseudonym"] for person in found["items"]] == ["maple_leaf"]
    assert found["items"][0]["label"] == "Maple"
    by_display = Caller(openapi_spec, place["reader"])("GET", path.replace("MAP", "mapl")).json()
    assert [person["pseudonym"] for person in by_display["items"]] == ["maple_leaf"]
    # Never yourself.
    assert Caller(openapi_spec, place["writer"])("GET", path).json()["items"] == []


def test_only_people_who_can_write_there_are_offered_names(place, openapi_spec) -> None:
    outsider = make_person("outside_reader")
    path = f"/communities/{place['community'].slug}/mentionable?prefix=map"
    assert Caller(openapi_spec, outsider)("GET", path).status_code == 403
    assert Caller(openapi_spec, None)("GET", path).status_code == 401
    private = quick_community("Private mentions", "private")
    join_as(place["writer"], private)
    assert Caller(openapi_spec, outsider)("GET", f"/communities/{private.slug}/mentionable?prefix=m").status_code == 404
