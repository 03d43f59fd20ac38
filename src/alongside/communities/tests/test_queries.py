"""No N+1: a page of posts or threads costs the same number of queries whether the thread has five
posts or two hundred (each with several reactions), and so do the pages that show them.

The data is made with bulk inserts (set-up state; the services are tested elsewhere), with every
kind of post a page has to show: anonymous, with content warnings, edited, quoting, held, removed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.communities import presenters, selectors
from alongside.communities.access import community_viewer
from alongside.communities.models import Community, MemberRole, Post, PostStatus, Reaction, Thread, ThreadState
from alongside.communities.tests.conftest import join_as, quick_community
from alongside.notifications.models import Notification
from tests.fixtures import client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db

FEW, MANY = 5, 200


class People:
    def __init__(self) -> None:
        self.viewer = make_person("query_viewer", display_name="Viewer")
        self.moderator = make_person("query_keeper")
        self.authors = [make_person(f"query_author_{i}", display_name=f"Author {i}" if i % 2 else "") for i in range(5)]
        self.reactors = [make_person(f"query_reactor_{i}") for i in range(3)]

    def join(self, community: Community) -> None:
        join_as(self.viewer, community)
        join_as(self.moderator, community, role=MemberRole.MODERATOR)
        for user in [*self.authors, *self.reactors]:
            join_as(user, community)


@pytest.fixture
def people(db: Any) -> People:
    return People()


def thread_with_posts(community: Community, people: People, count: int, title: str = "Long thread") -> Thread:
    """A thread of `count` posts (opening post included), each with six reactions, the viewer's among them."""
    start = timezone.now() - timedelta(days=1)
    thread = Thread.objects.create(community=community, title=title, created_at=start, last_activity_at=start)
    posts = [
        Post(
            thread=thread,
            author=people.authors[i % len(people.authors)],
            is_opening=i == 0,
            body=f"Post number {i}",
            body_html=f"<p>Post number {i}</p>",
            is_anonymous=i % 4 == 1,
            content_warnings=["grief"] if i % 3 == 0 else [],
            created_at=start + timedelta(seconds=i),
            edited_at=start + timedelta(seconds=i, minutes=5) if i % 6 == 0 else None,
            status=PostStatus.HELD if i == 3 else PostStatus.REMOVED if i == 4 else PostStatus.VISIBLE,
        )
        for i in range(count)
    ]
    Post.objects.bulk_create(posts)
    posts = list(Post.objects.filter(thread=thread).order_by("created_at"))
    quoting = [post for i, post in enumerate(posts) if i % 5 == 2]
    for post in quoting:
        post.quoted_post = posts[0]
    Post.objects.bulk_update(quoting, ["quoted_post"])
    Reaction.objects.bulk_create(
        Reaction(post=post, user=user, kind=kind)
        for post in posts
        for user in [people.viewer, *people.reactors[:2]]
        for kind in ("relate", "support")
    )
    visible = sum(1 for post in posts if post.status == PostStatus.VISIBLE and not post.is_opening)
    Thread.objects.filter(pk=thread.pk).update(reply_count=visible)
    return thread


def community_with_threads(name: str, people: People, count: int) -> Community:
    community = quick_community(name, "private")
    people.join(community)
    start = timezone.now() - timedelta(days=1)
    threads = Thread.objects.bulk_create(
        Thread(
            community=community,
            title=f"Thread {i}",
            is_pinned=i == 1,
            is_locked=i == 2,
            reply_count=i % 3,
            created_at=start + timedelta(seconds=i),
            last_activity_at=start + timedelta(seconds=i),
        )
        for i in range(count)
    )
    threads = list(Thread.objects.filter(community=community).order_by("pk"))
    Post.objects.bulk_create(
        Post(
            thread=thread,
            author=people.authors[i % len(people.authors)],
            is_opening=True,
            body="Opening",
            body_html="<p>Opening</p>",
            is_anonymous=i % 4 == 1,
            content_warnings=["grief"] if i % 3 == 0 else [],
            created_at=thread.created_at,
        )
        for i, thread in enumerate(threads)
    )
    return community


def queries(run: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as context:
        run()
    return len(context.captured_queries)


# --- Selectors ------------------------------------------------------------------------------------


def _read_posts_page(viewer_user: User, thread: Thread, page: int = 1) -> Callable[[], None]:
    viewer = community_viewer(viewer_user, thread.community)

    def run() -> None:
        posts: Any = selectors.thread_posts(viewer=viewer, thread=thread, page=page)  # annotated rows
        seen = 0
        for post in posts:
            assert post.author is not None
            str(post.author.profile.display_name)
            presenters.author_label(post)
            int(post.relate_count)
            int(post.support_count)
            bool(post.mine_relate)
            bool(post.mine_helped)
            seen += 1
        assert seen > 0

    return run


@pytest.mark.parametrize("as_moderator", [False, True], ids=["member", "moderator"])
def test_thread_posts_cost_the_same_for_5_and_200_posts(people: People, as_moderator: bool) -> None:
    community = quick_community("Posts room", "private")
    people.join(community)
    few = thread_with_posts(community, people, FEW, "Few")
    many = thread_with_posts(community, people, MANY, "Many")
    user = people.moderator if as_moderator else people.viewer

    small = queries(_read_posts_page(user, few))
    large = queries(_read_posts_page(user, many))
    assert small == large, (small, large)
    # One count, one page, the reaction counts, the viewer's own reactions, (when any post quotes
    # one) the quoted posts, and the viewer's blocks (their writers' posts are hidden): never one per post.
    assert large <= 6
    assert queries(_read_posts_page(user, many, page=3)) == large


def test_thread_posts_annotations_are_right(people: People) -> None:
    community = quick_community("Annotated room", "private")
    people.join(community)
    thread = thread_with_posts(community, people, FEW)
    viewer = community_viewer(people.viewer, community)
    posts: list[Any] = list(selectors.thread_posts(viewer=viewer, thread=thread))
    assert posts[0].is_opening is True
    assert PostStatus.HELD not in {p.status for p in posts}  # someone else's held post
    for post in posts:
        assert (post.relate_count, post.support_count, post.helped_count) == (3, 3, 0)
        assert (post.mine_relate, post.mine_support, post.mine_helped) == (True, True, False)


def _read_threads_page(viewer_user: User, community: Community) -> Callable[[], None]:
    viewer = community_viewer(viewer_user, community)

    def run() -> None:
        page: Any = selectors.community_threads(viewer=viewer, page=1)  # with opening_posts prefetched
        seen = 0
        for thread in page:
            opening = thread.opening_posts[0]
            assert opening.author is not None
            str(opening.author.profile.display_name)
            presenters.author_label(opening)
            seen += 1
        assert seen > 0

    return run


def test_community_threads_cost_the_same_for_5_and_200_threads(people: People) -> None:
    few = community_with_threads("Few threads", people, FEW)
    many = community_with_threads("Many threads", people, MANY)
    small = queries(_read_threads_page(people.viewer, few))
    large = queries(_read_threads_page(people.viewer, many))
    assert small == large, (small, large)
    assert large <= 4  # one count, one page, one for the opening posts, one for the viewer's blocks


def test_feed_and_waiting_threads_cost_the_same_for_5_and_200_threads(people: People) -> None:
    def feed() -> None:
        threads: Any = selectors.feed_threads(user=people.viewer)
        for thread in threads:
            str(thread.community.name)
            presenters.author_label(thread.opening_posts[0])

    def waiting() -> None:
        threads: Any = selectors.waiting_threads(user=people.viewer, limit=50)
        for thread in threads:
            str(thread.community.name)
            presenters.author_label(thread.opening_posts[0])

    community_with_threads("Few threads", people, FEW)
    small = (queries(feed), queries(waiting))
    community_with_threads("Many threads", people, MANY)
    assert (queries(feed), queries(waiting)) == small


# --- Pages ----------------------------------------------------------------------------------------


def _page_queries(user: User, url: str) -> int:
    client = client_for(user)
    assert client.get(url).status_code == 200  # warm up: session, caches
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("as_moderator", [False, True], ids=["member", "moderator"])
def test_the_thread_page_costs_the_same_for_5_and_200_posts(people: People, as_moderator: bool) -> None:
    community = quick_community("Page room", "private")
    people.join(community)
    few = thread_with_posts(community, people, FEW, "Few")
    many = thread_with_posts(community, people, MANY, "Many")
    user = people.moderator if as_moderator else people.viewer

    small = _page_queries(user, reverse("communities:thread", args=[community.slug, few.pk]) + "?page=1")
    large = _page_queries(user, reverse("communities:thread", args=[community.slug, many.pk]) + "?page=1")
    assert small == large, (small, large)
    later = _page_queries(user, reverse("communities:thread", args=[community.slug, many.pk]) + "?page=4")
    assert later == large
    # Session and user, thread, membership, the reader's state in the thread, the posts (count, page,
    # reactions, own reactions, quotes), the reader's blocks, reading preferences, the header's unread
    # count: 12. A page
    # with posts new to the reader also moves their reading position (one statement), and one
    # read while they have unread notifications marks those it answers (one more).
    assert large <= 12, large


def test_reading_new_posts_costs_the_same_for_5_and_200_of_them(people: People) -> None:
    """The first read of new posts also moves the reader's place and marks read what it answers:
    two statements more than a page read again, whatever the number of posts."""
    community = quick_community("Fresh room", "private")
    people.join(community)
    few = thread_with_posts(community, people, FEW, "Few")
    many = thread_with_posts(community, people, MANY, "Many")
    client = client_for(people.viewer)

    def first_read(thread: Thread) -> tuple[int, int]:
        opening = Post.objects.get(thread=thread, is_opening=True)
        ThreadState.objects.create(user=people.viewer, thread=thread, last_read_post_id=opening.pk)
        Notification.objects.create(
            recipient=people.viewer, kind="replies", subject=thread.title, url="/", target_type="communities.thread",
            target_id=thread.pk,
        )  # fmt: skip
        url = reverse("communities:thread", args=[community.slug, thread.pk]) + "?page=last"  # the newest posts
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        first = len(context.captured_queries)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return first, len(context.captured_queries)

    client.get(reverse("communities:feed"))  # warm up: session, caches
    small, small_again = first_read(few)
    large, large_again = first_read(many)
    assert (small, small_again) == (large, large_again)
    assert small == small_again + 2


def _redirect_queries(user: User, url: str) -> tuple[int, str]:
    client = client_for(user)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 302
    return len(context.captured_queries), response["Location"]


def test_the_way_back_into_a_thread_costs_the_same_for_5_and_200_posts(people: People) -> None:
    """A returning reader is sent to the first post new to them: a few queries, whatever the length."""
    community = quick_community("Return room", "private")
    people.join(community)
    few = thread_with_posts(community, people, FEW + 2, "Few")
    many = thread_with_posts(community, people, MANY, "Many")
    for thread, seen in ((few, 2), (many, 120)):
        newest_seen = Post.objects.filter(thread=thread).order_by("created_at", "pk")[seen].pk
        ThreadState.objects.create(user=people.viewer, thread=thread, last_read_post_id=newest_seen)

    small, small_to = _redirect_queries(people.viewer, reverse("communities:thread", args=[community.slug, few.pk]))
    large, large_to = _redirect_queries(people.viewer, reverse("communities:thread", args=[community.slug, many.pk]))
    assert small == large, (small, large)
    assert small_to.endswith("?page=1#unread")
    assert large_to.endswith("?page=3#unread")  # the 122nd post, in the order the page shows them


@pytest.mark.parametrize("as_moderator", [False, True], ids=["member", "moderator"])
def test_the_community_page_costs_the_same_for_5_and_200_threads(people: People, as_moderator: bool) -> None:
    few = community_with_threads("Few threads", people, FEW)
    many = community_with_threads("Many threads", people, MANY)
    user = people.moderator if as_moderator else people.viewer

    small = _page_queries(user, reverse("communities:community", args=[few.slug]))
    large = _page_queries(user, reverse("communities:community", args=[many.slug]))
    assert small == large, (small, large)


def test_the_feed_and_waiting_pages_cost_the_same_for_5_and_200_threads(people: People) -> None:
    community_with_threads("Few threads", people, FEW)
    small = (
        _page_queries(people.viewer, reverse("communities:feed")),
        _page_queries(people.viewer, reverse("communities:waiting")),
    )
    community_with_threads("Many threads", people, MANY)
    large = (
        _page_queries(people.viewer, reverse("communities:feed")),
        _page_queries(people.viewer, reverse("communities:waiting")),
    )
    assert small == large, (small, large)


def test_a_50_post_thread_page_is_at_most_15_kb_on_the_wire(people: People) -> None:
    """Light on a bad connection: the page goes out compressed (its HTML is ~120 KB)."""
    community = quick_community("Weight room", "private")
    people.join(community)
    thread = thread_with_posts(community, people, 60, "Heavy thread")
    client = client_for(people.viewer)
    url = reverse("communities:thread", args=[community.slug, thread.pk])

    compressed = client.get(url + "?page=1", headers={"Accept-Encoding": "gzip, deflate, br"})

    assert compressed.status_code == 200
    assert compressed["Content-Encoding"] == "gzip"
    assert len(compressed.content) <= 15_000, len(compressed.content)
    assert len(client.get(url + "?page=1").content) > 60_000  # the same page, uncompressed


def test_the_thread_page_shows_its_posts_as_markup_not_as_escaped_text(people: People) -> None:
    community = quick_community("Markup room", "private")
    people.join(community)
    thread = thread_with_posts(community, people, 3, "Markup thread")
    html = (
        client_for(people.viewer).get(reverse("communities:thread", args=[community.slug, thread.pk])).content.decode()
    )

    assert html.count('<article id="post-') == 3
    assert "&lt;article" not in html
    assert html.count('<button type="submit" class="reaction"') == 9  # three responses on each post
