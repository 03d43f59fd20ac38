"""The community selectors, one by one: what each returns, in which order, with which annotations.
(Who may see what across every persona is in test_access_matrix.py.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from alongside.accounts.models import Role, User
from alongside.communities import selectors, services
from alongside.communities.access import community_viewer
from alongside.communities.models import (
    Community,
    ContentWarning,
    MemberRole,
    MembershipStatus,
    Post,
    PostStatus,
    Thread,
)
from alongside.communities.tests.conftest import join_as, opening_post, quick_community, start_thread
from alongside.core.models import BlockedTerm
from tests.personas import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(db: Any) -> User:
    return make_person("sel_author")


@pytest.fixture
def reader(db: Any) -> User:
    return make_person("sel_reader")


@pytest.fixture
def moderator(db: Any) -> User:
    return make_person("sel_keeper")


@pytest.fixture
def community(author: User, reader: User, moderator: User) -> Community:
    community = quick_community("Selector room", "private", members=(author, reader))
    join_as(moderator, community, role=MemberRole.MODERATOR)
    return community


def ids(items: Any) -> list[int]:
    return [item.pk for item in items]


def age(thread: Thread, *, hours: int) -> None:
    moment = timezone.now() - timedelta(hours=hours)
    Thread.objects.filter(pk=thread.pk).update(created_at=moment, last_activity_at=moment)


# --- community_directory and readable_communities ---------------------------------------------


def test_the_directory_is_alphabetical_with_member_counts_and_my_status(author: User, reader: User) -> None:
    zebra = quick_community("Zebra crossing", "public", members=(author, reader))
    apple = quick_community("Apple tree", "private", members=(author,))
    join_as(reader, apple, status=MembershipStatus.PENDING)
    banned = make_person("sel_banned")
    join_as(banned, zebra, status=MembershipStatus.BANNED)

    listed: list[Any] = list(selectors.community_directory(user=reader))
    assert [c.name for c in listed] == ["Apple tree", "Zebra crossing"]
    assert [c.member_count for c in listed] == [1, 2]  # active members only
    assert [c.my_status for c in listed] == ["pending", "active"]
    signed_out = list(selectors.community_directory(user=AnonymousUser()))
    assert [c.name for c in signed_out] == ["Apple tree", "Zebra crossing"]
    assert not hasattr(signed_out[0], "my_status")


def test_the_directory_shows_hidden_communities_to_staff_members_and_invitees(reader: User) -> None:
    hidden = quick_community("Hidden garden", "hidden")
    admin = make_person("sel_lead", Role.ADMIN)
    site_moderator = make_person("sel_site_keeper", Role.MODERATOR)
    facilitator = make_person("sel_facilitator", Role.FACILITATOR)
    assert hidden.pk not in ids(selectors.community_directory(user=reader))
    assert hidden.pk not in ids(selectors.community_directory(user=facilitator))  # not site staff here
    assert hidden.pk in ids(selectors.community_directory(user=admin))
    assert hidden.pk in ids(selectors.community_directory(user=site_moderator))
    join_as(reader, hidden, status=MembershipStatus.INVITED)
    assert hidden.pk in ids(selectors.community_directory(user=reader))


def test_readable_communities(author: User, reader: User) -> None:
    public = quick_community("Open field", "public")
    private = quick_community("Closed room", "private", members=(author,))
    hidden = quick_community("Hidden room", "hidden", members=(author,))
    join_as(reader, hidden, status=MembershipStatus.INVITED)
    assert set(ids(selectors.readable_communities(user=author))) == {public.pk, private.pk, hidden.pk}
    assert set(ids(selectors.readable_communities(user=reader))) == {public.pk}
    assert list(selectors.readable_communities(user=AnonymousUser())) == []
    staff = make_person("sel_crew", Role.MODERATOR)
    assert set(ids(selectors.readable_communities(user=staff))) == {public.pk, private.pk, hidden.pk}


# --- community_threads ----------------------------------------------------------------------------


def test_community_threads_put_pinned_first_then_latest_activity(community: Community, author: User) -> None:
    old, middle, new = (start_thread(author, community, title=t) for t in ("Old", "Middle", "New"))
    age(old, hours=3)
    age(middle, hours=2)
    age(new, hours=1)
    viewer = community_viewer(author, community)
    assert ids(selectors.community_threads(viewer=viewer).object_list) == [new.pk, middle.pk, old.pk]
    Thread.objects.filter(pk=old.pk).update(is_pinned=True)
    services.post_reply(actor=author, thread=middle, body="Bump")
    assert ids(selectors.community_threads(viewer=viewer).object_list) == [old.pk, middle.pk, new.pk]


def test_community_threads_come_twenty_to_a_page_with_their_opening_post(community: Community, author: User) -> None:
    for i in range(selectors.THREADS_PER_PAGE + 3):
        start_thread(author, community, title=f"Thread {i}", body=f"Body {i}")
    viewer = community_viewer(author, community)
    first = selectors.community_threads(viewer=viewer, page=1)
    assert len(first.object_list) == selectors.THREADS_PER_PAGE
    assert first.paginator.num_pages == 2
    assert len(selectors.community_threads(viewer=viewer, page=2).object_list) == 3
    assert selectors.community_threads(viewer=viewer, page="not a number").number == 1
    thread: Any = first.object_list[0]
    assert [p.body for p in thread.opening_posts] == [opening_post(thread).body]


def test_community_threads_hide_removed_threads_from_everyone(
    community: Community, author: User, moderator: User
) -> None:
    thread = start_thread(author, community)
    services.post_delete(actor=author, post=opening_post(thread))
    for person in (author, moderator):
        viewer = community_viewer(person, community)
        assert thread.pk not in ids(selectors.community_threads(viewer=viewer).object_list)


# --- waiting_threads and feed_threads ---------------------------------------------------------------


def test_waiting_threads_are_the_unanswered_ones_oldest_first(community: Community, author: User, reader: User) -> None:
    older, newer, answered = (start_thread(author, community, title=t) for t in ("Older", "Newer", "Answered"))
    age(older, hours=5)
    age(newer, hours=1)
    services.post_reply(actor=reader, thread=answered, body="Here for you")
    assert ids(selectors.waiting_threads(user=reader)) == [older.pk, newer.pk]
    assert ids(selectors.waiting_threads(user=reader, limit=1)) == [older.pk]
    elsewhere = quick_community("Elsewhere", "public", members=(reader,))
    other = start_thread(reader, elsewhere)
    assert ids(selectors.waiting_threads(user=reader, community=elsewhere)) == [other.pk]


def test_a_thread_whose_only_reply_was_removed_is_waiting_again(
    community: Community, author: User, reader: User
) -> None:
    thread = start_thread(author, community)
    reply = services.post_reply(actor=reader, thread=thread, body="Oops, wrong thread")
    assert thread.pk not in ids(selectors.waiting_threads(user=reader))
    services.post_delete(actor=reader, post=reply)
    assert thread.pk in ids(selectors.waiting_threads(user=reader))


def test_the_feed_is_latest_activity_first_across_my_communities(
    community: Community, author: User, reader: User
) -> None:
    elsewhere = quick_community("Elsewhere", "public", members=(reader,))
    first = start_thread(author, community, title="First")
    second = start_thread(reader, elsewhere, title="Second")
    age(first, hours=2)
    age(second, hours=1)
    assert ids(selectors.feed_threads(user=reader).object_list) == [second.pk, first.pk]
    services.post_reply(actor=reader, thread=first, body="Bump")
    assert ids(selectors.feed_threads(user=reader).object_list) == [first.pk, second.pk]
    services.community_leave(actor=reader, community=elsewhere)
    assert ids(selectors.feed_threads(user=reader).object_list) == [first.pk]


# --- thread_posts --------------------------------------------------------------------------------


def test_thread_posts_put_the_opening_post_first_and_keep_removed_ones_in_place(
    community: Community, author: User, reader: User
) -> None:
    thread = start_thread(author, community)
    one = services.post_reply(actor=reader, thread=thread, body="One")
    two = services.post_reply(actor=author, thread=thread, body="Two")
    Post.objects.filter(pk=opening_post(thread).pk).update(created_at=timezone.now())  # even if it sorts later
    services.post_delete(actor=reader, post=one)
    posts = list(selectors.thread_posts(viewer=community_viewer(reader, community), thread=thread))
    assert ids(posts) == [opening_post(thread).pk, one.pk, two.pk]
    assert [p.status for p in posts] == [PostStatus.VISIBLE, PostStatus.REMOVED, PostStatus.VISIBLE]


def test_thread_posts_come_fifty_to_a_page(community: Community, author: User) -> None:
    thread = start_thread(author, community)
    for i in range(selectors.POSTS_PER_PAGE + 1):
        services.post_reply(actor=author, thread=thread, body=f"Reply {i}")
    viewer = community_viewer(author, community)
    assert len(selectors.thread_posts(viewer=viewer, thread=thread, page=1).object_list) == selectors.POSTS_PER_PAGE
    assert len(selectors.thread_posts(viewer=viewer, thread=thread, page=2).object_list) == 2
    assert selectors.thread_posts(viewer=viewer, thread=thread, page=99).number == 2


def test_thread_posts_count_reactions_and_mark_mine(community: Community, author: User, reader: User) -> None:
    thread = start_thread(author, community)
    post = opening_post(thread)
    services.reaction_set(actor=reader, post=post, kind="relate", on=True)
    services.reaction_set(actor=author, post=post, kind="relate", on=True)
    services.reaction_set(actor=author, post=post, kind="helped", on=True)
    shown: Any
    (shown,) = selectors.thread_posts(viewer=community_viewer(reader, community), thread=thread)
    assert (shown.relate_count, shown.support_count, shown.helped_count) == (2, 0, 1)
    assert (shown.mine_relate, shown.mine_support, shown.mine_helped) == (True, False, False)
    staff = make_person("sel_crew", Role.ADMIN)
    seen_by_staff: Any
    (seen_by_staff,) = selectors.thread_posts(viewer=community_viewer(staff, community), thread=thread)
    assert seen_by_staff.mine_relate is False


# --- Moderation queues ---------------------------------------------------------------------------


def test_held_posts_and_pending_requests_are_for_moderators_only(
    community: Community, author: User, reader: User, moderator: User
) -> None:
    BlockedTerm.objects.create(term="zqsel", action="hold")
    thread = start_thread(author, community)
    held = services.post_reply(actor=reader, thread=thread, body="zqsel")
    asker = make_person("sel_asker")
    request = services.community_join(actor=asker, community=community)
    elsewhere = quick_community("Elsewhere", "public", members=(reader,))
    services.post_reply(actor=reader, thread=start_thread(reader, elsewhere), body="zqsel")  # not this community's

    as_moderator = community_viewer(moderator, community)
    assert ids(selectors.held_posts(viewer=as_moderator)) == [held.pk]
    assert ids(selectors.pending_memberships(viewer=as_moderator)) == [request.pk]
    for person in (author, reader, asker):
        viewer = community_viewer(person, community)
        assert list(selectors.held_posts(viewer=viewer)) == []
        assert list(selectors.pending_memberships(viewer=viewer)) == []
    admin = community_viewer(make_person("sel_lead", Role.ADMIN), community)
    assert ids(selectors.held_posts(viewer=admin)) == [held.pk]


def test_collapsed_warnings_default_to_all_until_a_reader_chooses(reader: User) -> None:
    everything = set(ContentWarning.values)
    assert selectors.collapsed_warnings_for(user=AnonymousUser()) == everything
    assert selectors.collapsed_warnings_for(user=reader) == everything
    services.reading_preference_update(actor=reader, collapsed_warnings=[])
    assert selectors.collapsed_warnings_for(user=reader) == set()


def test_post_search_needs_a_query_and_a_signed_in_reader(community: Community, author: User) -> None:
    start_thread(author, community, title="Searchable", body="zqfindme here")
    assert selectors.post_search(user=author, query="   ") == []
    assert selectors.post_search(user=AnonymousUser(), query="zqfindme") == []
    assert len(selectors.post_search(user=author, query="zqfindme")) == 1
