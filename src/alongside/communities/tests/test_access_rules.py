"""Each rule in communities/access.py on its own: one test per `check_*` function, written from the
rules in words at the top of that module. (The matrix in test_access_matrix.py walks every
persona through every action; these pin each rule's edges.)"""

from __future__ import annotations

import inspect
import sys
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from alongside.accounts.enums import Role
from alongside.communities import access, services
from alongside.communities.access import community_viewer
from alongside.communities.models import MemberRole, Membership, MembershipStatus, PostStatus, Visibility
from alongside.communities.tests.conftest import join_as, opening_post, quick_community, start_thread
from alongside.core.models import BlockedTerm
from tests.personas import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    return {
        "visitor": AnonymousUser(),
        "member": make_person("rule_member"),
        "stranger": make_person("rule_stranger"),
        "keeper": make_person("rule_keeper"),
        "host": make_person("rule_host"),
        "site_keeper": make_person("rule_site_keeper", Role.MODERATOR),
        "lead": make_person("rule_lead", Role.ADMIN),
        "listener": make_person("rule_listener", Role.LISTENER),
    }


def _room(people: dict[str, Any], visibility: str) -> Any:
    community = quick_community(f"Rules {visibility}", visibility, host=people["host"], members=(people["member"],))
    join_as(people["keeper"], community, role=MemberRole.MODERATOR)
    return community


def _allowed(check: Any, people: dict[str, Any], community: Any, *args: Any, **kwargs: Any) -> set[str]:
    return {name for name, user in people.items() if check(community_viewer(user, community), *args, **kwargs)}


def test_every_rule_has_its_own_test() -> None:
    rules = {name for name, _ in inspect.getmembers(access, inspect.isfunction) if name.startswith("check_")}
    tests = {name.removeprefix("test_") for name in dir(sys.modules[__name__]) if name.startswith("test_check_")}
    assert rules == tests


def test_check_see_community_permission(people: dict[str, Any]) -> None:
    for visibility in (Visibility.PUBLIC, Visibility.PRIVATE):
        assert _allowed(access.check_see_community_permission, people, _room(people, visibility)) == set(people)
    hidden = _room(people, Visibility.HIDDEN)
    invitee = make_person("rule_invitee")
    join_as(invitee, hidden, status=MembershipStatus.INVITED)
    assert _allowed(access.check_see_community_permission, {**people, "invitee": invitee}, hidden) == {
        "member", "keeper", "host", "site_keeper", "lead", "invitee",
    }  # fmt: skip


def test_check_read_community_permission(people: dict[str, Any]) -> None:
    signed_in = set(people) - {"visitor"}
    assert _allowed(access.check_read_community_permission, people, _room(people, Visibility.PUBLIC)) == signed_in
    for visibility in (Visibility.PRIVATE, Visibility.HIDDEN):
        assert _allowed(access.check_read_community_permission, people, _room(people, visibility)) == {
            "member", "keeper", "host", "site_keeper", "lead",
        }  # fmt: skip


def test_check_join_community_permission(people: dict[str, Any]) -> None:
    public = _room(people, Visibility.PUBLIC)
    assert _allowed(access.check_join_community_permission, people, public) == {
        "stranger", "site_keeper", "lead", "listener",
    }  # fmt: skip
    hidden = _room(people, Visibility.HIDDEN)
    assert _allowed(access.check_join_community_permission, people, hidden) == set()
    join_as(people["stranger"], hidden, status=MembershipStatus.INVITED)
    assert _allowed(access.check_join_community_permission, people, hidden) == {"stranger"}
    Membership.objects.filter(community=public, user=people["member"]).update(status=MembershipStatus.BANNED)
    assert not access.check_join_community_permission(community_viewer(people["member"], public))


def test_check_create_community_permission(people: dict[str, Any]) -> None:
    assert {name for name, user in people.items() if access.check_create_community_permission(user)} == {"lead"}


def test_check_edit_community_permission(people: dict[str, Any]) -> None:
    assert _allowed(access.check_edit_community_permission, people, _room(people, Visibility.PRIVATE)) == {
        "host", "lead",
    }  # fmt: skip


def test_check_moderate_community_permission(people: dict[str, Any]) -> None:
    community = _room(people, Visibility.PRIVATE)
    assert _allowed(access.check_moderate_community_permission, people, community) == {
        "keeper", "host", "site_keeper", "lead",
    }  # fmt: skip
    Membership.objects.filter(community=community, user=people["keeper"]).update(status=MembershipStatus.BANNED)
    assert not access.check_moderate_community_permission(community_viewer(people["keeper"], community))


def test_check_ban_member_permission(people: dict[str, Any]) -> None:
    community = _room(people, Visibility.PUBLIC)
    member = Membership.objects.get(community=community, user=people["member"])
    host = Membership.objects.get(community=community, user=people["host"])
    moderators = {"keeper", "host", "site_keeper", "lead"}
    assert _allowed(access.check_ban_member_permission, people, community, member) == moderators
    assert _allowed(access.check_ban_member_permission, people, community, None) == moderators
    # Only hosts (and administrators) ban a host.
    assert _allowed(access.check_ban_member_permission, people, community, host) == {"host", "lead"}


def test_check_see_thread_permission(people: dict[str, Any]) -> None:
    community = _room(people, Visibility.PUBLIC)
    readers = set(people) - {"visitor"}
    thread = start_thread(people["member"], community)
    opening = opening_post(thread)
    assert _allowed(access.check_see_thread_permission, people, community, thread, opening=None) == readers
    thread.status = PostStatus.HELD
    assert _allowed(access.check_see_thread_permission, people, community, thread, opening=opening) == {
        "member", "keeper", "host", "site_keeper", "lead",
    }  # fmt: skip
    thread.status = PostStatus.REMOVED  # never served again, to anyone
    assert _allowed(access.check_see_thread_permission, people, community, thread, opening=opening) == set()


def test_check_see_post_permission(people: dict[str, Any]) -> None:
    community = _room(people, Visibility.PUBLIC)
    thread = start_thread(people["host"], community)
    BlockedTerm.objects.create(term="zqhold", action="hold")
    held = services.post_reply(actor=people["member"], thread=thread, body="zqhold this", is_anonymous=True)
    visible = services.post_reply(actor=people["member"], thread=thread, body="Fine")
    readers = set(people) - {"visitor"}
    assert _allowed(access.check_see_post_permission, people, community, visible) == readers
    # A held post: its author (anonymous or not) and the moderators.
    assert _allowed(access.check_see_post_permission, people, community, held) == {
        "member", "keeper", "host", "site_keeper", "lead",
    }  # fmt: skip
    visible.status = PostStatus.REMOVED
    assert _allowed(access.check_see_post_permission, people, community, visible) == set()


def test_check_post_thread_permission(people: dict[str, Any]) -> None:
    assert _allowed(access.check_post_thread_permission, people, _room(people, Visibility.PUBLIC)) == {
        "member", "keeper", "host",
    }  # fmt: skip


def test_check_reply_permission(people: dict[str, Any]) -> None:
    community = _room(people, Visibility.PUBLIC)
    thread = start_thread(people["member"], community)
    writers = {"member", "keeper", "host"}
    assert _allowed(access.check_reply_permission, people, community, thread) == writers
    thread.is_locked = True  # locked: the community's moderators only
    assert _allowed(access.check_reply_permission, people, community, thread) == {"keeper", "host"}
    thread.is_locked, thread.status = False, PostStatus.HELD
    assert _allowed(access.check_reply_permission, people, community, thread) == set()


def test_check_quote_post_permission(people: dict[str, Any]) -> None:
    community = _room(people, Visibility.PUBLIC)
    thread, other = start_thread(people["member"], community), start_thread(people["member"], community, "Other")
    post = services.post_reply(actor=people["host"], thread=thread, body="Worth quoting")
    writers = {"member", "keeper", "host"}
    assert _allowed(access.check_quote_post_permission, people, community, thread, post) == writers
    assert _allowed(access.check_quote_post_permission, people, community, other, post) == set()  # other thread
    post.status = PostStatus.REMOVED
    assert _allowed(access.check_quote_post_permission, people, community, thread, post) == set()


def test_check_react_permission(people: dict[str, Any]) -> None:
    community = _room(people, Visibility.PUBLIC)
    post = opening_post(start_thread(people["member"], community))
    assert _allowed(access.check_react_permission, people, community, post) == {"member", "keeper", "host"}
    post.status = PostStatus.HELD
    assert _allowed(access.check_react_permission, people, community, post) == set()


def test_check_edit_post_permission(people: dict[str, Any]) -> None:
    community = _room(people, Visibility.PUBLIC)
    thread = start_thread(people["host"], community)
    mine = services.post_reply(actor=people["member"], thread=thread, body="Mine", is_anonymous=True)
    moderators = {"keeper", "host", "site_keeper", "lead"}
    assert _allowed(access.check_edit_post_permission, people, community, mine) == moderators | {"member"}
    mine.thread.is_locked = True  # the author may not edit in a locked thread; moderators may (to redact)
    assert _allowed(access.check_edit_post_permission, people, community, mine) == moderators
    mine.status = PostStatus.REMOVED
    assert _allowed(access.check_edit_post_permission, people, community, mine) == set()


def test_check_delete_post_permission(people: dict[str, Any]) -> None:
    community = _room(people, Visibility.PUBLIC)
    mine = services.post_reply(actor=people["member"], thread=start_thread(people["host"], community), body="Mine")
    moderators = {"keeper", "host", "site_keeper", "lead"}
    assert _allowed(access.check_delete_post_permission, people, community, mine) == moderators | {"member"}
    Membership.objects.filter(community=community, user=people["member"]).delete()  # left: may still delete
    assert _allowed(access.check_delete_post_permission, people, community, mine) == moderators | {"member"}
    join_as(people["member"], community, status=MembershipStatus.BANNED)  # banned: may not
    assert _allowed(access.check_delete_post_permission, people, community, mine) == moderators


def test_check_reveal_anonymous_author_permission(people: dict[str, Any]) -> None:
    community = _room(people, Visibility.PUBLIC)
    thread = start_thread(people["host"], community)
    anonymous = services.post_reply(actor=people["member"], thread=thread, body="Quietly", is_anonymous=True)
    named = services.post_reply(actor=people["member"], thread=thread, body="Openly")
    moderators = {"keeper", "host", "site_keeper", "lead"}
    assert _allowed(access.check_reveal_anonymous_author_permission, people, community, anonymous) == moderators
    assert _allowed(access.check_reveal_anonymous_author_permission, people, community, named) == set()
    anonymous.status = PostStatus.REMOVED
    assert _allowed(access.check_reveal_anonymous_author_permission, people, community, anonymous) == set()


def test_check_see_post_history_permission(people: dict[str, Any]) -> None:
    community = _room(people, Visibility.PUBLIC)
    post = services.post_reply(actor=people["member"], thread=start_thread(people["host"], community), body="v1")
    moderators = {"keeper", "host", "site_keeper", "lead"}
    assert _allowed(access.check_see_post_history_permission, people, community, post) == moderators
    post.status = PostStatus.REMOVED
    assert _allowed(access.check_see_post_history_permission, people, community, post) == set()


def test_check_follow_thread_permission(people: dict[str, Any]) -> None:
    public = _room(people, Visibility.PUBLIC)
    thread = start_thread(people["member"], public)
    readers = set(people) - {"visitor"}
    assert _allowed(access.check_follow_thread_permission, people, public, thread) == readers
    # Banned from the community: may still read a public thread, but not follow it.
    join_as(people["stranger"], public, status=MembershipStatus.BANNED)
    assert _allowed(access.check_follow_thread_permission, people, public, thread) == readers - {"stranger"}
    thread.status = PostStatus.HELD  # nothing to follow until a moderator approves it
    assert _allowed(access.check_follow_thread_permission, people, public, thread) == set()
    private = _room(people, Visibility.PRIVATE)
    inside = start_thread(people["member"], private)
    assert _allowed(access.check_follow_thread_permission, people, private, inside) == {
        "member", "keeper", "host", "site_keeper", "lead",
    }  # fmt: skip
    Membership.objects.filter(community=private, user=people["member"]).delete()  # left: cannot read, cannot follow
    assert not access.check_follow_thread_permission(community_viewer(people["member"], private), inside)


def test_check_mute_thread_permission(people: dict[str, Any]) -> None:
    public = _room(people, Visibility.PUBLIC)
    thread = start_thread(people["member"], public)
    readers = set(people) - {"visitor"}
    join_as(people["stranger"], public, status=MembershipStatus.BANNED)
    # Hearing less is never refused to someone who may read the thread, a banned member included.
    assert _allowed(access.check_mute_thread_permission, people, public, thread) == readers
    thread.status = PostStatus.REMOVED
    assert _allowed(access.check_mute_thread_permission, people, public, thread) == set()
    private = _room(people, Visibility.PRIVATE)
    inside = start_thread(people["member"], private)
    assert _allowed(access.check_mute_thread_permission, people, private, inside) == {
        "member", "keeper", "host", "site_keeper", "lead",
    }  # fmt: skip
