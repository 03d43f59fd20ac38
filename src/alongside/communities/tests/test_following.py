"""Following and muting threads, and the notifications they bring: new replies in a followed thread
are one item per thread that counts them (worked out when shown, from what the person may read),
a reply that mentions someone is one notification for them, mentions come first, reading the
thread marks its notifications read. Everything through the services and the pages people use."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.accounts.enums import Role
from alongside.accounts.models import User
from alongside.communities import selectors, services
from alongside.communities.models import Community, FollowLevel, MembershipStatus, Post, Thread, ThreadState
from alongside.communities.tests.conftest import join_as, opening_post, quick_community, start_thread
from alongside.core.errors import NotAllowed
from alongside.core.models import BlockedTerm
from alongside.notifications.models import Notification
from alongside.notifications.presenters import NotificationView, present_notifications
from alongside.notifications.selectors import notification_details, notification_list, notification_unread_count
from tests.fixtures import client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db

TITLE = "Evenings are the hardest"


def shown_to(user: User) -> list[NotificationView]:
    """A person's notifications as their list shows them."""
    rows = list(notification_list(viewer=user))
    return present_notifications(rows, notification_details(viewer=user, notifications=rows))


def texts(user: User) -> list[str]:
    return [view.text for view in shown_to(user)]


def level(user: User, thread: Thread) -> str | None:
    state = ThreadState.objects.filter(user=user, thread=thread).first()
    return state.level if state else None


class Circle:
    def __init__(self, visibility: str = "public") -> None:
        self.writer = make_person("circle_writer")  # started the thread
        self.friend = make_person("circle_friend")
        self.others = [make_person(f"circle_other_{n}") for n in range(3)]
        self.host = make_person("circle_host")
        self.community: Community = quick_community(
            "Evening circle", visibility, host=self.host, members=(self.writer, self.friend, *self.others)
        )
        self.thread: Thread = start_thread(self.writer, self.community, title=TITLE, body="How do you get through?")

    def replies(self, count: int, *, start: int = 0) -> list[Post]:
        return [
            services.post_reply(actor=self.others[n % 3], thread=self.thread, body=f"Reply number {n}")
            for n in range(start, start + count)
        ]


@pytest.fixture
def circle(db: Any) -> Circle:
    return Circle()


# --- The example -----------------------------------------------------------------------


def test_300_replies_are_one_unread_item_that_counts_them_and_a_mention_on_page_10_is_not_buried(
    circle: Circle,
) -> None:
    circle.replies(300)
    writer = circle.writer

    (item,) = shown_to(writer)
    assert (item.text, item.count, item.unread) == (f"300 new replies in “{TITLE}”", 300, True)
    assert item.detail == f"Newest, from {circle.others[299 % 3].username}: “Reply number 299”"
    assert notification_unread_count(viewer=writer) == 1
    assert Notification.objects.filter(recipient=writer).count() == 1

    circle.replies(150, start=300)  # 451 posts: page 10 (50 a page) begins with post 451
    mention = services.post_reply(actor=circle.friend, thread=circle.thread, body=f"@{writer.username}, you okay?")
    circle.replies(60, start=450)  # 512 posts: 11 pages

    mentioned, replies = shown_to(writer)
    assert mentioned.text == f"circle_friend mentioned you in “{TITLE}”"  # first, though older
    assert mentioned.detail == f"“@{writer.username}, you okay?”"
    assert (replies.text, replies.count) == (f"510 new replies in “{TITLE}”", 510)  # not the mention again
    assert notification_unread_count(viewer=writer) == 2

    # The mention leads to its page, 10; reading that page marks it read, and what follows is still new.
    client = client_for(writer)
    where = client.get(f"/posts/{mention.pk}/")["Location"]
    assert where == f"/c/evening-circle/t/{circle.thread.pk}/?page=10#post-{mention.pk}"
    assert client.get(where).status_code == 200
    replies, read_mention = shown_to(writer)  # unread first
    assert (read_mention.unread, read_mention.notification.kind) == (False, "mention")
    assert (replies.text, replies.unread) == (f"12 new replies in “{TITLE}”", True)  # posts 501 to 512
    assert notification_unread_count(viewer=writer) == 1
    # Back to the thread: it opens at the first of those, on page 11; reading it reads everything.
    assert client.get(f"/c/evening-circle/t/{circle.thread.pk}/")["Location"].endswith("?page=11#unread")
    client.get(f"/c/evening-circle/t/{circle.thread.pk}/?page=11")
    assert notification_unread_count(viewer=writer) == 0


def test_telling_followers_costs_the_same_for_3_and_300_followers(circle: Circle) -> None:
    """The fan-out is a few bulk statements, not a query per follower (done in the request)."""

    def reply_statements(body: str) -> tuple[int, int]:
        """(statements other than inserting notifications, bulk inserts of notifications)"""
        with CaptureQueriesContext(connection) as captured:
            services.post_reply(actor=circle.friend, thread=circle.thread, body=body)
        inserts = sum('INTO "notifications_notification"' in q["sql"] for q in captured)
        return len(captured) - inserts, inserts

    circle.replies(3)  # three people who replied follow it, with the writer
    services.post_reply(actor=circle.friend, thread=circle.thread, body="Warm up")
    few, few_inserts = reply_statements("Hello to the few")
    assert few_inserts == 0  # they all have their item already: it is only brought up again
    assert Notification.objects.filter(target_id=circle.thread.pk, read_at__isnull=True).count() == 4
    people = [make_person(f"follower_{n:03d}") for n in range(297)]
    for person in people:
        join_as(person, circle.community)
    ThreadState.objects.bulk_create(
        ThreadState(user=person, thread=circle.thread, level=FollowLevel.FOLLOWING, last_read_post_id=0)
        for person in people
    )
    many, many_inserts = reply_statements("Hello to the many")
    assert many == few, (few, many)
    # One bulk insert for the 297 new items, cut in batches only by the database's limit on
    # parameters (SQLite: 999, 99 rows a statement; PostgreSQL: one statement).
    assert 1 <= many_inserts <= 4
    assert Notification.objects.filter(target_id=circle.thread.pk, read_at__isnull=True).count() == 301
    assert [view.count for view in shown_to(people[0])] == [6]  # never read it: every reply is new
    assert reply_statements("And again") == (few, 0)


# --- Who follows, and what they hear ------------------------------------------------------------


def test_writers_follow_their_threads_and_repliers_follow_by_default(circle: Circle) -> None:
    assert level(circle.writer, circle.thread) == FollowLevel.FOLLOWING
    assert level(circle.friend, circle.thread) is None
    services.post_reply(actor=circle.friend, thread=circle.thread, body="Me too", is_anonymous=True)
    assert level(circle.friend, circle.thread) == FollowLevel.FOLLOWING
    services.post_reply(actor=circle.others[0], thread=circle.thread, body="And me")
    assert texts(circle.friend) == [f"1 new reply in “{TITLE}”"]
    assert texts(circle.writer) == [f"2 new replies in “{TITLE}”"]
    assert texts(circle.others[0]) == []  # their own reply is not news to them


def test_stopping_following_is_a_choice_that_stays(circle: Circle) -> None:
    services.post_reply(actor=circle.friend, thread=circle.thread, body="Me too")
    services.thread_follow_set(actor=circle.friend, thread=circle.thread, on=False)
    services.thread_follow_set(actor=circle.friend, thread=circle.thread, on=False)  # twice: the same
    services.post_reply(actor=circle.friend, thread=circle.thread, body="Still thinking about this")
    assert level(circle.friend, circle.thread) == FollowLevel.NOT_FOLLOWING
    circle.replies(2)
    assert texts(circle.friend) == []
    services.thread_follow_set(actor=circle.friend, thread=circle.thread, on=True)
    circle.replies(1, start=2)
    assert texts(circle.friend) == [f"3 new replies in “{TITLE}”"]  # new since they last read it


def test_following_from_the_start_hears_only_what_comes_next(circle: Circle) -> None:
    circle.replies(4)
    services.thread_follow_set(actor=circle.friend, thread=circle.thread, on=True)
    circle.replies(1, start=4)
    assert texts(circle.friend) == [f"1 new reply in “{TITLE}”"]


def test_muting_silences_replies_and_mentions_and_unmuting_does_not_follow(circle: Circle) -> None:
    services.thread_mute_set(actor=circle.writer, thread=circle.thread, on=True)
    services.thread_mute_set(actor=circle.writer, thread=circle.thread, on=True)
    circle.replies(2)
    services.post_reply(actor=circle.friend, thread=circle.thread, body=f"@{circle.writer.username} are you here?")
    assert texts(circle.writer) == []
    assert circle.thread.pk not in {t.pk for t in selectors.waiting_threads(user=circle.writer)}

    services.thread_mute_set(actor=circle.writer, thread=circle.thread, on=False)
    assert level(circle.writer, circle.thread) == FollowLevel.NOT_FOLLOWING
    circle.replies(1, start=2)
    assert texts(circle.writer) == []
    services.post_reply(actor=circle.friend, thread=circle.thread, body=f"@{circle.writer.username} hello")
    assert texts(circle.writer) == [f"circle_friend mentioned you in “{TITLE}”"]


def test_following_ends_a_mute_and_muting_ends_following(circle: Circle) -> None:
    services.thread_mute_set(actor=circle.writer, thread=circle.thread, on=True)
    services.thread_follow_set(actor=circle.writer, thread=circle.thread, on=False)  # "not following": still muted
    assert level(circle.writer, circle.thread) == FollowLevel.MUTED
    services.thread_follow_set(actor=circle.writer, thread=circle.thread, on=True)
    assert level(circle.writer, circle.thread) == FollowLevel.FOLLOWING
    circle.replies(1)
    services.thread_mute_set(actor=circle.writer, thread=circle.thread, on=True)
    assert level(circle.writer, circle.thread) == FollowLevel.MUTED
    assert notification_unread_count(viewer=circle.writer) == 0  # what was waiting is put away too


def test_a_reply_that_mentions_a_follower_is_one_notification(circle: Circle) -> None:
    services.post_reply(actor=circle.friend, thread=circle.thread, body=f"Thinking of you @{circle.writer.username}")
    assert texts(circle.writer) == [f"circle_friend mentioned you in “{TITLE}”"]
    assert notification_unread_count(viewer=circle.writer) == 1


def test_banned_members_cannot_follow_and_stop_hearing(circle: Circle) -> None:
    services.membership_ban(actor=circle.host, community=circle.community, user=circle.writer, reason="Abuse")
    circle.replies(1)
    assert texts(circle.writer) == []
    with pytest.raises(NotAllowed):
        services.thread_follow_set(actor=circle.writer, thread=circle.thread, on=True)
    services.thread_mute_set(actor=circle.writer, thread=circle.thread, on=True)  # hearing less: always
    assert level(circle.writer, circle.thread) == FollowLevel.MUTED


def test_a_follower_who_was_banned_after_following_is_not_told(circle: Circle) -> None:
    """The follow rule is applied when telling, not only when following."""
    assert level(circle.writer, circle.thread) == FollowLevel.FOLLOWING
    circle.community.memberships.filter(user=circle.writer).update(status=MembershipStatus.BANNED)
    circle.replies(1)
    assert texts(circle.writer) == []


def test_leaving_a_private_community_ends_following_and_takes_its_notifications(db: Any) -> None:
    private = Circle("private")
    private.replies(2)
    assert texts(private.writer) == [f"2 new replies in “{TITLE}”"]
    services.community_leave(actor=private.writer, community=private.community)
    assert Notification.objects.filter(recipient=private.writer).count() == 0
    private.replies(1, start=2)
    assert Notification.objects.filter(recipient=private.writer).count() == 0
    assert level(private.writer, private.thread) == FollowLevel.UNSET


def test_site_staff_who_follow_a_private_thread_are_told(db: Any) -> None:
    private = Circle("private")
    keeper = make_person("site_keeper_follows", Role.MODERATOR)
    services.thread_follow_set(actor=keeper, thread=private.thread, on=True)
    private.replies(1)
    assert texts(keeper) == [f"1 new reply in “{TITLE}”"]


def test_a_community_that_stops_being_public_takes_back_what_outsiders_were_told(circle: Circle) -> None:
    outsider = make_person("circle_outsider")
    services.thread_follow_set(actor=outsider, thread=circle.thread, on=True)
    circle.replies(1)
    services.post_reply(actor=circle.friend, thread=circle.thread, body=f"@{outsider.username} welcome")
    assert len(texts(outsider)) == 2
    services.community_update(actor=circle.host, community=circle.community, values={"visibility": "private"})
    assert Notification.objects.filter(recipient=outsider).count() == 0
    circle.replies(1, start=1)
    assert Notification.objects.filter(recipient=outsider).count() == 0
    assert texts(circle.writer) == [f"3 new replies in “{TITLE}”"]  # members keep theirs


# --- What an item counts and shows ----------------------------------------------------------------


def test_the_count_and_words_never_include_a_removed_or_held_reply(circle: Circle) -> None:
    BlockedTerm.objects.create(term="zqheld", action="hold")
    first, second, third = circle.replies(3)
    services.post_delete(actor=circle.host, post=third, reason="Unkind")
    (item,) = shown_to(circle.writer)
    assert (item.count, item.snippet) == (2, "Reply number 1")
    services.post_edit(actor=second.author, post=second, body="Now zqheld for review")
    (item,) = shown_to(circle.writer)
    assert (item.count, item.snippet) == (1, "Reply number 0")
    assert "zqheld" not in item.detail
    services.post_delete(actor=first.author, post=first)  # nothing left that it stood for
    assert shown_to(circle.writer) == []
    assert notification_unread_count(viewer=circle.writer) == 0


def test_a_held_reply_tells_nobody_until_it_is_approved(circle: Circle) -> None:
    BlockedTerm.objects.create(term="zqheld", action="hold")
    held = services.post_reply(actor=circle.friend, thread=circle.thread, body="zqheld words")
    assert texts(circle.writer) == []
    services.post_review(actor=circle.host, post=held, approve=True)
    (item,) = shown_to(circle.writer)
    assert (item.count, item.snippet) == (1, "zqheld words")


def test_a_thread_held_again_or_removed_takes_every_item_with_it(circle: Circle) -> None:
    BlockedTerm.objects.create(term="zqheld", action="hold")
    circle.replies(1)
    services.post_reply(actor=circle.others[0], thread=circle.thread, body=f"@{circle.friend.username} hi")
    services.post_edit(actor=circle.writer, post=opening_post(circle.thread), body="zqheld now")
    assert Notification.objects.count() == 0
    services.post_review(actor=circle.host, post=opening_post(circle.thread), approve=True)
    circle.replies(1, start=1)
    assert len(texts(circle.writer)) == 1
    services.post_delete(actor=circle.writer, post=opening_post(circle.thread))
    assert Notification.objects.count() == 0


def test_the_item_uses_the_threads_title_as_it_is_now(circle: Circle) -> None:
    circle.replies(1)
    services.post_edit(actor=circle.writer, post=opening_post(circle.thread), body="Same", title="Evenings, still")
    assert texts(circle.writer) == ["1 new reply in “Evenings, still”"]


def test_an_item_about_a_thread_no_longer_readable_says_nothing_of_it(db: Any) -> None:
    """Should an item outlive access (the services withdraw it), it shows no title and no words."""
    private = Circle("private")
    private.replies(1)
    private.community.memberships.filter(user=private.writer).delete()  # behind the services' back
    (item,) = shown_to(private.writer)
    assert item.text == "A conversation you followed is no longer available."
    assert (item.snippet, item.count) == ("", None)


# --- Reading marks read -----------------------------------------------------------------------------


def test_reading_the_last_page_marks_the_item_read_and_a_middle_page_counts_down(circle: Circle) -> None:
    circle.replies(120)  # 121 posts, 3 pages
    client = client_for(circle.writer)
    url = f"/c/evening-circle/t/{circle.thread.pk}/"
    assert client.get(url)["Location"] == f"{url}?page=1#unread"
    client.get(f"{url}?page=1")
    assert [view.count for view in shown_to(circle.writer)] == [71]
    client.get(f"{url}?page=last")
    assert notification_unread_count(viewer=circle.writer) == 0
    (item,) = shown_to(circle.writer)
    assert (item.text, item.unread) == (f"Replies in “{TITLE}”", False)
    client.get(f"{url}?page=2")  # reading an older page never makes newer posts new again
    assert client.get(url)["Location"] == f"{url}?page=3#newest"


def test_replying_reads_the_thread(circle: Circle) -> None:
    circle.replies(2)
    services.post_reply(actor=circle.writer, thread=circle.thread, body="Thank you both")
    assert notification_unread_count(viewer=circle.writer) == 0
