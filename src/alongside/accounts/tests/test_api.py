"""The accounts JSON API under /api/v1/: registration, tokens, the current person and their profile."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.test import Client

from alongside.accounts import services
from alongside.accounts.models import ApiToken, Profile, Role, User
from alongside.accounts.tests.support import (
    assert_matches_schema,
    login_with_password,
    profile_values,
    response_schema,
)
from tests.fixtures import PASSWORD, ApiClient, api_for, client_for, make_person, totp_code

pytestmark = pytest.mark.django_db

ACCOUNT_PATHS = [
    "/api/v1/auth/register",
    "/api/v1/auth/tokens",
    "/api/v1/auth/tokens/current",
    "/api/v1/me",
    "/api/v1/me/profile",
]


@pytest.fixture
def spec(api: ApiClient) -> dict[str, Any]:
    response = api.call("GET", "/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def check(spec: dict[str, Any], response: Any, method: str, path: str) -> Any:
    """The response body, after checking it against the OpenAPI description of that status."""
    body = response.json()
    assert_matches_schema(body, response_schema(spec, method, f"/api/v1{path}", response.status_code), spec)
    return body


def assert_error_detail(response: Any, status: int) -> Any:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"}
    return body["detail"]


def wrong_code() -> str:
    return "000000" if totp_code() != "000000" else "111111"


# --- Registration -----------------------------------------------------------------------------


def test_register_creates_a_member_and_returns_a_working_token(api, spec):
    response = api.call("POST", "/auth/register", {"pseudonym": "Quiet_Fox", "password": PASSWORD})

    assert response.status_code == 201
    body = check(spec, response, "POST", "/auth/register")
    assert body["user"]["pseudonym"] == "Quiet_Fox"
    assert body["user"]["role"] == "member"
    user = User.objects.get(username="Quiet_Fox")
    assert body["user"]["id"] == user.pk
    assert user.email == ""
    assert user.password.startswith("argon2")
    assert not EmailAddress.objects.filter(user=user).exists()
    assert Profile.objects.filter(user=user).exists()

    me = ApiClient(body["token"]).call("GET", "/me")
    assert me.status_code == 200
    assert check(spec, me, "GET", "/me")["pseudonym"] == "Quiet_Fox"


def test_register_with_email_keeps_it_for_recovery(api):
    response = api.call(
        "POST", "/auth/register", {"pseudonym": "quiet_fox", "password": PASSWORD, "email": "Fox@Example.org"}
    )

    assert response.status_code == 201
    user = User.objects.get(username="quiet_fox")
    assert user.email == "fox@example.org"
    assert EmailAddress.objects.filter(user=user, email="fox@example.org", primary=True).exists()


@pytest.mark.parametrize("email", ["not-an-email", "fox@", "@example.org", "fox example@example.org"])
def test_register_refuses_an_invalid_email(api, email):
    response = api.call("POST", "/auth/register", {"pseudonym": "quiet_fox", "password": PASSWORD, "email": email})

    assert isinstance(assert_error_detail(response, 422), list)
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists()


def test_register_refuses_an_email_already_on_another_account(api, member):
    response = api.call(
        "POST", "/auth/register", {"pseudonym": "quiet_fox", "password": PASSWORD, "email": "RIVER@example.org"}
    )

    detail = assert_error_detail(response, 422)
    assert detail[0]["loc"] == ["body", "email"]
    assert not User.objects.filter(username="quiet_fox").exists()


@pytest.mark.parametrize("pseudonym", ["river_member", "RIVER_MEMBER", "River_Member"])
def test_register_refuses_a_pseudonym_in_use_whatever_the_case(api, member, pseudonym):
    response = api.call("POST", "/auth/register", {"pseudonym": pseudonym, "password": PASSWORD})

    detail = assert_error_detail(response, 422)
    assert detail[0]["loc"] == ["body", "pseudonym"]
    assert "already using that name" in detail[0]["msg"]
    assert User.objects.count() == 1
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    ("pseudonym", "message"),
    [
        ("ab", "at least 3"),
        ("a" * 31, "at most 30"),
        ("quiet fox", "Use only letters"),
        ("quïet", "Use only letters"),
        ("admin", "reserved"),
        ("Moderator", "reserved"),
        ("", "at least 1 character"),
    ],
)
def test_register_refuses_invalid_pseudonyms(api, pseudonym, message):
    response = api.call("POST", "/auth/register", {"pseudonym": pseudonym, "password": PASSWORD})

    detail = assert_error_detail(response, 422)
    assert message in json.dumps(detail, ensure_ascii=False)
    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["short1", "password123", "12345678901234", "quiet_fox_quiet"])
def test_register_refuses_weak_passwords(api, password):
    response = api.call("POST", "/auth/register", {"pseudonym": "quiet_fox", "password": password})

    detail = assert_error_detail(response, 422)
    assert {tuple(item["loc"]) for item in detail} == {("body", "password")}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"pseudonym": "quiet_fox"}, {"password": PASSWORD}, {"pseudonym": 5, "password": PASSWORD}, [], None],
)
def test_register_refuses_missing_or_mistyped_fields(api, body):
    response = api.call("POST", "/auth/register", raw=json.dumps(body))

    detail = assert_error_detail(response, 422)
    assert isinstance(detail, list)
    assert all("loc" in item and "msg" in item for item in detail)
    assert not User.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", "", '{"pseudonym": "quiet_fox", "password": ', "\x00\xff"])
def test_register_with_a_malformed_body_is_a_json_4xx(api, raw):
    response = api.call("POST", "/auth/register", raw=raw)

    assert 400 <= response.status_code < 500
    assert_error_detail(response, response.status_code)
    assert not User.objects.exists()


def test_register_is_rate_limited_per_address(api):
    for _attempt in range(20):  # "signup": 20/m/ip; refused attempts count as well
        assert api.call("POST", "/auth/register", {"pseudonym": "admin", "password": PASSWORD}).status_code == 422

    response = api.call("POST", "/auth/register", {"pseudonym": "quiet_fox", "password": PASSWORD})

    assert "Too many" in assert_error_detail(response, 429)
    assert not User.objects.exists()


# --- Tokens -----------------------------------------------------------------------------------


def test_token_with_right_credentials(api, spec, member):
    response = api.call("POST", "/auth/tokens", {"pseudonym": "RIVER_member", "password": PASSWORD, "name": "my phone"})

    assert response.status_code == 201
    body = check(spec, response, "POST", "/auth/tokens")
    assert body["user"]["id"] == member.pk
    assert body["token"].startswith("als_")
    token = ApiToken.objects.get(user=member)
    assert token.name == "my phone"
    # Only a digest is kept.
    assert body["token"] not in {token.digest, token.prefix, token.name}
    assert ApiClient(body["token"]).call("GET", "/me").json()["id"] == member.pk


@pytest.mark.parametrize(("pseudonym", "password"), [("river_member", "not the password"), ("nobody_here", PASSWORD)])
def test_token_with_wrong_credentials_is_401_with_the_same_message(api, member, pseudonym, password):
    response = api.call("POST", "/auth/tokens", {"pseudonym": pseudonym, "password": password})

    assert assert_error_detail(response, 401) == "That pseudonym and password don't match."
    assert not ApiToken.objects.exists()


def test_token_for_an_inactive_account_is_refused(api, member):
    User.objects.filter(pk=member.pk).update(is_active=False)

    response = api.call("POST", "/auth/tokens", {"pseudonym": "river_member", "password": PASSWORD})

    assert_error_detail(response, 401)
    assert not ApiToken.objects.exists()


def test_sixth_failed_token_request_for_a_pseudonym_is_429(api, member, other_member):
    for _attempt in range(5):
        response = api.call("POST", "/auth/tokens", {"pseudonym": "river_member", "password": "not the password"})
        assert response.status_code == 401

    response = api.call("POST", "/auth/tokens", {"pseudonym": "river_member", "password": "not the password"})
    assert "Too many" in assert_error_detail(response, 429)
    # Locked even with the right password, and whatever the casing.
    response = api.call("POST", "/auth/tokens", {"pseudonym": "River_Member", "password": PASSWORD})
    assert_error_detail(response, 429)
    assert not ApiToken.objects.filter(user=member).exists()
    # Other pseudonyms are not affected.
    assert api.call("POST", "/auth/tokens", {"pseudonym": "maple_member", "password": PASSWORD}).status_code == 201


def test_web_and_api_share_the_lockout(api, member):
    for _attempt in range(5):
        login_with_password(Client(), "river_member", "not the password")

    response = api.call("POST", "/auth/tokens", {"pseudonym": "river_member", "password": PASSWORD})

    assert_error_detail(response, 429)


@pytest.mark.parametrize("persona", ["moderator", "facilitator", "clinician", "admin_user"])
def test_token_for_staff_needs_the_current_code(request, api, persona):
    user = request.getfixturevalue(persona)
    credentials = {"pseudonym": user.username, "password": PASSWORD}

    assert "code" in assert_error_detail(api.call("POST", "/auth/tokens", credentials), 401)
    assert_error_detail(api.call("POST", "/auth/tokens", {**credentials, "otp_code": wrong_code()}), 401)
    assert not ApiToken.objects.exists()

    response = api.call("POST", "/auth/tokens", {**credentials, "otp_code": f" {totp_code()} "})

    assert response.status_code == 201
    assert response.json()["user"]["role"] == user.role


def test_token_code_cannot_be_used_twice(api, moderator):
    credentials = {"pseudonym": moderator.username, "password": PASSWORD, "otp_code": totp_code()}
    assert api.call("POST", "/auth/tokens", credentials).status_code == 201

    assert_error_detail(api.call("POST", "/auth/tokens", credentials), 401)
    assert ApiToken.objects.filter(user=moderator).count() == 1


def test_token_codes_cannot_be_guessed_without_limit(api, moderator):
    credentials = {"pseudonym": moderator.username, "password": PASSWORD}
    for _attempt in range(5):
        assert api.call("POST", "/auth/tokens", {**credentials, "otp_code": wrong_code()}).status_code == 401

    response = api.call("POST", "/auth/tokens", {**credentials, "otp_code": totp_code()})

    assert "Too many" in assert_error_detail(response, 429)
    assert not ApiToken.objects.exists()


def test_token_code_guesses_share_the_web_limit(api, moderator):
    client = Client()
    login_with_password(client, moderator.username)
    for _attempt in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": wrong_code()})

    response = api.call(
        "POST", "/auth/tokens", {"pseudonym": moderator.username, "password": PASSWORD, "otp_code": totp_code()}
    )

    assert_error_detail(response, 429)


def test_token_for_staff_without_two_factor_is_refused(api):
    user = make_person("new_moderator", Role.MODERATOR)
    Authenticator.objects.filter(user=user).delete()

    response = api.call("POST", "/auth/tokens", {"pseudonym": user.username, "password": PASSWORD})

    assert_error_detail(response, 403)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '{"pseudonym": "river_member"}'])
def test_token_with_a_malformed_body_is_a_json_4xx(api, member, raw):
    response = api.call("POST", "/auth/tokens", raw=raw)

    assert 400 <= response.status_code < 500
    assert_error_detail(response, response.status_code)
    assert not ApiToken.objects.exists()


def test_revoking_the_current_token(member):
    api = api_for(member)
    other_device = api_for(member)
    assert api.call("GET", "/me").status_code == 200

    response = api.call("DELETE", "/auth/tokens/current")

    assert response.status_code == 204
    assert_error_detail(api.call("GET", "/me"), 401)
    assert_error_detail(api.call("DELETE", "/auth/tokens/current"), 401)
    assert other_device.call("GET", "/me").status_code == 200
    assert ApiToken.objects.filter(user=member).count() == 1


def test_revoking_needs_authentication(api, member):
    api_for(member)

    assert_error_detail(api.call("DELETE", "/auth/tokens/current"), 401)
    assert ApiToken.objects.filter(user=member).count() == 1


def test_tokens_of_a_deactivated_account_stop_working(member):
    api = api_for(member)
    User.objects.filter(pk=member.pk).update(is_active=False)

    assert_error_detail(api.call("GET", "/me"), 401)


# --- The current person -----------------------------------------------------------------------


def test_me_returns_the_person_behind_the_token(spec, member):
    services.profile_update(actor=member, user=member, values={"display_name": "River"})

    response = api_for(member).call("GET", "/me")

    assert response.status_code == 200
    body = check(spec, response, "GET", "/me")
    assert body["id"] == member.pk
    assert body["pseudonym"] == "river_member"
    assert body["display_name"] == "River"
    assert body["role"] == "member"
    assert "email" not in body
    assert "password" not in json.dumps(body)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}])
def test_me_without_valid_authentication_is_401_json(headers):
    response = Client().get("/api/v1/me", headers=headers)

    assert_error_detail(response, 401)


def test_session_login_works_for_reads_without_a_token(member):
    response = client_for(member).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["id"] == member.pk


def test_a_token_wins_over_a_session(member, other_member):
    client = client_for(member)
    _token, raw = services.api_token_create(user=other_member)

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})

    assert response.json()["id"] == other_member.pk


# --- Profile ----------------------------------------------------------------------------------


def test_profile_read(spec, member):
    services.profile_update(actor=member, user=member, values={"country": "GB", "topics": ["grief"]})

    response = api_for(member).call("GET", "/me/profile")

    assert response.status_code == 200
    body = check(spec, response, "GET", "/me/profile")
    assert body == {
        "display_name": "",
        "pronouns": "",
        "languages": [],
        "country": "GB",
        "time_zone": "",
        "topics": ["grief"],
    }


def test_profile_read_needs_authentication(api, member):
    assert_error_detail(api.call("GET", "/me/profile"), 401)


def test_profile_patch_changes_only_the_given_fields(spec, member):
    services.profile_update(
        actor=member,
        user=member,
        values={"display_name": "River", "languages": ["en"], "country": "GB", "topics": ["grief"]},
    )

    response = api_for(member).call("PATCH", "/me/profile", {"pronouns": "they/them", "time_zone": "Europe/London"})

    assert response.status_code == 200
    body = check(spec, response, "PATCH", "/me/profile")
    expected = {
        "display_name": "River",
        "pronouns": "they/them",
        "languages": ["en"],
        "country": "GB",
        "time_zone": "Europe/London",
        "topics": ["grief"],
    }
    assert body == expected
    assert profile_values(member) == expected


def test_profile_patch_all_fields(member):
    values = {
        "display_name": "River",
        "pronouns": "they/them",
        "languages": ["en", "fr"],
        "country": "GB",
        "time_zone": "Europe/London",
        "topics": ["anxiety", "grief"],
    }

    response = api_for(member).call("PATCH", "/me/profile", values)

    assert response.status_code == 200
    assert response.json() == values
    assert profile_values(member) == values


def test_profile_patch_null_clears_a_field(member):
    services.profile_update(actor=member, user=member, values={"display_name": "River", "topics": ["grief"]})

    response = api_for(member).call("PATCH", "/me/profile", {"display_name": None, "topics": None})

    assert response.status_code == 200
    assert profile_values(member)["display_name"] == ""
    assert profile_values(member)["topics"] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", "ZZ"),
        ("topics", ["nope"]),
        ("topics", ["grief", "nope"]),
        ("time_zone", "Mars/Base"),
        ("languages", ["xx"]),
        ("display_name", "x" * 51),
        ("pronouns", "x" * 31),
        ("topics", "grief"),
        ("languages", [1, 2]),
    ],
)
def test_profile_patch_refuses_bad_values_and_saves_nothing(member, field, value):
    before = {"display_name": "River", "country": "GB", "topics": ["grief"], "languages": ["en"]}
    services.profile_update(actor=member, user=member, values=before)
    snapshot = profile_values(member)

    response = api_for(member).call("PATCH", "/me/profile", {"pronouns": "she/her", field: value})

    detail = assert_error_detail(response, 422)
    assert any(field in item["loc"] for item in detail), detail
    assert profile_values(member) == snapshot


def test_profile_patch_ignores_fields_outside_the_profile(member):
    response = api_for(member).call("PATCH", "/me/profile", {"role": "admin", "username": "root", "pronouns": "he/him"})

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.role == "member"
    assert member.username == "river_member"
    assert profile_values(member)["pronouns"] == "he/him"


def test_profile_patch_with_a_malformed_body_is_a_json_4xx(member):
    response = api_for(member).call("PATCH", "/me/profile", raw="{not json")

    assert 400 <= response.status_code < 500
    assert_error_detail(response, response.status_code)


def test_profile_patch_needs_authentication(api, member):
    assert_error_detail(api.call("PATCH", "/me/profile", {"pronouns": "he/him"}), 401)
    assert profile_values(member)["pronouns"] == ""


# --- Session authentication and CSRF ----------------------------------------------------------


def csrf_client_for(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


def test_session_patch_without_csrf_token_is_refused(member):
    client = csrf_client_for(member)

    response = client.patch(
        "/api/v1/me/profile", data=json.dumps({"pronouns": "he/him"}), content_type="application/json"
    )

    assert response.status_code == 403
    assert "detail" in response.json()
    assert profile_values(member)["pronouns"] == ""


def test_session_patch_with_csrf_token_is_accepted(member):
    client = csrf_client_for(member)
    client.get("/accounts/profile/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value

    response = client.patch(
        "/api/v1/me/profile",
        data=json.dumps({"pronouns": "he/him"}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )

    assert response.status_code == 200
    assert profile_values(member)["pronouns"] == "he/him"


def test_session_token_revoke_without_csrf_is_refused(member):
    client = csrf_client_for(member)

    response = client.delete("/api/v1/auth/tokens/current")

    assert response.status_code == 403


# --- Schema and docs --------------------------------------------------------------------------


def test_openapi_lists_the_account_paths(spec):
    assert spec["openapi"].startswith("3.")
    for path in ACCOUNT_PATHS:
        assert path in spec["paths"], path
    assert set(spec["paths"]["/api/v1/me/profile"]) == {"get", "patch"}
    assert set(spec["paths"]["/api/v1/auth/tokens/current"]) == {"delete"}
    # Anonymous endpoints are documented without auth; the others with both ways in.
    assert not spec["paths"]["/api/v1/auth/register"]["post"].get("security")
    assert len(spec["paths"]["/api/v1/me"]["get"]["security"]) == 2


def test_api_docs_use_only_local_assets(api):
    response = api.call("GET", "/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assets = re.findall(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", page, re.IGNORECASE)
    assert assets, "expected the docs page to load some assets"
    for asset in assets:
        assert asset.startswith("/static/"), asset
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", page, re.IGNORECASE)
    for asset in assets:
        if asset.endswith((".js", ".css")):
            assert api.client.get(asset).status_code == 200, asset
