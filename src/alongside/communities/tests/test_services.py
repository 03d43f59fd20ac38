"""The community services: what they refuse, what they save, what they keep consistent, whom they
notify. Input that is refused must leave nothing behind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.accounts.models import Role, User
from alongside.communities import access, presenters, selectors, services
from alongside.communities.access import community_viewer
from alongside.communities.models import (
    Community,
    MemberRole,
    Membership,
    MembershipStatus,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    Thread,
)
from alongside.communities.tests.conftest import join_as, opening_post, quick_community, start_thread
from alongside.core.errors import NotAllowed, NotFound
from alongside.core.models import AuditEntry, BlockedTerm
from alongside.moderation.models import NewAccountLimits
from alongside.notifications.models import Notification, NotificationKind
from alongside.notifications.presenters import NotificationView, present_notifications
from alongside.notifications.selectors import notification_details, notification_list
from tests.personas import make_person

pytestmark = pytest.mark.django_db


@dataclass
class Room:
    community: Community
    host: User
    moderator: User  # community moderator
    author: User  # started `thread`
    member: User
    thread: Thread


def _room(visibility: str, name: str) -> Room:
    host = make_person(f"{name}_host")
    moderator = make_person(f"{name}_keeper")
    author = make_person(f"{name}_author")
    member = make_person(f"{name}_member")
    community = quick_community(f"{name} room", visibility, host=host, members=(author, member))
    join_as(moderator, community, role=MemberRole.MODERATOR)
    thread = start_thread(author, community, title="Sleepless again", body="Third night in a row.")
    return Room(community, host, moderator, author, member, thread)


@pytest.fixture
def room(db: Any) -> Room:
    return _room("public", "open")


@pytest.fixture
def private_room(db: Any) -> Room:
    return _room("private", "closed")


def counts() -> tuple[int, int, int, int, int]:
    return (
        Thread.objects.count(),
        Post.objects.count(),
        PostRevision.objects.count(),
        Reaction.objects.count(),
        Notification.objects.count(),
    )


@contextmanager
def refused_with(field: str) -> Iterator[None]:
    """The call raises a ValidationError naming `field`, and nothing at all is saved."""
    before = counts()
    with pytest.raises(ValidationError) as error:
        yield
    assert field in error.value.message_dict, error.value.message_dict
    assert counts() == before


def fresh(thread: Thread) -> Thread:
    return Thread.objects.get(pk=thread.pk)


def notifications_for(user: User, kind: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


def shown_to(user: User) -> list[NotificationView]:
    """A person's notifications as their list shows them."""
    rows = list(notification_list(viewer=user))
    return present_notifications(rows, notification_details(viewer=user, notifications=rows))


# --- Bad input ----------------------------------------------------------------------------------

BAD_TITLES = ["", "    ", "\n\t ", "x" * 151, "y " * 75 + "z"]  # the last is 151 characters once collapsed
BAD_BODIES = ["", "   ", "\n\n\t", "x" * 20001]


@pytest.mark.parametrize("title", BAD_TITLES, ids=["empty", "spaces", "whitespace", "151", "151-collapsed"])
def test_thread_create_refuses_a_bad_title(room: Room, title: str) -> None:
    with refused_with("title"):
        services.thread_create(actor=room.member, community=room.community, title=title, body="Fine body")


@pytest.mark.parametrize("body", BAD_BODIES, ids=["empty", "spaces", "whitespace", "20001"])
def test_thread_create_refuses_a_bad_body(room: Room, body: str) -> None:
    with refused_with("body"):
        services.thread_create(actor=room.member, community=room.community, title="Fine title", body=body)


def test_thread_create_accepts_the_longest_title_and_body_and_tidies_whitespace(room: Room) -> None:
    thread = services.thread_create(
        actor=room.member, community=room.community, title="  " + "t" * 150 + "  ", body="  " + "b" * 20000 + "\n"
    )
    assert thread.title == "t" * 150
    assert opening_post(thread).body == "b" * 20000
    tidy = services.thread_create(actor=room.member, community=room.community, title=" A \n  b ", body="x")
    assert tidy.title == "A b"


@pytest.mark.parametrize("warnings", [["spoilers"], ["grief", "nope"], [""]])
def test_thread_create_refuses_unknown_content_warnings(room: Room, warnings: list[str]) -> None:
    with refused_with("content_warnings"):
        services.thread_create(
            actor=room.member, community=room.community, title="Fine", body="Fine", content_warnings=warnings
        )


def test_content_warnings_are_kept_in_canonical_order_without_repeats(room: Room) -> None:
    thread = services.thread_create(
        actor=room.member,
        community=room.community,
        title="Fine",
        body="Fine",
        content_warnings=["grief", "self_harm", "grief"],
    )
    assert opening_post(thread).content_warnings == ["self_harm", "grief"]


@pytest.mark.parametrize("body", BAD_BODIES, ids=["empty", "spaces", "whitespace", "20001"])
def test_post_reply_refuses_a_bad_body(room: Room, body: str) -> None:
    with refused_with("body"):
        services.post_reply(actor=room.member, thread=room.thread, body=body)
    assert fresh(room.thread).reply_count == 0


def test_post_reply_refuses_unknown_content_warnings(room: Room) -> None:
    with refused_with("content_warnings"):
        services.post_reply(actor=room.member, thread=room.thread, body="Fine", content_warnings=["unknown"])


def test_post_edit_refuses_bad_input_and_keeps_the_post_as_it_was(room: Room) -> None:
    post = opening_post(room.thread)
    with refused_with("body"):
        services.post_edit(actor=room.author, post=post, body="   ")
    with refused_with("body"):
        services.post_edit(actor=room.author, post=post, body="x" * 20001)
    with refused_with("title"):
        services.post_edit(actor=room.author, post=post, body="Fine", title="x" * 151)
    with refused_with("title"):
        services.post_edit(actor=room.author, post=post, body="Fine", title="   ")
    with refused_with("content_warnings"):
        services.post_edit(actor=room.author, post=post, body="Fine", content_warnings=["nope"])
    post.refresh_from_db()
    assert (post.body, post.edited_at, fresh(room.thread).title) == ("Third night in a row.", None, "Sleepless again")


@pytest.mark.parametrize("kind", ["like", "", "RELATE", "relate "])
def test_reaction_set_refuses_unknown_kinds(room: Room, kind: str) -> None:
    with refused_with("kind"):
        services.reaction_set(actor=room.member, post=opening_post(room.thread), kind=kind, on=True)


def test_reaction_set_is_idempotent_so_a_retry_never_undoes_it(room: Room) -> None:
    post = opening_post(room.thread)
    assert services.reaction_set(actor=room.member, post=post, kind="support", on=True) is True
    assert services.reaction_set(actor=room.member, post=post, kind="support", on=True) is False  # a retry
    assert services.reaction_set(actor=room.member, post=post, kind="relate", on=True) is True
    assert sorted(Reaction.objects.filter(post=post).values_list("kind", flat=True)) == ["relate", "support"]
    assert services.reaction_set(actor=room.member, post=post, kind="support", on=False) is True
    assert services.reaction_set(actor=room.member, post=post, kind="support", on=False) is False  # a retry
    assert list(Reaction.objects.filter(post=post).values_list("kind", flat=True)) == ["relate"]


# --- Where replies may go -------------------------------------------------------------------


def test_a_locked_thread_takes_replies_only_from_the_communitys_moderators(room: Room) -> None:
    services.thread_lock(actor=room.moderator, thread=room.thread)
    for person in (room.member, room.author):
        with pytest.raises(NotAllowed):
            services.post_reply(actor=person, thread=room.thread, body="Can I still reply?")
    assert fresh(room.thread).reply_count == 0
    services.post_reply(actor=room.moderator, thread=room.thread, body="Locking this for now, take care.")
    services.post_reply(actor=room.host, thread=room.thread, body="Hosts too.")
    assert fresh(room.thread).reply_count == 2
    services.thread_lock(actor=room.moderator, thread=room.thread, locked=False)
    services.post_reply(actor=room.member, thread=room.thread, body="Open again.")
    assert fresh(room.thread).reply_count == 3


def test_nobody_replies_to_a_removed_thread(room: Room) -> None:
    services.post_delete(actor=room.moderator, post=opening_post(room.thread), reason="Unsafe")
    for person in (room.member, room.author, room.moderator, room.host):
        with pytest.raises(NotAllowed):
            services.post_reply(actor=person, thread=room.thread, body="Hello?")


def test_nobody_replies_to_a_held_thread_until_it_is_approved(room: Room) -> None:
    BlockedTerm.objects.create(term="zqheld", action="hold")
    thread = start_thread(room.author, room.community, title="About zqheld", body="Please read")
    for person in (room.member, room.author, room.moderator):
        with pytest.raises(NotAllowed):
            services.post_reply(actor=person, thread=thread, body="Hello?")
    services.post_review(actor=room.moderator, post=opening_post(thread), approve=True)
    services.post_reply(actor=room.member, thread=thread, body="Hello!")


def test_a_quote_must_come_from_a_visible_post_in_the_same_thread(room: Room) -> None:
    elsewhere = start_thread(room.member, room.community, title="Another", body="Quote me elsewhere")
    with refused_with("quote"):
        services.post_reply(actor=room.member, thread=room.thread, body="Hm", quote=opening_post(elsewhere))
    removed = services.post_reply(actor=room.author, thread=room.thread, body="Regret this")
    services.post_delete(actor=room.author, post=removed)
    with refused_with("quote"):
        services.post_reply(actor=room.member, thread=room.thread, body="Hm", quote=Post.objects.get(pk=removed.pk))
    assert fresh(room.thread).reply_count == 0

    quoting = services.post_reply(actor=room.member, thread=room.thread, body="Same.", quote=opening_post(room.thread))
    assert quoting.quoted_post_id == opening_post(room.thread).pk
    # The quoted words are shown from the quoted post, not copied: removing it removes its quotes.
    assert quoting.body == "Same."


def test_a_held_post_cannot_be_quoted(room: Room) -> None:
    BlockedTerm.objects.create(term="zqheld", action="hold")
    held = services.post_reply(actor=room.author, thread=room.thread, body="zqheld words")
    assert held.status == PostStatus.HELD
    for person in (room.author, room.moderator):
        with refused_with("quote"):
            services.post_reply(actor=person, thread=room.thread, body="Quoting", quote=held)


# --- Screening ----------------------------------------------------------------------------------


@pytest.fixture
def hold_term(db: Any) -> BlockedTerm:
    return BlockedTerm.objects.create(term="zqhold", action="hold", note="test term")


def test_a_held_thread_is_saved_held_and_tells_nobody(room: Room, hold_term: BlockedTerm) -> None:
    before = Notification.objects.count()
    thread = services.thread_create(
        actor=room.author, community=room.community, title="Fine title", body=f"zqhold, @{room.member.username}"
    )
    post = opening_post(thread)
    assert (thread.status, post.status) == (PostStatus.HELD, PostStatus.HELD)
    assert post.screening_reasons[0]["rule"] == "zqhold"
    assert Notification.objects.count() == before  # the mention waits for a moderator
    assert thread.pk not in {t.pk for t in selectors.waiting_threads(user=room.member)}

    services.post_review(actor=room.moderator, post=post, approve=True)
    assert fresh(thread).status == PostStatus.VISIBLE
    assert [n.kind for n in notifications_for(room.member)] == ["mention"]


def test_a_title_alone_can_hold_a_thread(room: Room, hold_term: BlockedTerm) -> None:
    thread = services.thread_create(actor=room.author, community=room.community, title="ZQHOLD", body="Fine")
    assert thread.status == PostStatus.HELD


def test_a_held_reply_changes_nothing_until_it_is_approved(room: Room, hold_term: BlockedTerm) -> None:
    before = fresh(room.thread)
    reply = services.post_reply(actor=room.member, thread=room.thread, body="zqhold is how I feel")
    assert reply.status == PostStatus.HELD
    after = fresh(room.thread)
    assert (after.reply_count, after.last_activity_at) == (0, before.last_activity_at)
    assert Notification.objects.count() == 0
    assert reply.pk in {p.pk for p in selectors.held_posts(viewer=community_viewer(room.moderator, room.community))}

    services.post_review(actor=room.moderator, post=reply, approve=True, reason="It is fine in context")
    assert Post.objects.get(pk=reply.pk).status == PostStatus.VISIBLE
    approved = fresh(room.thread)
    assert approved.reply_count == 1
    assert approved.last_activity_at > before.last_activity_at
    (notification,) = shown_to(room.author)
    assert (notification.notification.kind, notification.actor_label) == ("replies", room.member.username)
    assert (notification.count, notification.snippet) == (1, "zqhold is how I feel")
    entry = AuditEntry.objects.get(action="communities.post.approved")
    assert (entry.actor_id, entry.target_id, entry.reason) == (
        room.moderator.pk,
        str(reply.pk),
        "It is fine in context",
    )
    assert entry.data["screening"][0]["rule"] == "zqhold"


def test_a_rejected_reply_stays_out_of_sight(room: Room, hold_term: BlockedTerm) -> None:
    reply = services.post_reply(actor=room.member, thread=room.thread, body="zqhold")
    services.post_review(actor=room.moderator, post=reply, approve=False, reason="Not here")
    assert Post.objects.get(pk=reply.pk).status == PostStatus.REMOVED
    assert fresh(room.thread).reply_count == 0
    assert Notification.objects.count() == 0
    assert AuditEntry.objects.filter(action="communities.post.rejected", target_id=str(reply.pk)).exists()
    with pytest.raises(ValidationError):  # decided once
        services.post_review(actor=room.moderator, post=reply, approve=True)


def test_only_moderators_review_held_posts(room: Room, hold_term: BlockedTerm) -> None:
    reply = services.post_reply(actor=room.member, thread=room.thread, body="zqhold")
    for person in (room.member, room.author):
        with pytest.raises(NotAllowed):
            services.post_review(actor=person, post=reply, approve=True)
    assert Post.objects.get(pk=reply.pk).status == PostStatus.HELD


def test_an_anonymous_held_reply_is_announced_anonymously_once_approved(room: Room, hold_term: BlockedTerm) -> None:
    reply = services.post_reply(actor=room.member, thread=room.thread, body="zqhold", is_anonymous=True)
    services.post_review(actor=room.moderator, post=reply, approve=True)
    (notification,) = shown_to(room.author)
    assert notification.actor_label == "Anonymous member"
    assert room.member.username not in notification.text + notification.detail


def test_a_flagged_term_publishes_at_once(room: Room) -> None:
    BlockedTerm.objects.create(term="zqflag", action="flag")
    reply = services.post_reply(actor=room.member, thread=room.thread, body="zqflag")
    assert reply.status == PostStatus.VISIBLE
    assert reply.screening_reasons[0]["action"] == "flag"
    assert fresh(room.thread).reply_count == 1


# --- reply_count and last_activity_at ---------------------------------------------------------


def test_reply_count_and_last_activity_follow_replies_deletions_and_holds(room: Room, hold_term: BlockedTerm) -> None:
    started = fresh(room.thread).last_activity_at
    first = services.post_reply(actor=room.member, thread=room.thread, body="One")
    assert fresh(room.thread).reply_count == 1
    assert fresh(room.thread).last_activity_at == first.created_at > started
    second = services.post_reply(actor=room.author, thread=room.thread, body="Two")
    assert fresh(room.thread).reply_count == 2
    assert fresh(room.thread).last_activity_at == second.created_at

    services.post_delete(actor=room.member, post=first)
    assert fresh(room.thread).reply_count == 1

    held = services.post_reply(actor=room.member, thread=room.thread, body="zqhold three")
    assert fresh(room.thread).reply_count == 1
    assert fresh(room.thread).last_activity_at == second.created_at
    services.post_delete(actor=room.member, post=held)  # deleting a held reply: nothing to subtract
    assert fresh(room.thread).reply_count == 1

    # An edit that screening holds takes the reply out of the count; approval puts it back.
    services.post_edit(actor=room.author, post=second, body="Two, now zqhold")
    assert Post.objects.get(pk=second.pk).status == PostStatus.HELD
    assert fresh(room.thread).reply_count == 0
    services.post_review(actor=room.moderator, post=second, approve=True)
    assert fresh(room.thread).reply_count == 1

    with pytest.raises(NotAllowed):  # already removed: not twice
        services.post_delete(actor=room.moderator, post=first)
    assert fresh(room.thread).reply_count == 1
    visible_replies = Post.objects.filter(thread=room.thread, is_opening=False, status=PostStatus.VISIBLE).count()
    assert fresh(room.thread).reply_count == visible_replies


# --- Editing and deleting -----------------------------------------------------------------------


def test_an_edit_keeps_the_previous_text_as_a_revision(room: Room) -> None:
    post = opening_post(room.thread)
    services.post_edit(actor=room.author, post=post, body="Fourth night now.", title="Still sleepless")
    post.refresh_from_db()
    assert post.body == "Fourth night now."
    assert "Fourth night now." in post.body_html
    assert post.edited_at is not None
    assert fresh(room.thread).title == "Still sleepless"
    (revision,) = PostRevision.objects.filter(post=post)
    assert (revision.body, revision.title, revision.edited_by_id) == (
        "Third night in a row.",
        "Sleepless again",
        room.author.pk,
    )
    assert not AuditEntry.objects.filter(action="communities.post.edited_by_moderator").exists()

    services.post_edit(actor=room.author, post=post, body="Fifth.")
    assert [r.body for r in PostRevision.objects.filter(post=post).order_by("pk")] == [
        "Third night in a row.",
        "Fourth night now.",
    ]
    revisions = selectors.post_revisions(viewer=community_viewer(room.moderator, room.community), post=post)
    assert len(revisions) == 2
    assert selectors.post_revisions(viewer=community_viewer(room.member, room.community), post=post) == []


def test_a_title_is_ignored_when_editing_a_reply(room: Room) -> None:
    reply = services.post_reply(actor=room.member, thread=room.thread, body="Reply")
    services.post_edit(actor=room.member, post=reply, body="Reply, edited", title="Hijacked title")
    assert fresh(room.thread).title == "Sleepless again"
    assert PostRevision.objects.get(post=reply).title == ""


def test_a_moderator_edit_is_audited(room: Room) -> None:
    reply = services.post_reply(actor=room.member, thread=room.thread, body="Call me on 0123 456 789")
    services.post_edit(actor=room.moderator, post=reply, body="[phone number removed]")
    entry = AuditEntry.objects.get(action="communities.post.edited_by_moderator")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        room.moderator.pk,
        "communities.post",
        str(reply.pk),
    )
    revision = PostRevision.objects.get(post=reply)
    assert (revision.body, revision.edited_by_id) == ("Call me on 0123 456 789", room.moderator.pk)


def test_others_cannot_edit_or_delete_a_members_post(room: Room) -> None:
    post = opening_post(room.thread)
    with pytest.raises(NotAllowed):
        services.post_edit(actor=room.member, post=post, body="Mine now")
    with pytest.raises(NotAllowed):
        services.post_delete(actor=room.member, post=post)
    post.refresh_from_db()
    assert (post.body, post.status) == ("Third night in a row.", PostStatus.VISIBLE)
    assert not PostRevision.objects.exists()


def test_deleting_the_opening_post_removes_the_thread(room: Room) -> None:
    reply = services.post_reply(actor=room.member, thread=room.thread, body="Still here")
    services.post_delete(actor=room.author, post=opening_post(room.thread))
    assert fresh(room.thread).status == PostStatus.REMOVED
    assert opening_post(room.thread).status == PostStatus.REMOVED
    assert not AuditEntry.objects.exists()  # the author removed their own
    viewer = community_viewer(room.member, room.community)
    assert room.thread.pk not in {t.pk for t in selectors.community_threads(viewer=viewer).object_list}
    assert room.thread.pk not in {t.pk for t in selectors.feed_threads(user=room.member).object_list}
    assert room.thread.pk not in {t.pk for t in selectors.waiting_threads(user=room.member)}
    assert Post.objects.get(pk=reply.pk).status == PostStatus.VISIBLE  # kept, for the record


def test_a_moderator_removal_is_audited_with_its_reason(room: Room) -> None:
    reply = services.post_reply(actor=room.member, thread=room.thread, body="Something unkind")
    services.post_delete(actor=room.moderator, post=reply, reason="Unkind")
    entry = AuditEntry.objects.get(action="communities.post.removed")
    assert (entry.actor_id, entry.target_id, entry.reason) == (room.moderator.pk, str(reply.pk), "Unkind")


@pytest.mark.parametrize(
    ("service", "field", "actions"),
    [
        (services.thread_lock, "is_locked", ("communities.thread.locked", "communities.thread.unlocked")),
        (services.thread_pin, "is_pinned", ("communities.thread.pinned", "communities.thread.unpinned")),
    ],
    ids=["lock", "pin"],
)
def test_lock_and_pin_are_audited_both_ways(
    room: Room, service: Callable[..., Thread], field: str, actions: tuple[str, str]
) -> None:
    flag = "locked" if field == "is_locked" else "pinned"
    service(actor=room.moderator, thread=room.thread, **{flag: True})
    assert getattr(fresh(room.thread), field) is True
    service(actor=room.host, thread=room.thread, **{flag: False})
    assert getattr(fresh(room.thread), field) is False
    entries = list(AuditEntry.objects.filter(target_type="communities.thread", target_id=str(room.thread.pk)))
    assert [(e.action, e.actor_id) for e in entries] == [(actions[0], room.moderator.pk), (actions[1], room.host.pk)]
    with pytest.raises(NotAllowed):
        service(actor=room.member, thread=room.thread, **{flag: True})
    assert AuditEntry.objects.count() == 2


def test_pinned_threads_come_first(room: Room) -> None:
    later = start_thread(room.member, room.community, title="Newer")
    viewer = community_viewer(room.member, room.community)
    assert [t.pk for t in selectors.community_threads(viewer=viewer).object_list] == [later.pk, room.thread.pk]
    services.thread_pin(actor=room.moderator, thread=room.thread)
    assert [t.pk for t in selectors.community_threads(viewer=viewer).object_list] == [room.thread.pk, later.pk]


# --- Notifications: replies and mentions ----------------------------------------------------------


def test_a_reply_notifies_the_threads_author_but_not_themself(room: Room) -> None:
    services.post_reply(actor=room.member, thread=room.thread, body="Hugs")
    (notification,) = notifications_for(room.author)
    assert notification.kind == "replies"
    assert notification.url == presenters.thread_url(room.thread)  # it opens where they left off
    assert (notification.target_type, notification.target_id) == ("communities.thread", room.thread.pk)
    (shown,) = shown_to(room.author)
    assert (shown.text, shown.actor_label, shown.detail) == (
        "1 new reply in “Sleepless again”",
        room.member.username,
        f"Newest, from {room.member.username}: “Hugs”",
    )
    services.post_reply(actor=room.author, thread=room.thread, body="Thanks")
    (notification,) = notifications_for(room.author)  # still one item, and read: they replied
    assert notification.read_at is not None
    # The member replied, so they follow the thread now and hear of the author's answer.
    assert [view.text for view in shown_to(room.member)] == ["1 new reply in “Sleepless again”"]


@pytest.mark.parametrize("how", ["left", "banned"])
def test_a_reply_does_not_notify_a_thread_author_who_can_no_longer_read_the_community(
    private_room: Room, how: str
) -> None:
    if how == "left":
        services.community_leave(actor=private_room.author, community=private_room.community)
    else:
        services.membership_ban(
            actor=private_room.host, community=private_room.community, user=private_room.author, reason="Abuse"
        )
    assert not access.check_read_community_permission(community_viewer(private_room.author, private_room.community))
    services.post_reply(actor=private_room.member, thread=private_room.thread, body="Anyone still here?")
    assert notifications_for(private_room.author) == []


def test_a_reply_is_announced_by_display_name_when_there_is_one(room: Room) -> None:
    named = make_person("has_a_name", display_name="Robin")
    join_as(named, room.community)
    services.post_reply(actor=named, thread=room.thread, body="Hi")
    assert shown_to(room.author)[0].actor_label == "Robin"


def test_an_anonymous_reply_is_announced_without_a_trace_of_who_wrote_it(room: Room) -> None:
    writer = make_person("zq_hidden_writer", display_name="Zq Hidden Name")
    join_as(writer, room.community)
    reply = services.post_reply(actor=writer, thread=room.thread, body="Me too", is_anonymous=True)
    (shown,) = shown_to(room.author)
    assert shown.actor_label == "Anonymous member"
    assert "zq" not in (shown.text + shown.detail).lower()
    (notification,) = notifications_for(room.author)
    row = Notification.objects.filter(pk=notification.pk).values().get()
    for value in row.values():
        text = str(value).lower()
        assert "zq_hidden_writer" not in text
        assert "zq hidden name" not in text
    # It points at the thread, and the reply itself names no author: no path leads to the writer.
    assert (row["target_type"], row["target_id"], row["recipient_id"]) == (
        "communities.thread",
        room.thread.pk,
        room.author.pk,
    )
    assert Post.objects.filter(pk=reply.pk).values_list("author_id", flat=True).get() is None


def test_a_mention_notifies_a_member_who_can_read(room: Room) -> None:
    services.post_reply(actor=room.member, thread=room.thread, body=f"@{room.moderator.username.upper()} can you help?")
    (notification,) = notifications_for(room.moderator)
    assert (notification.kind, notification.actor_label) == ("mention", room.member.username)


def test_a_mention_in_a_public_community_reaches_a_signed_in_non_member(room: Room) -> None:
    outsider = make_person("zq_outsider")
    services.post_reply(actor=room.member, thread=room.thread, body="@zq_outsider you would like this place")
    assert [n.kind for n in notifications_for(outsider)] == ["mention"]


@pytest.fixture
def no_new_account_limits(db: Any) -> None:
    """For tests of mentions themselves: their writers are new accounts, whom moderation.trust
    would let mention only two people (tested in moderation/tests/test_new_accounts.py)."""
    NewAccountLimits.objects.update_or_create(pk=1, defaults={"enabled": False})


@pytest.mark.usefixtures("no_new_account_limits")
def test_a_mention_never_reaches_someone_who_cannot_read_the_community(private_room: Room) -> None:
    outsider = make_person("zq_outsider")
    asking = make_person("zq_asking")
    services.community_join(actor=asking, community=private_room.community)
    banned = make_person("zq_banned")
    services.membership_ban(actor=private_room.host, community=private_room.community, user=banned, reason="Abuse")
    services.post_reply(
        actor=private_room.member,
        thread=private_room.thread,
        body=f"@zq_outsider @zq_asking @zq_banned and @{private_room.moderator.username}",
    )
    for person in (outsider, asking, banned):
        assert notifications_for(person) == [], person.username
    assert [n.kind for n in notifications_for(private_room.moderator)] == ["mention"]


def test_a_mention_never_notifies_the_author_themself(room: Room) -> None:
    services.post_reply(actor=room.member, thread=room.thread, body=f"Note to self, @{room.member.username}")
    thread = start_thread(room.member, room.community, title="Self", body=f"@{room.member.username} again")
    services.post_reply(actor=room.member, thread=thread, body=f"@{room.member.username}", is_anonymous=True)
    assert notifications_for(room.member) == []


def test_mentions_skip_unknown_names_deactivated_people_and_addresses(room: Room) -> None:
    gone = make_person("zq_gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    services.post_reply(
        actor=room.member,
        thread=room.thread,
        body=f"@nobody_here @zq_gone write to {room.moderator.username}@example.org",
    )
    assert Notification.objects.filter(kind="mention").count() == 0


def test_a_mention_of_a_pseudonym_ending_in_a_hyphen_reaches_that_person_only(room: Room) -> None:
    # "zqsky" beside "zqsky-" would be a look-alike (refused at sign-up): the nearest is a longer name.
    sky_dash, skyline = make_person("zqsky-"), make_person("zqsky-line")
    services.post_reply(actor=room.member, thread=room.thread, body="Thank you @zqsky- for this")
    assert (len(notifications_for(sky_dash)), len(notifications_for(skyline))) == (1, 0)


def test_an_anonymous_mention_is_signed_anonymous_member(room: Room) -> None:
    services.post_reply(actor=room.member, thread=room.thread, body=f"@{room.moderator.username}", is_anonymous=True)
    (notification,) = notifications_for(room.moderator)
    assert notification.actor_label == "Anonymous member"
    (shown,) = shown_to(room.moderator)
    assert shown.text == "Anonymous member mentioned you in “Sleepless again”"
    assert room.member.username not in shown.text + shown.detail


@pytest.mark.usefixtures("no_new_account_limits")
def test_a_post_notifies_at_most_twenty_mentioned_people(room: Room) -> None:
    names = [f"zq_many_{i:02d}" for i in range(25)]
    for name in names:
        make_person(name)
    services.post_reply(actor=room.member, thread=room.thread, body=" ".join(f"@{name}" for name in names))
    assert Notification.objects.filter(kind="mention").count() == services.MAX_MENTIONS == 20


# --- Joining, leaving, banning ----------------------------------------------------------------


def test_joining_a_public_community_is_immediate(room: Room) -> None:
    newcomer = make_person("newcomer")
    membership = services.community_join(actor=newcomer, community=room.community)
    assert (membership.status, membership.role) == (MembershipStatus.ACTIVE, MemberRole.MEMBER)
    with pytest.raises(NotAllowed):  # once is enough
        services.community_join(actor=newcomer, community=room.community)


def test_joining_a_private_community_asks_the_moderators(private_room: Room) -> None:
    newcomer = make_person("newcomer")
    membership = services.community_join(actor=newcomer, community=private_room.community)
    assert membership.status == MembershipStatus.PENDING
    with pytest.raises(NotFound):
        access.access_thread(newcomer, private_room.thread.pk)
    viewer = community_viewer(private_room.moderator, private_room.community)
    assert [m.pk for m in selectors.pending_memberships(viewer=viewer)] == [membership.pk]
    with pytest.raises(NotAllowed):  # asking twice
        services.community_join(actor=newcomer, community=private_room.community)

    services.membership_decide(actor=private_room.moderator, membership=membership, approve=True)
    access.access_thread(newcomer, private_room.thread.pk)
    with pytest.raises(ValidationError):  # answered already
        services.membership_decide(actor=private_room.moderator, membership=membership, approve=False)


def test_a_denied_request_is_gone_and_may_be_made_again(private_room: Room) -> None:
    newcomer = make_person("newcomer")
    membership = services.community_join(actor=newcomer, community=private_room.community)
    services.membership_decide(actor=private_room.host, membership=membership, approve=False)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(action="communities.membership.denied", data__user_id=newcomer.pk).exists()
    assert services.community_join(actor=newcomer, community=private_room.community).status == "pending"


def test_a_hidden_community_is_joined_only_by_invitation() -> None:
    host = make_person("hidden_host")
    community = quick_community("Hidden room", "hidden", host=host)
    stranger = make_person("stranger")
    with pytest.raises(NotAllowed):
        services.community_join(actor=stranger, community=community)
    assert not Membership.objects.filter(user=stranger).exists()

    services.community_invite(actor=host, community=community, invitee=stranger)
    assert Membership.objects.get(user=stranger).status == MembershipStatus.INVITED
    assert services.community_join(actor=stranger, community=community).status == MembershipStatus.ACTIVE
    assert AuditEntry.objects.filter(action="communities.membership.invited").count() == 1


def test_an_invitation_answers_a_request(private_room: Room) -> None:
    newcomer = make_person("newcomer")
    services.community_join(actor=newcomer, community=private_room.community)
    services.community_invite(actor=private_room.moderator, community=private_room.community, invitee=newcomer)
    assert Membership.objects.get(user=newcomer).status == MembershipStatus.ACTIVE


def test_leaving_and_coming_back(room: Room) -> None:
    services.community_leave(actor=room.member, community=room.community)
    assert not Membership.objects.filter(user=room.member, community=room.community).exists()
    with pytest.raises(NotAllowed):
        services.thread_create(actor=room.member, community=room.community, title="Back?", body="Not yet")
    services.community_leave(actor=room.member, community=room.community)  # leaving twice is harmless
    assert services.community_join(actor=room.member, community=room.community).status == MembershipStatus.ACTIVE


def test_the_only_host_cannot_leave(room: Room) -> None:
    with pytest.raises(ValidationError):
        services.community_leave(actor=room.host, community=room.community)
    assert Membership.objects.filter(user=room.host, role=MemberRole.HOST).exists()

    services.member_role_set(actor=room.host, community=room.community, user=room.moderator, role=MemberRole.HOST)
    services.community_leave(actor=room.host, community=room.community)
    assert not Membership.objects.filter(user=room.host).exists()


def test_a_ban_needs_a_reason_and_is_audited(room: Room) -> None:
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as error:
            services.membership_ban(actor=room.moderator, community=room.community, user=room.member, reason=reason)
        assert "reason" in error.value.message_dict
    assert Membership.objects.get(user=room.member).status == MembershipStatus.ACTIVE
    assert not AuditEntry.objects.exists()

    services.membership_ban(actor=room.moderator, community=room.community, user=room.member, reason="Harassment")
    assert Membership.objects.get(user=room.member).status == MembershipStatus.BANNED
    entry = AuditEntry.objects.get(action="communities.membership.banned")
    assert (entry.actor_id, entry.reason, entry.data) == (room.moderator.pk, "Harassment", {"user_id": room.member.pk})


def test_a_ban_stays_when_the_banned_person_leaves_or_tries_to_rejoin(room: Room) -> None:
    services.membership_ban(actor=room.moderator, community=room.community, user=room.member, reason="Spam")
    services.community_leave(actor=room.member, community=room.community)
    assert Membership.objects.get(user=room.member).status == MembershipStatus.BANNED
    with pytest.raises(NotAllowed):
        services.community_join(actor=room.member, community=room.community)
    with pytest.raises(ValidationError):
        services.community_invite(actor=room.host, community=room.community, invitee=room.member)


def test_a_ban_takes_away_a_moderators_role_and_only_hosts_ban_hosts(room: Room) -> None:
    with pytest.raises(NotAllowed):
        services.membership_ban(actor=room.moderator, community=room.community, user=room.host, reason="Coup")
    assert Membership.objects.get(user=room.host).status == MembershipStatus.ACTIVE
    services.membership_ban(actor=room.host, community=room.community, user=room.moderator, reason="Misuse")
    membership = Membership.objects.get(user=room.moderator)
    assert (membership.status, membership.role) == (MembershipStatus.BANNED, MemberRole.MEMBER)
    assert not community_viewer(room.moderator, room.community).moderates


def test_members_cannot_ban(room: Room) -> None:
    with pytest.raises(NotAllowed):
        services.membership_ban(actor=room.member, community=room.community, user=room.author, reason="Because")
    assert Membership.objects.get(user=room.author).status == MembershipStatus.ACTIVE


# --- Communities ------------------------------------------------------------------------------


def test_only_administrators_create_communities_and_become_their_host(db: Any) -> None:
    admin = make_person("the_lead", Role.ADMIN)
    for index, role in enumerate((Role.MEMBER, Role.MODERATOR, Role.FACILITATOR)):
        with pytest.raises(NotAllowed):
            services.community_create(actor=make_person(f"not_lead_{index}", role), name="Nope")
    community = services.community_create(actor=admin, name="  Grief   and loss ", visibility="private")
    assert (community.name, community.slug, community.visibility) == ("Grief and loss", "grief-and-loss", "private")
    assert Membership.objects.get(community=community).role == MemberRole.HOST
    with pytest.raises(ValidationError):
        services.community_create(actor=admin, name="grief AND loss")
    with pytest.raises(ValidationError):
        services.community_create(actor=admin, name="   ")


def test_hosts_edit_the_community_and_moderators_do_not(room: Room) -> None:
    services.community_update(actor=room.host, community=room.community, values={"description": "A calm place"})
    assert Community.objects.get(pk=room.community.pk).description == "A calm place"
    with pytest.raises(NotAllowed):
        services.community_update(actor=room.moderator, community=room.community, values={"description": "Mine"})
    with pytest.raises(ValidationError):
        services.community_update(actor=room.host, community=room.community, values={"slug": "elsewhere"})


def test_reading_preferences_refuse_unknown_warnings(room: Room) -> None:
    with pytest.raises(ValidationError):
        services.reading_preference_update(actor=room.member, collapsed_warnings=["nope"])
    services.reading_preference_update(actor=room.member, collapsed_warnings=["grief"])
    assert selectors.collapsed_warnings_for(user=room.member) == {"grief"}


def test_last_activity_moves_forward_with_time(room: Room) -> None:
    thread = fresh(room.thread)
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=timezone.now() - timedelta(days=2))
    services.post_reply(actor=room.member, thread=thread, body="Late reply")
    assert fresh(thread).last_activity_at > timezone.now() - timedelta(minutes=1)


# --- Text no database can store, renames, waiting list, edit history --------------------------


@pytest.mark.parametrize("text", ["nul\x00here", "lone \ud800 surrogate"], ids=["nul", "surrogate"])
def test_text_that_cannot_be_stored_is_refused_with_a_message(room: Room, text: str) -> None:
    with refused_with("title"):
        start_thread(room.author, room.community, title=text, body="fine")
    with refused_with("body"):
        services.post_reply(actor=room.member, thread=room.thread, body=text)
    anonymous = services.post_reply(actor=room.author, thread=room.thread, body="Quietly", is_anonymous=True)
    with pytest.raises(ValidationError) as error:
        services.anonymous_author_reveal(actor=room.moderator, post=anonymous, reason=text)
    assert "reason" in error.value.message_dict
    assert not AuditEntry.objects.filter(action="communities.post.anonymous_author_revealed").exists()


def test_both_a_bad_title_and_a_bad_body_are_reported_together(room: Room) -> None:
    with pytest.raises(ValidationError) as error:
        start_thread(room.author, room.community, title=" ", body=" ")
    assert {"title", "body"} <= set(error.value.message_dict)


def test_renaming_a_community_to_an_existing_name_is_refused_whatever_the_case(room: Room) -> None:
    admin = make_person("rename_lead", Role.ADMIN)
    other = services.community_create(actor=admin, name="Calm Harbour")
    with pytest.raises(ValidationError) as error:
        services.community_update(actor=admin, community=room.community, values={"name": "  calm   harbour "})
    assert "name" in error.value.message_dict
    room.community.refresh_from_db()
    assert room.community.name == "open room"
    # Keeping its own name (tidied) is fine.
    services.community_update(actor=admin, community=other, values={"name": "Calm  Harbour"})
    other.refresh_from_db()
    assert other.name == "Calm Harbour"


def test_locked_threads_are_not_waiting_for_a_reply(room: Room) -> None:
    assert room.thread in list(selectors.waiting_threads(user=room.member))
    services.thread_lock(actor=room.moderator, thread=room.thread)
    assert room.thread not in list(selectors.waiting_threads(user=room.member))


def test_edit_history_never_names_the_anonymous_author(room: Room) -> None:
    thread = start_thread(room.author, room.community, title="Quietly", body="first", is_anonymous=True)
    post = opening_post(thread)
    services.post_edit(actor=room.author, post=post, body="second")
    services.post_edit(actor=room.moderator, post=post, body="third")
    viewer = community_viewer(room.moderator, room.community)
    labels = [
        presenters.revision_editor(post, revision).label
        for revision in selectors.post_revisions(viewer=viewer, post=post)
    ]
    assert labels == [room.moderator.username, "Anonymous member"]
    assert room.author.username not in labels
    assert selectors.post_revisions(viewer=community_viewer(room.member, room.community), post=post) == []


# --- Notifications are withdrawn when their subject goes away ----------------------------------


def test_removing_a_reply_withdraws_the_notification_about_it(room: Room) -> None:
    reply = services.post_reply(actor=room.member, thread=room.thread, body="Me too.")
    assert len(notifications_for(room.author, NotificationKind.REPLIES)) == 1
    services.post_delete(actor=room.moderator, post=reply, reason="off topic")
    assert notifications_for(room.author) == []  # it stood for that reply alone


def test_removing_a_thread_withdraws_every_notification_about_its_posts(room: Room) -> None:
    services.post_reply(actor=room.member, thread=room.thread, body=f"Thinking of you @{room.host.username}")
    assert notifications_for(room.author)
    assert notifications_for(room.host)
    services.post_delete(actor=room.author, post=opening_post(room.thread))
    assert notifications_for(room.author) == []
    assert notifications_for(room.host) == []


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_an_edit_that_is_held_withdraws_what_was_said_and_approval_says_it_once(
    room: Room, hold_term: BlockedTerm, decision: str
) -> None:
    reply = services.post_reply(actor=room.member, thread=room.thread, body=f"Here for you @{room.host.username}")
    assert len(notifications_for(room.author)) == len(notifications_for(room.host)) == 1
    held = services.post_edit(actor=room.member, post=reply, body=f"zqhold, still here @{room.host.username}")
    assert held.status == PostStatus.HELD
    assert notifications_for(room.author) == notifications_for(room.host) == []

    services.post_review(actor=room.moderator, post=held, approve=decision == "approve")
    expected = 1 if decision == "approve" else 0
    assert len(notifications_for(room.author, NotificationKind.REPLIES)) == expected
    assert len(notifications_for(room.host, NotificationKind.MENTION)) == expected


def test_an_opening_post_edited_into_review_withdraws_the_threads_notifications(
    room: Room, hold_term: BlockedTerm
) -> None:
    services.post_reply(actor=room.member, thread=room.thread, body=f"Thinking of you @{room.host.username}")
    assert notifications_for(room.author)
    assert notifications_for(room.host)
    services.post_edit(actor=room.author, post=opening_post(room.thread), body="zqhold after all")
    assert notifications_for(room.author) == notifications_for(room.host) == []


def test_a_member_banned_from_a_private_community_loses_its_notifications(private_room: Room) -> None:
    room = private_room
    services.post_reply(actor=room.member, thread=room.thread, body="Sending warmth.")
    assert notifications_for(room.author)
    services.membership_ban(actor=room.moderator, community=room.community, user=room.author, reason="abuse")
    assert notifications_for(room.author) == []


def test_leaving_a_private_community_withdraws_its_notifications_but_not_others(private_room: Room) -> None:
    room = private_room
    elsewhere = _room("public", "elsewhere")
    join_as(room.author, elsewhere.community)
    services.post_reply(actor=room.member, thread=room.thread, body="Sending warmth.")
    public_thread = start_thread(room.author, elsewhere.community)
    public_reply = services.post_reply(actor=elsewhere.member, thread=public_thread, body="Hi!")
    assert len(notifications_for(room.author)) == 2
    services.community_leave(actor=room.author, community=room.community)
    assert [n.target_id for n in notifications_for(room.author)] == [public_reply.thread_id]


def test_a_ban_from_a_public_community_keeps_notifications_the_member_can_still_read(room: Room) -> None:
    services.post_reply(actor=room.member, thread=room.thread, body="Me too.")
    services.membership_ban(actor=room.moderator, community=room.community, user=room.author, reason="spam")
    assert len(notifications_for(room.author)) == 1


def test_the_last_host_cannot_step_down(room: Room) -> None:
    host_membership = Membership.objects.get(community=room.community, user=room.host)
    with pytest.raises(ValidationError) as error:
        services.member_role_set(actor=room.host, community=room.community, user=room.host, role=MemberRole.MEMBER)
    assert "role" in error.value.message_dict
    services.member_role_set(actor=room.host, community=room.community, user=room.member, role=MemberRole.HOST)
    services.member_role_set(actor=room.host, community=room.community, user=room.host, role=MemberRole.MEMBER)
    assert Membership.objects.get(pk=host_membership.pk).role == MemberRole.MEMBER


def test_only_active_members_can_be_given_a_role(room: Room) -> None:
    outsider = make_person("outsider_for_role")
    with pytest.raises(ValidationError) as error:
        services.member_role_set(actor=room.host, community=room.community, user=outsider, role=MemberRole.MODERATOR)
    assert "pseudonym" in error.value.message_dict
    with pytest.raises(NotAllowed):
        services.member_role_set(
            actor=room.moderator, community=room.community, user=room.member, role=MemberRole.MODERATOR
        )
