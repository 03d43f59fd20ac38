"""The authorization matrix: every persona through every community action, in public, private and
hidden communities, through two doors: the services, and the web pages a person uses (HTTP).

The expected outcomes are written out below as data, from the rules in words at the top of
`communities/access.py` (not from its code). Each cell runs against fresh objects: an allowed
action must succeed and leave its effect; a refused one must fail the way the rules say
(`NotAllowed`, or `NotFound` where the thing may not even be seen; on the web 403 or 404, and a
redirect to the log-in page for someone signed out) and leave no trace at all, not even an audit
entry. The JSON API's authorization is tested endpoint by endpoint in test_api.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.accounts.models import User
from alongside.communities import access, selectors, services
from alongside.communities.models import (
    Community,
    FollowLevel,
    MemberRole,
    Membership,
    MembershipStatus,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    Thread,
    ThreadState,
)
from alongside.communities.tests.conftest import join_as, opening_post, quick_community, start_thread
from alongside.core.errors import NotAllowed, NotFound
from alongside.core.models import AuditEntry, BlockedTerm
from alongside.notifications.models import Notification
from tests.fixtures import client_for
from tests.personas import make_person

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
    "react",  # reaction_set
    "edit_own",  # post_edit on a post they wrote
    "edit_others",  # post_edit on someone else's post
    "delete_own",
    "delete_others",
    "lock",
    "pin",
    "mark_experience",  # post_mark_experience: "shared experience, not professional advice"
    "approve_member",  # membership_decide on someone else's pending request
    "reveal_anonymous_author",  # anonymous_author_reveal, audited every time
    "review_held",  # post_review approving a post screening held back
    "invite",  # community_invite
    "ban",  # membership_ban of an ordinary member
    "edit_community",  # community_update
    "appoint",  # member_role_set making a member a moderator
    "follow",  # thread_follow_set on
    "unfollow",  # thread_follow_set off, for someone following it
    "mute",  # thread_mute_set on
    "unmute",  # thread_mute_set off, for someone who muted it
]
VISIBILITIES = ["public", "private", "hidden"]
CHANNELS = ["service", "web"]
MODERATING_ROLES = {"community_moderator", "host", "admin", "site_moderator"}
AUTHORING_ROLES = {"member", "community_moderator", "host"}
# Actions on a thread or post: a web request for them first needs the thread to be readable.
THREAD_LEVEL = {
    "read", "reply", "react", "edit_own", "edit_others", "delete_own", "delete_others", "lock", "pin",
    "mark_experience", "reveal_anonymous_author", "follow", "unfollow", "mute", "unmute",
}  # fmt: skip

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
    # Moderators (the community's, and site staff) may note a post as not professional advice.
    "mark_experience": {
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
    # Moderators also review held posts, invite people and ban them.
    "review_held": {
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
    "invite": {
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
    "ban": {
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
    # "Hosts and administrators edit the community and appoint its moderators and hosts."
    "edit_community": {
        "anonymous":           (F, F, F),
        "member":              (F, F, F),
        "non_member":          (F, F, F),
        "pending":             (F, F, F),
        "community_moderator": (F, F, F),
        "host":                (T, T, T),
        "admin":               (T, T, T),
        "site_moderator":      (F, F, F),
        "banned":              (F, F, F),
        "invited":             (F, F, F),
    },
    "appoint": {
        "anonymous":           (F, F, F),
        "member":              (F, F, F),
        "non_member":          (F, F, F),
        "pending":             (F, F, F),
        "community_moderator": (F, F, F),
        "host":                (T, T, T),
        "admin":               (T, T, T),
        "site_moderator":      (F, F, F),
        "banned":              (F, F, F),
        "invited":             (F, F, F),
    },
    # "Anyone who may read a visible thread may follow it, except members banned from its
    # community; anyone who may read it may mute it, or stop following or muting it."
    "follow": {
        "anonymous":           (F, F, F),
        "member":              (T, T, T),
        "non_member":          (T, F, F),
        "pending":             (T, F, F),
        "community_moderator": (T, T, T),
        "host":                (T, T, T),
        "admin":               (T, T, T),
        "site_moderator":      (T, T, T),
        "banned":              (F, F, F),
        "invited":             (T, F, F),
    },
    "unfollow": {
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
    "mute": {
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
    "unmute": {
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
}
# fmt: on

#: (role, action, visibility) -> allowed; None where the cell does not apply.
EXPECTED: dict[tuple[str, str, str], bool | None] = {
    (role, action, visibility): TABLE[action][role][index]
    for action in ACTIONS
    for role in ROLES
    for index, visibility in enumerate(VISIBILITIES)
}

CELLS = [
    pytest.param(role, action, visibility, channel, id=f"{channel}-{role}-{action}-{visibility}")
    for channel in CHANNELS
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
    role: str
    community: Community
    author: User  # an active member who started the thread
    thread: Thread
    others_post: Post  # a reply by the author
    actor: Any  # a User, or AnonymousUser
    own_post: Post | None = None
    anonymous_post: Post | None = None
    held_post: Post | None = None
    request: Membership | None = None  # someone else's pending request to join
    invitee: User | None = None


def _persona(role: str, community: Community) -> Any:
    """The acting person, with the membership their role describes."""
    if role == "anonymous":
        return AnonymousUser()
    site_role = {"admin": Role.ADMIN, "site_moderator": Role.MODERATOR}.get(role, Role.MEMBER)
    user = make_person(f"actor_{ROLES.index(role)}", site_role)
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
    author = make_person("thread_author")
    community = quick_community(f"Quiet {visibility} room", visibility, members=(author,))
    thread = start_thread(author, community, title="Evenings are hard", body="The evenings are the worst.")
    others_post = services.post_reply(actor=author, thread=thread, body="Writing it down helps a little.")
    scene = Scene(role=role, community=community, author=author, thread=thread, others_post=others_post, actor=None)
    scene.actor = _persona(role, community)
    if action in ("edit_own", "delete_own"):
        scene.own_post = services.post_reply(actor=scene.actor, thread=thread, body="Same here, most nights.")
    if action == "reveal_anonymous_author":
        scene.anonymous_post = services.post_reply(
            actor=author, thread=thread, body="I have not told anyone this.", is_anonymous=True
        )
    if action == "review_held":
        BlockedTerm.objects.create(term="holdme", action="hold")
        scene.held_post = services.post_reply(actor=author, thread=thread, body="holdme, please look first.")
        assert scene.held_post.status == PostStatus.HELD
    if action == "approve_member":
        scene.request = join_as(make_person("asks_to_join"), community, status=MembershipStatus.PENDING)
    if action == "invite":
        scene.invitee = make_person("would_be_invited")
    if action in ("unfollow", "unmute") and role != "anonymous":
        level = FollowLevel.FOLLOWING if action == "unfollow" else FollowLevel.MUTED
        ThreadState.objects.create(user=scene.actor, thread=thread, level=level)
    return scene


def snapshot(community: Community) -> dict[str, Any]:
    """Everything an action could change: a refusal must leave all of it as it was."""
    return {
        "community": list(
            Community.objects.filter(pk=community.pk).values_list("name", "description", "rules", "visibility")
        ),
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
        "thread_states": list(
            ThreadState.objects.filter(thread__community=community)
            .order_by("pk")
            .values_list("pk", "user_id", "level", "last_read_post_id")
        ),
    }


def _audited(action: str, *, actor: User, target: Any) -> int:
    return AuditEntry.objects.filter(
        action=action, actor_id=actor.pk, target_type=target._meta.label_lower, target_id=str(target.pk)
    ).count()


# --- The actions: each through a service and through its web page ------------------------------
#
# An action is (service, web, effect): `service(s)` calls the service, `web(s, client)` makes the
# request a person's browser would and returns the response, `effect(s, result)` asserts what an
# allowed action leaves behind.


def _community_url(s: Scene, name: str, *args: Any) -> str:
    return reverse(f"communities:{name}", args=[s.community.slug, *args])


def svc_see(s: Scene) -> Any:
    return access.access_community(s.actor, s.community.slug)


def web_see(s: Scene, client: Client) -> Any:
    return client.get(_community_url(s, "community"))


def effect_see(s: Scene, result: Any) -> None:
    if hasattr(result, "status_code"):
        assert result.status_code == 200
        assert s.community.name in result.content.decode()
    else:
        assert result.community.pk == s.community.pk


def svc_read(s: Scene) -> Any:
    viewer, thread = access.access_thread(s.actor, s.thread.pk)
    assert s.thread.pk in [t.pk for t in selectors.community_threads(viewer=viewer).object_list]
    shown = [p.pk for p in selectors.thread_posts(viewer=viewer, thread=thread).object_list]
    assert s.others_post.pk in shown
    access.access_post(s.actor, s.others_post.pk)
    return thread


def web_read(s: Scene, client: Client) -> Any:
    return client.get(_community_url(s, "thread", s.thread.pk))


def effect_read(s: Scene, result: Any) -> None:
    if hasattr(result, "status_code"):
        assert result.status_code == 200
        assert "Writing it down helps a little." in result.content.decode()
    else:
        assert result.pk == s.thread.pk


def svc_join(s: Scene) -> Any:
    return services.community_join(actor=s.actor, community=s.community)


def web_join(s: Scene, client: Client) -> Any:
    return client.post(_community_url(s, "join"))


def effect_join(s: Scene, result: Any) -> None:
    # An invitation is the answer to a request; otherwise private communities take requests.
    asks = s.community.visibility == "private" and s.role != "invited"
    expected = MembershipStatus.PENDING if asks else MembershipStatus.ACTIVE
    assert Membership.objects.get(community=s.community, user=s.actor).status == expected


def svc_post(s: Scene) -> Any:
    return services.thread_create(actor=s.actor, community=s.community, title="A new thread", body="Hello all.")


def web_post(s: Scene, client: Client) -> Any:
    return client.post(_community_url(s, "thread_new"), {"title": "A new thread", "body": "Hello all."})


def effect_post(s: Scene, result: Any) -> None:
    thread = Thread.objects.get(community=s.community, title="A new thread")
    assert thread.status == PostStatus.VISIBLE
    assert opening_post(thread).author_id == s.actor.pk


def svc_reply(s: Scene) -> Any:
    return services.post_reply(actor=s.actor, thread=s.thread, body="You are not alone in this.")


def web_reply(s: Scene, client: Client) -> Any:
    return client.post(_community_url(s, "reply", s.thread.pk), {"body": "You are not alone in this."})


def effect_reply(s: Scene, result: Any) -> None:
    post = Post.objects.get(thread=s.thread, body="You are not alone in this.")
    assert post.status == PostStatus.VISIBLE
    assert post.author_id == s.actor.pk
    assert Thread.objects.get(pk=s.thread.pk).reply_count == 2


def svc_react(s: Scene) -> Any:
    return services.reaction_set(actor=s.actor, post=opening_post(s.thread), kind="relate", on=True)


def web_react(s: Scene, client: Client) -> Any:
    post = opening_post(s.thread)
    return client.post(reverse("communities:react", args=[post.pk]), {"set": "relate:on"})


def effect_react(s: Scene, result: Any) -> None:
    assert Reaction.objects.filter(post=opening_post(s.thread), user=s.actor, kind="relate").count() == 1


def svc_edit_own(s: Scene) -> Any:
    assert s.own_post is not None
    return services.post_edit(actor=s.actor, post=s.own_post, body="Same here, most nights (edited).")


def web_edit_own(s: Scene, client: Client) -> Any:
    assert s.own_post is not None
    url = reverse("communities:post_edit", args=[s.own_post.pk])
    return client.post(url, {"body": "Same here, most nights (edited)."})


def effect_edit_own(s: Scene, result: Any) -> None:
    assert s.own_post is not None
    assert Post.objects.get(pk=s.own_post.pk).body == "Same here, most nights (edited)."
    assert PostRevision.objects.filter(post=s.own_post, body="Same here, most nights.").exists()
    assert _audited("communities.post.edited_by_moderator", actor=s.actor, target=s.own_post) == 0


def svc_edit_others(s: Scene) -> Any:
    return services.post_edit(actor=s.actor, post=s.others_post, body="[Removed a phone number.]")


def web_edit_others(s: Scene, client: Client) -> Any:
    return client.post(reverse("communities:post_edit", args=[s.others_post.pk]), {"body": "[Removed a phone number.]"})


def effect_edit_others(s: Scene, result: Any) -> None:
    assert Post.objects.get(pk=s.others_post.pk).body == "[Removed a phone number.]"
    assert PostRevision.objects.filter(post=s.others_post, body="Writing it down helps a little.").exists()
    assert _audited("communities.post.edited_by_moderator", actor=s.actor, target=s.others_post) == 1


def svc_delete_own(s: Scene) -> Any:
    assert s.own_post is not None
    return services.post_delete(actor=s.actor, post=s.own_post)


def web_delete_own(s: Scene, client: Client) -> Any:
    assert s.own_post is not None
    return client.post(reverse("communities:post_delete", args=[s.own_post.pk]))


def effect_delete_own(s: Scene, result: Any) -> None:
    assert s.own_post is not None
    assert Post.objects.get(pk=s.own_post.pk).status == PostStatus.REMOVED


def svc_delete_others(s: Scene) -> Any:
    return services.post_delete(actor=s.actor, post=s.others_post, reason="Off topic")


def web_delete_others(s: Scene, client: Client) -> Any:
    return client.post(reverse("communities:post_delete", args=[s.others_post.pk]), {"reason": "Off topic"})


def effect_delete_others(s: Scene, result: Any) -> None:
    assert Post.objects.get(pk=s.others_post.pk).status == PostStatus.REMOVED
    assert _audited("communities.post.removed", actor=s.actor, target=s.others_post) == 1
    assert AuditEntry.objects.get(action="communities.post.removed").reason == "Off topic"


def svc_lock(s: Scene) -> Any:
    return services.thread_lock(actor=s.actor, thread=s.thread)


def web_lock(s: Scene, client: Client) -> Any:
    return client.post(reverse("communities:thread_lock", args=[s.thread.pk]), {"value": "on"})


def effect_lock(s: Scene, result: Any) -> None:
    assert Thread.objects.get(pk=s.thread.pk).is_locked
    assert _audited("communities.thread.locked", actor=s.actor, target=s.thread) == 1


def svc_pin(s: Scene) -> Any:
    return services.thread_pin(actor=s.actor, thread=s.thread)


def web_pin(s: Scene, client: Client) -> Any:
    return client.post(reverse("communities:thread_pin", args=[s.thread.pk]), {"value": "on"})


def effect_pin(s: Scene, result: Any) -> None:
    assert Thread.objects.get(pk=s.thread.pk).is_pinned
    assert _audited("communities.thread.pinned", actor=s.actor, target=s.thread) == 1


def svc_mark_experience(s: Scene) -> Any:
    return services.post_mark_experience(actor=s.actor, post=s.others_post, resource="/help/")


def web_mark_experience(s: Scene, client: Client) -> Any:
    return client.post(reverse("communities:post_experience", args=[s.others_post.pk]), {"resource": "/help/"})


def effect_mark_experience(s: Scene, result: Any) -> None:
    post = Post.objects.get(pk=s.others_post.pk)
    assert post.experience_noted_at is not None
    assert post.experience_resource == "/help/"
    assert _audited("communities.post.marked_experience", actor=s.actor, target=s.others_post) == 1


def svc_approve_member(s: Scene) -> Any:
    assert s.request is not None
    return services.membership_decide(actor=s.actor, membership=s.request, approve=True)


def web_approve_member(s: Scene, client: Client) -> Any:
    assert s.request is not None
    return client.post(_community_url(s, "request_approve", s.request.pk))


def effect_approve_member(s: Scene, result: Any) -> None:
    assert s.request is not None
    assert Membership.objects.get(pk=s.request.pk).status == MembershipStatus.ACTIVE
    assert _audited("communities.membership.approved", actor=s.actor, target=s.community) == 1


def svc_reveal_anonymous_author(s: Scene) -> Any:
    assert s.anonymous_post is not None
    first = services.anonymous_author_reveal(actor=s.actor, post=s.anonymous_post, reason="Worried for them")
    second = services.anonymous_author_reveal(actor=s.actor, post=s.anonymous_post, reason="Worried for them")
    return [first, second]


def web_reveal_anonymous_author(s: Scene, client: Client) -> Any:
    assert s.anonymous_post is not None
    url = reverse("communities:post_reveal", args=[s.anonymous_post.pk])
    first = client.post(url, {"reason": "Worried for them"})
    if first.status_code != 200:
        return first
    second = client.post(url, {"reason": "Worried for them"})
    assert s.author.username in first.content.decode()
    return second


def effect_reveal_anonymous_author(s: Scene, result: Any) -> None:
    assert s.anonymous_post is not None
    if isinstance(result, list):
        assert [person.pk for person in result] == [s.author.pk, s.author.pk]
    else:
        assert s.author.username in result.content.decode()
    action = "communities.post.anonymous_author_revealed"
    # Every look is audited, not only the first, with the reason given.
    assert _audited(action, actor=s.actor, target=s.anonymous_post) == 2
    assert AuditEntry.objects.filter(action=action).last().reason == "Worried for them"


def svc_review_held(s: Scene) -> Any:
    assert s.held_post is not None
    return services.post_review(actor=s.actor, post=s.held_post, approve=True, reason="Fine after all")


def web_review_held(s: Scene, client: Client) -> Any:
    assert s.held_post is not None
    return client.post(_community_url(s, "post_approve", s.held_post.pk), {"reason": "Fine after all"})


def effect_review_held(s: Scene, result: Any) -> None:
    assert s.held_post is not None
    assert Post.objects.get(pk=s.held_post.pk).status == PostStatus.VISIBLE
    assert _audited("communities.post.approved", actor=s.actor, target=s.held_post) == 1


def svc_invite(s: Scene) -> Any:
    assert s.invitee is not None
    return services.community_invite(actor=s.actor, community=s.community, invitee=s.invitee)


def web_invite(s: Scene, client: Client) -> Any:
    assert s.invitee is not None
    return client.post(_community_url(s, "invite"), {"invite-pseudonym": s.invitee.username})


def effect_invite(s: Scene, result: Any) -> None:
    membership = Membership.objects.get(community=s.community, user=s.invitee)
    assert membership.status == MembershipStatus.INVITED
    assert _audited("communities.membership.invited", actor=s.actor, target=s.community) == 1


def svc_ban(s: Scene) -> Any:
    return services.membership_ban(actor=s.actor, community=s.community, user=s.author, reason="Harassment")


def web_ban(s: Scene, client: Client) -> Any:
    return client.post(_community_url(s, "ban"), {"ban-pseudonym": s.author.username, "ban-reason": "Harassment"})


def effect_ban(s: Scene, result: Any) -> None:
    assert Membership.objects.get(community=s.community, user=s.author).status == MembershipStatus.BANNED
    entry = AuditEntry.objects.get(action="communities.membership.banned", actor_id=s.actor.pk)
    assert entry.reason == "Harassment"


def svc_edit_community(s: Scene) -> Any:
    return services.community_update(actor=s.actor, community=s.community, values={"description": "Calmer now."})


def web_edit_community(s: Scene, client: Client) -> Any:
    data = {"name": s.community.name, "description": "Calmer now.", "rules": "", "visibility": s.community.visibility}
    return client.post(_community_url(s, "community_edit"), data)


def effect_edit_community(s: Scene, result: Any) -> None:
    assert Community.objects.get(pk=s.community.pk).description == "Calmer now."
    assert _audited("communities.community.updated", actor=s.actor, target=s.community) == 1


def svc_appoint(s: Scene) -> Any:
    return services.member_role_set(actor=s.actor, community=s.community, user=s.author, role=MemberRole.MODERATOR)


def web_appoint(s: Scene, client: Client) -> Any:
    return client.post(_community_url(s, "role"), {"role-pseudonym": s.author.username, "role-role": "moderator"})


def effect_appoint(s: Scene, result: Any) -> None:
    assert Membership.objects.get(community=s.community, user=s.author).role == MemberRole.MODERATOR
    assert _audited("communities.membership.role_changed", actor=s.actor, target=s.community) == 1


def _level(s: Scene) -> str:
    return ThreadState.objects.get(user=s.actor, thread=s.thread).level


def svc_follow(s: Scene) -> Any:
    return services.thread_follow_set(actor=s.actor, thread=s.thread, on=True)


def web_follow(s: Scene, client: Client) -> Any:
    return client.post(reverse("communities:thread_follow", args=[s.thread.pk]), {"value": "on"})


def effect_follow(s: Scene, result: Any) -> None:
    assert _level(s) == FollowLevel.FOLLOWING


def svc_unfollow(s: Scene) -> Any:
    return services.thread_follow_set(actor=s.actor, thread=s.thread, on=False)


def web_unfollow(s: Scene, client: Client) -> Any:
    return client.post(reverse("communities:thread_follow", args=[s.thread.pk]))


def effect_unfollow(s: Scene, result: Any) -> None:
    assert _level(s) == FollowLevel.NOT_FOLLOWING


def svc_mute(s: Scene) -> Any:
    return services.thread_mute_set(actor=s.actor, thread=s.thread, on=True)


def web_mute(s: Scene, client: Client) -> Any:
    return client.post(reverse("communities:thread_mute", args=[s.thread.pk]), {"value": "on"})


def effect_mute(s: Scene, result: Any) -> None:
    assert _level(s) == FollowLevel.MUTED


def svc_unmute(s: Scene) -> Any:
    return services.thread_mute_set(actor=s.actor, thread=s.thread, on=False)


def web_unmute(s: Scene, client: Client) -> Any:
    return client.post(reverse("communities:thread_mute", args=[s.thread.pk]))


def effect_unmute(s: Scene, result: Any) -> None:
    assert _level(s) == FollowLevel.NOT_FOLLOWING


@dataclass(frozen=True)
class Action:
    service: Callable[[Scene], Any]
    web: Callable[[Scene, Client], Any]
    effect: Callable[[Scene, Any], None]


ACTION_FUNCTIONS: dict[str, Action] = {
    name: Action(globals()[f"svc_{name}"], globals()[f"web_{name}"], globals()[f"effect_{name}"]) for name in ACTIONS
}


def refused_status(role: str, action: str, visibility: str) -> int:
    """What the web answers when the rules say no: signed-out people are asked to log in (except on
    a community's page, which anyone may open); what may not even be seen is 404; the rest 403."""
    if role == "anonymous" and action != "see":
        return 302
    if action in THREAD_LEVEL:
        return 404 if not EXPECTED[(role, "read", visibility)] else 403
    if action in ("see", "read") or not EXPECTED[(role, "see", visibility)]:
        return 404
    return 403


@pytest.mark.parametrize(("role", "action", "visibility", "channel"), CELLS)
def test_authorization_matrix(role: str, action: str, visibility: str, channel: str) -> None:
    _check_cell(role, action, visibility, channel, allowed=bool(EXPECTED[(role, action, visibility)]))


# Where the operator lets visitors read open communities (OPEN_COMMUNITIES_READABLE_SIGNED_OUT), a
# visitor who is not logged in may read an open community's threads; nothing else changes for them.
VISITOR_CELLS = [
    pytest.param(action, visibility, channel, id=f"{channel}-visitor-{action}-{visibility}")
    for channel in CHANNELS
    for (role, action, visibility), allowed in EXPECTED.items()
    if role == "anonymous" and allowed is not None
]


@pytest.mark.parametrize(("action", "visibility", "channel"), VISITOR_CELLS)
def test_authorization_matrix_where_visitors_may_read_open_communities(
    action: str, visibility: str, channel: str, settings: Any
) -> None:
    settings.OPEN_COMMUNITIES_READABLE_SIGNED_OUT = True
    allowed = (action, visibility) == ("read", "public") or bool(EXPECTED[("anonymous", action, visibility)])
    _check_cell("anonymous", action, visibility, channel, allowed=allowed)


def _check_cell(role: str, action: str, visibility: str, channel: str, *, allowed: bool) -> None:
    scene = build_scene(role=role, action=action, visibility=visibility)
    act = ACTION_FUNCTIONS[action]
    client = client_for(scene.actor) if scene.actor.is_authenticated else Client()
    before = snapshot(scene.community)
    if allowed:
        result = act.service(scene) if channel == "service" else act.web(scene, client)
        if channel == "web":
            assert result.status_code in (200, 302), (result.status_code, result.content[:500])
            if result.status_code == 302:
                assert "/accounts/login/" not in result["Location"]
        act.effect(scene, result)
        return
    if channel == "service":
        with pytest.raises(NotFound if action in ("see", "read") else NotAllowed):
            act.service(scene)
    else:
        response = act.web(scene, client)
        expected = refused_status(role, action, visibility)
        assert response.status_code == expected, (response.status_code, response.content[:500])
        if expected == 302:
            assert response["Location"].startswith(reverse("account_login"))
    assert snapshot(scene.community) == before


def test_every_action_has_a_service_a_page_and_an_effect() -> None:
    assert set(ACTION_FUNCTIONS) == set(ACTIONS)


# --- Edges of the author rules the matrix cannot reach ----------------------------------------


def test_a_banned_author_can_no_longer_edit_or_delete_their_earlier_posts() -> None:
    author = make_person("soon_banned")
    host = make_person("the_host")
    community = quick_community("Banned edge", "public", host=host, members=(author,))
    post = opening_post(start_thread(author, community))
    services.membership_ban(actor=host, community=community, user=author, reason="Repeated harassment")

    with pytest.raises(NotAllowed):
        services.post_edit(actor=author, post=post, body="Changed after the ban")
    with pytest.raises(NotAllowed):
        services.post_delete(actor=author, post=post)
    assert Post.objects.get(pk=post.pk).body == "Any tips?"


def test_a_former_member_may_delete_but_not_edit_what_they_wrote() -> None:
    author = make_person("moved_on")
    community = quick_community("Former edge", "public", members=(author,))
    post = opening_post(start_thread(author, community))
    services.community_leave(actor=author, community=community)

    with pytest.raises(NotAllowed):  # editing is writing, and writing needs membership
        services.post_edit(actor=author, post=post, body="Changed after leaving")
    services.post_delete(actor=author, post=post)  # "authors delete their own posts"
    assert Post.objects.get(pk=post.pk).status == PostStatus.REMOVED


def test_a_moderator_of_one_community_has_no_powers_in_another() -> None:
    moderator = make_person("elsewhere_keeper")
    author = make_person("here_author")
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
        with pytest.raises(NotAllowed):
            attempt()
    assert not AuditEntry.objects.filter(action="communities.post.anonymous_author_revealed").exists()


def test_a_banned_moderator_keeps_no_moderator_powers() -> None:
    moderator = make_person("fallen_keeper")
    author = make_person("some_author")
    community = quick_community("Fallen room", "private", members=(author,))
    join_as(moderator, community, role=MemberRole.MODERATOR, status=MembershipStatus.BANNED)
    thread = start_thread(author, community)

    with pytest.raises(NotFound):
        access.access_thread(moderator, thread.pk)
    with pytest.raises(NotAllowed):
        services.thread_pin(actor=moderator, thread=thread)


def test_a_moderator_cannot_ban_a_host_but_a_host_can() -> None:
    moderator = make_person("plain_keeper")
    host, other_host = make_person("first_host"), make_person("second_host")
    community = quick_community("Hosted room", "public", host=host)
    join_as(moderator, community, role=MemberRole.MODERATOR)
    join_as(other_host, community, role=MemberRole.HOST)

    with pytest.raises(NotAllowed):
        services.membership_ban(actor=moderator, community=community, user=host, reason="Power grab")
    assert Membership.objects.get(community=community, user=host).status == MembershipStatus.ACTIVE
    services.membership_ban(actor=other_host, community=community, user=host, reason="Left us in the lurch")
    assert Membership.objects.get(community=community, user=host).status == MembershipStatus.BANNED


def test_revealing_needs_a_reason_and_a_refusal_writes_nothing() -> None:
    moderator = make_person("keeper_with_reason", Role.MODERATOR)
    author = make_person("quiet_author")
    community = quick_community("Reason room", "public", members=(author,))
    post = services.post_reply(
        actor=author, thread=start_thread(author, community), body="Anonymous words", is_anonymous=True
    )
    with pytest.raises(ValidationError) as error:
        services.anonymous_author_reveal(actor=moderator, post=post, reason="   ")
    assert "reason" in error.value.message_dict
    assert not AuditEntry.objects.filter(action="communities.post.anonymous_author_revealed").exists()
