"""The authorization matrix: every persona through every community action, in public, private and
hidden communities; then the selectors, which must never show anyone what they may not read.

The expected outcomes are written out below as data, from the rules in words at the top of
`communities/access.py` (not from its code). Each cell runs against fresh objects: an allowed
action must succeed and leave its effect; a refused one must raise (`services.Forbidden`, or
`access.NotFound` for reading) and leave no trace at all, not even an audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse

from alongside.accounts.models import Role, User
from alongside.communities import access, selectors, services
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
from alongside.communities.tests.conftest import join_as, opening_post, quick_community, quick_person, start_thread
from alongside.core.models import AuditEntry, BlockedTerm
from alongside.notifications.models import Notification
from tests.fixtures import client_for

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",  # a signed-out visitor
    "member",  # active member
    "non_member",  # signed in, no membership
    "pending",  # asked to join
    "community_moderator",  # Membership role moderator
    "host",  # Membership role host
    "admin",  # site role administrator, no membership
    "site_moderator",  # site role moderator, no membership
    "banned",  # Membership status banned
    "invited",  # Membership status invited
]
ACTIONS = [
    "see",  # access_community: the community exists for them
    "read",  # access_thread, and community_threads lists the thread
    "join",  # community_join
    "post",  # thread_create
    "reply",  # post_reply
    "react",  # reaction_toggle
    "edit_own",  # post_edit on a post they wrote
    "edit_others",  # post_edit on someone else's post
    "delete_own",
    "delete_others",
    "lock",
    "pin",
    "approve_member",  # membership_decide on someone else's pending request
    "reveal_anonymous_author",  # anonymous_author_reveal, audited every time
]
VISIBILITIES = ["public", "private", "hidden"]
MODERATING_ROLES = {"community_moderator", "host", "admin", "site_moderator"}
AUTHORING_ROLES = {"member", "community_moderator", "host"}

T, F, NA = True, False, None

# fmt: off
#: action -> role -> (public, private, hidden). NA: the persona cannot have written a post there.
TABLE: dict[str, dict[str, tuple[bool | None, bool | None, bool | None]]] = {
    # "Anyone (even signed out) sees that public and private communities exist; hidden ones exist
    # only for their members, invitees and site staff."
    "see": {
        "anonymous":           (T, T, F),
        "member":              (T, T, T),
        "non_member":          (T, T, F),
        "pending":             (T, T, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (T, T, T),
        "site_moderator":      (T, T, T),
        "banned":              (T, T, F),
        "invited":             (T, T, T),
    },
    # "Public communities are read by any signed-in person; private and hidden ones by their
    # active members and site staff." Signed out: nothing but existence.
    "read": {
        "anonymous":           (F, F, F),
        "member":              (T, T, T),
        "non_member":          (T, F, F),
        "pending":             (T, F, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (T, T, T),
        "site_moderator":      (T, T, T),
        "banned":              (T, F, F),
        "invited":             (T, F, F),
    },
    # Join (public), ask to join (private), accept an invitation (hidden). Not when already in,
    # waiting, or banned.
    "join": {
        "anonymous":           (F, F, F),
        "member":              (F, F, F),
        "non_member":          (T, T, F),
        "pending":             (F, F, F),
        "community_moderator": (F, F, F),
        "host":                (F, F, F),
        "admin":               (T, T, F),
        "site_moderator":      (T, T, F),
        "banned":              (F, F, F),
        "invited":             (T, T, T),
    },
    # "Writing (threads, replies, reactions) needs active membership. Banned and pending members
    # cannot write." Site staff are not members of these communities.
    "post": {
        "anonymous":           (F, F, F),
        "member":              (T, T, T),
        "non_member":          (F, F, F),
        "pending":             (F, F, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (F, F, F),
        "site_moderator":      (F, F, F),
        "banned":              (F, F, F),
        "invited":             (F, F, F),
    },
    "reply": {
        "anonymous":           (F, F, F),
        "member":              (T, T, T),
        "non_member":          (F, F, F),
        "pending":             (F, F, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (F, F, F),
        "site_moderator":      (F, F, F),
        "banned":              (F, F, F),
        "invited":             (F, F, F),
    },
    "react": {
        "anonymous":           (F, F, F),
        "member":              (T, T, T),
        "non_member":          (F, F, F),
        "pending":             (F, F, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (F, F, F),
        "site_moderator":      (F, F, F),
        "banned":              (F, F, F),
        "invited":             (F, F, F),
    },
    # "Authors edit and delete their own posts." Only those who can write here can be authors.
    "edit_own": {
        "anonymous":           (NA, NA, NA),
        "member":              (T, T, T),
        "non_member":          (NA, NA, NA),
        "pending":             (NA, NA, NA),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (NA, NA, NA),
        "site_moderator":      (NA, NA, NA),
        "banned":              (NA, NA, NA),
        "invited":             (NA, NA, NA),
    },
    # "community moderators, hosts and site staff may also edit (to redact, with the history
    # kept) and remove others' posts, lock, pin, approve members, review held posts and reveal
    # an anonymous author (audited every time)."
    "edit_others": {
        "anonymous":           (F, F, F),
        "member":              (F, F, F),
        "non_member":          (F, F, F),
        "pending":             (F, F, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (T, T, T),
        "site_moderator":      (T, T, T),
        "banned":              (F, F, F),
        "invited":             (F, F, F),
    },
    "delete_own": {
        "anonymous":           (NA, NA, NA),
        "member":              (T, T, T),
        "non_member":          (NA, NA, NA),
        "pending":             (NA, NA, NA),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (NA, NA, NA),
        "site_moderator":      (NA, NA, NA),
        "banned":              (NA, NA, NA),
        "invited":             (NA, NA, NA),
    },
    "delete_others": {
        "anonymous":           (F, F, F),
        "member":              (F, F, F),
        "non_member":          (F, F, F),
        "pending":             (F, F, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (T, T, T),
        "site_moderator":      (T, T, T),
        "banned":              (F, F, F),
        "invited":             (F, F, F),
    },
    "lock": {
        "anonymous":           (F, F, F),
        "member":              (F, F, F),
        "non_member":          (F, F, F),
        "pending":             (F, F, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (T, T, T),
        "site_moderator":      (T, T, T),
        "banned":              (F, F, F),
        "invited":             (F, F, F),
    },
    "pin": {
        "anonymous":           (F, F, F),
        "member":              (F, F, F),
        "non_member":          (F, F, F),
        "pending":             (F, F, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (T, T, T),
        "site_moderator":      (T, T, T),
        "banned":              (F, F, F),
        "invited":             (F, F, F),
    },
    "approve_member": {
        "anonymous":           (F, F, F),
        "member":              (F, F, F),
        "non_member":          (F, F, F),
        "pending":             (F, F, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (T, T, T),
        "site_moderator":      (T, T, T),
        "banned":              (F, F, F),
        "invited":             (F, F, F),
    },
    "reveal_anonymous_author": {
        "anonymous":           (F, F, F),
        "member":              (F, F, F),
        "non_member":          (F, F, F),
        "pending":             (F, F, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (T, T, T),
        "site_moderator":      (T, T, T),
        "banned":              (F, F, F),
        "invited":             (F, F, F),
    },
}
# fmt: on

#: (role, action, visibility) -> allowed; None where the cell does not apply.
EXPECTED: dict[tuple[str, str, str], bool | None] = {
    (role, action, visibility): TABLE[action][role][index]
    for action in ACTIONS
    for role in ROLES
    for index, visibility in enumerate(VISIBILITIES)
}

#: Cells where the code disagrees with the rules; each is a bug report (see the reason).
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}

CELLS = [
    pytest.param(
        role,
        action,
        visibility,
        id=f"{role}-{action}-{visibility}",
        marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[(role, action, visibility)])]
        if (role, action, visibility) in KNOWN_BUGS
        else [],
    )
    for (role, action, visibility), allowed in EXPECTED.items()
    if allowed is not None
]


def test_the_table_covers_every_persona_action_and_visibility() -> None:
    assert set(TABLE) == set(ACTIONS)
    for action, rows in TABLE.items():
        assert set(rows) == set(ROLES), action
    assert len(EXPECTED) == len(ROLES) * len(ACTIONS) * len(VISIBILITIES)
    not_applicable = {(role, action) for (role, action, _visibility), allowed in EXPECTED.items() if allowed is None}
    assert {action for _role, action in not_applicable} == {"edit_own", "delete_own"}
    assert {role for role, _action in not_applicable} == set(ROLES) - AUTHORING_ROLES


# --- One fresh scene per cell ---------------------------------------------------------------


@dataclass
class Scene:
    community: Community
    author: User  # an active member who started the thread
    thread: Thread
    others_post: Post  # a reply by the author
    actor: Any  # a User, or AnonymousUser
    own_post: Post | None = None
    anonymous_post: Post | None = None
    request: Membership | None = None  # someone else's pending request to join


def _persona(role: str, community: Community) -> Any:
    """The acting person, with the membership their role describes."""
    if role == "anonymous":
        return AnonymousUser()
    site_role = {"admin": Role.ADMIN, "site_moderator": Role.MODERATOR}.get(role, Role.MEMBER)
    user = quick_person(f"actor_{role}", site_role)
    if role == "member":
        join_as(user, community)
    elif role == "community_moderator":
        join_as(user, community, role=MemberRole.MODERATOR)
    elif role == "host":
        join_as(user, community, role=MemberRole.HOST)
    elif role == "banned":
        join_as(user, community, status=MembershipStatus.BANNED)
    elif role == "invited":
        join_as(user, community, status=MembershipStatus.INVITED)
    elif role == "pending":
        if community.visibility == "private":
            assert services.community_join(actor=user, community=community).status == MembershipStatus.PENDING
        else:  # only private communities take requests; the state is set up directly elsewhere
            join_as(user, community, status=MembershipStatus.PENDING)
    return user


def build_scene(*, role: str, action: str, visibility: str) -> Scene:
    author = quick_person("thread_author")
    community = quick_community(f"Quiet {visibility} room", visibility, members=(author,))
    thread = start_thread(author, community, title="Evenings are hard", body="The evenings are the worst.")
    others_post = services.post_reply(actor=author, thread=thread, body="Writing it down helps a little.")
    scene = Scene(community=community, author=author, thread=thread, others_post=others_post, actor=None)
    scene.actor = _persona(role, community)
    if action in ("edit_own", "delete_own"):
        scene.own_post = services.post_reply(actor=scene.actor, thread=thread, body="Same here, most nights.")
    if action == "reveal_anonymous_author":
        scene.anonymous_post = services.post_reply(
            actor=author, thread=thread, body="I have not told anyone this.", is_anonymous=True
        )
    if action == "approve_member":
        asker = quick_person("asks_to_join")
        scene.request = join_as(asker, community, status=MembershipStatus.PENDING)
    return scene


def snapshot(community: Community) -> dict[str, Any]:
    """Everything an action could change: a refusal must leave all of it as it was."""
    return {
        "threads": list(
            Thread.objects.filter(community=community)
            .order_by("pk")
            .values_list("pk", "title", "status", "is_locked", "is_pinned", "reply_count", "last_activity_at")
        ),
        "posts": list(
            Post.objects.filter(thread__community=community)
            .order_by("pk")
            .values_list("pk", "body", "status", "edited_at")
        ),
        "memberships": list(
            Membership.objects.filter(community=community).order_by("pk").values_list("pk", "user_id", "status", "role")
        ),
        "revisions": PostRevision.objects.count(),
        "reactions": Reaction.objects.count(),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
    }


def _audited(action: str, *, actor: User, target: Any) -> int:
    return AuditEntry.objects.filter(
        action=action, actor_id=actor.pk, target_type=target._meta.label_lower, target_id=str(target.pk)
    ).count()


# --- The actions: each asserts its effect when it is allowed ----------------------------------


def do_see(s: Scene) -> None:
    viewer = access.access_community(s.actor, s.community.slug)
    assert viewer.community.pk == s.community.pk


def do_read(s: Scene) -> None:
    viewer, thread = access.access_thread(s.actor, s.thread.pk)
    assert thread.pk == s.thread.pk
    assert s.thread.pk in [t.pk for t in selectors.community_threads(viewer=viewer).object_list]
    shown = [p.pk for p in selectors.thread_posts(viewer=viewer, thread=thread).object_list]
    assert s.others_post.pk in shown
    access.access_post(s.actor, s.others_post.pk)


def do_join(s: Scene) -> None:
    was_invited = s.actor.is_authenticated and (
        Membership.objects.filter(community=s.community, user=s.actor, status=MembershipStatus.INVITED).exists()
    )
    membership = services.community_join(actor=s.actor, community=s.community)
    # An invitation is the answer to a request; otherwise private communities take requests.
    asks = s.community.visibility == "private" and not was_invited
    expected = MembershipStatus.PENDING if asks else MembershipStatus.ACTIVE
    assert Membership.objects.get(pk=membership.pk, user=s.actor).status == expected


def do_post(s: Scene) -> None:
    thread = services.thread_create(actor=s.actor, community=s.community, title="A new thread", body="Hello all.")
    assert thread.status == PostStatus.VISIBLE
    assert opening_post(thread).author_id == s.actor.pk


def do_reply(s: Scene) -> None:
    before = Thread.objects.get(pk=s.thread.pk).reply_count
    post = services.post_reply(actor=s.actor, thread=s.thread, body="You are not alone in this.")
    assert Post.objects.get(pk=post.pk).status == PostStatus.VISIBLE
    assert Thread.objects.get(pk=s.thread.pk).reply_count == before + 1


def do_react(s: Scene) -> None:
    assert services.reaction_toggle(actor=s.actor, post=opening_post(s.thread), kind="relate") is True
    assert Reaction.objects.filter(post=opening_post(s.thread), user=s.actor, kind="relate").exists()


def do_edit_own(s: Scene) -> None:
    assert s.own_post is not None
    services.post_edit(actor=s.actor, post=s.own_post, body="Same here, most nights (edited).")
    assert Post.objects.get(pk=s.own_post.pk).body == "Same here, most nights (edited)."
    assert PostRevision.objects.filter(post=s.own_post, body="Same here, most nights.").exists()
    assert _audited("communities.post.edited_by_moderator", actor=s.actor, target=s.own_post) == 0


def do_edit_others(s: Scene) -> None:
    services.post_edit(actor=s.actor, post=s.others_post, body="[Removed a phone number.]")
    assert Post.objects.get(pk=s.others_post.pk).body == "[Removed a phone number.]"
    assert PostRevision.objects.filter(post=s.others_post, body="Writing it down helps a little.").exists()
    assert _audited("communities.post.edited_by_moderator", actor=s.actor, target=s.others_post) == 1


def do_delete_own(s: Scene) -> None:
    assert s.own_post is not None
    services.post_delete(actor=s.actor, post=s.own_post)
    assert Post.objects.get(pk=s.own_post.pk).status == PostStatus.REMOVED


def do_delete_others(s: Scene) -> None:
    services.post_delete(actor=s.actor, post=s.others_post, reason="Off topic")
    assert Post.objects.get(pk=s.others_post.pk).status == PostStatus.REMOVED
    assert _audited("communities.post.removed", actor=s.actor, target=s.others_post) == 1


def do_lock(s: Scene) -> None:
    services.thread_lock(actor=s.actor, thread=s.thread)
    assert Thread.objects.get(pk=s.thread.pk).is_locked
    assert _audited("communities.thread.locked", actor=s.actor, target=s.thread) == 1


def do_pin(s: Scene) -> None:
    services.thread_pin(actor=s.actor, thread=s.thread)
    assert Thread.objects.get(pk=s.thread.pk).is_pinned
    assert _audited("communities.thread.pinned", actor=s.actor, target=s.thread) == 1


def do_approve_member(s: Scene) -> None:
    assert s.request is not None
    services.membership_decide(actor=s.actor, membership=s.request, approve=True)
    assert Membership.objects.get(pk=s.request.pk).status == MembershipStatus.ACTIVE
    assert _audited("communities.membership.approved", actor=s.actor, target=s.community) == 1


def do_reveal_anonymous_author(s: Scene) -> None:
    assert s.anonymous_post is not None
    action = "communities.post.anonymous_author_revealed"
    for looks in (1, 2):  # every look is audited, not only the first
        revealed = services.anonymous_author_reveal(actor=s.actor, post=s.anonymous_post, reason="Worried for them")
        assert revealed is not None
        assert revealed.pk == s.author.pk
        assert _audited(action, actor=s.actor, target=s.anonymous_post) == looks
    assert AuditEntry.objects.filter(action=action).last().reason == "Worried for them"


ACTION_FUNCTIONS: dict[str, Callable[[Scene], None]] = {
    "see": do_see,
    "read": do_read,
    "join": do_join,
    "post": do_post,
    "reply": do_reply,
    "react": do_react,
    "edit_own": do_edit_own,
    "edit_others": do_edit_others,
    "delete_own": do_delete_own,
    "delete_others": do_delete_others,
    "lock": do_lock,
    "pin": do_pin,
    "approve_member": do_approve_member,
    "reveal_anonymous_author": do_reveal_anonymous_author,
}
REFUSAL: dict[str, type[Exception]] = {"see": access.NotFound, "read": access.NotFound}


@pytest.mark.parametrize(("role", "action", "visibility"), CELLS)
def test_authorization_matrix(role: str, action: str, visibility: str) -> None:
    scene = build_scene(role=role, action=action, visibility=visibility)
    if EXPECTED[(role, action, visibility)]:
        ACTION_FUNCTIONS[action](scene)
        return
    before = snapshot(scene.community)
    with pytest.raises(REFUSAL.get(action, services.Forbidden)):
        ACTION_FUNCTIONS[action](scene)
    assert snapshot(scene.community) == before


def test_every_action_has_a_function() -> None:
    assert set(ACTION_FUNCTIONS) == set(ACTIONS)


# --- Edges of the author rules the matrix cannot reach ----------------------------------------


def test_a_banned_author_can_no_longer_edit_or_delete_their_earlier_posts() -> None:
    author = quick_person("soon_banned")
    host = quick_person("the_host")
    community = quick_community("Banned edge", "public", host=host, members=(author,))
    post = opening_post(start_thread(author, community))
    services.membership_ban(actor=host, community=community, user=author, reason="Repeated harassment")

    with pytest.raises(services.Forbidden):
        services.post_edit(actor=author, post=post, body="Changed after the ban")
    with pytest.raises(services.Forbidden):
        services.post_delete(actor=author, post=post)
    assert Post.objects.get(pk=post.pk).body == "Any tips?"


def test_a_former_member_may_delete_but_not_edit_what_they_wrote() -> None:
    author = quick_person("moved_on")
    community = quick_community("Former edge", "public", members=(author,))
    post = opening_post(start_thread(author, community))
    services.community_leave(actor=author, community=community)

    with pytest.raises(services.Forbidden):  # editing is writing, and writing needs membership
        services.post_edit(actor=author, post=post, body="Changed after leaving")
    services.post_delete(actor=author, post=post)  # "authors delete their own posts"
    assert Post.objects.get(pk=post.pk).status == PostStatus.REMOVED


def test_a_moderator_of_one_community_has_no_powers_in_another() -> None:
    moderator = quick_person("elsewhere_mod")
    author = quick_person("here_author")
    theirs = quick_community("Their room", "public")
    join_as(moderator, theirs, role=MemberRole.MODERATOR)
    here = quick_community("This room", "public", members=(author,))
    thread = start_thread(author, here)
    anonymous = services.post_reply(actor=author, thread=thread, body="Quietly", is_anonymous=True)

    for attempt in (
        lambda: services.thread_lock(actor=moderator, thread=thread),
        lambda: services.post_delete(actor=moderator, post=opening_post(thread)),
        lambda: services.anonymous_author_reveal(actor=moderator, post=anonymous, reason="curious"),
    ):
        with pytest.raises(services.Forbidden):
            attempt()
    assert not AuditEntry.objects.filter(action="communities.post.anonymous_author_revealed").exists()


def test_a_banned_moderator_keeps_no_moderator_powers() -> None:
    moderator = quick_person("fallen_mod")
    author = quick_person("some_author")
    community = quick_community("Fallen room", "private", members=(author,))
    join_as(moderator, community, role=MemberRole.MODERATOR, status=MembershipStatus.BANNED)
    thread = start_thread(author, community)

    with pytest.raises(access.NotFound):
        access.access_thread(moderator, thread.pk)
    with pytest.raises(services.Forbidden):
        services.thread_pin(actor=moderator, thread=thread)


def test_revealing_needs_a_reason_and_a_refusal_writes_nothing() -> None:
    moderator = quick_person("mod_with_reason", Role.MODERATOR)
    author = quick_person("quiet_author")
    community = quick_community("Reason room", "public", members=(author,))
    post = services.post_reply(
        actor=author, thread=start_thread(author, community), body="Anonymous words", is_anonymous=True
    )
    with pytest.raises(ValidationError) as error:
        services.anonymous_author_reveal(actor=moderator, post=post, reason="   ")
    assert "reason" in error.value.message_dict
    assert not AuditEntry.objects.filter(action="communities.post.anonymous_author_revealed").exists()


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
    author = quick_person("world_author", display_name="Wren Author")
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
            actor = quick_person(
                f"actor_{role}", {"admin": Role.ADMIN, "site_moderator": Role.MODERATOR}.get(role, Role.MEMBER)
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


# "<selector>:<role>" -> reason, for a known leak pinned as a strict xfail until it is fixed.
LEAK_BUGS: dict[str, str] = {}


def _leak_param(role: str, test: str) -> Any:
    reason = LEAK_BUGS.get(f"{test}:{role}")
    return pytest.param(role, id=role, marks=[pytest.mark.xfail(strict=True, reason=reason)] if reason else [])


@pytest.mark.parametrize("role", ROLES)
def test_the_directory_lists_hidden_communities_only_to_members_invitees_and_staff(role: str) -> None:
    world = build_world(role)
    listed = _ids(selectors.community_directory(user=world.actor))
    for visibility, community in world.communities.items():
        assert (community.pk in listed) is bool(EXPECTED[(role, "see", visibility)]), visibility


@pytest.mark.parametrize("role", [_leak_param(role, "community_threads") for role in ROLES])
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


@pytest.mark.parametrize("role", [_leak_param(role, "thread_posts") for role in ROLES])
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


@pytest.mark.parametrize("role", [_leak_param(role, "feed_threads") for role in ROLES])
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
                with pytest.raises(access.NotFound):
                    access.access_thread(person, held_thread.pk)
                with pytest.raises(access.NotFound):
                    access.access_post(person, held_reply.pk)
        # Held threads are never "waiting" nor in anyone's feed, the author's included.
        assert held_thread.pk not in _ids(selectors.waiting_threads(user=world.author))
        assert held_thread.pk not in _ids(selectors.feed_threads(user=world.author).object_list)


# --- Anonymous posts: the author's pseudonym is never shown to members ------------------------


@pytest.fixture
def anonymous_scene(db: Any) -> dict[str, Any]:
    writer = quick_person("secret_writer", display_name="Secret Display")
    reader = quick_person("curious_reader")
    starter = quick_person("thread_starter")
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
    assert services.author_label(reply) == "Anonymous member"
    assert services.author_label(opening_post(anonymous_scene["anonymous_thread"])) == "Anonymous member"
    _assert_no_trace(reply.body_html, writer)


def test_notifications_about_an_anonymous_reply_carry_no_trace_of_the_author(
    anonymous_scene: dict[str, Any],
) -> None:
    writer, starter = anonymous_scene["writer"], anonymous_scene["starter"]
    rows = list(Notification.objects.filter(recipient=starter))
    assert {row.kind for row in rows} == {"reply", "mention"}
    for row in rows:
        assert row.actor_label == "Anonymous member"
        for value in (row.actor_label, row.text, row.url, row.target_type, str(row.target_id)):
            _assert_no_trace(value, writer)


def test_quoting_an_anonymous_post_quotes_the_label_not_the_author(anonymous_scene: dict[str, Any]) -> None:
    reader, writer = anonymous_scene["reader"], anonymous_scene["writer"]
    quoting = services.post_reply(
        actor=reader, thread=anonymous_scene["thread"], body="Thank you.", quote=anonymous_scene["reply"]
    )
    assert "**Anonymous member** wrote:" in quoting.body
    _assert_no_trace(quoting.body, writer)
    _assert_no_trace(quoting.body_html, writer)


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
