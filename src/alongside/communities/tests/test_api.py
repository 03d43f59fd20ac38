"""The communities and notifications JSON API under /api/v1/: the same rules as the web pages.

Every successful answer is checked against the OpenAPI description; private and hidden things
answer 404 exactly like missing ones; anonymous authors never appear in any answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alongside.accounts.models import User
from alongside.accounts.tests.support import assert_matches_schema, response_schema
from alongside.communities import services
from alongside.communities.models import (
    Community,
    MemberRole,
    Membership,
    MembershipStatus,
    Post,
    PostStatus,
    Thread,
    Visibility,
)
from alongside.core.models import AuditEntry, BlockedTerm, ScreeningAction
from alongside.notifications.models import Notification
from tests.fixtures import ApiClient, api_for, client_for, make_person

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found."}


# --- Helpers and fixtures ---------------------------------------------------------------------


@pytest.fixture
def spec(api: ApiClient) -> dict[str, Any]:
    response = api.call("GET", "/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


class Caller:
    """One persona calling the API with their own token; every answer is checked against the
    OpenAPI description of its path, method and status."""

    def __init__(self, user: User | None, spec: dict[str, Any]) -> None:
        self.client = api_for(user) if user is not None else ApiClient()
        self.spec = spec

    def __call__(self, method: str, template: str, body: Any = None, *, raw: str | None = None, **params: Any) -> Any:
        path = template.format(**params)
        response = self.client.call(method, path, body, raw=raw)
        assert response.status_code < 500, response.content
        if response.status_code != 204:
            assert response["Content-Type"].startswith("application/json"), response.content
            schema = response_schema(self.spec, method, self.documented_path(path), response.status_code)
            assert_matches_schema(response.json(), schema, self.spec)
        return response

    def documented_path(self, path: str) -> str:
        """The OpenAPI path (e.g. /api/v1/threads/{thread_id}) that a concrete path falls under."""
        concrete = "/api/v1" + path.split("?")[0]
        for documented in self.spec["paths"]:
            if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", documented), concrete):
                return str(documented)
        raise AssertionError(f"{concrete} is not in the OpenAPI description")


def as_(user: User | None, spec: dict[str, Any]) -> Caller:
    return Caller(user, spec)


def assert_status(response: Any, status: int) -> Any:
    assert response.status_code == status, response.content
    return response.json() if status != 204 else None


def assert_not_found(response: Any) -> None:
    assert response.status_code == 404, response.content
    assert response.json() == NOT_FOUND


def error_fields(response: Any) -> set[str]:
    """Every name in the `loc` of each problem of a 422 answer (field names, list positions)."""
    assert response.status_code == 422, response.content
    return {str(part) for item in response.json()["detail"] for part in item["loc"]}


def opening(thread: Thread) -> Post:
    return Post.objects.get(thread=thread, is_opening=True)


def start(actor: User, community: Community, title: str = "Evenings are hard", body: str = "Any tips?", **kw: Any):
    return services.thread_create(actor=actor, community=community, title=title, body=body, **kw)


@pytest.fixture
def public(admin_user: User, member: User, other_member: User) -> Community:
    community = services.community_create(
        actor=admin_user,
        name="Calm Harbour",
        description="A gentle place.",
        rules=["Be kind."],
        topics=["anxiety"],
    )
    services.community_join(actor=member, community=community)
    services.community_join(actor=other_member, community=community)
    return community


@pytest.fixture
def private(admin_user: User, member: User) -> Community:
    community = services.community_create(actor=admin_user, name="Night Owls", visibility=Visibility.PRIVATE)
    membership = services.community_join(actor=member, community=community)
    services.membership_decide(actor=admin_user, membership=membership, approve=True)
    return community


@pytest.fixture
def hidden(admin_user: User, member: User) -> Community:
    community = services.community_create(actor=admin_user, name="Quiet Room", visibility=Visibility.HIDDEN)
    services.community_invite(actor=admin_user, community=community, invitee=member)
    services.community_join(actor=member, community=community)
    return community


@pytest.fixture
def community_mod(admin_user: User, public: Community) -> User:
    """A member whom the community made one of its moderators (not site staff)."""
    person = make_person("harbour_keeper")
    membership = services.community_join(actor=person, community=public)
    services.membership_set_role(actor=admin_user, membership=membership, role=MemberRole.MODERATOR)
    return person


@pytest.fixture
def held_term(db: Any) -> BlockedTerm:
    return BlockedTerm.objects.create(term="holdme", action=ScreeningAction.HOLD)


# --- The directory and a community ------------------------------------------------------------


def test_directory_works_signed_out_and_never_lists_hidden_communities(spec, public, private, hidden):
    body = assert_status(as_(None, spec)("GET", "/communities"), 200)

    assert [c["slug"] for c in body] == ["calm-harbour", "night-owls"]
    assert all(c["my_status"] is None for c in body)
    assert body[0]["member_count"] == 3  # the host and two members


def test_directory_lists_a_hidden_community_to_its_members(spec, member, other_member, public, private, hidden):
    mine = {c["slug"]: c for c in assert_status(as_(member, spec)("GET", "/communities"), 200)}
    theirs = {c["slug"] for c in assert_status(as_(other_member, spec)("GET", "/communities"), 200)}

    assert set(mine) == {"calm-harbour", "night-owls", "quiet-room"}
    assert mine["quiet-room"]["my_status"] == "active"
    assert theirs == {"calm-harbour", "night-owls"}


def test_directory_with_a_wrong_token_is_refused_not_treated_as_signed_out(spec):
    response = as_(None, spec)
    response.client.token = "not-a-real-token"
    assert_status(response("GET", "/communities"), 401)


def test_community_about_says_what_i_may_do(spec, member, public):
    body = assert_status(as_(member, spec)("GET", "/communities/{slug}", slug="calm-harbour"), 200)

    assert body["name"] == "Calm Harbour"
    assert body["rules"] == ["Be kind."]
    assert body["membership"] == {"status": "active", "role": "member"}
    assert (body["can_read"], body["can_post"], body["can_join"]) == (True, True, False)
    assert (body["can_moderate"], body["can_edit"]) == (False, False)


def test_private_community_about_is_visible_but_its_threads_are_not(spec, member, other_member, private):
    start(member, private, title="Secret worries", body="Only for the owls.")
    outsider = as_(other_member, spec)

    about = assert_status(outsider("GET", "/communities/{slug}", slug="night-owls"), 200)
    assert (about["can_read"], about["can_join"], about["membership"]) == (False, True, None)
    response = outsider("GET", "/communities/{slug}/threads", slug="night-owls")
    assert_not_found(response)
    assert b"Secret worries" not in response.content


def test_hidden_and_unknown_communities_are_not_found(spec, other_member, hidden):
    outsider = as_(other_member, spec)
    for slug in ("quiet-room", "no-such-place"):
        assert_not_found(outsider("GET", "/communities/{slug}", slug=slug))
        assert_not_found(outsider("GET", "/communities/{slug}/threads", slug=slug))
        assert_not_found(outsider("POST", "/communities/{slug}/join", slug=slug))
        assert_not_found(outsider("POST", "/communities/{slug}/threads", {"title": "t", "body": "b"}, slug=slug))


def test_everything_but_the_directory_needs_a_sign_in(spec, member, public):
    thread = start(member, public)
    stranger = as_(None, spec)
    for method, template in [
        ("GET", "/communities/calm-harbour"),
        ("GET", "/communities/calm-harbour/threads"),
        ("GET", f"/threads/{thread.pk}"),
        ("GET", f"/threads/{thread.pk}/posts"),
        ("GET", "/feed"),
        ("GET", "/notifications"),
        ("GET", "/me/reading-preferences"),
    ]:
        assert_status(stranger(method, template), 401)
    assert_status(stranger("POST", "/communities/calm-harbour/join"), 401)


# --- Creating and changing communities --------------------------------------------------------


def test_admin_creates_a_community_and_becomes_its_host(spec, admin_user):
    payload = {
        "name": "  Morning   Light ",
        "description": "Early risers.",
        "rules": ["Be kind", " "],
        "visibility": "private",
    }
    body = assert_status(as_(admin_user, spec)("POST", "/communities", payload), 201)

    assert (body["slug"], body["name"], body["visibility"]) == ("morning-light", "Morning Light", "private")
    assert body["rules"] == ["Be kind"]
    assert body["membership"] == {"status": "active", "role": "host"}
    assert body["can_edit"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "Fine", "visibility": "secret"}, "visibility"),
        ({"name": "Calm harbour"}, "name"),  # taken, whatever the case
        ({"name": "Nul\u0000byte"}, "name"),
    ],
)
def test_community_create_rejects_bad_input(spec, admin_user, public, payload, field):
    assert field in error_fields(as_(admin_user, spec)("POST", "/communities", payload))


def test_only_administrators_create_communities(spec, member, moderator):
    for person in (member, moderator):
        assert_status(as_(person, spec)("POST", "/communities", {"name": "Mine"}), 403)
    assert not Community.objects.filter(name="Mine").exists()


def test_host_changes_the_community_others_may_not(spec, admin_user, member, community_mod, public):
    body = assert_status(
        as_(admin_user, spec)(
            "PATCH", "/communities/{slug}", {"description": "Calmer.", "rules": ["One", "Two"]}, slug="calm-harbour"
        ),
        200,
    )
    assert (body["description"], body["rules"], body["name"]) == ("Calmer.", ["One", "Two"], "Calm Harbour")

    for person in (member, community_mod):
        assert_status(as_(person, spec)("PATCH", "/communities/{slug}", {"name": "Mine now"}, slug="calm-harbour"), 403)
    assert "name" in error_fields(
        as_(admin_user, spec)("PATCH", "/communities/{slug}", {"name": "x" * 81}, slug="calm-harbour")
    )
    public.refresh_from_db()
    assert public.name == "Calm Harbour"


# --- Membership -------------------------------------------------------------------------------


def test_joining_a_public_community_is_immediate_and_leaving_is_too(spec, admin_user):
    community = services.community_create(actor=admin_user, name="Open Door")
    person = make_person("new_face")
    caller = as_(person, spec)

    assert assert_status(caller("POST", "/communities/{slug}/join", slug="open-door"), 200) == {
        "status": "active",
        "role": "member",
    }
    assert_status(caller("POST", "/communities/{slug}/join", slug="open-door"), 403)  # already in
    assert_status(caller("POST", "/communities/{slug}/leave", slug="open-door"), 204)
    assert not Membership.objects.filter(community=community, user=person).exists()


def test_the_only_host_cannot_leave(spec, admin_user, public):
    assert "body" in error_fields(as_(admin_user, spec)("POST", "/communities/{slug}/leave", slug="calm-harbour"))


def test_private_community_requests_are_decided_by_moderators(spec, admin_user, member, other_member, private):
    assert as_(other_member, spec)("POST", "/communities/{slug}/join", slug="night-owls").json()["status"] == "pending"
    assert_status(as_(member, spec)("GET", "/communities/{slug}/requests", slug="night-owls"), 403)

    moderators = as_(admin_user, spec)
    requests = assert_status(moderators("GET", "/communities/{slug}/requests", slug="night-owls"), 200)
    assert [(r["user_id"], r["pseudonym"]) for r in requests] == [(other_member.pk, "maple_member")]

    assert_status(
        as_(member, spec)(
            "POST", "/communities/{slug}/requests/{uid}", {"approve": True}, slug="night-owls", uid=other_member.pk
        ),
        403,
    )
    decided = moderators(
        "POST", "/communities/{slug}/requests/{uid}", {"approve": True}, slug="night-owls", uid=other_member.pk
    )
    assert assert_status(decided, 200) == {"user_id": other_member.pk, "status": "active"}
    again = moderators(
        "POST", "/communities/{slug}/requests/{uid}", {"approve": True}, slug="night-owls", uid=other_member.pk
    )
    assert_not_found(again)  # no longer waiting
    assert as_(other_member, spec)("GET", "/communities/{slug}", slug="night-owls").json()["can_read"] is True


def test_a_denied_request_leaves_no_membership(spec, admin_user, other_member, private):
    as_(other_member, spec)("POST", "/communities/{slug}/join", slug="night-owls")
    decided = as_(admin_user, spec)(
        "POST", "/communities/{slug}/requests/{uid}", {"approve": False}, slug="night-owls", uid=other_member.pk
    )
    assert assert_status(decided, 200) == {"user_id": other_member.pk, "status": None}
    assert not Membership.objects.filter(community=private, user=other_member).exists()


def test_hidden_community_is_joined_by_invitation(spec, admin_user, other_member, hidden):
    outsider = as_(other_member, spec)
    assert_not_found(outsider("POST", "/communities/{slug}/join", slug="quiet-room"))

    invited = as_(admin_user, spec)(
        "POST", "/communities/{slug}/invitations", {"pseudonym": "@Maple_Member"}, slug="quiet-room"
    )
    assert assert_status(invited, 200)["status"] == "invited"
    assert outsider("GET", "/communities/{slug}", slug="quiet-room").json()["can_join"] is True
    assert assert_status(outsider("POST", "/communities/{slug}/join", slug="quiet-room"), 200)["status"] == "active"


def test_invitations_and_bans_are_for_moderators_and_need_a_real_pseudonym(spec, member, admin_user, public):
    # Non-moderators are refused before the pseudonym is looked up: they learn nothing about who exists.
    assert_status(
        as_(member, spec)("POST", "/communities/{slug}/invitations", {"pseudonym": "nobody_here"}, slug="calm-harbour"),
        403,
    )
    assert_status(
        as_(member, spec)(
            "POST", "/communities/{slug}/bans", {"pseudonym": "maple_member", "reason": "x"}, slug="calm-harbour"
        ),
        403,
    )
    host = as_(admin_user, spec)
    assert "pseudonym" in error_fields(
        host("POST", "/communities/{slug}/invitations", {"pseudonym": "nobody_here"}, slug="calm-harbour")
    )
    assert "pseudonym" in error_fields(
        host("POST", "/communities/{slug}/invitations", {"pseudonym": ""}, slug="calm-harbour")
    )


def test_a_banned_member_can_no_longer_post(spec, community_mod, other_member, public):
    moderators = as_(community_mod, spec)
    no_reason = moderators(
        "POST", "/communities/{slug}/bans", {"pseudonym": "maple_member", "reason": " "}, slug="calm-harbour"
    )
    assert "reason" in error_fields(no_reason)

    banned = moderators(
        "POST", "/communities/{slug}/bans", {"pseudonym": "maple_member", "reason": "Spam"}, slug="calm-harbour"
    )
    assert assert_status(banned, 200) == {
        "user_id": other_member.pk,
        "pseudonym": "maple_member",
        "status": "banned",
        "role": "member",
    }
    attempt = as_(other_member, spec)(
        "POST", "/communities/{slug}/threads", {"title": "Hi", "body": "Back"}, slug="calm-harbour"
    )
    assert_status(attempt, 403)
    assert AuditEntry.objects.filter(action="communities.membership.banned").exists()


# --- Threads ----------------------------------------------------------------------------------


def test_start_a_thread_and_read_it_back(spec, member, other_member, public):
    payload = {"title": "Evenings", "body": "What **helps** you?", "content_warnings": ["grief", "abuse", "grief"]}
    created = assert_status(as_(member, spec)("POST", "/communities/{slug}/threads", payload, slug="calm-harbour"), 201)

    assert created["status"] == "visible"
    assert created["author"] == {"label": "river_member", "pseudonym": "river_member"}
    assert created["content_warnings"] == ["abuse", "grief"]
    assert created["community"] == {"slug": "calm-harbour", "name": "Calm Harbour"}
    assert created["opening_post"]["body_html"] == "<p>What <strong>helps</strong> you?</p>\n"
    assert created["opening_post"]["is_mine"] is True

    reader = as_(other_member, spec)
    listing = assert_status(reader("GET", "/communities/{slug}/threads", slug="calm-harbour"), 200)
    assert (listing["page"], listing["pages"], listing["count"]) == (1, 1, 1)
    assert listing["items"][0]["id"] == created["id"]
    thread = assert_status(reader("GET", "/threads/{tid}", tid=created["id"]), 200)
    assert thread["title"] == "Evenings"
    assert thread["opening_post"]["body"] == "What **helps** you?"
    assert (thread["can_reply"], thread["can_moderate"], thread["opening_post"]["is_mine"]) == (True, False, False)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "body": "Something"}, "title"),
        ({"title": "   ", "body": "Something"}, "title"),
        ({"title": "t" * 151, "body": "Something"}, "title"),
        ({"title": "t" * 5000, "body": "Something"}, "title"),
        ({"title": "Fine", "body": "  \n "}, "body"),
        ({"title": "Fine", "body": "b" * 20001}, "body"),
        ({"title": "Fine", "body": "b" * 200_001}, "body"),
        ({"title": "Fine", "body": "Something", "content_warnings": ["spiders"]}, "content_warnings"),
        ({"title": "Fine", "body": "Nul \u0000 inside"}, "body"),
        ({"title": "Fine", "body": "Half a pair \ud800"}, "body"),
        ({"title": "Fine"}, "body"),
        ({"title": "Fine", "body": 12}, "body"),
    ],
)
def test_thread_create_rejects_bad_input(spec, member, public, payload, field):
    response = as_(member, spec)("POST", "/communities/{slug}/threads", payload, slug="calm-harbour")
    assert field in error_fields(response)
    assert not Thread.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", '["a list"]', "null", '"text"'])
def test_malformed_json_is_a_client_error_in_json(spec, member, public, raw):
    response = as_(member, spec)("POST", "/communities/{slug}/threads", raw=raw, slug="calm-harbour")
    assert response.status_code in (400, 422)
    assert "detail" in response.json()


def test_posting_needs_membership_403_or_404_when_unreadable(spec, other_member, admin_user, public, private):
    outsider = as_(make_person("passer_by"), spec)
    assert_status(
        outsider("POST", "/communities/{slug}/threads", {"title": "Hi", "body": "Hello"}, slug="calm-harbour"), 403
    )
    assert_not_found(
        as_(other_member, spec)(
            "POST", "/communities/{slug}/threads", {"title": "Hi", "body": "Hello"}, slug="night-owls"
        )
    )
    assert not Thread.objects.exists()


def test_a_held_thread_is_seen_only_by_its_author_and_moderators(
    spec, member, other_member, moderator, public, held_term
):
    created = as_(member, spec)(
        "POST", "/communities/{slug}/threads", {"title": "About holdme", "body": "Text"}, slug="calm-harbour"
    )
    body = assert_status(created, 201)
    assert body["status"] == "held"

    assert_not_found(as_(other_member, spec)("GET", "/threads/{tid}", tid=body["id"]))
    listing = as_(other_member, spec)("GET", "/communities/{slug}/threads", slug="calm-harbour").json()
    assert listing["items"] == []
    assert as_(member, spec)("GET", "/threads/{tid}", tid=body["id"]).json()["status"] == "held"

    staff = as_(moderator, spec)
    held = assert_status(staff("GET", "/communities/{slug}/held", slug="calm-harbour"), 200)
    assert [p["thread_id"] for p in held] == [body["id"]]
    assert_status(as_(other_member, spec)("GET", "/communities/{slug}/held", slug="calm-harbour"), 403)
    post_id = held[0]["id"]
    assert_status(as_(other_member, spec)("POST", "/posts/{pid}/review", {"approve": True}, pid=post_id), 404)
    approved = assert_status(staff("POST", "/posts/{pid}/review", {"approve": True}, pid=post_id), 200)
    assert approved["status"] == "visible"
    assert as_(other_member, spec)("GET", "/threads/{tid}", tid=body["id"]).json()["status"] == "visible"
    assert "body" in error_fields(staff("POST", "/posts/{pid}/review", {"approve": True}, pid=post_id))  # decided


def test_private_community_content_never_reaches_non_members(spec, member, other_member, private):
    thread = start(member, private, title="Owl secrets", body="Between us owls.")
    reply = services.post_reply(actor=member, thread=thread, body="More owl thoughts.")
    outsider = as_(other_member, spec)

    for method, template, body in [
        ("GET", f"/threads/{thread.pk}", None),
        ("GET", f"/threads/{thread.pk}/posts", None),
        ("POST", f"/threads/{thread.pk}/posts", {"body": "Let me in"}),
        ("POST", f"/threads/{thread.pk}/lock", {"locked": True}),
        ("GET", f"/posts/{reply.pk}", None),
        ("PATCH", f"/posts/{reply.pk}", {"body": "mine now"}),
        ("DELETE", f"/posts/{reply.pk}", None),
        ("POST", f"/posts/{reply.pk}/reactions", {"kind": "support"}),
        ("POST", f"/posts/{reply.pk}/reveal", {"reason": "curious"}),
        ("GET", f"/posts/{reply.pk}/revisions", None),
        ("GET", "/communities/night-owls/waiting", None),
    ]:
        response = outsider(method, template, body)
        assert_not_found(response)
        assert b"owl" not in response.content.lower()
    for template in ("/feed", "/waiting", "/search?q=owl"):
        assert b"owl" not in outsider("GET", template).content.lower()


def test_a_removed_thread_serves_none_of_its_words(spec, member, other_member, public):
    thread = start(member, public, title="Regrettable title", body="Regrettable body")
    services.post_delete(actor=member, post=opening(thread))

    body = assert_status(as_(other_member, spec)("GET", "/threads/{tid}", tid=thread.pk), 200)
    assert body["status"] == "removed"
    assert b"Regrettable" not in as_(other_member, spec)("GET", "/threads/{tid}", tid=thread.pk).content
    assert body["opening_post"]["body"] == body["opening_post"]["body_html"] == ""


# --- Posts and replies ------------------------------------------------------------------------


def test_reply_quote_and_page_through_posts(spec, member, other_member, public):
    thread = start(member, public)
    caller = as_(other_member, spec)

    reply = assert_status(caller("POST", "/threads/{tid}/posts", {"body": "Tea helps me."}, tid=thread.pk), 201)
    assert (reply["status"], reply["is_opening"], reply["thread_id"]) == ("visible", False, thread.pk)
    quoted = caller("POST", "/threads/{tid}/posts", {"body": "And walks.", "quote_post_id": reply["id"]}, tid=thread.pk)
    assert assert_status(quoted, 201)["body"].startswith("> **maple_member** wrote:")

    posts = assert_status(as_(member, spec)("GET", "/threads/{tid}/posts", tid=thread.pk), 200)
    assert [p["is_opening"] for p in posts["items"]] == [True, False, False]
    assert posts["count"] == 3
    assert as_(member, spec)("GET", "/threads/{tid}", tid=thread.pk).json()["reply_count"] == 2


def test_reply_rejects_bad_input(spec, member, other_member, public):
    thread = start(member, public)
    other = start(member, public, title="Another")
    caller = as_(other_member, spec)

    assert "body" in error_fields(caller("POST", "/threads/{tid}/posts", {"body": ""}, tid=thread.pk))
    assert "body" in error_fields(caller("POST", "/threads/{tid}/posts", {"body": "x" * 20001}, tid=thread.pk))
    wrong_thread = caller(
        "POST", "/threads/{tid}/posts", {"body": "Hi", "quote_post_id": opening(other).pk}, tid=thread.pk
    )
    assert "quote" in error_fields(wrong_thread)
    missing = caller("POST", "/threads/{tid}/posts", {"body": "Hi", "quote_post_id": 999_999}, tid=thread.pk)
    assert "quote_post_id" in error_fields(missing)
    assert_not_found(caller("POST", "/threads/{tid}/posts", {"body": "Hi"}, tid=999_999))


def test_locked_threads_take_replies_only_from_moderators(spec, member, other_member, community_mod, public):
    thread = start(member, public)
    assert_status(as_(member, spec)("POST", "/threads/{tid}/lock", {"locked": True}, tid=thread.pk), 403)

    locked = assert_status(
        as_(community_mod, spec)("POST", "/threads/{tid}/lock", {"locked": True}, tid=thread.pk), 200
    )
    assert (locked["is_locked"], locked["can_reply"]) == (True, True)
    assert as_(other_member, spec)("GET", "/threads/{tid}", tid=thread.pk).json()["can_reply"] is False
    assert_status(as_(other_member, spec)("POST", "/threads/{tid}/posts", {"body": "Wait"}, tid=thread.pk), 403)
    assert_status(
        as_(community_mod, spec)("POST", "/threads/{tid}/posts", {"body": "Closing this."}, tid=thread.pk), 201
    )
    opened = as_(community_mod, spec)("POST", "/threads/{tid}/lock", {"locked": False}, tid=thread.pk)
    assert assert_status(opened, 200)["is_locked"] is False
    assert "locked" in error_fields(as_(community_mod, spec)("POST", "/threads/{tid}/lock", {}, tid=thread.pk))


def test_moderators_pin_threads_to_the_top(spec, member, community_mod, public):
    first = start(member, public, title="First")
    start(member, public, title="Second")
    assert_status(as_(member, spec)("POST", "/threads/{tid}/pin", {"pinned": True}, tid=first.pk), 403)

    assert (
        as_(community_mod, spec)("POST", "/threads/{tid}/pin", {"pinned": True}, tid=first.pk).json()["is_pinned"]
        is True
    )
    titles = [
        t["title"] for t in as_(member, spec)("GET", "/communities/{slug}/threads", slug="calm-harbour").json()["items"]
    ]
    assert titles == ["First", "Second"]
    assert AuditEntry.objects.filter(action="communities.thread.pinned").exists()


def test_authors_edit_their_posts_and_moderators_see_the_history(spec, member, other_member, moderator, public):
    thread = start(member, public, title="Old title", body="Old words")
    post = opening(thread)
    author = as_(member, spec)

    assert_status(as_(other_member, spec)("PATCH", "/posts/{pid}", {"body": "Hijack"}, pid=post.pk), 403)
    edited = assert_status(
        author(
            "PATCH",
            "/posts/{pid}",
            {"body": "New words", "title": "New title", "content_warnings": ["grief"]},
            pid=post.pk,
        ),
        200,
    )
    assert (edited["body"], edited["content_warnings"]) == ("New words", ["grief"])
    assert edited["edited_at"] is not None
    assert author("GET", "/threads/{tid}", tid=thread.pk).json()["title"] == "New title"
    only_warnings = assert_status(author("PATCH", "/posts/{pid}", {"content_warnings": []}, pid=post.pk), 200)
    assert (only_warnings["body"], only_warnings["content_warnings"]) == ("New words", [])
    assert "body" in error_fields(author("PATCH", "/posts/{pid}", {"body": " "}, pid=post.pk))
    assert "title" in error_fields(author("PATCH", "/posts/{pid}", {"title": ""}, pid=post.pk))

    assert_status(author("GET", "/posts/{pid}/revisions", pid=post.pk), 403)
    history = assert_status(as_(moderator, spec)("GET", "/posts/{pid}/revisions", pid=post.pk), 200)
    assert [r["body"] for r in history] == ["New words", "Old words"]
    assert history[-1]["title"] == "Old title"
    assert history[-1]["edited_by"]["pseudonym"] == "river_member"


def test_removing_a_post_keeps_its_place_without_its_words(spec, member, other_member, moderator, public):
    thread = start(member, public)
    reply = services.post_reply(actor=other_member, thread=thread, body="Something I regret")
    caller = as_(other_member, spec)

    assert_status(as_(member, spec)("DELETE", "/posts/{pid}", pid=reply.pk), 403)
    assert_status(caller("DELETE", "/posts/{pid}", pid=reply.pk), 204)
    assert_status(caller("DELETE", "/posts/{pid}", pid=reply.pk), 403)  # already removed
    assert_status(caller("PATCH", "/posts/{pid}", {"body": "Back"}, pid=reply.pk), 403)

    response = as_(member, spec)("GET", "/threads/{tid}/posts", tid=thread.pk)
    removed = assert_status(response, 200)["items"][1]
    assert (removed["status"], removed["body"], removed["body_html"]) == ("removed", "", "")
    assert b"regret" not in response.content
    assert as_(member, spec)("GET", "/threads/{tid}", tid=thread.pk).json()["reply_count"] == 0


def test_moderators_remove_posts_with_a_reason_for_the_log(spec, member, moderator, public):
    thread = start(member, public)
    post = opening(thread)
    response = as_(moderator, spec)("DELETE", "/posts/{pid}?reason=Off%20topic", pid=post.pk)

    assert_status(response, 204)
    entry = AuditEntry.objects.get(action="communities.post.removed")
    assert entry.reason == "Off topic"
    assert Thread.objects.get(pk=thread.pk).status == PostStatus.REMOVED


def test_reactions_toggle_and_count(spec, member, other_member, public):
    post = opening(start(member, public))
    caller = as_(other_member, spec)

    on = assert_status(caller("POST", "/posts/{pid}/reactions", {"kind": "support"}, pid=post.pk), 200)
    assert on == {"on": True, "counts": {"relate": 0, "support": 1, "helped": 0}}
    as_(member, spec)("POST", "/posts/{pid}/reactions", {"kind": "support"}, pid=post.pk)
    listed = caller("GET", "/threads/{tid}/posts", tid=post.thread_id).json()["items"][0]
    assert (listed["reactions"]["support"], listed["my_reactions"]) == (2, ["support"])
    off = assert_status(caller("POST", "/posts/{pid}/reactions", {"kind": "support"}, pid=post.pk), 200)
    assert off == {"on": False, "counts": {"relate": 0, "support": 1, "helped": 0}}

    assert "kind" in error_fields(caller("POST", "/posts/{pid}/reactions", {"kind": "like"}, pid=post.pk))
    passer_by = as_(make_person("passer_by"), spec)  # can read a public community, cannot react
    assert_status(passer_by("POST", "/posts/{pid}/reactions", {"kind": "relate"}, pid=post.pk), 403)
    assert caller("GET", "/posts/{pid}", pid=post.pk).json()["reactions"]["relate"] == 0


# --- Anonymity --------------------------------------------------------------------------------


def test_an_anonymous_author_never_appears_in_any_answer(spec, member, other_member, moderator, admin_user, public):
    thread = start(member, public, title="Heavy night", body="I am struggling @maple_member", is_anonymous=True)
    anon_reply = services.post_reply(actor=member, thread=thread, body="Still here.", is_anonymous=True)
    post = opening(thread)
    services.post_edit(actor=member, post=post, body="I am struggling, @maple_member")
    services.post_reply(actor=other_member, thread=thread, body="Thinking of you.")
    services.post_reply(actor=other_member, thread=thread, body="Quoting", quote=anon_reply)

    for person in (other_member, member, moderator, admin_user):
        caller = as_(person, spec)
        for template in [
            f"/threads/{thread.pk}",
            f"/threads/{thread.pk}/posts",
            f"/posts/{post.pk}",
            "/communities/calm-harbour/threads",
            "/communities/calm-harbour/waiting",
            "/feed",
            "/waiting",
            "/search?q=struggling",
            "/notifications",
        ]:
            response = caller("GET", template)
            assert response.status_code == 200, (template, response.content)
            assert b"river_member" not in response.content, (person, template)
    moderator_history = as_(moderator, spec)("GET", "/posts/{pid}/revisions", pid=post.pk)
    assert assert_status(moderator_history, 200)[0]["edited_by"] == {"label": "Anonymous member", "pseudonym": None}
    assert b"river_member" not in moderator_history.content

    shown = as_(other_member, spec)("GET", "/threads/{tid}", tid=thread.pk).json()
    assert shown["author"] == {"label": "Anonymous member", "pseudonym": None}
    assert shown["opening_post"]["can_reveal"] is False
    mine = as_(member, spec)("GET", "/threads/{tid}", tid=thread.pk).json()
    assert mine["opening_post"]["is_mine"] is True  # only the author learns it is theirs
    notification = Notification.objects.get(recipient=other_member, kind="mention")
    assert notification.actor_label == "Anonymous member"


def test_moderators_reveal_an_anonymous_author_and_it_is_audited(spec, member, other_member, community_mod, public):
    post = opening(start(member, public, is_anonymous=True))
    plain = opening(start(member, public, title="Signed"))
    moderators = as_(community_mod, spec)

    assert moderators("GET", "/posts/{pid}", pid=post.pk).json()["can_reveal"] is True
    assert_status(as_(other_member, spec)("POST", "/posts/{pid}/reveal", {"reason": "curious"}, pid=post.pk), 403)
    assert "reason" in error_fields(moderators("POST", "/posts/{pid}/reveal", {"reason": "  "}, pid=post.pk))
    assert_status(moderators("POST", "/posts/{pid}/reveal", {"reason": "x"}, pid=plain.pk), 403)  # nothing to reveal
    assert not AuditEntry.objects.filter(action="communities.post.anonymous_author_revealed").exists()

    revealed = moderators("POST", "/posts/{pid}/reveal", {"reason": "Safety concern"}, pid=post.pk)
    assert assert_status(revealed, 200) == {"pseudonym": "river_member"}
    entry = AuditEntry.objects.get(action="communities.post.anonymous_author_revealed")
    assert (entry.actor_id, entry.reason) == (community_mod.pk, "Safety concern")


# --- Across communities -----------------------------------------------------------------------


def test_feed_and_waiting_cover_my_communities(spec, member, other_member, public, private):
    answered = start(member, public, title="Answered")
    services.post_reply(actor=other_member, thread=answered, body="Here for you.")
    start(member, public, title="Alone in public")
    start(member, private, title="Alone in private")
    caller = as_(member, spec)

    feed = assert_status(caller("GET", "/feed"), 200)
    assert {t["title"] for t in feed["items"]} == {"Answered", "Alone in public", "Alone in private"}
    waiting = assert_status(caller("GET", "/waiting"), 200)
    assert [t["title"] for t in waiting["items"]] == ["Alone in public", "Alone in private"]
    here = assert_status(caller("GET", "/communities/{slug}/waiting", slug="calm-harbour"), 200)
    assert [t["title"] for t in here["items"]] == ["Alone in public"]
    theirs = {t["title"] for t in as_(other_member, spec)("GET", "/feed").json()["items"]}
    assert theirs == {"Answered", "Alone in public"}


def test_pages_are_numbered_from_one(spec, member, public):
    for number in range(21):
        start(member, public, title=f"Thread {number}")
    caller = as_(member, spec)

    first = assert_status(caller("GET", "/communities/{slug}/threads", slug="calm-harbour"), 200)
    assert (len(first["items"]), first["page"], first["pages"], first["count"]) == (20, 1, 2, 21)
    last = assert_status(caller("GET", "/communities/{slug}/threads?page=2", slug="calm-harbour"), 200)
    assert [t["title"] for t in last["items"]] == ["Thread 0"]
    beyond = assert_status(
        caller("GET", "/communities/{slug}/threads?page=999999999999999999999", slug="calm-harbour"), 200
    )
    assert beyond["page"] == 2
    for bad in ("0", "-1", "abc"):
        assert "page" in error_fields(caller("GET", "/communities/{slug}/threads?page=" + bad, slug="calm-harbour"))


def test_search_finds_only_what_i_may_read(spec, member, other_member, public, private):
    start(member, public, title="Kettle thoughts", body="A warm blanket helps.")
    start(member, private, title="Owl thoughts", body="Another blanket story.")

    hits = assert_status(as_(other_member, spec)("GET", "/search?q=blanket"), 200)
    assert [(h["thread_title"], h["community"]["slug"]) for h in hits] == [("Kettle thoughts", "calm-harbour")]
    assert len(as_(member, spec)("GET", "/search?q=blanket").json()) == 2
    assert assert_status(as_(member, spec)("GET", "/search?q="), 200) == []
    assert assert_status(as_(member, spec)("GET", "/search?q=%22%20OR%20*%20-"), 200) == []
    assert "q" in error_fields(as_(member, spec)("GET", "/search?q=" + "a" * 201))
    assert "q" in error_fields(as_(member, spec)("GET", "/search?q=a%00b"))


# --- Notifications ----------------------------------------------------------------------------


def test_notifications_list_count_and_mark_read(spec, member, other_member, public):
    thread = start(member, public)
    services.post_reply(actor=other_member, thread=thread, body="First reply")
    services.post_reply(actor=other_member, thread=thread, body="Second reply, @river_member")
    caller = as_(member, spec)

    listing = assert_status(caller("GET", "/notifications"), 200)
    assert listing["count"] == 3
    assert {n["kind"] for n in listing["items"]} == {"reply", "mention"}
    assert all(n["read"] is False and n["actor_label"] == "maple_member" for n in listing["items"])
    assert assert_status(caller("GET", "/notifications/unread-count"), 200) == {"count": 3}

    first_id = listing["items"][-1]["id"]
    assert assert_status(caller("POST", "/notifications/read", {"ids": [first_id, 2**70]}), 200) == {"marked": 1}
    assert caller("GET", "/notifications/unread-count").json() == {"count": 2}
    assert assert_status(caller("POST", "/notifications/read", {"ids": None}), 200) == {"marked": 2}
    assert all(n["read"] for n in caller("GET", "/notifications").json()["items"])
    assert "ids" in error_fields(caller("POST", "/notifications/read", {"ids": ["one"]}))
    assert "ids" in error_fields(caller("POST", "/notifications/read", {}))


def test_nobody_reads_or_marks_someone_elses_notifications(spec, member, other_member, public):
    thread = start(member, public)
    services.post_reply(actor=other_member, thread=thread, body="Hello")
    theirs = Notification.objects.get(recipient=member)
    stranger = as_(other_member, spec)

    assert stranger("GET", "/notifications").json()["items"] == []
    assert stranger("POST", "/notifications/read", {"ids": [theirs.pk]}).json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- Reading preferences ----------------------------------------------------------------------


def test_reading_preferences_start_with_everything_folded(spec, member):
    caller = as_(member, spec)
    body = assert_status(caller("GET", "/me/reading-preferences"), 200)
    assert len(body["collapsed_warnings"]) == 7

    saved = caller("PUT", "/me/reading-preferences", {"collapsed_warnings": ["violence", "self_harm", "violence"]})
    assert assert_status(saved, 200) == {"collapsed_warnings": ["self_harm", "violence"]}
    assert caller("GET", "/me/reading-preferences").json() == {"collapsed_warnings": ["self_harm", "violence"]}
    assert assert_status(caller("PUT", "/me/reading-preferences", {"collapsed_warnings": []}), 200) == {
        "collapsed_warnings": []
    }
    assert "collapsed_warnings" in error_fields(
        caller("PUT", "/me/reading-preferences", {"collapsed_warnings": ["spiders"]})
    )
    assert "collapsed_warnings" in error_fields(caller("PUT", "/me/reading-preferences", {}))


# --- Robustness, sessions, the schema and query counts ----------------------------------------


@pytest.mark.parametrize(
    "template",
    ["/threads/{n}", "/threads/{n}/posts", "/posts/{n}", "/posts/{n}/revisions"],
)
@pytest.mark.parametrize("number", [0, 2**63, 10**30])
def test_ids_that_cannot_exist_are_not_found(spec, member, template, number):
    assert_not_found(as_(member, spec)("GET", template.format(n=number)))


def test_text_no_database_can_store_is_refused_not_a_crash(spec, member, moderator, public):
    caller = as_(member, spec)
    for template in ("/communities/bad%00slug", "/communities/bad%00slug/threads", "/communities/" + "x" * 300):
        assert_not_found(caller("GET", template))
    post = opening(start(member, public))
    assert "reason" in error_fields(as_(moderator, spec)("DELETE", "/posts/{pid}?reason=a%00b", pid=post.pk))
    assert "pseudonym" in error_fields(
        as_(moderator, spec)("POST", "/communities/{slug}/invitations", {"pseudonym": "a\u0000b"}, slug="calm-harbour")
    )
    assert "rules" in error_fields(
        as_(moderator, spec)("PATCH", "/communities/{slug}", {"rules": ["ok", "\ud800"]}, slug="calm-harbour")
    )


def test_session_clients_need_the_csrf_token_for_writes(member, public):
    client = client_for(member)
    client.handler.enforce_csrf_checks = True
    payload = json.dumps({"title": "From the browser", "body": "Hello"})

    refused = client.post("/api/v1/communities/calm-harbour/threads", payload, content_type="application/json")
    assert refused.status_code == 403
    assert client.get("/api/v1/communities/calm-harbour/threads").status_code == 200  # reads need no token
    client.get("/accounts/profile/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    allowed = client.post(
        "/api/v1/communities/calm-harbour/threads",
        payload,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert allowed.status_code == 201, allowed.content


def test_signed_out_session_sees_the_directory(public):
    response = Client().get("/api/v1/communities")
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()] == ["calm-harbour"]


def test_reading_a_thread_page_runs_the_same_queries_however_many_posts(spec, member, other_member, public):
    thread = start(member, public)
    caller = as_(other_member, spec)
    caller("GET", "/threads/{tid}/posts", tid=thread.pk)  # the token's first use is recorded once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert caller("GET", "/threads/{tid}/posts", tid=thread.pk).status_code == 200
        return len(captured)

    few = queries()
    for number in range(6):
        services.post_reply(actor=other_member if number % 2 else member, thread=thread, body=f"Reply {number}")
    services.reaction_toggle(actor=other_member, post=opening(thread), kind="relate")
    assert queries() == few


def test_openapi_describes_every_communities_endpoint(spec):
    expected = {
        "/api/v1/communities": {"get", "post"},
        "/api/v1/communities/{slug}": {"get", "patch"},
        "/api/v1/communities/{slug}/join": {"post"},
        "/api/v1/communities/{slug}/leave": {"post"},
        "/api/v1/communities/{slug}/requests": {"get"},
        "/api/v1/communities/{slug}/requests/{user_id}": {"post"},
        "/api/v1/communities/{slug}/invitations": {"post"},
        "/api/v1/communities/{slug}/bans": {"post"},
        "/api/v1/communities/{slug}/threads": {"get", "post"},
        "/api/v1/communities/{slug}/waiting": {"get"},
        "/api/v1/communities/{slug}/held": {"get"},
        "/api/v1/threads/{thread_id}": {"get"},
        "/api/v1/threads/{thread_id}/posts": {"get", "post"},
        "/api/v1/threads/{thread_id}/lock": {"post"},
        "/api/v1/threads/{thread_id}/pin": {"post"},
        "/api/v1/posts/{post_id}": {"get", "patch", "delete"},
        "/api/v1/posts/{post_id}/reactions": {"post"},
        "/api/v1/posts/{post_id}/reveal": {"post"},
        "/api/v1/posts/{post_id}/review": {"post"},
        "/api/v1/posts/{post_id}/revisions": {"get"},
        "/api/v1/feed": {"get"},
        "/api/v1/waiting": {"get"},
        "/api/v1/search": {"get"},
        "/api/v1/notifications": {"get"},
        "/api/v1/notifications/unread-count": {"get"},
        "/api/v1/notifications/read": {"post"},
        "/api/v1/me/reading-preferences": {"get", "put"},
    }
    for path, methods in expected.items():
        assert set(spec["paths"][path]) == methods, path
        for method in methods:
            operation = spec["paths"][path][method]
            assert operation["tags"] in (["communities"], ["notifications"]), path
            assert "401" in operation["responses"], (path, method)
            assert operation["security"][:2] == [{"BearerTokenAuth": []}, {"SessionAuth": []}]
    assert spec["paths"]["/api/v1/communities"]["get"]["security"][-1] == {}  # signed out too
    assert spec["paths"]["/api/v1/communities"]["post"]["security"] == [{"BearerTokenAuth": []}, {"SessionAuth": []}]
    assert spec["paths"]["/api/v1/notifications"]["get"]["tags"] == ["notifications"]
    assert set(spec["paths"]["/api/v1/communities/{slug}/threads"]["post"]["responses"]) >= {"201", "403", "404", "422"}


def test_a_pending_request_does_not_open_a_private_community(spec, member, other_member, private):
    thread = start(member, private)
    as_(other_member, spec)("POST", "/communities/{slug}/join", slug="night-owls")
    assert Membership.objects.get(community=private, user=other_member).status == MembershipStatus.PENDING
    assert_not_found(as_(other_member, spec)("GET", "/threads/{tid}", tid=thread.pk))


def test_hosts_appoint_moderators_and_moderators_cannot(spec, community_mod, member, other_member, admin_user, public):
    # A community moderator may moderate but not hand out roles.
    refused = as_(community_mod, spec)(
        "POST", "/communities/{slug}/roles", {"pseudonym": "maple_member", "role": "moderator"}, slug="calm-harbour"
    )
    assert_status(refused, 403)
    host = as_(admin_user, spec)
    made = host(
        "POST", "/communities/{slug}/roles", {"pseudonym": "maple_member", "role": "moderator"}, slug="calm-harbour"
    )
    assert assert_status(made, 200)["role"] == "moderator"
    assert "role" in error_fields(
        host("POST", "/communities/{slug}/roles", {"pseudonym": "maple_member", "role": "queen"}, slug="calm-harbour")
    )
    # Only members of the community can be given a role.
    assert "pseudonym" in error_fields(
        host("POST", "/communities/{slug}/roles", {"pseudonym": "harbour_keeper2", "role": "host"}, slug="calm-harbour")
    )
    assert AuditEntry.objects.filter(action="communities.membership.role_changed").count() >= 1
