"""Long threads on the web: a thread opens where the reader left off ("New since your last visit",
or the newest post), "Jump to the newest reply", first/last page links, the reply box on every
page, and following or muting from the page with plain forms (no script needed)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import FollowLevel, MembershipStatus, Post, Thread, ThreadState
from alongside.communities.tests.conftest import join_as, opening_post, quick_community, start_thread
from tests.fixtures import client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db


class Scene:
    def __init__(self, replies: int) -> None:
        self.writer = make_person("page_writer")
        self.reader = make_person("page_reader")
        self.community = quick_community("Long talks", "public", members=(self.writer, self.reader))
        self.thread: Thread = start_thread(self.writer, self.community, title="A long one", body="Opening words")
        self.posts = [opening_post(self.thread)] + [
            services.post_reply(actor=self.writer, thread=self.thread, body=f"Reply {n}") for n in range(replies)
        ]
        self.url = f"/c/long-talks/t/{self.thread.pk}/"

    def read_up_to(self, user: User, index: int) -> None:
        ThreadState.objects.update_or_create(
            user=user, thread=self.thread, defaults={"last_read_post_id": self.posts[index].pk}
        )


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_a_first_visit_opens_at_the_start_with_no_marker(db: Any) -> None:
    scene = Scene(60)
    html = page(client_for(scene.reader), scene.url)
    assert 'id="unread"' not in html
    assert f'id="post-{scene.posts[0].pk}"' in html
    assert ThreadState.objects.get(user=scene.reader, thread=scene.thread).last_read_post_id == scene.posts[49].pk


def test_a_returning_reader_is_sent_to_the_first_new_post_and_it_is_marked(db: Any) -> None:
    scene = Scene(130)  # 131 posts, 3 pages
    scene.read_up_to(scene.reader, 109)
    client = client_for(scene.reader)

    response = client.get(scene.url)

    assert (response.status_code, response["Location"]) == (302, f"{scene.url}?page=3#unread")
    html = page(client, response["Location"])
    marker = html.index('<h2 id="unread" class="unread-marker" tabindex="-1">New since your last visit</h2>')
    assert html.index(f'id="post-{scene.posts[109].pk}"') < marker < html.index(f'id="post-{scene.posts[110].pk}"')
    assert html.count('id="unread"') == 1
    assert 'href="#unread">Go to the first new reply<' in html


def test_nothing_new_in_a_long_thread_opens_at_the_newest_post(db: Any) -> None:
    scene = Scene(130)
    scene.read_up_to(scene.reader, 130)
    client = client_for(scene.reader)

    assert client.get(scene.url)["Location"] == f"{scene.url}?page=3#newest"
    html = page(client, f"{scene.url}?page=3")
    assert 'id="unread"' not in html
    assert re.search(rf'<span id="newest" class="jump-target"></span>\s*<article id="post-{scene.posts[-1].pk}"', html)


def test_nothing_new_in_a_short_thread_simply_opens_it(db: Any) -> None:
    scene = Scene(3)
    scene.read_up_to(scene.reader, 3)
    html = page(client_for(scene.reader), scene.url)
    assert 'id="unread"' not in html


def test_my_own_posts_and_removed_ones_are_never_new_to_me(db: Any) -> None:
    scene = Scene(2)
    client = client_for(scene.reader)
    page(client, scene.url)
    services.post_reply(actor=scene.reader, thread=scene.thread, body="Mine")
    removed = services.post_reply(actor=scene.writer, thread=scene.thread, body="Gone soon")
    services.post_delete(actor=scene.writer, post=removed)
    assert 'id="unread"' not in page(client, f"{scene.url}?page=1")
    after = services.post_reply(actor=scene.writer, thread=scene.thread, body="After")
    assert client.get(scene.url)["Location"] == f"{scene.url}?page=1#unread"
    html = page(client, f"{scene.url}?page=1")
    assert html.index(f'id="post-{removed.pk}"') < html.index('id="unread"') < html.index(f'id="post-{after.pk}"')


def test_jump_to_the_newest_reply_from_any_page(db: Any) -> None:
    scene = Scene(130)
    client = client_for(scene.reader)
    first = page(client, f"{scene.url}?page=1")
    assert '<a href="?page=last#newest">Jump to the newest reply</a>' in first
    last = page(client, f"{scene.url}?page=last")
    assert "Page 3 of 3" in last
    assert f'id="post-{scene.posts[-1].pk}"' in last


def test_first_and_last_page_links_top_and_bottom(db: Any) -> None:
    scene = Scene(240)  # 241 posts, 5 pages
    html = page(client_for(scene.reader), f"{scene.url}?page=3")
    for label in ("Pages of this thread, at the top", "Pages of this thread"):
        nav = re.search(rf'<nav class="pagination" aria-label="{label}">(.*?)</nav>', html, re.S)
        assert nav is not None, label
        links = re.findall(r'<a href="\?page=(\d)"[^>]*>([^<]+)</a>', nav.group(1))
        assert links == [("1", "First page"), ("2", "Previous page"), ("4", "Next page"), ("5", "Last page")]
        assert "Page 3 of 5" in nav.group(1)
    second = page(client_for(scene.reader), f"{scene.url}?page=2")
    assert "First page" not in second  # "Previous page" is the first page already
    assert "Last page" in second


def test_the_reply_box_is_on_every_page(db: Any) -> None:
    scene = Scene(130)
    client = client_for(scene.reader)
    for number in (1, 2, 3):
        html = page(client, f"{scene.url}?page={number}")
        assert f'<form method="post" action="/c/long-talks/t/{scene.thread.pk}/reply/"' in html, number
        assert 'name="body"' in html
        assert ">Post reply</button>" in html


def test_replying_from_a_middle_page_lands_on_the_new_post(db: Any) -> None:
    scene = Scene(130)
    client = client_for(scene.reader)
    response = client.post(f"/c/long-talks/t/{scene.thread.pk}/reply/", {"body": "From page two"})
    reply = Post.objects.get(body="From page two")
    assert response["Location"] == f"{scene.url}?page=3#post-{reply.pk}"


# --- Following and muting from the page -----------------------------------------------------------


def _buttons(html: str) -> list[str]:
    tools = re.search(r'<section id="thread-tools".*?</section>', html, re.S)
    return re.findall(r'<button type="submit" class="secondary">([^<]+)</button>', tools.group(0)) if tools else []


def test_the_page_says_what_i_hear_and_offers_the_other_choices(db: Any) -> None:
    scene = Scene(1)
    writer, reader = client_for(scene.writer), client_for(scene.reader)

    html = unescape(page(writer, f"{scene.url}?page=1"))
    assert "You're following this thread: we'll let you know about new replies." in html
    assert _buttons(html) == ["Stop following", "Mute this thread"]
    assert _buttons(page(reader, f"{scene.url}?page=1")) == ["Follow this thread", "Mute this thread"]

    response = reader.post(f"/t/{scene.thread.pk}/follow/", {"value": "on", "page": "1"})
    assert response["Location"] == f"{scene.url}?page=1"
    html = unescape(page(reader, response["Location"]))
    assert "You're following this thread. We'll let you know about new replies." in html  # the message
    assert _buttons(html) == ["Stop following", "Mute this thread"]

    reader.post(f"/t/{scene.thread.pk}/mute/", {"value": "on", "page": "1"})
    html = unescape(page(reader, f"{scene.url}?page=1"))
    assert "You've muted this thread: you won't hear about anything here, not even mentions." in html
    assert _buttons(html) == ["Unmute"]
    reader.post(f"/t/{scene.thread.pk}/mute/", {"page": "1"})
    assert ThreadState.objects.get(user=scene.reader, thread=scene.thread).level == FollowLevel.NOT_FOLLOWING
    writer.post(f"/t/{scene.thread.pk}/follow/", {"page": "1"})
    assert ThreadState.objects.get(user=scene.writer, thread=scene.thread).level == FollowLevel.NOT_FOLLOWING


def test_a_banned_member_may_mute_but_not_follow(db: Any) -> None:
    scene = scene_with_banned_reader()
    client = client_for(scene.reader)
    assert _buttons(page(client, f"{scene.url}?page=1")) == ["Mute this thread"]
    assert client.post(f"/t/{scene.thread.pk}/follow/", {"value": "on"}).status_code == 403
    assert client.post(f"/t/{scene.thread.pk}/mute/", {"value": "on"}).status_code == 302


def scene_with_banned_reader() -> Scene:
    scene = Scene(1)
    scene.community.memberships.filter(user=scene.reader).update(status=MembershipStatus.BANNED)
    return scene


def test_following_a_thread_one_cannot_read_is_not_found_and_signed_out_is_asked_to_log_in(db: Any) -> None:
    writer = make_person("closed_writer")
    community = quick_community("Closed talks", "private", members=(writer,))
    thread = start_thread(writer, community)
    outsider = client_for(make_person("closed_outsider"))
    assert outsider.post(f"/t/{thread.pk}/follow/", {"value": "on"}).status_code == 404
    assert outsider.post(f"/t/{thread.pk}/mute/", {"value": "on"}).status_code == 404
    response = Client().post(f"/t/{thread.pk}/follow/", {"value": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    pending = make_person("closed_pending")
    join_as(pending, community, status=MembershipStatus.PENDING)
    assert client_for(pending).post(f"/t/{thread.pk}/follow/", {"value": "on"}).status_code == 404
    assert not ThreadState.objects.exclude(user=writer).exists()


def test_the_header_counts_what_is_still_unread_after_reading_the_page(db: Any) -> None:
    scene = Scene(1)
    other = start_thread(scene.writer, scene.community, title="Elsewhere")
    services.post_reply(actor=scene.reader, thread=other, body="Here too")  # the writer: one item there
    services.post_reply(actor=scene.reader, thread=scene.thread, body=f"@{scene.writer.username} hello")
    services.post_reply(actor=scene.reader, thread=scene.thread, body="And more")
    client = client_for(scene.writer)
    badge = '<span class="badge">{}<span class="visually-hidden"> unread</span></span>'
    assert badge.format(3) in page(client, "/notifications/")

    html = page(client, f"{scene.url}?page=1")  # the mention and the new replies here: read now

    assert badge.format(1) in html
    assert badge.format(1) in page(client, "/notifications/")


def test_a_page_number_that_makes_no_sense_changes_only_where_i_return(db: Any) -> None:
    scene = Scene(1)
    client = client_for(scene.reader)
    response = client.post(f"/t/{scene.thread.pk}/follow/", {"value": "on", "page": "nonsense"})
    assert response["Location"] == f"{scene.url}?page=1"
    assert ThreadState.objects.get(user=scene.reader, thread=scene.thread).level == FollowLevel.FOLLOWING
    response = client.post(f"/t/{scene.thread.pk}/mute/", {"value": "on", "page": "9" * 40})
    assert response["Location"] == f"{scene.url}?page=1"
    assert ThreadState.objects.get(user=scene.reader, thread=scene.thread).level == FollowLevel.MUTED
