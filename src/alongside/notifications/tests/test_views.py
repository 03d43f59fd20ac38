"""The notifications page: one's own notifications as sentences, marking them read, opening one.

Notifications are caused the way people cause them: replies in a thread someone follows, a
mention, both through the communities services.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import Community, Post, Thread
from alongside.notifications.models import Notification
from tests.fixtures import client_for

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
MARK_ALL = reverse("notifications:mark_all_read")
MARK_ALL_BUTTON = "Mark all as read"


def open_url(notification: Notification) -> str:
    return reverse("notifications:open", args=[notification.pk])


def read_states(user: User) -> dict[int, bool]:
    return {n.pk: n.read_at is not None for n in Notification.objects.filter(recipient=user)}


@pytest.fixture
def replies(other_member: User, thread: Thread) -> list[Post]:
    """A reply to the member's thread, and a second that also mentions them: two notifications (the
    mention, and one item about the other reply)."""
    return [
        services.post_reply(actor=other_member, thread=thread, body="A warm drink helps."),
        services.post_reply(actor=other_member, thread=thread, body="Thinking of you, @river_member"),
    ]


@pytest.fixture
def theirs(member: User, other_member: User, harbour: Community) -> Notification:
    """A notification for someone else: the member mentions them in a thread of their own."""
    services.thread_create(actor=member, community=harbour, title="Quiet mornings", body="Hello @maple_member")
    return Notification.objects.get(recipient=other_member)


def test_the_page_lists_my_notifications_as_sentences_mentions_first(member, replies, theirs):
    response = client_for(member).get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    mention = "maple_member mentioned you in “Evenings are hard”"
    reply = "1 new reply in “Evenings are hard”"
    assert page.count(mention) == 1
    assert page.count(reply) == 1
    assert page.index(mention) < page.index(reply)
    assert "“Thinking of you, @river_member”" in page  # what the mention says
    assert "Newest, from maple_member: “A warm drink helps.”" in page
    assert "Quiet mornings" not in page  # someone else's
    for notification in Notification.objects.filter(recipient=member):
        assert open_url(notification) in page
    assert open_url(theirs) not in page
    assert page.count("<strong>New</strong>") == 2
    assert MARK_ALL_BUTTON in page


def test_the_page_with_nothing_says_so_kindly(member):
    response = client_for(member).get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing new." in page
    assert MARK_ALL_BUTTON not in page


def test_an_anonymous_mention_names_nobody(member, other_member, harbour):
    services.thread_create(
        actor=other_member, community=harbour, title="A hard week", body="@river_member, you too?", is_anonymous=True
    )
    page = client_for(member).get(LIST).content.decode()

    assert "Anonymous member mentioned you in “A hard week”" in page
    assert "maple_member" not in page


def test_mark_all_as_read_marks_only_mine(member, replies, theirs):
    client = client_for(member)

    response = client.post(MARK_ALL)

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert all(read_states(member).values())
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get(LIST).content.decode()
    assert MARK_ALL_BUTTON not in page
    assert "<strong>New</strong>" not in page
    assert page.count("Replies in “Evenings are hard”") == 1  # read ones stay listed
    assert page.count("mentioned you in “Evenings are hard”") == 1


def test_opening_one_marks_it_read_and_goes_to_the_post(member, replies):
    mention = Notification.objects.get(recipient=member, kind="mention")
    client = client_for(member)

    response = client.post(open_url(mention))

    assert response.status_code == 302
    assert response["Location"] == f"/posts/{replies[1].pk}/" == mention.url
    assert read_states(member) == {n.pk: n.pk == mention.pk for n in Notification.objects.filter(recipient=member)}
    post_page = client.get(response["Location"])  # the post's address leads to its thread, at the post
    assert post_page.status_code == 302
    assert post_page["Location"].endswith(f"#post-{replies[1].pk}")
    assert client.get(LIST).content.decode().count("<strong>New</strong>") == 1


def test_opening_new_replies_goes_to_the_first_one_not_read(member, other_member, replies, thread):
    client = client_for(member)
    group = Notification.objects.get(recipient=member, kind="replies")

    response = client.post(open_url(group))

    assert (response.status_code, response["Location"]) == (302, f"/c/calm-harbour/t/{thread.pk}/")
    there = client.get(response["Location"])
    assert (there.status_code, there["Location"]) == (302, f"/c/calm-harbour/t/{thread.pk}/?page=1#unread")
    page = client.get(there["Location"]).content.decode()
    assert page.index('id="unread"') < page.index(f'id="post-{replies[0].pk}"')
    assert page.index(f'id="post-{thread.posts.get(is_opening=True).pk}"') < page.index('id="unread"')
    # Reading the thread read both: the header counts nothing new any more.
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()


def test_someone_elses_notification_just_returns_to_the_list(member, replies, theirs):
    before = read_states(member)

    response = client_for(member).post(open_url(theirs))

    assert response.status_code == 302
    assert response["Location"] == LIST
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert read_states(member) == before


def test_a_notification_that_does_not_exist_just_returns_to_the_list(member, replies):
    before = read_states(member)
    response = client_for(member).post(reverse("notifications:open", args=[999_999]))

    assert (response.status_code, response["Location"]) == (302, LIST)
    assert read_states(member) == before


def test_marking_and_opening_need_a_post(member, replies):
    client = client_for(member)
    notification = Notification.objects.filter(recipient=member).first()
    assert notification is not None

    assert client.get(MARK_ALL).status_code == 405
    assert client.get(open_url(notification)).status_code == 405
    assert not any(read_states(member).values())


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "list"), ("post", "mark_all"), ("post", "open")],
)
def test_everything_needs_a_sign_in(member, replies, method, path):
    notification = Notification.objects.filter(recipient=member).first()
    assert notification is not None
    url = {"list": LIST, "mark_all": MARK_ALL, "open": open_url(notification)}[path]

    response = getattr(Client(), method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert not any(read_states(member).values())


def test_the_header_counts_my_unread_notifications(member, other_member, replies):
    client = client_for(member)
    assert (
        '<span class="badge">2<span class="visually-hidden"> unread</span></span>' in client.get(LIST).content.decode()
    )
    client.post(MARK_ALL)
    assert 'class="badge"' not in client.get(LIST).content.decode()
    page = client_for(other_member).get(LIST).content.decode()
    assert 'class="badge"' not in page
