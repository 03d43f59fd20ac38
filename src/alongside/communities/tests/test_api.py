"""The communities JSON API under /api/v1/: the same rules as the web pages.

Every answer is checked against the OpenAPI description of its path, method and status, errors
included (`{"detail", "code"}` with a stable code). Private, hidden, held and removed things answer
404 exactly like missing ones; an action refused on something the caller can see is 403
`not_allowed` with a reason; a refused or invalid request changes nothing. Anonymous authors never
appear in any answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alongside.accounts.enums import Role
from alongside.accounts.models import User
from alongside.communities import access, services
from alongside.communities.models import (
    Community,
    MemberRole,
    Membership,
    MembershipStatus,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    ReadingPreference,
    Thread,
    Visibility,
)
from alongside.core.models import AuditEntry, BlockedTerm, ScreeningAction
from alongside.moderation.access import REASON_SANCTION_STAFF
from alongside.notifications.models import Notification
from tests.fixtures import api_for, client_for, make_person
from tests.support import Caller, check_answer, documented_path, response_schema

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found.", "code": "not_found"}
API_TAGS = {"communities", "moderation", "notifications"}
# Every list the communities and notifications API serves: each is `{items, page, pages, count}`.
LISTS = {
    "/api/v1/communities",
    "/api/v1/communities/{slug}/threads",
    "/api/v1/communities/{slug}/waiting",
    "/api/v1/communities/{slug}/mentionable",
    "/api/v1/communities/{slug}/held",
    "/api/v1/communities/{slug}/requests",
    "/api/v1/threads/{thread_id}/posts",
    "/api/v1/posts/{post_id}/revisions",
    "/api/v1/feed",
    "/api/v1/waiting",
    "/api/v1/search",
    "/api/v1/search/communities",
    "/api/v1/notifications",
}


# --- Calling the API, and checking every answer against its description ---------------------


@pytest.fixture
def as_(openapi_spec: dict[str, Any]) -> Callable[[User | None], Caller]:
    """`as_(member)("GET", "/feed")`: a call as that persona, its answer checked against the schema."""

    def caller(user: User | None) -> Caller:
        return Caller(openapi_spec, user)

    return caller


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return None if status == 204 else response.json()


def assert_not_found(response: Any) -> None:
    assert response.status_code == 404, response.content
    assert response.json() == NOT_FOUND


def assert_not_allowed(response: Any, reason: Any) -> None:
    """403 `not_allowed`, saying why in words a person can read."""
    assert response.status_code == 403, response.content
    assert response.json() == {"detail": str(reason), "code": "not_allowed"}


def assert_not_authenticated(response: Any) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "not_authenticated"


def error_fields(response: Any) -> set[str]:
    """Every name in the `loc` of each problem of a 422 answer (field names, list positions)."""
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert all(problem["msg"] for problem in body["detail"])
    return {str(part) for problem in body["detail"] for part in problem["loc"]}


def snapshot() -> dict[str, Any]:
    """Everything a request could change, to show that a refused or invalid one changed nothing."""
    return {
        "communities": list(
            Community.objects.order_by("pk").values_list("slug", "name", "description", "rules", "topics", "visibility")
        ),
        "memberships": sorted(Membership.objects.values_list("community_id", "user_id", "status", "role")),
        "threads": list(
            Thread.objects.order_by("pk").values_list("pk", "title", "status", "is_locked", "is_pinned", "reply_count")
        ),
        "posts": list(Post.objects.order_by("pk").values_list("pk", "body", "status", "content_warnings", "edited_at")),
        "reactions": sorted(Reaction.objects.values_list("post_id", "user_id", "kind")),
        "revisions": PostRevision.objects.count(),
        "audit": AuditEntry.objects.count(),
        "notifications": sorted(Notification.objects.values_list("pk", "read_at")),
        "preferences": sorted(ReadingPreference.objects.values_list("user_id", "collapsed_warnings")),
    }


def opening(thread: Thread) -> Post:
    return Post.objects.get(thread=thread, is_opening=True)


def start(
    actor: User, community: Community, title: str = "Evenings are hard", body: str = "Any tips?", **kw: Any
) -> Thread:
    return services.thread_create(actor=actor, community=community, title=title, body=body, **kw)


def named(user: User, badge: str | None = None) -> dict[str, Any]:
    """How a named author appears in every answer."""
    return {"label": user.username, "pseudonym": user.username, "badge": badge}


ANONYMOUS = {"label": "Anonymous member", "pseudonym": None, "badge": None}


# --- Communities and people -------------------------------------------------------------------


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
    services.community_join(actor=person, community=public)
    services.member_role_set(actor=admin_user, community=public, user=person, role=MemberRole.MODERATOR)
    return person


@pytest.fixture
def passer_by(db: Any) -> User:
    """Signed in, a member of no community: may read public ones, not write in them."""
    return make_person("passer_by")


@pytest.fixture
def held_term(db: Any) -> BlockedTerm:
    return BlockedTerm.objects.create(term="holdme", action=ScreeningAction.HOLD)


# --- Errors and lists: one shape each -----------------------------------------------------------


def test_errors_are_detail_and_a_stable_code_for_each_status(as_, member, passer_by, public):
    thread = start(member, public)
    caller = as_(member)

    signed_out = as_(None)("GET", "/feed")
    assert signed_out.json() == {"detail": "Please log in first.", "code": "not_authenticated"}
    assert signed_out.status_code == 401
    assert_not_allowed(
        as_(passer_by)("POST", "/communities/calm-harbour/threads", {"title": "Hi", "body": "Hello"}),
        access.REASON_JOIN_FIRST,
    )
    assert_not_found(caller("GET", "/threads/999999"))
    invalid = caller("POST", f"/threads/{thread.pk}/posts", {"body": ""})
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "invalid"
    assert [problem["loc"] for problem in invalid.json()["detail"]] == [["body", "body"]]
    unparseable = caller("POST", f"/threads/{thread.pk}/posts", raw="{not json")
    assert unparseable.status_code == 400
    assert unparseable.json()["code"] == "bad_request"
    assert isinstance(unparseable.json()["detail"], str)


def test_openapi_documents_every_error_as_detail_and_code(openapi_spec):
    for path, operations in openapi_spec["paths"].items():
        for method, operation in operations.items():
            if not set(operation["tags"]) & API_TAGS:
                continue
            for status, answer in operation["responses"].items():
                if not status.startswith("4"):
                    continue
                schema = answer["content"]["application/json"]["schema"]
                name = schema["$ref"].rsplit("/", 1)[-1]
                assert name == ("InvalidOut" if status == "422" else "ErrorOut"), (method, path, status)


def test_every_list_is_one_envelope_of_items_and_pages(openapi_spec):
    envelopes = set()
    for path, operations in openapi_spec["paths"].items():
        for method, operation in operations.items():
            if method != "get" or not set(operation["tags"]) & API_TAGS:
                continue
            schema = response_schema(openapi_spec, method, path, 200)
            while "$ref" in schema:
                schema = openapi_spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            assert schema["type"] == "object", path  # never a bare array
            if "items" in schema["properties"]:
                assert set(schema["properties"]) == set(schema["required"]) == {"items", "page", "pages", "count"}
                assert {(p["name"], p["in"]) for p in operation["parameters"]} >= {("page", "query")}, path
                envelopes.add(path)
    assert envelopes == LISTS


@pytest.fixture
def one_of_everything(admin_user, member, other_member, private, public, held_term) -> dict[str, Any]:
    """Something in every list, so each list answer shows its envelope with an item."""
    thread = start(member, public, title="Searchable blanket")
    start(member, public, title="About holdme")  # held
    reply = services.post_reply(actor=other_member, thread=thread, body="Tea and a blanket @river_member")
    services.post_edit(actor=other_member, post=reply, body="Tea, a blanket @river_member")
    services.community_join(actor=other_member, community=private)  # a request to join
    start(member, public, title="Still unanswered")
    return {"thread": thread.pk, "reply": reply.pk}


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("member", "/communities"),
        ("member", "/communities/calm-harbour/threads"),
        ("member", "/communities/calm-harbour/waiting"),
        ("admin", "/communities/calm-harbour/held"),
        ("admin", "/communities/night-owls/requests"),
        ("member", "/threads/{thread}/posts"),
        ("admin", "/posts/{reply}/revisions"),
        ("member", "/feed"),
        ("member", "/waiting"),
        ("member", "/search?q=blanket"),
        ("member", "/search/communities?q=harbour"),
        ("member", "/notifications"),
    ],
)
def test_each_list_answers_with_the_envelope(as_, admin_user, member, one_of_everything, who, path):
    caller = as_(admin_user if who == "admin" else member)
    path = path.format(**one_of_everything)
    first = ok(caller("GET", path))
    assert set(first) == {"items", "page", "pages", "count"}
    assert first["items"], path
    assert (first["page"], first["pages"], first["count"]) == (1, 1, len(first["items"]))
    beyond = ok(caller("GET", path + ("&" if "?" in path else "?") + "page=5"))
    assert (beyond["page"], beyond["count"], beyond["items"]) == (1, first["count"], first["items"])
    assert "page" in error_fields(caller("GET", path + ("&" if "?" in path else "?") + "page=0"))


# --- The directory and a community ------------------------------------------------------------


def test_directory_works_signed_out_and_never_lists_hidden_communities(as_, public, private, hidden):
    body = ok(as_(None)("GET", "/communities"))

    assert [c["slug"] for c in body["items"]] == ["calm-harbour", "night-owls"]
    assert (body["page"], body["pages"], body["count"]) == (1, 1, 2)
    assert all(c["my_status"] is None for c in body["items"])
    assert body["items"][0]["member_count"] == 3  # the host and two members


def test_directory_lists_a_hidden_community_to_its_members(as_, member, other_member, public, private, hidden):
    mine = {c["slug"]: c for c in ok(as_(member)("GET", "/communities"))["items"]}
    theirs = {c["slug"] for c in ok(as_(other_member)("GET", "/communities"))["items"]}

    assert set(mine) == {"calm-harbour", "night-owls", "quiet-room"}
    assert mine["quiet-room"]["my_status"] == "active"
    assert theirs == {"calm-harbour", "night-owls"}


def test_a_wrong_token_is_refused_not_treated_as_signed_out(as_, public):
    caller = as_(None)
    caller.client.token = "not-a-real-token"
    assert_not_authenticated(caller("GET", "/communities"))


def test_community_about_says_what_i_may_do(as_, member, public):
    body = ok(as_(member)("GET", "/communities/calm-harbour"))

    assert body["name"] == "Calm Harbour"
    assert body["rules"] == ["Be kind."]
    assert body["membership"] == {"status": "active", "role": "member"}
    assert (body["can_read"], body["can_post"], body["can_join"]) == (True, True, False)
    assert (body["can_moderate"], body["can_edit"]) == (False, False)


def test_private_community_about_is_visible_but_its_threads_are_not(as_, member, other_member, private):
    start(member, private, title="Secret worries", body="Only for the owls.")
    outsider = as_(other_member)

    about = ok(outsider("GET", "/communities/night-owls"))
    assert (about["can_read"], about["can_join"], about["membership"]) == (False, True, None)
    response = outsider("GET", "/communities/night-owls/threads")
    assert_not_found(response)
    assert b"Secret worries" not in response.content


def test_hidden_and_unknown_communities_are_not_found(as_, other_member, hidden):
    outsider = as_(other_member)
    before = snapshot()
    for slug in ("quiet-room", "no-such-place"):
        assert_not_found(outsider("GET", f"/communities/{slug}"))
        assert_not_found(outsider("GET", f"/communities/{slug}/threads"))
        assert_not_found(outsider("POST", f"/communities/{slug}/join"))
        assert_not_found(outsider("POST", f"/communities/{slug}/threads", {"title": "t", "body": "b"}))
    assert snapshot() == before


# --- Signing in -------------------------------------------------------------------------------


def concrete(template: str, ids: dict[str, Any]) -> str:
    return template.removeprefix("/api/v1").format(**ids)


def operations_of(spec: dict[str, Any], *, reads: bool) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if set(operation["tags"]) & API_TAGS and (method == "get") == reads
    ]


@pytest.fixture
def some_of_everything(member, other_member, public) -> dict[str, Any]:
    thread = start(member, public)
    reply = services.post_reply(actor=other_member, thread=thread, body="Tea helps.")
    return {
        "slug": "calm-harbour",
        "thread_id": thread.pk,
        "post_id": reply.pk,
        "user_id": other_member.pk,
        "kind": "support",
    }


def test_every_read_but_the_directory_needs_a_sign_in(openapi_spec, as_, some_of_everything):
    stranger = as_(None)
    reads = operations_of(openapi_spec, reads=True)
    assert len(reads) == 19
    for method, template in reads:
        if template == "/api/v1/communities":
            continue
        assert_not_authenticated(stranger(method, concrete(template, some_of_everything)))


def test_every_write_signed_out_is_401_not_authenticated_and_changes_nothing(openapi_spec, as_, some_of_everything):
    stranger = as_(None)
    writes = operations_of(openapi_spec, reads=False)
    assert len(writes) == 30
    before = snapshot()
    for method, template in writes:
        operation = openapi_spec["paths"][template][method.lower()]
        # Authentication comes first: a stranger learns nothing, not even that a body is invalid.
        body: dict[str, Any] | None = {} if "requestBody" in operation else None
        response = stranger(method, concrete(template, some_of_everything), body)
        assert response.json() == {"detail": "Please log in first.", "code": "not_authenticated"}, (method, template)
        assert response.status_code == 401
    assert snapshot() == before


def test_a_signed_out_browser_write_is_401_not_a_csrf_refusal(openapi_spec, public):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        "/api/v1/communities/calm-harbour/threads", json.dumps({"title": "Hi", "body": "Hello"}), "application/json"
    )
    check_answer(openapi_spec, "POST", "/communities/calm-harbour/threads", response)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not Thread.objects.exists()


def test_signed_in_session_writes_need_the_csrf_token(openapi_spec, member, public):
    client = client_for(member)
    client.handler.enforce_csrf_checks = True
    payload = json.dumps({"title": "From the browser", "body": "Hello"})
    path = "/communities/calm-harbour/threads"

    refused = client.post("/api/v1" + path, payload, content_type="application/json")
    check_answer(openapi_spec, "POST", path, refused)
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_allowed"
    assert not Thread.objects.exists()
    reads = client.get("/api/v1" + path)  # reads need no token
    check_answer(openapi_spec, "GET", path, reads)
    assert reads.status_code == 200
    client.get("/accounts/profile/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    allowed = client.post("/api/v1" + path, payload, content_type="application/json", headers={"X-CSRFToken": token})
    check_answer(openapi_spec, "POST", path, allowed)
    assert allowed.status_code == 201, allowed.content


def test_signed_out_session_sees_the_directory(openapi_spec, public):
    response = Client().get("/api/v1/communities")
    check_answer(openapi_spec, "GET", "/communities", response)
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()["items"]] == ["calm-harbour"]


def test_staff_need_their_second_factor_with_a_token_and_a_session(openapi_spec, as_, moderator, public):
    token_without = Caller(openapi_spec, None)
    token_without.client = api_for(moderator, second_factor=False)
    for path in ("/feed", "/communities"):  # the directory too: a token is judged even where none is needed
        refused = token_without("GET", path)
        assert refused.status_code == 403
        assert refused.json()["code"] == "two_factor_required"  # as a session without two-factor gets
    assert ok(as_(moderator)("GET", "/feed"))["items"] == []  # with the second factor

    no_authenticator = make_person("quiet_warden", Role.MODERATOR, two_factor=False)
    for path in ("/feed", "/communities"):
        response = client_for(no_authenticator).get("/api/v1" + path)
        check_answer(openapi_spec, "GET", path, response)
        assert response.status_code == 403
        assert response.json()["code"] == "two_factor_required"


# --- Creating and changing communities --------------------------------------------------------


def test_admin_creates_a_community_and_becomes_its_host(as_, admin_user):
    payload = {
        "name": "  Morning   Light ",
        "description": "Early risers.",
        "rules": ["Be kind", " "],
        "visibility": "private",
    }
    body = ok(as_(admin_user)("POST", "/communities", payload), 201)

    assert (body["slug"], body["name"], body["visibility"]) == ("morning-light", "Morning Light", "private")
    assert body["rules"] == ["Be kind"]
    assert body["membership"] == {"status": "active", "role": "host"}
    assert body["can_edit"] is True
    assert AuditEntry.objects.filter(action="communities.community.created", actor_id=admin_user.pk).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "Fine", "visibility": "secret"}, "visibility"),
        ({"name": "Calm harbour"}, "name"),  # taken, whatever the case
        ({"name": "Nul\u0000byte"}, "name"),
        ({"name": 5}, "name"),
        ({"name": "Fine", "rules": "Be kind"}, "rules"),
        ({"name": "Fine", "rules": [None]}, "rules"),
        ({"name": "Fine", "owner": "me"}, "owner"),
        ({}, "name"),
    ],
)
def test_community_create_rejects_bad_input(as_, admin_user, public, payload, field):
    before = snapshot()
    assert field in error_fields(as_(admin_user)("POST", "/communities", payload))
    assert snapshot() == before


def test_only_administrators_create_communities(as_, member, moderator):
    for person in (member, moderator):
        assert_not_allowed(as_(person)("POST", "/communities", {"name": "Mine"}), access.REASON_ADMINS)
    assert not Community.objects.exists()


def test_host_changes_the_community_others_may_not(as_, admin_user, member, community_mod, public):
    body = ok(
        as_(admin_user)("PATCH", "/communities/calm-harbour", {"description": "Calmer.", "rules": ["One", "Two"]})
    )
    assert (body["description"], body["rules"], body["name"]) == ("Calmer.", ["One", "Two"], "Calm Harbour")

    before = snapshot()
    for person in (member, community_mod):
        assert_not_allowed(as_(person)("PATCH", "/communities/calm-harbour", {"name": "Mine now"}), access.REASON_HOSTS)
    host = as_(admin_user)
    assert "name" in error_fields(host("PATCH", "/communities/calm-harbour", {"name": "x" * 81}))
    assert "slug" in error_fields(host("PATCH", "/communities/calm-harbour", {"slug": "elsewhere"}))
    assert snapshot() == before


# --- Membership -------------------------------------------------------------------------------


def test_joining_a_public_community_is_immediate_and_leaving_is_too(as_, admin_user):
    community = services.community_create(actor=admin_user, name="Open Door")
    person = make_person("new_face")
    caller = as_(person)

    assert ok(caller("POST", "/communities/open-door/join")) == {"status": "active", "role": "member"}
    assert_not_allowed(caller("POST", "/communities/open-door/join"), access.REASON_CANNOT_JOIN)  # already in
    ok(caller("POST", "/communities/open-door/leave"), 204)
    assert not Membership.objects.filter(community=community, user=person).exists()


def test_the_only_host_cannot_leave(as_, admin_user, public):
    before = snapshot()
    assert error_fields(as_(admin_user)("POST", "/communities/calm-harbour/leave")) == {"body"}
    assert snapshot() == before


def test_private_community_requests_are_decided_by_moderators(as_, admin_user, member, other_member, private):
    assert ok(as_(other_member)("POST", "/communities/night-owls/join"))["status"] == "pending"
    before = snapshot()
    assert_not_allowed(as_(member)("GET", "/communities/night-owls/requests"), access.REASON_MODERATORS)
    for decision in ("approve", "deny"):
        refused = as_(member)("POST", f"/communities/night-owls/requests/{other_member.pk}/{decision}")
        assert_not_allowed(refused, access.REASON_MODERATORS)
    assert snapshot() == before

    host = as_(admin_user)
    requests = ok(host("GET", "/communities/night-owls/requests"))
    assert [(r["user_id"], r["pseudonym"]) for r in requests["items"]] == [(other_member.pk, "maple_member")]
    approved = host("POST", f"/communities/night-owls/requests/{other_member.pk}/approve")
    assert ok(approved) == {"user_id": other_member.pk, "status": "active"}
    for decision in ("approve", "deny"):  # no longer waiting
        assert_not_found(host("POST", f"/communities/night-owls/requests/{other_member.pk}/{decision}"))
    assert as_(other_member)("GET", "/communities/night-owls").json()["can_read"] is True
    assert ok(host("GET", "/communities/night-owls/requests"))["items"] == []
    assert AuditEntry.objects.filter(action="communities.membership.approved", actor_id=admin_user.pk).exists()


def test_a_denied_request_leaves_no_membership(as_, admin_user, other_member, private):
    as_(other_member)("POST", "/communities/night-owls/join")
    denied = as_(admin_user)("POST", f"/communities/night-owls/requests/{other_member.pk}/deny")
    assert ok(denied) == {"user_id": other_member.pk, "status": None}
    assert not Membership.objects.filter(community=private, user=other_member).exists()
    assert AuditEntry.objects.filter(action="communities.membership.denied").exists()


def test_deciding_on_someone_who_did_not_ask_is_not_found(as_, admin_user, member, private):
    host = as_(admin_user)
    before = snapshot()
    for user_id in (member.pk, admin_user.pk, 999_999):  # a member already, the host, nobody
        for decision in ("approve", "deny"):
            assert_not_found(host("POST", f"/communities/night-owls/requests/{user_id}/{decision}"))
    for user_id in ("abc", "0", "-1", str(2**63), str(10**30)):  # cannot be anyone's id
        assert "user_id" in error_fields(host("POST", f"/communities/night-owls/requests/{user_id}/deny"))
    assert snapshot() == before


def test_hidden_community_is_joined_by_invitation(as_, admin_user, other_member, hidden):
    outsider = as_(other_member)
    assert_not_found(outsider("POST", "/communities/quiet-room/join"))

    invited = as_(admin_user)("POST", "/communities/quiet-room/invitations", {"pseudonym": "@Maple_Member"})
    assert ok(invited)["status"] == "invited"
    assert outsider("GET", "/communities/quiet-room").json()["can_join"] is True
    assert ok(outsider("POST", "/communities/quiet-room/join"))["status"] == "active"


def test_invitations_and_bans_are_for_moderators_and_need_a_real_pseudonym(as_, member, admin_user, public):
    before = snapshot()
    # Non-moderators are refused before the pseudonym is looked up: they learn nothing about who exists.
    assert_not_allowed(
        as_(member)("POST", "/communities/calm-harbour/invitations", {"pseudonym": "nobody_here"}),
        access.REASON_MODERATORS,
    )
    assert_not_allowed(
        as_(member)("POST", "/communities/calm-harbour/bans", {"pseudonym": "maple_member", "reason": "x"}),
        access.REASON_MODERATORS,
    )
    host = as_(admin_user)
    for pseudonym in ("nobody_here", ""):
        assert "pseudonym" in error_fields(
            host("POST", "/communities/calm-harbour/invitations", {"pseudonym": pseudonym})
        )
    assert snapshot() == before


def test_a_banned_member_can_no_longer_post(as_, community_mod, admin_user, other_member, public):
    moderators = as_(community_mod)
    before = snapshot()
    no_reason = moderators("POST", "/communities/calm-harbour/bans", {"pseudonym": "maple_member", "reason": " "})
    assert "reason" in error_fields(no_reason)
    host_ban = moderators("POST", "/communities/calm-harbour/bans", {"pseudonym": "site_lead", "reason": "Coup"})
    # The host here is an administrator, and site staff are never sanctioned (moderation.access);
    # a moderator banning a host who is a member is refused in moderation's sanction tests.
    assert_not_allowed(host_ban, REASON_SANCTION_STAFF)
    assert snapshot() == before

    banned = moderators("POST", "/communities/calm-harbour/bans", {"pseudonym": "maple_member", "reason": "Spam"})
    assert ok(banned) == {"user_id": other_member.pk, "pseudonym": "maple_member", "status": "banned", "role": "member"}
    attempt = as_(other_member)("POST", "/communities/calm-harbour/threads", {"title": "Hi", "body": "Back"})
    assert_not_allowed(attempt, access.REASON_JOIN_FIRST)
    entry = AuditEntry.objects.get(action="communities.membership.banned")
    assert (entry.actor_id, entry.reason) == (community_mod.pk, "Spam")


def test_hosts_appoint_moderators_and_moderators_cannot(
    as_, community_mod, other_member, passer_by, admin_user, public
):
    before = snapshot()
    refused = as_(community_mod)(
        "POST", "/communities/calm-harbour/roles", {"pseudonym": "maple_member", "role": "moderator"}
    )
    assert_not_allowed(refused, access.REASON_HOSTS)
    host = as_(admin_user)
    queen = host("POST", "/communities/calm-harbour/roles", {"pseudonym": "maple_member", "role": "queen"})
    assert "role" in error_fields(queen)
    # Only members of the community can be given a role.
    outsider = host("POST", "/communities/calm-harbour/roles", {"pseudonym": "passer_by", "role": "host"})
    assert "pseudonym" in error_fields(outsider)
    assert snapshot() == before

    made = host("POST", "/communities/calm-harbour/roles", {"pseudonym": "maple_member", "role": "moderator"})
    assert ok(made) == {
        "user_id": other_member.pk,
        "pseudonym": "maple_member",
        "status": "active",
        "role": "moderator",
    }
    assert as_(other_member)("GET", "/communities/calm-harbour").json()["can_moderate"] is True
    assert AuditEntry.objects.filter(action="communities.membership.role_changed").count() == 2  # the fixture's too


# --- Each moderation endpoint, persona by persona ---------------------------------------------


@dataclass
class Owls:
    """A private community with something for every moderation endpoint to act on."""

    community: Community
    thread: Thread  # by `member`
    reply: Post  # by fern
    held: Post  # a reply by fern that screening held back
    anonymous: Post  # an anonymous reply by fern
    fern: User  # an ordinary member: banned, or given a role
    applicant: User  # asked to join
    people: dict[str, User] = field(default_factory=dict)

    @property
    def ids(self) -> dict[str, int]:
        return {
            "thread": self.thread.pk,
            "reply": self.reply.pk,
            "held": self.held.pk,
            "anonymous": self.anonymous.pk,
            "applicant": self.applicant.pk,
        }


@pytest.fixture
def owls(admin_user, member, other_member, moderator, held_term) -> Owls:
    community = services.community_create(actor=admin_user, name="Night Owls", visibility=Visibility.PRIVATE)
    fern, keeper = make_person("quiet_fern"), make_person("owl_keeper")
    for person in (member, fern, keeper):
        membership = services.community_join(actor=person, community=community)
        services.membership_decide(actor=admin_user, membership=membership, approve=True)
    services.member_role_set(actor=admin_user, community=community, user=keeper, role=MemberRole.MODERATOR)
    applicant = make_person("hopeful_owl")
    services.community_join(actor=applicant, community=community)
    make_person("owl_newcomer")
    thread = start(member, community)
    world = Owls(
        community=community,
        thread=thread,
        reply=services.post_reply(actor=fern, thread=thread, body="A kind word"),
        held=services.post_reply(actor=fern, thread=thread, body="Something about holdme"),
        anonymous=services.post_reply(actor=fern, thread=thread, body="Quietly", is_anonymous=True),
        fern=fern,
        applicant=applicant,
        people={
            "member": member,
            "outsider": other_member,  # not in the community: may see that it exists, not read it
            "community_moderator": keeper,
            "site_moderator": moderator,
            "host": admin_user,
        },
    )
    assert world.held.status == PostStatus.HELD
    return world


def _status(post: Post) -> str:
    return Post.objects.get(pk=post.pk).status


def _thread(world: Owls) -> Thread:
    return Thread.objects.get(pk=world.thread.pk)


def _membership(world: Owls, pseudonym: str) -> Membership | None:
    return Membership.objects.filter(community=world.community, user__username=pseudonym).first()


@dataclass(frozen=True)
class Action:
    method: str
    path: str
    body: dict[str, Any] | None
    done: Callable[[Owls], bool]  # its effect, read back from the database
    refusal: Any = access.REASON_MODERATORS
    prepare: Callable[[Owls], Any] = lambda world: None


ACTIONS = {
    "approve": Action(
        "POST", "/posts/{held}/approve", {"reason": "Fine after all"}, lambda w: _status(w.held) == PostStatus.VISIBLE
    ),
    "reject": Action(
        "POST", "/posts/{held}/reject", {"reason": "Unkind"}, lambda w: _status(w.held) == PostStatus.REMOVED
    ),
    "remove": Action(
        "POST",
        "/posts/{reply}/remove",
        {"reason": "Off topic"},
        lambda w: _status(w.reply) == PostStatus.REMOVED,
        refusal=access.REASON_DELETE,
    ),
    "experience": Action(
        "POST",
        "/posts/{reply}/experience",
        {"resource": "/help/"},
        lambda w: Post.objects.get(pk=w.reply.pk).experience_resource == "/help/",
    ),
    "lock": Action("PUT", "/threads/{thread}/lock", None, lambda w: _thread(w).is_locked),
    "unlock": Action(
        "DELETE",
        "/threads/{thread}/lock",
        None,
        lambda w: not _thread(w).is_locked,
        prepare=lambda w: services.thread_lock(actor=w.people["host"], thread=w.thread, locked=True),
    ),
    "pin": Action("PUT", "/threads/{thread}/pin", None, lambda w: _thread(w).is_pinned),
    "unpin": Action(
        "DELETE",
        "/threads/{thread}/pin",
        None,
        lambda w: not _thread(w).is_pinned,
        prepare=lambda w: services.thread_pin(actor=w.people["host"], thread=w.thread, pinned=True),
    ),
    "approve_request": Action(
        "POST",
        "/communities/night-owls/requests/{applicant}/approve",
        None,
        lambda w: _membership(w, "hopeful_owl").status == MembershipStatus.ACTIVE,
    ),
    "deny_request": Action(
        "POST",
        "/communities/night-owls/requests/{applicant}/deny",
        None,
        lambda w: _membership(w, "hopeful_owl") is None,
    ),
    "invite": Action(
        "POST",
        "/communities/night-owls/invitations",
        {"pseudonym": "owl_newcomer"},
        lambda w: _membership(w, "owl_newcomer") is not None,
    ),
    "ban": Action(
        "POST",
        "/communities/night-owls/bans",
        {"pseudonym": "quiet_fern", "reason": "Spam"},
        lambda w: _membership(w, "quiet_fern").status == MembershipStatus.BANNED,
    ),
    "appoint": Action(
        "POST",
        "/communities/night-owls/roles",
        {"pseudonym": "quiet_fern", "role": "moderator"},
        lambda w: _membership(w, "quiet_fern").role == MemberRole.MODERATOR,
        refusal=access.REASON_HOSTS,
    ),
    "reveal": Action(
        "POST",
        "/posts/{anonymous}/reveal",
        {"reason": "Safety concern"},
        lambda w: AuditEntry.objects.filter(action="communities.post.anonymous_author_revealed").exists(),
        refusal=access.REASON_REVEAL,
    ),
}

OK = "ok"
PERSONAS = ("member", "outsider", "community_moderator", "site_moderator", "host")
# fmt: off
#: action -> what each persona gets, in the order of PERSONAS. A member cannot see a held reply
#: they did not write (404); an outsider can see that a private community exists (403 on its
#: moderation endpoints) but none of its threads or posts (404). Only hosts hand out roles.
OUTCOMES: dict[str, tuple[Any, ...]] = {
    #                   member outsider  c. mod  site mod  host
    "approve":         (404,   404,      OK,     OK,       OK),
    "reject":          (404,   404,      OK,     OK,       OK),
    "remove":          (403,   404,      OK,     OK,       OK),
    "experience":      (403,   404,      OK,     OK,       OK),
    "lock":            (403,   404,      OK,     OK,       OK),
    "unlock":          (403,   404,      OK,     OK,       OK),
    "pin":             (403,   404,      OK,     OK,       OK),
    "unpin":           (403,   404,      OK,     OK,       OK),
    "approve_request": (403,   403,      OK,     OK,       OK),
    "deny_request":    (403,   403,      OK,     OK,       OK),
    "invite":          (403,   403,      OK,     OK,       OK),
    "ban":             (403,   403,      OK,     OK,       OK),
    "appoint":         (403,   403,      403,    403,      OK),
    "reveal":          (403,   404,      OK,     OK,       OK),
}
# fmt: on


def test_the_outcome_table_covers_every_moderation_endpoint(openapi_spec):
    moderation = {
        (method.upper(), path)
        for path, operations in openapi_spec["paths"].items()
        for method, operation in operations.items()
        if operation["tags"] == ["moderation"] and method != "get"
    }
    covered = {(a.method, documented_path(openapi_spec, a.method, a.path)) for a in ACTIONS.values()}
    assert moderation <= covered
    assert set(OUTCOMES) == set(ACTIONS)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_moderation_action_is_for_moderators_and_hosts_only(as_, owls, name, persona):
    action, expected = ACTIONS[name], OUTCOMES[name][PERSONAS.index(persona)]
    action.prepare(owls)
    caller = as_(owls.people[persona])
    before = snapshot()

    response = caller(action.method, action.path.format(**owls.ids), action.body)

    if expected == OK:
        assert response.status_code in (200, 204), response.content
        assert action.done(owls)
        assert AuditEntry.objects.count() > before["audit"]  # every moderation action leaves a trail
    else:
        if expected == 404:
            assert_not_found(response)
        else:
            assert_not_allowed(response, action.refusal)
        assert snapshot() == before
        assert not action.done(owls)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/communities/quiet-room/held", None),
        ("GET", "/communities/quiet-room/requests", None),
        ("POST", "/communities/quiet-room/requests/{member}/approve", None),
        ("POST", "/communities/quiet-room/requests/{member}/deny", None),
        ("POST", "/communities/quiet-room/invitations", {"pseudonym": "maple_member"}),
        ("POST", "/communities/quiet-room/bans", {"pseudonym": "river_member", "reason": "x"}),
        ("POST", "/communities/quiet-room/roles", {"pseudonym": "river_member", "role": "host"}),
    ],
)
def test_moderating_a_hidden_community_is_not_found_for_outsiders(
    as_, member, other_member, hidden, method, path, body
):
    before = snapshot()
    assert_not_found(as_(other_member)(method, path.format(member=member.pk), body))
    assert snapshot() == before


# --- Threads ----------------------------------------------------------------------------------


def test_start_a_thread_and_read_it_back(as_, member, other_member, public):
    payload = {"title": "Evenings", "body": "What **helps** you?", "content_warnings": ["grief", "abuse", "grief"]}
    created = ok(as_(member)("POST", "/communities/calm-harbour/threads", payload), 201)

    assert created["status"] == "visible"
    assert created["author"] == named(member)
    assert created["content_warnings"] == ["abuse", "grief"]
    assert created["community"] == {"slug": "calm-harbour", "name": "Calm Harbour"}
    assert created["opening_post"]["body_html"] == "<p>What <strong>helps</strong> you?</p>\n"
    assert created["opening_post"]["is_mine"] is True
    assert created["opening_post"]["quote"] is None

    reader = as_(other_member)
    listing = ok(reader("GET", "/communities/calm-harbour/threads"))
    assert (listing["page"], listing["pages"], listing["count"]) == (1, 1, 1)
    assert listing["items"][0]["id"] == created["id"]
    thread = ok(reader("GET", f"/threads/{created['id']}"))
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
        ({"title": "Fine", "body": "Something", "content_warnings": "grief"}, "content_warnings"),
        ({"title": "Fine", "body": "Something", "content_warnings": [None]}, "content_warnings"),
        ({"title": "Fine", "body": "Nul \u0000 inside"}, "body"),
        ({"title": "Nul \u0000 inside", "body": "Something"}, "title"),
        ({"title": "Fine", "body": "Half a pair \ud800"}, "body"),
        ({"title": "Fine"}, "body"),
        ({"title": "Fine", "body": 12}, "body"),
        ({"title": ["Fine"], "body": "Something"}, "title"),
        ({"title": "Fine", "body": "Something", "is_anonymous": "yes"}, "is_anonymous"),
        ({"title": "Fine", "body": "Something", "is_anonymous": 1}, "is_anonymous"),
        ({"title": "Fine", "body": "Something", "unknown": 1}, "unknown"),
        ({"title": "Fine", "body": "Something", "author_id": 1}, "author_id"),
    ],
)
def test_thread_create_rejects_bad_input(as_, member, public, payload, field):
    before = snapshot()
    assert field in error_fields(as_(member)("POST", "/communities/calm-harbour/threads", payload))
    assert snapshot() == before
    assert not Thread.objects.exists()


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ('{"title": "Fine", "body": "Trailing",}', 400),
        ("[null, null]", 422),
        ('["a list"]', 422),
        ("null", 422),
        ('"text"', 422),
        ("42", 422),
    ],
)
def test_a_body_that_is_not_an_object_is_a_client_error_never_a_crash(as_, member, public, raw, status):
    response = as_(member)("POST", "/communities/calm-harbour/threads", raw=raw)
    assert response.status_code == status, response.content
    assert response.json()["code"] == {400: "bad_request", 422: "invalid"}[status]
    assert not Thread.objects.exists()


def test_posting_needs_membership_403_or_404_when_unreadable(as_, other_member, passer_by, public, private):
    refused = as_(passer_by)("POST", "/communities/calm-harbour/threads", {"title": "Hi", "body": "Hello"})
    assert_not_allowed(refused, access.REASON_JOIN_FIRST)
    assert_not_found(as_(other_member)("POST", "/communities/night-owls/threads", {"title": "Hi", "body": "Hello"}))
    assert not Thread.objects.exists()


def test_a_held_thread_is_seen_only_by_its_author_and_moderators(
    as_, member, other_member, moderator, public, held_term
):
    created = as_(member)("POST", "/communities/calm-harbour/threads", {"title": "About holdme", "body": "Text"})
    body = ok(created, 201)
    assert body["status"] == "held"
    post_id = body["opening_post"]["id"]

    reader = as_(other_member)
    assert_not_found(reader("GET", f"/threads/{body['id']}"))
    assert_not_found(reader("GET", f"/threads/{body['id']}/posts"))
    assert_not_found(reader("GET", f"/posts/{post_id}"))
    assert reader("GET", "/communities/calm-harbour/threads").json()["items"] == []
    assert as_(member)("GET", f"/threads/{body['id']}").json()["status"] == "held"
    assert ok(as_(member)("GET", "/communities/calm-harbour/threads"))["count"] == 1

    staff = as_(moderator)
    held = ok(staff("GET", "/communities/calm-harbour/held"))
    assert [(p["id"], p["thread_id"], p["status"]) for p in held["items"]] == [(post_id, body["id"], "held")]
    assert_not_allowed(reader("GET", "/communities/calm-harbour/held"), access.REASON_MODERATORS)
    assert_not_found(reader("POST", f"/posts/{post_id}/approve", {"reason": ""}))
    approved = ok(staff("POST", f"/posts/{post_id}/approve", {"reason": "Fine"}))
    assert approved["status"] == "visible"
    assert reader("GET", f"/threads/{body['id']}").json()["status"] == "visible"
    assert error_fields(staff("POST", f"/posts/{post_id}/approve", {"reason": ""})) == {"body"}  # decided
    entry = AuditEntry.objects.get(action="communities.post.approved")
    assert (entry.actor_id, entry.reason) == (moderator.pk, "Fine")


def test_a_held_reply_is_served_only_to_its_author_and_moderators(
    as_, member, other_member, passer_by, moderator, public, held_term
):
    thread = start(member, public)
    held = ok(as_(other_member)("POST", f"/threads/{thread.pk}/posts", {"body": "A holdme thought"}), 201)
    assert held["status"] == "held"

    for person in (member, passer_by):
        assert_not_found(as_(person)("GET", f"/posts/{held['id']}"))
        listing = as_(person)("GET", f"/threads/{thread.pk}/posts")
        assert [p["id"] for p in ok(listing)["items"]] == [opening(thread).pk]
        assert b"holdme" not in listing.content
    for person in (other_member, moderator):
        assert ok(as_(person)("GET", f"/posts/{held['id']}"))["status"] == "held"
        assert held["id"] in [p["id"] for p in as_(person)("GET", f"/threads/{thread.pk}/posts").json()["items"]]
    reject = ok(as_(moderator)("POST", f"/posts/{held['id']}/reject", {"reason": "Unkind"}), 204)
    assert reject is None
    assert AuditEntry.objects.get(action="communities.post.rejected").reason == "Unkind"
    assert_not_found(as_(other_member)("GET", f"/posts/{held['id']}"))  # removed now, even for its author


def test_the_replies_of_a_thread_held_again_are_served_only_to_its_author_and_moderators(
    as_, member, other_member, passer_by, moderator, public, held_term
):
    thread = start(member, public)
    reply = services.post_reply(actor=other_member, thread=thread, body="A visible reply")
    services.post_edit(actor=member, post=opening(thread), body="Now about holdme")
    assert Thread.objects.get(pk=thread.pk).status == PostStatus.HELD

    for person in (other_member, passer_by):  # even the reply's own author
        for path in (f"/threads/{thread.pk}", f"/threads/{thread.pk}/posts", f"/posts/{reply.pk}"):
            assert_not_found(as_(person)("GET", path))
        before = snapshot()
        assert_not_found(as_(person)("PUT", f"/posts/{reply.pk}/reactions/support"))
        assert_not_found(as_(person)("POST", f"/threads/{thread.pk}/posts", {"body": "Hello?"}))
        assert snapshot() == before
    for person in (member, moderator):
        assert ok(as_(person)("GET", f"/posts/{reply.pk}"))["body"] == "A visible reply"
        assert ok(as_(person)("GET", f"/threads/{thread.pk}/posts"))["count"] == 2


def test_private_community_content_never_reaches_non_members(as_, member, other_member, private):
    thread = start(member, private, title="Owl secrets", body="Between us owls.")
    reply = services.post_reply(actor=member, thread=thread, body="More owl thoughts.", is_anonymous=True)
    outsider = as_(other_member)
    before = snapshot()

    for method, path, body in [
        ("GET", f"/threads/{thread.pk}", None),
        ("GET", f"/threads/{thread.pk}/posts", None),
        ("POST", f"/threads/{thread.pk}/posts", {"body": "Let me in"}),
        ("PUT", f"/threads/{thread.pk}/lock", None),
        ("DELETE", f"/threads/{thread.pk}/lock", None),
        ("PUT", f"/threads/{thread.pk}/pin", None),
        ("DELETE", f"/threads/{thread.pk}/pin", None),
        ("GET", f"/posts/{reply.pk}", None),
        ("PATCH", f"/posts/{reply.pk}", {"body": "mine now"}),
        ("DELETE", f"/posts/{reply.pk}", None),
        ("POST", f"/posts/{reply.pk}/remove", {"reason": "x"}),
        ("POST", f"/posts/{reply.pk}/approve", {"reason": "x"}),
        ("POST", f"/posts/{reply.pk}/reject", {"reason": "x"}),
        ("PUT", f"/posts/{reply.pk}/reactions/support", None),
        ("DELETE", f"/posts/{reply.pk}/reactions/support", None),
        ("POST", f"/posts/{reply.pk}/reveal", {"reason": "curious"}),
        ("GET", f"/posts/{reply.pk}/revisions", None),
        ("GET", "/communities/night-owls/threads", None),
        ("GET", "/communities/night-owls/waiting", None),
        ("POST", "/communities/night-owls/threads", {"title": "Hi", "body": "There"}),
    ]:
        response = outsider(method, path, body)
        assert_not_found(response)
        assert b"owl" not in response.content.lower()
    for path in ("/feed", "/waiting", "/search?q=owl", "/notifications"):
        response = outsider("GET", path)
        assert ok(response)["items"] == []
        assert b"owl" not in response.content.lower()
    assert snapshot() == before


def test_a_removed_thread_serves_none_of_its_words_to_anyone(as_, member, other_member, moderator, admin_user, public):
    thread = start(member, public, title="Regrettable title", body="Regrettable body")
    replies = [
        services.post_reply(actor=other_member, thread=thread, body="Regrettable reply"),
        services.post_reply(actor=member, thread=thread, body="Regrettable answer", is_anonymous=True),
    ]
    ok(as_(member)("DELETE", f"/posts/{opening(thread).pk}"), 204)

    for person in (member, other_member, moderator, admin_user):
        caller = as_(person)
        assert_not_found(caller("GET", f"/threads/{thread.pk}"))
        assert_not_found(caller("GET", f"/threads/{thread.pk}/posts"))
        for post in [opening(thread), *replies]:
            assert_not_found(caller("GET", f"/posts/{post.pk}"))
            assert_not_found(caller("GET", f"/posts/{post.pk}/revisions"))
        for path in ("/communities/calm-harbour/threads", "/feed", "/waiting", "/search?q=regrettable"):
            response = caller("GET", path)
            assert ok(response)["items"] == [], (person, path)
            assert b"Regrettable" not in response.content
    assert_not_found(as_(other_member)("POST", f"/threads/{thread.pk}/posts", {"body": "Anyone?"}))


# --- Posts and replies ------------------------------------------------------------------------


def test_reply_quote_and_page_through_posts(as_, member, other_member, public):
    thread = start(member, public)
    caller = as_(other_member)

    reply = ok(caller("POST", f"/threads/{thread.pk}/posts", {"body": "Tea helps me."}), 201)
    assert (reply["status"], reply["is_opening"], reply["thread_id"]) == ("visible", False, thread.pk)
    quoting = ok(
        caller("POST", f"/threads/{thread.pk}/posts", {"body": "And walks.", "quote_post_id": reply["id"]}), 201
    )
    assert quoting["body"] == "And walks."  # the quoted text is not copied into the reply
    assert quoting["quote"] == {"post_id": reply["id"], "author": "maple_member", "excerpt": "Tea helps me."}

    posts = ok(as_(member)("GET", f"/threads/{thread.pk}/posts"))
    assert [p["is_opening"] for p in posts["items"]] == [True, False, False]
    assert posts["count"] == 3
    assert posts["items"][2]["quote"]["post_id"] == reply["id"]
    assert as_(member)("GET", f"/threads/{thread.pk}").json()["reply_count"] == 2


def test_a_quote_shows_only_while_the_quoted_post_is_visible(as_, member, other_member, moderator, public):
    thread = start(member, public)
    quoted = services.post_reply(actor=other_member, thread=thread, body="Words I will regret")
    quoting = services.post_reply(actor=member, thread=thread, body="I agree", quote=quoted)
    assert ok(as_(member)("GET", f"/posts/{quoting.pk}"))["quote"]["post_id"] == quoted.pk

    ok(as_(moderator)("POST", f"/posts/{quoted.pk}/remove", {"reason": "Unkind"}), 204)

    shown = ok(as_(member)("GET", f"/posts/{quoting.pk}"))
    assert (shown["quote"], shown["body"]) == (None, "I agree")
    listing = as_(member)("GET", f"/threads/{thread.pk}/posts")
    assert b"regret" not in listing.content


def test_quoting_what_is_not_visible_here_is_refused_on_quote_post_id(
    as_, member, other_member, moderator, public, held_term
):
    thread = start(member, public)
    elsewhere = opening(start(member, public, title="Another"))
    removed = services.post_reply(actor=other_member, thread=thread, body="Gone soon")
    services.post_delete(actor=other_member, post=removed)
    held_by_other = services.post_reply(actor=other_member, thread=thread, body="A holdme thought")
    assert held_by_other.status == PostStatus.HELD
    caller = as_(member)
    before = snapshot()

    for quoted in (removed.pk, held_by_other.pk, 999_999):
        reply = caller("POST", f"/threads/{thread.pk}/posts", {"body": "Quoting", "quote_post_id": quoted})
        assert "quote_post_id" in error_fields(reply), quoted
    assert "quote_post_id" in error_fields(
        caller("POST", f"/threads/{thread.pk}/posts", {"body": "Quoting", "quote_post_id": elsewhere.pk})
    )
    for bad in (0, -1, 2**63, "1", True, 1.5):
        assert "quote_post_id" in error_fields(
            caller("POST", f"/threads/{thread.pk}/posts", {"body": "Quoting", "quote_post_id": bad})
        )
    assert snapshot() == before


def test_quoting_a_held_post_is_refused_even_for_those_who_can_see_it(
    as_, other_member, member, community_mod, moderator, public, held_term
):
    thread = start(member, public)
    held = services.post_reply(actor=other_member, thread=thread, body="A holdme thought")
    before = snapshot()
    for person in (other_member, community_mod):  # its author and a moderator can see it, but not quote it
        reply = as_(person)("POST", f"/threads/{thread.pk}/posts", {"body": "Quoting", "quote_post_id": held.pk})
        assert error_fields(reply) == {"body", "quote_post_id"}
    # Site staff see it too but cannot reply here at all (not members): that refusal comes first.
    refused = as_(moderator)("POST", f"/threads/{thread.pk}/posts", {"body": "Quoting", "quote_post_id": held.pk})
    assert_not_allowed(refused, access.REASON_REPLIES_CLOSED)
    assert snapshot() == before


def test_reply_rejects_bad_input(as_, member, other_member, public):
    thread = start(member, public)
    caller = as_(other_member)
    before = snapshot()

    assert "body" in error_fields(caller("POST", f"/threads/{thread.pk}/posts", {"body": ""}))
    assert "body" in error_fields(caller("POST", f"/threads/{thread.pk}/posts", {"body": "x" * 20001}))
    assert "body" in error_fields(caller("POST", f"/threads/{thread.pk}/posts", {"body": "a\u0000b"}))
    assert "is_anonymous" in error_fields(
        caller("POST", f"/threads/{thread.pk}/posts", {"body": "Hi", "is_anonymous": "false"})
    )
    assert "thread_id" in error_fields(caller("POST", f"/threads/{thread.pk}/posts", {"body": "Hi", "thread_id": 1}))
    assert_not_found(caller("POST", "/threads/999999/posts", {"body": "Hi"}))
    assert snapshot() == before


def test_locked_threads_take_replies_only_from_moderators(as_, member, other_member, community_mod, public):
    thread = start(member, public)
    before = snapshot()
    assert_not_allowed(as_(member)("PUT", f"/threads/{thread.pk}/lock"), access.REASON_MODERATORS)
    assert snapshot() == before

    moderators = as_(community_mod)
    for _ in range(2):  # locking a locked thread leaves it locked
        locked = ok(moderators("PUT", f"/threads/{thread.pk}/lock"))
        assert (locked["is_locked"], locked["can_reply"]) == (True, True)
    assert as_(other_member)("GET", f"/threads/{thread.pk}").json()["can_reply"] is False
    refused = as_(other_member)("POST", f"/threads/{thread.pk}/posts", {"body": "Wait"})
    assert_not_allowed(refused, access.REASON_REPLIES_CLOSED)
    ok(moderators("POST", f"/threads/{thread.pk}/posts", {"body": "Closing this."}), 201)
    assert_not_allowed(as_(member)("DELETE", f"/threads/{thread.pk}/lock"), access.REASON_MODERATORS)
    assert ok(moderators("DELETE", f"/threads/{thread.pk}/lock"))["is_locked"] is False
    assert ok(moderators("DELETE", f"/threads/{thread.pk}/lock"))["is_locked"] is False
    assert ok(as_(other_member)("POST", f"/threads/{thread.pk}/posts", {"body": "Thanks"}), 201)
    actions = set(AuditEntry.objects.filter(action__startswith="communities.thread.").values_list("action", flat=True))
    assert actions == {"communities.thread.locked", "communities.thread.unlocked"}


def test_moderators_pin_threads_to_the_top(as_, member, community_mod, public):
    first = start(member, public, title="First")
    start(member, public, title="Second")
    assert_not_allowed(as_(member)("PUT", f"/threads/{first.pk}/pin"), access.REASON_MODERATORS)

    def titles() -> list[str]:
        return [t["title"] for t in as_(member)("GET", "/communities/calm-harbour/threads").json()["items"]]

    assert titles() == ["Second", "First"]
    assert ok(as_(community_mod)("PUT", f"/threads/{first.pk}/pin"))["is_pinned"] is True
    assert titles() == ["First", "Second"]
    assert_not_allowed(as_(member)("DELETE", f"/threads/{first.pk}/pin"), access.REASON_MODERATORS)
    assert ok(as_(community_mod)("DELETE", f"/threads/{first.pk}/pin"))["is_pinned"] is False
    assert titles() == ["Second", "First"]
    assert AuditEntry.objects.filter(action="communities.thread.pinned").exists()
    assert AuditEntry.objects.filter(action="communities.thread.unpinned").exists()


def test_authors_edit_their_posts_and_moderators_see_the_history(as_, member, other_member, moderator, public):
    thread = start(member, public, title="Old title", body="Old words")
    post = opening(thread)
    author = as_(member)

    before = snapshot()
    assert_not_allowed(as_(other_member)("PATCH", f"/posts/{post.pk}", {"body": "Hijack"}), access.REASON_EDIT)
    assert snapshot() == before
    edited = ok(
        author("PATCH", f"/posts/{post.pk}", {"body": "New words", "title": "New title", "content_warnings": ["grief"]})
    )
    assert (edited["body"], edited["content_warnings"]) == ("New words", ["grief"])
    assert edited["edited_at"] is not None
    assert author("GET", f"/threads/{thread.pk}").json()["title"] == "New title"
    only_warnings = ok(author("PATCH", f"/posts/{post.pk}", {"content_warnings": []}))
    assert (only_warnings["body"], only_warnings["content_warnings"]) == ("New words", [])
    before = snapshot()
    assert "body" in error_fields(author("PATCH", f"/posts/{post.pk}", {"body": " "}))
    assert "title" in error_fields(author("PATCH", f"/posts/{post.pk}", {"title": ""}))
    assert "edited_at" in error_fields(author("PATCH", f"/posts/{post.pk}", {"edited_at": None}))
    assert snapshot() == before

    assert_not_allowed(author("GET", f"/posts/{post.pk}/revisions"), access.REASON_MODERATORS)
    history = ok(as_(moderator)("GET", f"/posts/{post.pk}/revisions"))
    assert [r["body"] for r in history["items"]] == ["New words", "Old words"]
    assert history["count"] == 2
    assert history["items"][-1]["title"] == "Old title"
    assert history["items"][-1]["edited_by"] == named(member)


def test_an_author_deletes_their_post_and_it_keeps_its_place_with_nothing_of_it(
    as_, member, other_member, moderator, public
):
    thread = start(member, public)
    reply = services.post_reply(
        actor=other_member, thread=thread, body="Something I regret", content_warnings=["grief"]
    )
    services.reaction_set(actor=member, post=reply, kind="support", on=True)
    quoting = services.post_reply(actor=member, thread=thread, body="Quoting it", quote=reply)
    caller = as_(other_member)

    before = snapshot()
    assert_not_allowed(as_(member)("DELETE", f"/posts/{reply.pk}"), access.REASON_DELETE)
    assert snapshot() == before
    ok(caller("DELETE", f"/posts/{reply.pk}"), 204)
    assert not AuditEntry.objects.filter(action="communities.post.removed").exists()  # one's own: no log

    before = snapshot()
    for method, path, body in [
        ("GET", f"/posts/{reply.pk}", None),
        ("DELETE", f"/posts/{reply.pk}", None),
        ("PATCH", f"/posts/{reply.pk}", {"body": "Back"}),
        ("PUT", f"/posts/{reply.pk}/reactions/relate", None),
        ("POST", f"/posts/{reply.pk}/remove", {"reason": "again"}),
    ]:
        assert_not_found(caller(method, path, body))
    assert_not_found(as_(moderator)("GET", f"/posts/{reply.pk}"))
    assert snapshot() == before

    response = as_(member)("GET", f"/threads/{thread.pk}/posts")
    items = ok(response)["items"]
    assert [p["id"] for p in items] == [opening(thread).pk, reply.pk, quoting.pk]
    removed = items[1]
    assert removed["status"] == "removed"
    assert (removed["author"], removed["body"], removed["body_html"], removed["quote"]) == (None, "", "", None)
    assert (removed["content_warnings"], removed["my_reactions"]) == ([], [])
    assert removed["reactions"] == {"relate": 0, "support": 0, "helped": 0}
    assert not any(removed[f"can_{verb}"] for verb in ("react", "edit", "delete", "reveal"))
    assert items[2]["quote"] is None
    assert b"regret" not in response.content
    assert as_(member)("GET", f"/threads/{thread.pk}").json()["reply_count"] == 1


def test_moderators_remove_posts_with_the_reason_in_the_body_for_the_log(as_, member, other_member, moderator, public):
    thread = start(member, public)
    post = opening(thread)
    reply = services.post_reply(actor=other_member, thread=thread, body="Off topic")
    staff = as_(moderator)

    before = snapshot()
    for reason in ("a\u0000b", "r" * 501, 5, None):
        assert "reason" in error_fields(staff("POST", f"/posts/{reply.pk}/remove", {"reason": reason}))
    assert "why" in error_fields(staff("POST", f"/posts/{reply.pk}/remove", {"why": "Spam"}))
    assert_not_allowed(
        as_(member)("POST", f"/posts/{reply.pk}/remove", {"reason": "I dislike it"}), access.REASON_DELETE
    )
    assert snapshot() == before

    ok(staff("POST", f"/posts/{reply.pk}/remove?reason=From%20the%20address", {"reason": "Off topic"}), 204)
    entry = AuditEntry.objects.get(action="communities.post.removed")
    assert (entry.actor_id, entry.target_id, entry.reason) == (moderator.pk, str(reply.pk), "Off topic")

    # DELETE is only for one's own posts: a moderator removes others' with a reason, never around it.
    assert_not_allowed(staff("DELETE", f"/posts/{post.pk}?reason=Sneaky"), access.REASON_REMOVE_WITH_REASON)
    assert Thread.objects.get(pk=thread.pk).status == PostStatus.VISIBLE
    ok(staff("POST", f"/posts/{post.pk}/remove", {"reason": "Unsafe"}), 204)
    assert Thread.objects.get(pk=thread.pk).status == PostStatus.REMOVED
    assert [e.reason for e in AuditEntry.objects.filter(action="communities.post.removed")] == ["Off topic", "Unsafe"]


def test_no_endpoint_takes_a_reason_in_the_address(openapi_spec):
    for path, operations in openapi_spec["paths"].items():
        for method, operation in operations.items():
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            assert "reason" not in names, (method, path)
    for path in ("/api/v1/posts/{post_id}/remove", "/api/v1/posts/{post_id}/approve", "/api/v1/posts/{post_id}/reject"):
        body = openapi_spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        name = body["$ref"].rsplit("/", 1)[-1]
        assert "reason" in openapi_spec["components"]["schemas"][name]["properties"]


# --- Reactions --------------------------------------------------------------------------------


def test_reactions_are_idempotent(as_, member, other_member, public):
    post = opening(start(member, public))
    caller = as_(other_member)
    path = f"/posts/{post.pk}/reactions/support"

    for _ in range(2):  # putting it on twice leaves it on, counted once
        assert ok(caller("PUT", path)) == {"on": True, "counts": {"relate": 0, "support": 1, "helped": 0}}
    assert Reaction.objects.filter(post=post).count() == 1
    assert ok(as_(member)("PUT", path)) == {"on": True, "counts": {"relate": 0, "support": 2, "helped": 0}}
    listed = caller("GET", f"/threads/{post.thread_id}/posts").json()["items"][0]
    assert (listed["reactions"]["support"], listed["my_reactions"]) == (2, ["support"])

    for _ in range(2):  # taking it back twice leaves it off
        assert ok(caller("DELETE", path)) == {"on": False, "counts": {"relate": 0, "support": 1, "helped": 0}}
    assert ok(caller("DELETE", f"/posts/{post.pk}/reactions/relate")) == {
        "on": False,
        "counts": {"relate": 0, "support": 1, "helped": 0},
    }
    assert ok(caller("GET", f"/posts/{post.pk}"))["my_reactions"] == []


def test_reacting_follows_the_rules_and_a_refusal_changes_nothing(
    as_, member, other_member, passer_by, public, private
):
    post = opening(start(member, public))
    owl_post = opening(start(member, private))
    services.reaction_set(actor=member, post=post, kind="relate", on=True)
    before = snapshot()

    for method in ("PUT", "DELETE"):
        # May read a public community, may not respond in it without joining.
        assert_not_allowed(as_(passer_by)(method, f"/posts/{post.pk}/reactions/relate"), access.REASON_REACT)
        # Cannot read a private one at all.
        assert_not_found(as_(other_member)(method, f"/posts/{owl_post.pk}/reactions/relate"))
        assert_not_found(as_(other_member)(method, f"/posts/{999_999}/reactions/relate"))
        assert "kind" in error_fields(as_(other_member)(method, f"/posts/{post.pk}/reactions/like"))
    assert snapshot() == before
    assert ok(as_(passer_by)("GET", f"/posts/{post.pk}"))["reactions"]["relate"] == 1


# --- Anonymity and staff badges ---------------------------------------------------------------


def test_an_anonymous_author_never_appears_in_any_answer(as_, member, other_member, moderator, admin_user, public):
    thread = start(member, public, title="Heavy night", body="I am struggling @maple_member", is_anonymous=True)
    anon_reply = services.post_reply(actor=member, thread=thread, body="Still here.", is_anonymous=True)
    post = opening(thread)
    services.post_edit(actor=member, post=post, body="I am struggling, @maple_member")
    services.post_reply(actor=other_member, thread=thread, body="Thinking of you.")
    services.post_reply(actor=other_member, thread=thread, body="Quoting", quote=anon_reply)

    for person in (other_member, member, moderator, admin_user):
        caller = as_(person)
        for path in [
            f"/threads/{thread.pk}",
            f"/threads/{thread.pk}/posts",
            f"/posts/{post.pk}",
            f"/posts/{anon_reply.pk}",
            "/communities/calm-harbour/threads",
            "/communities/calm-harbour/waiting",
            "/feed",
            "/waiting",
            "/search?q=struggling",
            "/notifications",
        ]:
            response = caller("GET", path)
            assert response.status_code == 200, (path, response.content)
            assert b"river_member" not in response.content, (person, path)
    moderator_history = as_(moderator)("GET", f"/posts/{post.pk}/revisions")
    assert ok(moderator_history)["items"][0]["edited_by"] == ANONYMOUS
    assert b"river_member" not in moderator_history.content

    shown = as_(other_member)("GET", f"/threads/{thread.pk}").json()
    assert shown["author"] == shown["opening_post"]["author"] == ANONYMOUS
    assert shown["opening_post"]["can_reveal"] is False
    quoting = as_(other_member)("GET", f"/threads/{thread.pk}/posts").json()["items"][-1]
    assert quoting["quote"]["author"] == "Anonymous member"
    mine = as_(member)("GET", f"/threads/{thread.pk}").json()
    assert mine["opening_post"]["is_mine"] is True  # only the author learns it is theirs
    notification = Notification.objects.get(recipient=other_member, kind="mention")
    assert notification.actor_label == "Anonymous member"


def test_staff_authors_carry_their_badge_unless_they_post_anonymously(
    as_, member, moderator, admin_user, community_mod, public
):
    services.community_join(actor=moderator, community=public)
    signed = start(moderator, public, title="From the team", body="A blanket of care")
    anonymous = start(moderator, public, title="A private worry", body="A blanket of worry", is_anonymous=True)
    by_host = start(admin_user, public, title="Welcome", body="A blanket welcome")
    by_community_mod = start(community_mod, public, title="Hello", body="A blanket hello")
    caller = as_(member)

    expected = {
        signed.pk: named(moderator, "Moderator"),
        anonymous.pk: ANONYMOUS,
        by_host.pk: named(admin_user, "Administrator"),
        # A community's own moderator is not site staff: their badge says whose moderator they are.
        by_community_mod.pk: named(community_mod, "Community moderator"),
    }
    for thread_id, author in expected.items():
        read = ok(caller("GET", f"/threads/{thread_id}"))
        assert read["author"] == read["opening_post"]["author"] == author
        post_id = read["opening_post"]["id"]
        assert ok(caller("GET", f"/posts/{post_id}"))["author"] == author
        assert ok(caller("GET", f"/threads/{thread_id}/posts"))["items"][0]["author"] == author
    listed = {t["id"]: t["author"] for t in ok(caller("GET", "/communities/calm-harbour/threads"))["items"]}
    assert listed == expected
    assert {t["id"]: t["author"] for t in ok(caller("GET", "/feed"))["items"]} == expected
    hits = {h["thread_id"]: h["author"] for h in ok(caller("GET", "/search?q=blanket"))["items"]}
    assert hits == expected
    reply = ok(as_(moderator)("POST", f"/threads/{by_host.pk}/posts", {"body": "Glad to be here"}), 201)
    assert reply["author"] == named(moderator, "Moderator")
    anonymous_reply = as_(moderator)(
        "POST", f"/threads/{by_host.pk}/posts", {"body": "Quietly glad", "is_anonymous": True}
    )
    assert ok(anonymous_reply, 201)["author"] == ANONYMOUS
    assert b"steady_keeper" not in anonymous_reply.content


def test_moderators_reveal_an_anonymous_author_and_it_is_audited(as_, member, other_member, community_mod, public):
    post = opening(start(member, public, is_anonymous=True))
    plain = opening(start(member, public, title="Signed"))
    moderators = as_(community_mod)

    assert moderators("GET", f"/posts/{post.pk}").json()["can_reveal"] is True
    before = snapshot()
    assert_not_allowed(
        as_(other_member)("POST", f"/posts/{post.pk}/reveal", {"reason": "curious"}), access.REASON_REVEAL
    )
    assert "reason" in error_fields(moderators("POST", f"/posts/{post.pk}/reveal", {"reason": "  "}))
    assert "reason" in error_fields(moderators("POST", f"/posts/{post.pk}/reveal", {}))
    nothing_to_reveal = moderators("POST", f"/posts/{plain.pk}/reveal", {"reason": "x"})
    assert_not_allowed(nothing_to_reveal, access.REASON_REVEAL)
    assert snapshot() == before

    revealed = moderators("POST", f"/posts/{post.pk}/reveal", {"reason": "Safety concern"})
    assert ok(revealed) == {"pseudonym": "river_member"}
    entry = AuditEntry.objects.get(action="communities.post.anonymous_author_revealed")
    assert (entry.actor_id, entry.reason) == (community_mod.pk, "Safety concern")


# --- Across communities -----------------------------------------------------------------------


def test_feed_and_waiting_cover_my_communities(as_, member, other_member, public, private):
    answered = start(member, public, title="Answered")
    services.post_reply(actor=other_member, thread=answered, body="Here for you.")
    start(member, public, title="Alone in public")
    start(member, private, title="Alone in private")
    caller = as_(member)

    feed = ok(caller("GET", "/feed"))
    assert {t["title"] for t in feed["items"]} == {"Answered", "Alone in public", "Alone in private"}
    waiting = ok(caller("GET", "/waiting"))
    assert [t["title"] for t in waiting["items"]] == ["Alone in public", "Alone in private"]
    here = ok(caller("GET", "/communities/calm-harbour/waiting"))
    assert [t["title"] for t in here["items"]] == ["Alone in public"]
    theirs = {t["title"] for t in as_(other_member)("GET", "/feed").json()["items"]}
    assert theirs == {"Answered", "Alone in public"}


def test_pages_are_numbered_from_one(as_, member, public):
    for number in range(21):
        start(member, public, title=f"Thread {number}")
    caller = as_(member)

    first = ok(caller("GET", "/communities/calm-harbour/threads"))
    assert (len(first["items"]), first["page"], first["pages"], first["count"]) == (20, 1, 2, 21)
    last = ok(caller("GET", "/communities/calm-harbour/threads?page=2"))
    assert [t["title"] for t in last["items"]] == ["Thread 0"]
    beyond = ok(caller("GET", "/communities/calm-harbour/threads?page=3"))
    assert (beyond["page"], [t["title"] for t in beyond["items"]]) == (2, ["Thread 0"])  # past the end: the last
    for bad in ("0", "-1", "abc", "1.5", "%00", "999999999999999999999"):
        assert "page" in error_fields(caller("GET", "/communities/calm-harbour/threads?page=" + bad))


def test_search_finds_only_what_i_may_read(as_, member, other_member, public, private):
    start(member, public, title="Kettle thoughts", body="A warm blanket helps.")
    start(member, private, title="Owl thoughts", body="Another blanket story.")

    hits = ok(as_(other_member)("GET", "/search?q=blanket"))
    assert [(h["thread_title"], h["community"]["slug"]) for h in hits["items"]] == [("Kettle thoughts", "calm-harbour")]
    assert ok(as_(member)("GET", "/search?q=blanket"))["count"] == 2
    assert ok(as_(member)("GET", "/search?q="))["items"] == []
    assert ok(as_(member)("GET", "/search?q=%22%20OR%20*%20-"))["items"] == []
    assert "q" in error_fields(as_(member)("GET", "/search?q=" + "a" * 201))
    assert "q" in error_fields(as_(member)("GET", "/search?q=a%00b"))


def test_search_finds_communities_i_may_see_by_name_topic_and_description(
    as_, member, other_member, public, private, hidden
):
    caller = as_(other_member)

    def slugs(query: str, who: Caller = caller) -> list[str]:
        return [c["slug"] for c in ok(who("GET", "/search/communities?q=" + query))["items"]]

    assert slugs("anxiety") == ["calm-harbour"]  # a topic
    assert slugs("gentle") == ["calm-harbour"]  # the description
    assert slugs("owls") == ["night-owls"]  # a private community is listed to everyone
    assert slugs("quiet") == []  # a hidden one only to its members
    assert slugs("quiet", as_(member)) == ["quiet-room"]
    assert ok(as_(member)("GET", "/search/communities?q=quiet"))["items"][0]["my_status"] == "active"
    assert slugs("") == []
    assert "q" in error_fields(caller("GET", "/search/communities?q=a%00b"))


def test_search_spelling_offers_only_what_finds_something_for_me(as_, member, other_member, public, private):
    start(member, public, title="Breathing", body="My anxiety eases with slow breathing.")
    start(member, private, title="Owls", body="A kestrel at the window.")

    assert ok(as_(other_member)("GET", "/search/spelling?q=anxeity")) == {"query": "anxeity", "suggestion": "anxiety"}
    # "kestrel" is a dictionary word, but only a community they cannot read has it.
    assert ok(as_(other_member)("GET", "/search/spelling?q=kestrl")) == {"query": "kestrl", "suggestion": None}
    assert ok(as_(member)("GET", "/search/spelling?q=kestrl"))["suggestion"] == "kestrel"
    assert ok(as_(member)("GET", "/search/spelling?q=anxiety"))["suggestion"] is None
    assert ok(as_(member)("GET", "/search/spelling?q=%20%20anxeity%20%20"))["query"] == "anxeity"
    assert "q" in error_fields(as_(member)("GET", "/search/spelling?q=" + "a" * 201))


def test_search_finds_other_forms_of_a_word(as_, member, public):
    start(member, public, title="Nights", body="I slept badly and felt awful.")

    assert ok(as_(member)("GET", "/search?q=sleeping%20feel"))["count"] == 1


def test_reading_preferences_start_with_everything_folded(as_, member):
    caller = as_(member)
    body = ok(caller("GET", "/me/reading-preferences"))
    assert len(body["collapsed_warnings"]) == 7

    saved = caller("PUT", "/me/reading-preferences", {"collapsed_warnings": ["violence", "self_harm", "violence"]})
    assert ok(saved) == {"collapsed_warnings": ["self_harm", "violence"]}
    assert caller("GET", "/me/reading-preferences").json() == {"collapsed_warnings": ["self_harm", "violence"]}
    assert ok(caller("PUT", "/me/reading-preferences", {"collapsed_warnings": []})) == {"collapsed_warnings": []}
    before = snapshot()
    for payload in ({"collapsed_warnings": ["spiders"]}, {}, {"collapsed_warnings": "grief"}):
        assert "collapsed_warnings" in error_fields(caller("PUT", "/me/reading-preferences", payload))
    assert "extra" in error_fields(caller("PUT", "/me/reading-preferences", {"collapsed_warnings": [], "extra": 1}))
    assert snapshot() == before


# --- Following and muting --------------------------------------------------------------------------


def follow_state(caller: Any, thread: Thread) -> dict[str, Any]:
    return ok(caller("GET", f"/threads/{thread.pk}"))["follow"]


def test_follow_and_mute_are_idempotent_and_the_thread_says_what_i_hear(as_, member, other_member, public):
    thread = start(member, public)
    writer, reader = as_(member), as_(other_member)
    assert follow_state(writer, thread) == {"following": True, "muted": False, "can_follow": True, "can_mute": True}
    assert follow_state(reader, thread)["following"] is False

    for _ in range(2):
        assert ok(reader("PUT", f"/threads/{thread.pk}/follow")) == {
            "following": True, "muted": False, "can_follow": True, "can_mute": True,
        }  # fmt: skip
    assert follow_state(reader, thread)["following"] is True
    for _ in range(2):
        assert ok(reader("PUT", f"/threads/{thread.pk}/mute"))["muted"] is True
    assert follow_state(reader, thread) == {"following": False, "muted": True, "can_follow": True, "can_mute": True}
    assert ok(reader("DELETE", f"/threads/{thread.pk}/follow"))["muted"] is True  # not following: still muted
    for _ in range(2):
        assert ok(reader("DELETE", f"/threads/{thread.pk}/mute")) == {
            "following": False, "muted": False, "can_follow": True, "can_mute": True,
        }  # fmt: skip
    for _ in range(2):
        assert ok(writer("DELETE", f"/threads/{thread.pk}/follow"))["following"] is False


def test_followers_hear_of_replies_through_the_api_as_one_item(as_, member, other_member, public):
    thread = start(member, public)
    for number in range(3):
        ok(as_(other_member)("POST", f"/threads/{thread.pk}/posts", {"body": f"Reply {number}"}), 201)
    items = ok(as_(member)("GET", "/notifications"))["items"]
    assert [(n["kind"], n["count"], n["snippet"]) for n in items] == [("replies", 3, "Reply 2")]
    ok(as_(member)("GET", f"/threads/{thread.pk}/posts"))  # reading the (last) page reads them
    assert ok(as_(member)("GET", "/notifications/unread-count")) == {"count": 0}


def test_a_banned_member_may_mute_but_not_follow(as_, admin_user, member, other_member, public):
    thread = start(member, public)
    services.membership_ban(actor=admin_user, community=public, user=other_member, reason="Spam")
    caller = as_(other_member)
    before = snapshot()
    assert_not_allowed(caller("PUT", f"/threads/{thread.pk}/follow"), access.REASON_FOLLOW)
    assert snapshot() == before
    assert follow_state(caller, thread)["can_follow"] is False
    assert ok(caller("PUT", f"/threads/{thread.pk}/mute"))["muted"] is True


def test_following_what_one_cannot_read_is_not_found(as_, member, other_member, passer_by, private):
    thread = start(member, private)
    for caller in (as_(other_member), as_(passer_by)):
        for method in ("PUT", "DELETE"):
            for what in ("follow", "mute"):
                assert_not_found(caller(method, f"/threads/{thread.pk}/{what}"))
    assert_not_found(as_(member)("PUT", "/threads/999999/follow"))


# --- Robustness: bad bodies on every write, ids, text no database can store --------------------


@dataclass(frozen=True)
class Write:
    who: str
    method: str
    path: str
    body: dict[str, Any]
    text: str | None  # a text field of the body
    wrong: dict[str, Any]  # the body with a value of the wrong type


WRITES = {
    "community_create": Write("host", "POST", "/communities", {"name": "Fine"}, "name", {"name": ["Fine"]}),
    "community_update": Write(
        "host", "PATCH", "/communities/calm-harbour", {"description": "x"}, "description", {"rules": "Be kind"}
    ),
    "thread_create": Write(
        "member",
        "POST",
        "/communities/calm-harbour/threads",
        {"title": "Fine", "body": "Fine"},
        "body",
        {"title": "Fine", "body": "Fine", "is_anonymous": "no"},
    ),
    "reply": Write("member", "POST", "/threads/{thread}/posts", {"body": "Fine"}, "body", {"body": 5}),
    "post_edit": Write("member", "PATCH", "/posts/{post}", {"body": "New"}, "body", {"content_warnings": "grief"}),
    "reveal": Write("moderator", "POST", "/posts/{anonymous}/reveal", {"reason": "x"}, "reason", {"reason": 1}),
    "experience": Write(
        "moderator", "POST", "/posts/{reply}/experience", {"resource": ""}, "resource", {"resource": 5}
    ),
    "remove": Write("moderator", "POST", "/posts/{reply}/remove", {"reason": "x"}, "reason", {"reason": ["x"]}),
    "approve": Write("moderator", "POST", "/posts/{held}/approve", {"reason": ""}, "reason", {"reason": None}),
    "reject": Write("moderator", "POST", "/posts/{held}/reject", {"reason": ""}, "reason", {"reason": False}),
    "invite": Write(
        "moderator",
        "POST",
        "/communities/calm-harbour/invitations",
        {"pseudonym": "passer_by"},
        "pseudonym",
        {"pseudonym": 7},
    ),
    "ban": Write(
        "moderator",
        "POST",
        "/communities/calm-harbour/bans",
        {"pseudonym": "maple_member", "reason": "Spam"},
        "reason",
        {"pseudonym": "maple_member", "reason": False},
    ),
    "role": Write(
        "host",
        "POST",
        "/communities/calm-harbour/roles",
        {"pseudonym": "maple_member", "role": "moderator"},
        "role",
        {"pseudonym": "maple_member", "role": 1},
    ),
    "reading_preferences": Write(
        "member",
        "PUT",
        "/me/reading-preferences",
        {"collapsed_warnings": []},
        None,
        {"collapsed_warnings": [1]},
    ),
    "notifications_read": Write("member", "POST", "/notifications/read", {"ids": None}, None, {"ids": [False]}),
}


@pytest.fixture
def writable(admin_user, member, other_member, moderator, passer_by, public, held_term) -> dict[str, Any]:
    thread = start(member, public)
    reply = services.post_reply(actor=other_member, thread=thread, body="A reply @river_member")
    return {
        "people": {"host": admin_user, "member": member, "moderator": moderator},
        "ids": {
            "thread": thread.pk,
            "post": opening(thread).pk,
            "reply": reply.pk,
            "anonymous": services.post_reply(actor=other_member, thread=thread, body="Hm", is_anonymous=True).pk,
            "held": services.post_reply(actor=other_member, thread=thread, body="A holdme reply").pk,
        },
    }


@pytest.mark.parametrize("name", list(WRITES))
def test_bad_bodies_on_every_write_are_refused_never_a_crash_and_change_nothing(as_, writable, name):
    write = WRITES[name]
    caller = as_(writable["people"][write.who])
    path = write.path.format(**writable["ids"])
    before = snapshot()

    assert "unknown" in error_fields(caller(write.method, path, {**write.body, "unknown": 1}))
    wrong = caller(write.method, path, write.wrong)
    assert error_fields(wrong) & set(write.wrong), wrong.content
    if write.text is not None:
        assert write.text in error_fields(caller(write.method, path, {**write.body, write.text: "a\u0000b"}))
        assert write.text in error_fields(caller(write.method, path, {**write.body, write.text: "a\ud800b"}))
    for raw in ("[null, null]", "null", '"text"', "[]", "42"):
        assert error_fields(caller(write.method, path, raw=raw)), raw
    for raw in ("{not json", '{"a": 1,}', "\u00ff"):
        unparseable = caller(write.method, path, raw=raw)
        assert unparseable.status_code == 400, raw
        assert unparseable.json()["code"] == "bad_request"
    assert snapshot() == before

    # The same body without its fault is accepted: each refusal above was about the fault alone.
    assert caller(write.method, path, write.body).status_code in (200, 201, 204)


def test_every_write_with_a_body_is_in_the_bad_body_table(openapi_spec):
    with_body = {
        (method.upper(), path)
        for path, operations in openapi_spec["paths"].items()
        for method, operation in operations.items()
        if set(operation["tags"]) & API_TAGS and "requestBody" in operation
    }
    covered = {(w.method, documented_path(openapi_spec, w.method, w.path)) for w in WRITES.values()}
    assert with_body == covered


@pytest.mark.parametrize(
    "template",
    ["/threads/{n}", "/threads/{n}/posts", "/posts/{n}", "/posts/{n}/revisions"],
)
@pytest.mark.parametrize("number", [0, 999_999, 2**63, 10**30])
def test_ids_that_cannot_exist_are_not_found(as_, member, template, number):
    assert_not_found(as_(member)("GET", template.format(n=number)))


@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("GET", "/threads/{n}"),
        ("GET", "/threads/{n}/posts"),
        ("GET", "/posts/{n}"),
        ("DELETE", "/posts/{n}"),
        ("PUT", "/threads/{n}/lock"),
        ("PUT", "/posts/{n}/reactions/relate"),
        ("PUT", "/threads/{n}/follow"),
        ("DELETE", "/threads/{n}/mute"),
    ],
)
@pytest.mark.parametrize("word", ["abc", "1.5", "-"])
def test_ids_that_are_not_numbers_are_invalid(as_, moderator, method, template, word):
    fields = error_fields(as_(moderator)(method, template.format(n=word)))
    assert fields & {"thread_id", "post_id"}


def test_text_no_database_can_store_is_refused_not_a_crash(as_, member, moderator, public):
    caller = as_(member)
    for path in ("/communities/bad%00slug", "/communities/bad%00slug/threads", "/communities/" + "x" * 300):
        assert_not_found(caller("GET", path))
    before = snapshot()
    assert "pseudonym" in error_fields(
        as_(moderator)("POST", "/communities/calm-harbour/invitations", {"pseudonym": "a\u0000b"})
    )
    assert "rules" in error_fields(as_(moderator)("PATCH", "/communities/calm-harbour", {"rules": ["ok", "\ud800"]}))
    assert snapshot() == before


# --- Query counts -----------------------------------------------------------------------------


@dataclass
class Busy:
    """Communities with a little of everything, and a way to add more of what each list shows."""

    thread: Thread
    post: Post
    people: list[User]
    grow: dict[str, Callable[[], Any]] = field(default_factory=dict)


@pytest.fixture
def busy(admin_user, member, other_member, moderator, public, private, held_term) -> Busy:
    services.community_join(actor=moderator, community=public)
    named_person = make_person("lantern_friend", display_name="Lantern")
    services.community_join(actor=named_person, community=public)
    people = [member, other_member, moderator, named_person]
    thread = start(member, public, title="A blanket thread")
    post = services.post_reply(actor=other_member, thread=thread, body="A blanket reply")
    counter = iter(range(1000))

    def threads() -> None:
        for index, person in enumerate(people):
            number = next(counter)
            start(person, public, title=f"Blanket {number}", body="A blanket", is_anonymous=index == 0)

    def replies() -> None:
        for index, person in enumerate(people):
            reply = services.post_reply(
                actor=person, thread=thread, body=f"More blanket {next(counter)}", is_anonymous=index == 0, quote=post
            )
            services.reaction_set(actor=member, post=reply, kind="relate", on=True)

    def held() -> None:
        for person in people:
            services.post_reply(actor=person, thread=thread, body=f"holdme {next(counter)}", quote=post)
            start(person, public, title=f"holdme {next(counter)}")

    def requests() -> None:
        for _ in range(3):
            services.community_join(actor=make_person(f"hopeful_{next(counter)}"), community=private)

    def revisions() -> None:
        for person in (other_member, moderator, admin_user):
            services.post_edit(actor=person, post=post, body=f"A blanket reply, again {next(counter)}")

    def communities() -> None:
        for visibility in Visibility.values:
            services.community_create(actor=admin_user, name=f"Place {next(counter)}", visibility=visibility)

    world = Busy(thread=thread, post=post, people=people)
    world.grow = {
        "/communities": communities,
        "/communities/calm-harbour/threads": threads,
        "/communities/calm-harbour/waiting": threads,
        "/communities/calm-harbour/held": held,
        "/communities/night-owls/requests": requests,
        "/threads/{thread}/posts": replies,
        "/posts/{post}/revisions": revisions,
        "/feed": threads,
        "/waiting": threads,
        "/search?q=blanket": replies,
    }
    for grow in (threads, replies, held, requests, revisions, communities):
        grow()  # one of each to start with, so the first count already pays for every kind
    return world


@pytest.mark.parametrize(
    "path",
    [
        "/communities",
        "/communities/calm-harbour/threads",
        "/communities/calm-harbour/waiting",
        "/communities/calm-harbour/held",
        "/communities/night-owls/requests",
        "/threads/{thread}/posts",
        "/posts/{post}/revisions",
        "/feed",
        "/waiting",
        "/search?q=blanket",
    ],
)
def test_a_list_runs_the_same_queries_however_long_it_is(as_, admin_user, busy, path):
    caller = as_(admin_user)  # the host, an administrator: every list is open to them
    concrete_path = path.format(thread=busy.thread.pk, post=busy.post.pk)
    caller("GET", concrete_path)  # the token's first use is recorded once

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            count = ok(caller("GET", concrete_path))["count"]
        return len(captured), count

    few, shown_before = queries()
    busy.grow[path]()
    caller("GET", concrete_path)  # reading a thread's new posts moves the reader's position once
    many, shown_after = queries()
    assert shown_after > shown_before  # the list did grow
    assert many == few


# --- The description itself -------------------------------------------------------------------


def test_openapi_describes_every_endpoint(openapi_spec):
    expected = {
        "/api/v1/communities": ({"get", "post"}, "communities"),
        "/api/v1/communities/{slug}": ({"get", "patch"}, "communities"),
        "/api/v1/communities/{slug}/join": ({"post"}, "communities"),
        "/api/v1/communities/{slug}/leave": ({"post"}, "communities"),
        "/api/v1/communities/{slug}/threads": ({"get", "post"}, "communities"),
        "/api/v1/communities/{slug}/waiting": ({"get"}, "communities"),
        "/api/v1/communities/{slug}/mentionable": ({"get"}, "communities"),
        "/api/v1/communities/{slug}/held": ({"get"}, "moderation"),
        "/api/v1/communities/{slug}/requests": ({"get"}, "moderation"),
        "/api/v1/communities/{slug}/requests/{user_id}/approve": ({"post"}, "moderation"),
        "/api/v1/communities/{slug}/requests/{user_id}/deny": ({"post"}, "moderation"),
        "/api/v1/communities/{slug}/invitations": ({"post"}, "moderation"),
        "/api/v1/communities/{slug}/bans": ({"post"}, "moderation"),
        "/api/v1/communities/{slug}/roles": ({"post"}, "moderation"),
        "/api/v1/threads/{thread_id}": ({"get"}, "communities"),
        "/api/v1/threads/{thread_id}/posts": ({"get", "post"}, "communities"),
        "/api/v1/threads/{thread_id}/lock": ({"put", "delete"}, "moderation"),
        "/api/v1/threads/{thread_id}/pin": ({"put", "delete"}, "moderation"),
        "/api/v1/threads/{thread_id}/follow": ({"put", "delete"}, "communities"),
        "/api/v1/threads/{thread_id}/mute": ({"put", "delete"}, "communities"),
        "/api/v1/posts/{post_id}": ({"get", "patch", "delete"}, "communities"),
        "/api/v1/posts/{post_id}/reactions/{kind}": ({"put", "delete"}, "communities"),
        "/api/v1/posts/{post_id}/reveal": ({"post"}, "communities"),
        "/api/v1/posts/{post_id}/experience": ({"post"}, "communities"),
        "/api/v1/posts/{post_id}/revisions": ({"get"}, "communities"),
        "/api/v1/posts/{post_id}/approve": ({"post"}, "moderation"),
        "/api/v1/posts/{post_id}/reject": ({"post"}, "moderation"),
        "/api/v1/posts/{post_id}/remove": ({"post"}, "moderation"),
        "/api/v1/feed": ({"get"}, "communities"),
        "/api/v1/waiting": ({"get"}, "communities"),
        "/api/v1/search": ({"get"}, "communities"),
        "/api/v1/search/communities": ({"get"}, "communities"),
        "/api/v1/search/spelling": ({"get"}, "communities"),
        "/api/v1/me/reading-preferences": ({"get", "put"}, "communities"),
        "/api/v1/notifications": ({"get"}, "notifications"),
        "/api/v1/notifications/unread-count": ({"get"}, "notifications"),
        "/api/v1/notifications/read": ({"post"}, "notifications"),
    }
    ours = {
        path
        for path, operations in openapi_spec["paths"].items()
        if any(set(op["tags"]) & API_TAGS for op in operations.values())
    }
    assert ours == set(expected)
    for path, (methods, tag) in expected.items():
        assert set(openapi_spec["paths"][path]) == methods, path
        for method in methods:
            operation = openapi_spec["paths"][path][method]
            assert operation["tags"] == [tag], (path, method)
            assert operation["summary"], (path, method)
            assert {"401", "403"} <= set(operation["responses"]), (path, method)
            assert operation["security"][:2] == [{"BearerTokenAuth": []}, {"SessionAuth": []}]
            if "requestBody" in operation:
                assert {"400", "422"} <= set(operation["responses"]), (path, method)
            if "{" in path:  # something named in the address may not exist, or not for you
                assert "404" in operation["responses"], (path, method)
            if any(p["schema"].get("type") == "integer" for p in operation.get("parameters", [])):
                assert "422" in operation["responses"], (path, method)  # e.g. /threads/abc
    assert openapi_spec["paths"]["/api/v1/communities"]["get"]["security"][-1] == {}  # signed out too
    assert openapi_spec["paths"]["/api/v1/communities"]["post"]["security"] == [
        {"BearerTokenAuth": []},
        {"SessionAuth": []},
    ]
    thread_create = openapi_spec["paths"]["/api/v1/communities/{slug}/threads"]["post"]["responses"]
    assert set(thread_create) >= {"201", "400", "401", "403", "404", "422"}


def test_a_pending_request_does_not_open_a_private_community(as_, member, other_member, private):
    thread = start(member, private)
    as_(other_member)("POST", "/communities/night-owls/join")
    assert Membership.objects.get(community=private, user=other_member).status == MembershipStatus.PENDING
    assert_not_found(as_(other_member)("GET", f"/threads/{thread.pk}"))
