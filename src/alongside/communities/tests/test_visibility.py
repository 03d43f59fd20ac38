"""What each person may see: selectors never list what the viewer may not read; anonymous posts
never name their writer, on any page, in any notification or in the database; removed and held
content is never served again, on any path (page, quote, single post, search, notification)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.accounts.models import User
from alongside.communities import access, presenters, selectors, services
from alongside.communities.access import community_viewer
from alongside.communities.models import Community, MemberRole, MembershipStatus, Post, PostStatus, Thread
from alongside.communities.tests.conftest import join_as, opening_post, quick_community, start_thread
from alongside.communities.tests.test_access_matrix import EXPECTED, MODERATING_ROLES, ROLES, VISIBILITIES
from alongside.core.errors import NotFound
from alongside.core.models import BlockedTerm
from alongside.notifications.presenters import present_notifications
from alongside.notifications.selectors import notification_details, notification_list
from tests.fixtures import client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db

AUTHORING_ROLES = {"member", "community_moderator", "host"}


# --- Selectors never leak -----------------------------------------------------------------------


@dataclass
class World:
    """One public, one private and one hidden community, each with: a visible thread nobody
    answered, a visible thread with a visible and a held reply, and a held thread. The actor has
    the same role in all three."""

    actor: Any
    author: User
    communities: dict[str, Community]
    unanswered: dict[str, Thread]
    answered: dict[str, Thread]
    visible_reply: dict[str, Post]
    held_reply: dict[str, Post]
    held_thread: dict[str, Thread]


def build_world(role: str) -> World:
    author = make_person("world_author", display_name="Wren Author")
    BlockedTerm.objects.create(term="holdme", action="hold")
    world = World(None, author, {}, {}, {}, {}, {}, {})
    actor: Any = AnonymousUser() if role == "anonymous" else None
    for visibility in VISIBILITIES:
        community = quick_community(f"World {visibility}", visibility, members=(author,))
        world.communities[visibility] = community
        world.unanswered[visibility] = start_thread(
            author, community, title=f"Unanswered {visibility}", body=f"Nobody answered zq{visibility}alone yet."
        )
        answered = start_thread(
            author, community, title=f"Answered {visibility}", body=f"Someone answered zq{visibility}talk here."
        )
        world.answered[visibility] = answered
        world.visible_reply[visibility] = services.post_reply(
            actor=author, thread=answered, body=f"A visible reply zq{visibility}reply."
        )
        world.held_reply[visibility] = services.post_reply(
            actor=author, thread=answered, body=f"holdme zq{visibility}heldreply."
        )
        assert world.held_reply[visibility].status == PostStatus.HELD
        world.held_thread[visibility] = start_thread(
            author, community, title=f"Held {visibility}", body=f"holdme zq{visibility}heldthread."
        )
        assert world.held_thread[visibility].status == PostStatus.HELD
        if actor is None:
            actor = make_person(
                f"actor_{ROLES.index(role)}",
                {"admin": Role.ADMIN, "site_moderator": Role.MODERATOR}.get(role, Role.MEMBER),
            )
        membership = {
            "member": (MemberRole.MEMBER, MembershipStatus.ACTIVE),
            "community_moderator": (MemberRole.MODERATOR, MembershipStatus.ACTIVE),
            "host": (MemberRole.HOST, MembershipStatus.ACTIVE),
            "pending": (MemberRole.MEMBER, MembershipStatus.PENDING),
            "banned": (MemberRole.MEMBER, MembershipStatus.BANNED),
            "invited": (MemberRole.MEMBER, MembershipStatus.INVITED),
        }.get(role)
        if membership is not None:
            join_as(actor, community, role=membership[0], status=membership[1])
    world.actor = actor
    return world


def _ids(items: Any) -> set[int]:
    return {item.pk for item in items}


def _can_read(role: str, visibility: str) -> bool:
    return bool(EXPECTED[(role, "read", visibility)])


def _is_active_member(role: str) -> bool:
    return role in AUTHORING_ROLES


@pytest.mark.parametrize("role", ROLES)
def test_the_directory_lists_hidden_communities_only_to_members_invitees_and_staff(role: str) -> None:
    world = build_world(role)
    listed = _ids(selectors.community_directory(user=world.actor))
    for visibility, community in world.communities.items():
        assert (community.pk in listed) is bool(EXPECTED[(role, "see", visibility)]), visibility


@pytest.mark.parametrize("role", ROLES)
def test_community_threads_show_nothing_to_those_who_cannot_read(role: str) -> None:
    world = build_world(role)
    for visibility, community in world.communities.items():
        shown = _ids(selectors.community_threads(viewer=community_viewer(world.actor, community)).object_list)
        if not _can_read(role, visibility):
            assert shown == set(), visibility
            continue
        expected = {world.unanswered[visibility].pk, world.answered[visibility].pk}
        if role in MODERATING_ROLES:
            expected.add(world.held_thread[visibility].pk)  # moderators see it, to review it
        assert shown == expected, visibility


@pytest.mark.parametrize("role", ROLES)
def test_thread_posts_show_nothing_to_those_who_cannot_read(role: str) -> None:
    world = build_world(role)
    for visibility, community in world.communities.items():
        thread = world.answered[visibility]
        shown = _ids(selectors.thread_posts(viewer=community_viewer(world.actor, community), thread=thread))
        if not _can_read(role, visibility):
            assert shown == set(), visibility
            continue
        expected = {opening_post(thread).pk, world.visible_reply[visibility].pk}
        if role in MODERATING_ROLES:
            expected.add(world.held_reply[visibility].pk)
        assert shown == expected, visibility


@pytest.mark.parametrize("role", ROLES)
def test_waiting_threads_come_only_from_communities_the_person_belongs_to(role: str) -> None:
    world = build_world(role)
    expected = {world.unanswered[v].pk for v in VISIBILITIES if _is_active_member(role)}
    assert _ids(selectors.waiting_threads(user=world.actor)) == expected
    for visibility, community in world.communities.items():
        shown = _ids(selectors.waiting_threads(user=world.actor, community=community))
        assert shown == ({world.unanswered[visibility].pk} if _is_active_member(role) else set())


@pytest.mark.parametrize("role", ROLES)
def test_the_feed_comes_only_from_communities_the_person_belongs_to(role: str) -> None:
    world = build_world(role)
    shown = _ids(selectors.feed_threads(user=world.actor).object_list)
    expected = (
        {world.unanswered[v].pk for v in VISIBILITIES} | {world.answered[v].pk for v in VISIBILITIES}
        if _is_active_member(role)
        else set()
    )
    assert shown == expected


@pytest.mark.parametrize("role", ROLES)
def test_post_search_finds_only_what_the_person_may_read(role: str) -> None:
    world = build_world(role)
    for visibility in VISIBILITIES:
        found = _ids(selectors.post_search(user=world.actor, query=f"zq{visibility}reply"))
        expected = {world.visible_reply[visibility].pk} if _can_read(role, visibility) else set()
        assert found == expected, visibility
        # Held posts are not searchable, even by the moderators who can see them.
        assert _ids(selectors.post_search(user=world.actor, query=f"zq{visibility}heldreply")) == set()
        assert _ids(selectors.post_search(user=world.actor, query=f"zq{visibility}heldthread")) == set()


def test_held_posts_appear_only_to_their_author_and_moderators() -> None:
    world = build_world("member")  # the actor is an ordinary active member of all three
    for visibility, community in world.communities.items():
        thread = world.answered[visibility]
        held_reply, held_thread = world.held_reply[visibility], world.held_thread[visibility]
        for person, sees in ((world.author, True), (world.actor, False)):
            viewer = community_viewer(person, community)
            assert (held_reply.pk in _ids(selectors.thread_posts(viewer=viewer, thread=thread))) is sees
            assert (held_thread.pk in _ids(selectors.community_threads(viewer=viewer).object_list)) is sees
            if sees:
                access.access_thread(person, held_thread.pk)
                access.access_post(person, held_reply.pk)
            else:
                with pytest.raises(NotFound):
                    access.access_thread(person, held_thread.pk)
                with pytest.raises(NotFound):
                    access.access_post(person, held_reply.pk)
        # Held threads are never "waiting" nor in anyone's feed, the author's included.
        assert held_thread.pk not in _ids(selectors.waiting_threads(user=world.author))
        assert held_thread.pk not in _ids(selectors.feed_threads(user=world.author).object_list)


# --- Anonymous posts: the author's pseudonym is never shown to members ------------------------


@pytest.fixture
def anonymous_scene(db: Any) -> dict[str, Any]:
    writer = make_person("secret_writer", display_name="Secret Display")
    reader = make_person("curious_reader")
    starter = make_person("thread_starter")
    community = quick_community("Anon room", "private", members=(writer, reader, starter))
    thread = start_thread(starter, community, title="Something heavy", body="Can I talk about this here?")
    anonymous_thread = start_thread(
        writer, community, title="Nobody knows", body="I never told anyone zqanonword.", is_anonymous=True
    )
    reply = services.post_reply(
        actor=writer, thread=thread, body="Me too. @thread_starter you are brave.", is_anonymous=True
    )
    return {
        "writer": writer,
        "reader": reader,
        "starter": starter,
        "community": community,
        "thread": thread,
        "anonymous_thread": anonymous_thread,
        "reply": reply,
    }


def _assert_no_trace(text: str, writer: User) -> None:
    lowered = text.lower()
    assert writer.username.lower() not in lowered
    assert "secret display" not in lowered


def test_author_label_of_an_anonymous_post_never_names_the_author(anonymous_scene: dict[str, Any]) -> None:
    reply, writer = anonymous_scene["reply"], anonymous_scene["writer"]
    assert presenters.author_label(reply) == "Anonymous member"
    assert presenters.author_label(opening_post(anonymous_scene["anonymous_thread"])) == "Anonymous member"
    _assert_no_trace(reply.body_html, writer)


def test_notifications_about_an_anonymous_reply_carry_no_trace_of_the_author(
    anonymous_scene: dict[str, Any],
) -> None:
    writer, starter = anonymous_scene["writer"], anonymous_scene["starter"]
    services.post_reply(actor=writer, thread=anonymous_scene["thread"], body="Still here.", is_anonymous=True)
    rows = list(notification_list(viewer=starter))
    assert [row.kind for row in rows] == ["mention", "replies"]  # the reply that mentions them is the mention
    views = present_notifications(rows, notification_details(viewer=starter, notifications=rows))
    assert [(view.text, view.actor_label) for view in views] == [
        ("Anonymous member mentioned you in “Something heavy”", "Anonymous member"),
        ("1 new reply in “Something heavy”", "Anonymous member"),
    ]
    for row, view in zip(rows, views, strict=True):
        for value in (
            row.actor_label,
            view.text,
            view.detail,
            row.subject,
            row.url,
            row.target_type,
            str(row.target_id),
        ):
            _assert_no_trace(value, writer)


def test_quoting_an_anonymous_post_quotes_the_label_not_the_author(anonymous_scene: dict[str, Any]) -> None:
    reader, writer, community = anonymous_scene["reader"], anonymous_scene["writer"], anonymous_scene["community"]
    quoting = services.post_reply(
        actor=reader, thread=anonymous_scene["thread"], body="Thank you.", quote=anonymous_scene["reply"]
    )
    assert quoting.body == "Thank you."  # the quote is shown from the quoted post, never copied
    page = client_for(reader).get(reverse("communities:thread", args=[community.slug, anonymous_scene["thread"].pk]))
    html = page.content.decode()
    assert "Anonymous member wrote:" in html
    _assert_no_trace(html, writer)


def test_pages_a_member_sees_never_show_an_anonymous_authors_pseudonym(anonymous_scene: dict[str, Any]) -> None:
    reader, writer, community = anonymous_scene["reader"], anonymous_scene["writer"], anonymous_scene["community"]
    client = client_for(reader)
    pages = [
        reverse("communities:community", args=[community.slug]),
        reverse("communities:thread", args=[community.slug, anonymous_scene["thread"].pk]),
        reverse("communities:thread", args=[community.slug, anonymous_scene["anonymous_thread"].pk]),
        reverse("communities:feed"),
        reverse("communities:waiting"),
        reverse("communities:directory"),
        reverse("communities:search") + "?q=zqanonword",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        _assert_no_trace(html, writer)
    thread_page = client.get(pages[1]).content.decode()
    assert "Anonymous member" in thread_page
    search_page = client.get(pages[-1]).content.decode()
    assert "zqanonword" in search_page  # the search did find it; it just does not name the author


def test_the_anonymous_author_sees_their_own_post_marked_as_theirs(anonymous_scene: dict[str, Any]) -> None:
    community, writer = anonymous_scene["community"], anonymous_scene["writer"]
    page = client_for(writer).get(reverse("communities:thread", args=[community.slug, anonymous_scene["thread"].pk]))
    assert "Anonymous member (you)" in page.content.decode()


# --- Removed and held content is never served again ---------------------------------------------


@pytest.fixture
def removal_scene(db: Any) -> dict[str, Any]:
    keeper = make_person("removal_keeper")
    writer, reader = make_person("removal_writer"), make_person("removal_reader")
    community = quick_community("Removal room", "public", members=(writer, reader))
    join_as(keeper, community, role=MemberRole.MODERATOR)
    thread = start_thread(writer, community, title="zqremovedtitle", body="zqremovedopening words")
    reply = services.post_reply(actor=reader, thread=thread, body="zqremovedreply words")
    kept = start_thread(writer, community, title="Kept thread", body="Still here")
    quoted = services.post_reply(actor=writer, thread=kept, body="zqquotedwords that will go")
    quoting = services.post_reply(actor=reader, thread=kept, body="Quoting that", quote=quoted)
    return {
        "keeper": keeper, "writer": writer, "reader": reader, "community": community, "thread": thread,
        "reply": reply, "kept": kept, "quoted": quoted, "quoting": quoting,
    }  # fmt: skip


def test_a_removed_thread_is_gone_with_its_title_and_replies_on_every_page(removal_scene: dict[str, Any]) -> None:
    scene = removal_scene
    services.post_delete(actor=scene["keeper"], post=opening_post(scene["thread"]), reason="Unsafe")
    community = scene["community"]
    for person in (scene["reader"], scene["writer"], scene["keeper"]):
        client = client_for(person)
        assert client.get(reverse("communities:thread", args=[community.slug, scene["thread"].pk])).status_code == 404
        assert client.get(reverse("communities:post", args=[scene["reply"].pk])).status_code == 404
        reply_page = reverse("communities:reply", args=[community.slug, scene["thread"].pk])
        assert client.get(reply_page).status_code == 404
        for url in (
            reverse("communities:community", args=[community.slug]),
            reverse("communities:feed"),
            reverse("communities:waiting"),
            reverse("communities:search") + "?q=words",
            reverse("notifications:list"),
        ):
            html = client.get(url).content.decode()
            assert "zqremoved" not in html, (person.username, url)


def test_a_removed_post_is_gone_from_its_thread_and_from_the_quotes_of_it(removal_scene: dict[str, Any]) -> None:
    scene = removal_scene
    community, kept = scene["community"], scene["kept"]
    page_url = reverse("communities:thread", args=[community.slug, kept.pk])
    assert "zqquotedwords" in client_for(scene["reader"]).get(page_url).content.decode()  # quoted while it stands
    services.post_delete(actor=scene["writer"], post=scene["quoted"])
    for person in (scene["reader"], scene["keeper"]):
        client = client_for(person)
        html = client.get(page_url).content.decode()
        assert "zqquotedwords" not in html
        assert "This post was removed." in html
        assert client.get(reverse("communities:post", args=[scene["quoted"].pk])).status_code == 404
        # The quote preview of the reply page: asking to quote it is not found.
        reply_url = reverse("communities:reply", args=[community.slug, kept.pk]) + f"?quote={scene['quoted'].pk}"
        assert client.get(reply_url).status_code == 404


@pytest.mark.parametrize("quote", ["²", "abc", "-1", "1.5", "99999999999999999999999", "", " 1"])
def test_a_reply_page_asked_to_quote_nonsense_shows_the_empty_reply_box(
    removal_scene: dict[str, Any], quote: str
) -> None:
    scene = removal_scene
    reply_url = reverse("communities:reply", args=[scene["community"].slug, scene["kept"].pk])
    response = client_for(scene["reader"]).get(reply_url, {"quote": quote})
    assert response.status_code in (200, 404)
    assert "zqquotedwords" not in response.content.decode()


def test_a_held_threads_replies_are_seen_only_by_its_author_and_moderators(db: Any) -> None:
    keeper, writer, reader = make_person("held_keeper"), make_person("held_writer"), make_person("held_reader")
    community = quick_community("Held room", "public", members=(writer, reader))
    join_as(keeper, community, role=MemberRole.MODERATOR)
    thread = start_thread(writer, community, title="Fine title", body="Fine words")
    reply = services.post_reply(actor=writer, thread=thread, body="zqreplyofheld")
    BlockedTerm.objects.create(term="zqnowheld", action="hold")
    services.post_edit(actor=writer, post=opening_post(thread), body="zqnowheld words")  # the thread is held now
    assert Thread.objects.get(pk=thread.pk).status == PostStatus.HELD
    assert client_for(reader).get(reverse("communities:post", args=[reply.pk])).status_code == 404
    with pytest.raises(NotFound):
        access.access_post(reader, reply.pk)
    for person in (writer, keeper):
        access.access_post(person, reply.pk)
        assert client_for(person).get(reverse("communities:post", args=[reply.pk])).status_code == 302


def test_an_anonymous_post_names_nobody_in_the_database(anonymous_scene: dict[str, Any]) -> None:
    """A database dump must not name an anonymous writer: the post row holds neither their id nor
    anything readable that leads to them (see also tests/test_privacy_at_rest.py)."""
    writer = anonymous_scene["writer"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT author_id, author_ref, author_sealed FROM communities_post WHERE id = %s",
            [anonymous_scene["reply"].pk],
        )
        author_id, author_ref, author_sealed = cursor.fetchone()
    assert author_id is None
    assert str(writer.pk) != author_ref
    assert author_sealed.startswith("fernet:")  # the id, encrypted


# --- Staff names carry their badge ----------------------------------------------------------------


def test_a_staff_name_carries_its_badge_wherever_it_is_shown() -> None:
    """Nobody can pass as staff, and staff never pass as members: wherever a staff member's name
    appears (thread list, thread, quote, search, notification, moderation queue) so does their role."""
    BlockedTerm.objects.create(term="holdme", action="hold")
    starter = make_person("badge_starter")
    host = make_person("badge_host")
    staff = make_person("badge_keeper", Role.MODERATOR, display_name="Sam Keeper")
    community = quick_community("Badge Place", "public", host=host, members=(starter, staff))
    thread = start_thread(staff, community, title="From the team", body="A gentle zqbadge hello")
    staff_reply = services.post_reply(actor=staff, thread=start_thread(starter, community), body="I hear you")
    services.post_reply(actor=starter, thread=thread, body="Thank you", quote=opening_post(thread))
    held = services.post_reply(actor=staff, thread=thread, body="holdme, said gently")
    assert held.status == PostStatus.HELD
    signature = "Sam Keeper (Moderator)"

    member = client_for(starter)
    listing = member.get(reverse("communities:community", args=[community.slug])).content.decode()
    assert 'by Sam Keeper <a class="badge badge-staff" href="/badges/#moderator">Moderator</a>' in listing
    page = member.get(reverse("communities:thread", args=[community.slug, thread.pk])).content.decode()
    assert f"{signature} wrote:" in page
    assert 'class="badge badge-staff" href="/badges/#moderator">Moderator<' in page
    found = member.get(reverse("communities:search"), {"q": "zqbadge"}).content.decode()
    assert f"by {signature}" in found
    rows = list(notification_list(viewer=starter))
    (told,) = present_notifications(rows, notification_details(viewer=starter, notifications=rows))
    assert (told.actor_label, told.detail) == (signature, f"Newest, from {signature}: “I hear you”")
    assert staff_reply.thread_id == told.notification.target_id
    queue = client_for(host).get(reverse("communities:moderate", args=[community.slug])).content.decode()
    assert f"by {signature}" in queue
