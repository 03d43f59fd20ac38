"""The signed-in home page: new replies in threads I follow, threads waiting for a reply in my
communities, and my communities; "Waiting for a reply" in the main navigation. Everything is
caused through the services, the way people cause it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import Community, MembershipStatus
from alongside.communities.tests.conftest import join_as, opening_post, quick_community, start_thread
from tests.fixtures import client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db


def home(user: User) -> str:
    response = client_for(user).get("/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading: str) -> str:
    """The part of the page under an h2, up to the next h2."""
    match = re.search(rf"<h2[^>]*>{re.escape(heading)}</h2>(.*?)(?=<h2|$)", html, re.S)
    assert match, heading
    return match.group(1)


@pytest.fixture
def reader(db: Any) -> User:
    return make_person("home_reader")


@pytest.fixture
def writer(db: Any) -> User:
    return make_person("home_writer")


@pytest.fixture
def circle(reader: User, writer: User) -> Community:
    return quick_community("Evening circle", "public", members=(reader, writer))


def test_new_replies_in_threads_i_follow_are_counted_and_lead_to_the_thread(reader, writer, circle):
    mine = start_thread(reader, circle, title="Evenings are the hardest")
    start_thread(reader, circle, title="Nothing new here")
    for number in range(3):
        services.post_reply(actor=writer, thread=mine, body=f"Reply {number}")
    gone = services.post_reply(actor=writer, thread=mine, body="Soon removed")
    services.post_delete(actor=writer, post=gone)
    not_followed = start_thread(writer, circle, title="Someone else's")
    services.post_reply(actor=writer, thread=not_followed, body="Talking to myself")

    followed = section(home(reader), "New replies in threads you follow")

    assert "Evenings are the hardest" in followed
    assert f'href="/c/evening-circle/t/{mine.pk}/"' in followed  # opens where they left off
    assert "3 new replies" in followed  # the removed one is not counted
    assert "Nothing new here" not in followed
    assert "Someone else&#x27;s" not in followed


def test_reading_a_thread_takes_it_off_the_list(reader, writer, circle):
    mine = start_thread(reader, circle, title="Evenings are the hardest")
    services.post_reply(actor=writer, thread=mine, body="One")
    client = client_for(reader)
    assert "1 new reply" in section(home(reader), "New replies in threads you follow")

    client.get(f"/c/evening-circle/t/{mine.pk}/?page=1")

    followed = section(home(reader), "New replies in threads you follow")
    assert "Evenings are the hardest" not in followed
    assert "Nothing new in the threads you follow." in followed


def test_a_thread_i_can_no_longer_read_leaves_the_list(reader, writer):
    private = quick_community("Closed circle", "private", members=(reader, writer))
    mine = start_thread(reader, private, title="Only for us")
    services.post_reply(actor=writer, thread=mine, body="Hello")
    assert "Only for us" in home(reader)

    services.community_leave(actor=reader, community=private)

    assert "Only for us" not in home(reader)


def test_waiting_for_a_reply_lists_unanswered_threads_of_my_communities_but_not_muted_ones(reader, writer, circle):
    unanswered = start_thread(writer, circle, title="Is anyone awake")
    muted = start_thread(writer, circle, title="Too much for me today")
    answered = start_thread(writer, circle, title="Already answered")
    services.post_reply(actor=reader, thread=answered, body="I am here")
    services.thread_mute_set(actor=reader, thread=muted, on=True)
    elsewhere = quick_community("Not mine", "public", members=(writer,))
    start_thread(writer, elsewhere, title="In a place I never joined")

    waiting = section(home(reader), "Waiting for a reply")

    assert f'href="/c/evening-circle/t/{unanswered.pk}/"' in waiting
    assert "Too much for me today" not in waiting
    assert "Already answered" not in waiting
    assert "In a place I never joined" not in waiting
    assert 'href="/waiting/"' in waiting


def test_my_communities_are_listed_with_what_waits_there(reader, writer, circle):
    start_thread(writer, circle, title="Is anyone awake")
    asked = quick_community("Asked to join", "private")
    join_as(reader, asked, status=MembershipStatus.PENDING)

    mine = section(home(reader), "Your communities")

    assert 'href="/c/evening-circle/"' in mine
    assert "1 thread waiting for a reply" in mine
    assert "Asked to join" not in mine  # not a member yet
    assert 'href="/communities/"' in mine


def test_someone_new_is_pointed_to_the_communities(db):
    newcomer = make_person("home_newcomer")
    html = home(newcomer)
    assert "Nothing new in the threads you follow." in html
    assert "Once you join a community" in html
    assert "You haven't joined a community yet." in html
    assert 'href="/help/"' in html  # help stays one step away


def test_anonymous_writers_stay_anonymous_on_the_home_page(reader, writer, circle):
    start_thread(writer, circle, title="Hard to say out loud", is_anonymous=True)
    mine = start_thread(reader, circle, title="Evenings are the hardest")
    services.post_reply(actor=writer, thread=mine, body="Me too", is_anonymous=True)
    html = home(reader)
    assert "by Anonymous member" in html
    assert "home_writer" not in html


def test_waiting_for_a_reply_is_in_the_main_navigation_when_signed_in(reader):
    nav = re.search(r'<nav class="site-nav".*?</nav>', home(reader), re.S)
    assert nav is not None
    assert 'href="/waiting/"' in nav.group(0)
    assert ">Waiting for a reply<" in nav.group(0)
    waiting_page = client_for(reader).get("/waiting/").content.decode()
    assert re.search(r'href="/waiting/"\s+aria-current="page"', waiting_page)
    assert 'href="/waiting/"' not in Client().get("/").content.decode()


def test_signed_out_visitors_get_the_welcome_page(db):
    html = Client().get("/").content.decode()
    assert "Join with a pseudonym" in html
    assert "Threads you follow" not in html


def test_the_home_page_costs_the_same_however_much_there_is(reader, writer):
    def queries() -> int:
        client = client_for(reader)
        client.get("/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    def grow(number: int) -> None:
        for index in range(number):
            community = quick_community(f"Place {index} {number}", "public", members=(reader, writer))
            mine = start_thread(reader, community, title=f"Mine {index}", is_anonymous=index % 2 == 0)
            services.post_reply(actor=writer, thread=mine, body="Hello")
            start_thread(writer, community, title=f"Waiting {index}")
            opening_post(mine)

    grow(1)
    few = queries()
    grow(6)
    assert queries() == few
