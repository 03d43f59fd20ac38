"""The accounts JSON API under /api/v1/: registration, log-in tokens, the current person and their profile.

Every answer is checked against the OpenAPI description of its path and status. Errors are
`{"detail", "code"}`; request bodies refuse unknown keys, loosely typed values and NUL characters.
Token lifetimes, listing and revoking are in test_tokens.py; the recovery e-mail in test_recovery_email.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from alongside.accounts import services
from alongside.accounts.models import ApiToken, NameKey, Profile, Role, User
from tests.fixtures import PASSWORD, TOTP_SECRET, ApiClient, api_for, client_for, make_person, totp_code
from tests.support import check_answer, login_with_password, profile_values

pytestmark = pytest.mark.django_db

ACCOUNT_PATHS = [
    "/api/v1/auth/register",
    "/api/v1/auth/tokens",
    "/api/v1/auth/tokens/current",
    "/api/v1/auth/tokens/{token_id}",
    "/api/v1/me",
    "/api/v1/me/profile",
    "/api/v1/me/email",
]


def check(spec: dict[str, Any], response: Any, method: str, path: str) -> Any:
    """The response body, after checking it against the OpenAPI description of that status."""
    return check_answer(spec, method, path, response)


def assert_error(response: Any, status: int, code: str) -> Any:
    """An error answer: JSON `{"detail", "code"}` with this status and code; returns the detail."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code"}, body
    assert body["code"] == code, body
    return body["detail"]


def problem_fields(detail: list[dict[str, Any]]) -> set[str]:
    """Every name in the `loc` of each problem of an `invalid` answer."""
    return {str(part) for item in detail for part in item["loc"]}


def wrong_code() -> str:
    return "000000" if totp_code() != "000000" else "111111"


def nothing_written() -> None:
    assert not User.objects.exists()
    assert not ApiToken.objects.exists()
    assert not NameKey.objects.exists()


# --- Registration -----------------------------------------------------------------------------


def test_register_creates_a_member_and_returns_a_working_token(api, openapi_spec):
    response = api.call("POST", "/auth/register", {"pseudonym": "Quiet_Fox", "password": PASSWORD})

    assert response.status_code == 201
    body = check(openapi_spec, response, "POST", "/auth/register")
    assert body["user"]["pseudonym"] == "Quiet_Fox"
    assert body["user"]["role"] == "member"
    user = User.objects.get(username="Quiet_Fox")
    assert body["user"]["id"] == user.pk
    assert user.email == ""
    assert user.email_digest is None
    assert user.check_password(PASSWORD)
    assert not EmailAddress.objects.exists()
    assert Profile.objects.filter(user=user).exists()

    me = ApiClient(body["token"]).call("GET", "/me")
    assert me.status_code == 200
    assert check(openapi_spec, me, "GET", "/me")["pseudonym"] == "Quiet_Fox"


def test_register_hashes_the_password_with_argon2(api, argon2_passwords):
    api.call("POST", "/auth/register", {"pseudonym": "quiet_fox", "password": PASSWORD})

    user = User.objects.get(username="quiet_fox")
    assert user.password.startswith("argon2")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)


def test_register_with_email_keeps_it_for_recovery(api):
    response = api.call(
        "POST", "/auth/register", {"pseudonym": "quiet_fox", "password": PASSWORD, "email": " Fox@Example.org "}
    )

    assert response.status_code == 201
    user = User.objects.get(username="quiet_fox")
    # Kept, encrypted, until its owner confirms it from the link mailed to it (test_recovery_email.py);
    # never in allauth's readable EmailAddress table.
    assert (user.email, user.pending_email, user.email_digest) == ("", "fox@example.org", None)
    assert not EmailAddress.objects.exists()


@pytest.mark.parametrize("email", ["not-an-email", "fox@", "@example.org", "fox example@example.org"])
def test_register_refuses_an_invalid_email(api, openapi_spec, email):
    response = api.call("POST", "/auth/register", {"pseudonym": "quiet_fox", "password": PASSWORD, "email": email})

    detail = assert_error(response, 422, "invalid")
    check(openapi_spec, response, "POST", "/auth/register")
    assert problem_fields(detail) == {"body", "email"}
    nothing_written()


@pytest.mark.parametrize("pseudonym", ["river_member", "RIVER_MEMBER", "River_Member"])
def test_register_refuses_a_pseudonym_in_use_whatever_the_case(api, member, pseudonym):
    response = api.call("POST", "/auth/register", {"pseudonym": pseudonym, "password": PASSWORD})

    detail = assert_error(response, 422, "invalid")
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
        ("sam_admin", "sound like a staff role"),
        ("Mod-Sam", "sound like a staff role"),
        ("", "Use only letters"),
    ],
)
def test_register_refuses_invalid_pseudonyms(api, pseudonym, message):
    response = api.call("POST", "/auth/register", {"pseudonym": pseudonym, "password": PASSWORD})

    detail = assert_error(response, 422, "invalid")
    assert message in json.dumps(detail, ensure_ascii=False)
    nothing_written()


@pytest.mark.parametrize("password", ["short1", "password123", "12345678901234", "quiet_fox_quiet"])
def test_register_refuses_weak_passwords(api, password):
    response = api.call("POST", "/auth/register", {"pseudonym": "quiet_fox", "password": password})

    detail = assert_error(response, 422, "invalid")
    assert {tuple(item["loc"]) for item in detail} == {("body", "password")}
    nothing_written()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"pseudonym": "quiet_fox"},
        {"password": PASSWORD},
        {"pseudonym": 5, "password": PASSWORD},
        {"pseudonym": "quiet_fox", "password": PASSWORD, "email": None},
        {"pseudonym": ["quiet_fox"], "password": PASSWORD},
        [],
        None,
    ],
)
def test_register_refuses_missing_or_mistyped_fields(api, body):
    response = api.call("POST", "/auth/register", raw=json.dumps(body))

    detail = assert_error(response, 422, "invalid")
    assert isinstance(detail, list)
    assert all(set(item) == {"loc", "msg", "type"} for item in detail)
    nothing_written()


@pytest.mark.parametrize(
    "body",
    [
        {"pseudonym": "quiet_fox", "password": PASSWORD + "\x00"},
        {"pseudonym": "quiet_fox", "password": "a calm\x00harbour at dawn"},
        {"pseudonym": "quiet\x00fox", "password": PASSWORD},
        {"pseudonym": "quiet_fox", "password": PASSWORD, "email": "fox@example.org\x00"},
    ],
)
def test_register_refuses_nul_characters_and_writes_nothing(api, openapi_spec, body):
    response = api.call("POST", "/auth/register", body)

    assert_error(response, 422, "invalid")
    check(openapi_spec, response, "POST", "/auth/register")
    nothing_written()


@pytest.mark.parametrize("extra", [{"role": "admin"}, {"is_active": True}, {"username": "root"}, {"Email": "x"}])
def test_register_refuses_unknown_keys_and_writes_nothing(api, extra):
    response = api.call("POST", "/auth/register", {"pseudonym": "quiet_fox", "password": PASSWORD, **extra})

    detail = assert_error(response, 422, "invalid")
    assert next(iter(extra)) in problem_fields(detail)
    nothing_written()


@pytest.mark.parametrize("raw", ["{not json", "", '{"pseudonym": "quiet_fox", "password": ', "\x00\xff"])
def test_register_with_a_malformed_body_is_a_json_4xx(api, raw):
    response = api.call("POST", "/auth/register", raw=raw)

    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code, response.json()["code"])
    assert response.json()["code"] in {"bad_request", "invalid"}
    nothing_written()


def test_register_is_rate_limited_per_address(api, openapi_spec):
    for _attempt in range(20):  # "signup": 20/m/ip; refused attempts count as well
        assert api.call("POST", "/auth/register", {"pseudonym": "admin", "password": PASSWORD}).status_code == 422

    response = api.call("POST", "/auth/register", {"pseudonym": "quiet_fox", "password": PASSWORD})

    assert "Too many" in assert_error(response, 429, "throttled")
    check(openapi_spec, response, "POST", "/auth/register")
    nothing_written()


# --- Tokens -----------------------------------------------------------------------------------


def test_token_with_right_credentials(api, openapi_spec, member):
    response = api.call("POST", "/auth/tokens", {"pseudonym": "RIVER_member", "password": PASSWORD, "name": "my phone"})

    assert response.status_code == 201
    body = check(openapi_spec, response, "POST", "/auth/tokens")
    assert body["user"]["id"] == member.pk
    assert body["token"].startswith("als_")
    token = ApiToken.objects.get(user=member)
    assert token.name == "my phone"
    assert token.second_factor is False
    # Only a digest is kept.
    assert body["token"] not in {token.digest, token.prefix, token.name}
    assert ApiClient(body["token"]).call("GET", "/me").json()["id"] == member.pk


@pytest.mark.parametrize(("pseudonym", "password"), [("river_member", "not the password"), ("nobody_here", PASSWORD)])
def test_token_with_wrong_credentials_is_401_with_the_same_message(api, openapi_spec, member, pseudonym, password):
    response = api.call("POST", "/auth/tokens", {"pseudonym": pseudonym, "password": password})

    assert assert_error(response, 401, "not_authenticated") == "That pseudonym and password don't match."
    check(openapi_spec, response, "POST", "/auth/tokens")
    assert not ApiToken.objects.exists()


def test_token_for_an_inactive_account_is_refused(api, member):
    User.objects.filter(pk=member.pk).update(is_active=False)

    response = api.call("POST", "/auth/tokens", {"pseudonym": "river_member", "password": PASSWORD})

    assert_error(response, 401, "not_authenticated")
    assert not ApiToken.objects.exists()


def test_sixth_failed_token_request_for_a_pseudonym_is_429(api, member, other_member):
    for _attempt in range(5):
        response = api.call("POST", "/auth/tokens", {"pseudonym": "river_member", "password": "not the password"})
        assert response.status_code == 401

    response = api.call("POST", "/auth/tokens", {"pseudonym": "river_member", "password": "not the password"})
    assert "Too many" in assert_error(response, 429, "throttled")
    # Locked even with the right password, and whatever the casing.
    response = api.call("POST", "/auth/tokens", {"pseudonym": "River_Member", "password": PASSWORD})
    assert_error(response, 429, "throttled")
    assert not ApiToken.objects.filter(user=member).exists()
    # Other pseudonyms are not affected.
    assert api.call("POST", "/auth/tokens", {"pseudonym": "maple_member", "password": PASSWORD}).status_code == 201


def test_web_and_api_share_the_lockout(api, member):
    for _attempt in range(5):
        login_with_password(Client(), "river_member", "not the password")

    response = api.call("POST", "/auth/tokens", {"pseudonym": "river_member", "password": PASSWORD})

    assert_error(response, 429, "throttled")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("persona", ["moderator", "facilitator", "clinician", "admin_user"])
def test_token_for_staff_needs_the_current_code(request, api, persona):
    user = request.getfixturevalue(persona)
    credentials = {"pseudonym": user.username, "password": PASSWORD}

    assert "code" in assert_error(api.call("POST", "/auth/tokens", credentials), 401, "not_authenticated")
    wrong = api.call("POST", "/auth/tokens", {**credentials, "otp_code": wrong_code()})
    assert_error(wrong, 401, "not_authenticated")
    assert not ApiToken.objects.exists()

    response = api.call("POST", "/auth/tokens", {**credentials, "otp_code": f" {totp_code()} "})

    assert response.status_code == 201
    assert response.json()["user"]["role"] == user.role
    assert ApiToken.objects.get(user=user).second_factor is True
    assert ApiClient(response.json()["token"]).call("GET", "/me").status_code == 200


def test_token_for_a_member_with_two_factor_needs_the_code_too(api, member):
    TOTP.activate(member, TOTP_SECRET)
    credentials = {"pseudonym": member.username, "password": PASSWORD}

    assert_error(api.call("POST", "/auth/tokens", credentials), 401, "not_authenticated")
    response = api.call("POST", "/auth/tokens", {**credentials, "otp_code": totp_code()})

    assert response.status_code == 201
    assert ApiToken.objects.get(user=member).second_factor is True


def test_token_code_cannot_be_used_twice(api, moderator):
    credentials = {"pseudonym": moderator.username, "password": PASSWORD, "otp_code": totp_code()}
    assert api.call("POST", "/auth/tokens", credentials).status_code == 201

    assert_error(api.call("POST", "/auth/tokens", credentials), 401, "not_authenticated")
    assert ApiToken.objects.filter(user=moderator).count() == 1


def test_token_codes_cannot_be_guessed_without_limit(api, moderator):
    credentials = {"pseudonym": moderator.username, "password": PASSWORD}
    for _attempt in range(5):
        assert api.call("POST", "/auth/tokens", {**credentials, "otp_code": wrong_code()}).status_code == 401

    response = api.call("POST", "/auth/tokens", {**credentials, "otp_code": totp_code()})

    assert "Too many" in assert_error(response, 429, "throttled")
    assert not ApiToken.objects.exists()


def test_token_code_guesses_share_the_web_limit(api, moderator):
    client = Client()
    login_with_password(client, moderator.username)
    for _attempt in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": wrong_code()})

    response = api.call(
        "POST", "/auth/tokens", {"pseudonym": moderator.username, "password": PASSWORD, "otp_code": totp_code()}
    )

    assert_error(response, 429, "throttled")


@pytest.mark.parametrize(("pseudonym", "role"), [("new_keeper", Role.MODERATOR), ("new_lead", Role.ADMIN)])
def test_token_for_staff_without_two_factor_is_refused(api, openapi_spec, pseudonym, role):
    user = make_person(pseudonym, role, two_factor=False)
    assert not Authenticator.objects.filter(user=user).exists()

    response = api.call("POST", "/auth/tokens", {"pseudonym": user.username, "password": PASSWORD})
    with_a_code = api.call("POST", "/auth/tokens", {"pseudonym": user.username, "password": PASSWORD, "otp_code": "1"})

    assert "two-factor" in assert_error(response, 403, "not_allowed")
    check(openapi_spec, response, "POST", "/auth/tokens")
    assert_error(with_a_code, 403, "not_allowed")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '{"pseudonym": "river_member"}'])
def test_token_with_a_malformed_body_is_a_json_4xx(api, member, raw):
    response = api.call("POST", "/auth/tokens", raw=raw)

    assert 400 <= response.status_code < 500
    assert response.json()["code"] in {"bad_request", "invalid"}
    assert_error(response, response.status_code, response.json()["code"])
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [{"otp_code": 123456}, {"name": None}, {"second_factor": True}, {"password": PASSWORD + "\x00"}],
)
def test_token_request_refuses_loose_or_unknown_fields(api, member, extra):
    response = api.call("POST", "/auth/tokens", {"pseudonym": "river_member", "password": PASSWORD, **extra})

    assert_error(response, 422, "invalid")
    assert not ApiToken.objects.exists()


def test_revoking_the_current_token(member):
    api = api_for(member)
    other_device = api_for(member)
    assert api.call("GET", "/me").status_code == 200

    response = api.call("DELETE", "/auth/tokens/current")

    assert response.status_code == 204
    assert_error(api.call("GET", "/me"), 401, "not_authenticated")
    assert_error(api.call("DELETE", "/auth/tokens/current"), 401, "not_authenticated")
    assert other_device.call("GET", "/me").status_code == 200
    assert ApiToken.objects.filter(user=member).count() == 1


def test_revoking_needs_authentication(api, member):
    api_for(member)

    assert_error(api.call("DELETE", "/auth/tokens/current"), 401, "not_authenticated")
    assert ApiToken.objects.filter(user=member).count() == 1


def test_tokens_of_a_deactivated_account_stop_working(member):
    api = api_for(member)
    User.objects.filter(pk=member.pk).update(is_active=False)

    assert_error(api.call("GET", "/me"), 401, "not_authenticated")
    assert not ApiToken.objects.filter(user=member).exists()


# --- The current person -----------------------------------------------------------------------


def test_me_returns_the_person_behind_the_token(openapi_spec, member):
    services.profile_update(actor=member, user=member, values={"display_name": "River"})

    response = api_for(member).call("GET", "/me")

    assert response.status_code == 200
    body = check(openapi_spec, response, "GET", "/me")
    assert body["id"] == member.pk
    assert body["pseudonym"] == "river_member"
    assert body["display_name"] == "River"
    assert body["role"] == "member"
    assert "email" not in body
    assert "river@example.org" not in json.dumps(body)
    assert "password" not in json.dumps(body)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}])
def test_me_without_valid_authentication_is_401_json(openapi_spec, headers):
    response = Client().get("/api/v1/me", headers=headers)

    assert_error(response, 401, "not_authenticated")
    check(openapi_spec, response, "GET", "/me")


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


def test_profile_read(openapi_spec, member):
    services.profile_update(actor=member, user=member, values={"country": "GB", "topics": ["grief"]})

    response = api_for(member).call("GET", "/me/profile")

    assert response.status_code == 200
    body = check(openapi_spec, response, "GET", "/me/profile")
    assert body == {
        "display_name": "",
        "pronouns": "",
        "languages": [],
        "country": "GB",
        "time_zone": "",
        "topics": ["grief"],
    }


def test_profile_read_needs_authentication(api, member):
    assert_error(api.call("GET", "/me/profile"), 401, "not_authenticated")


def test_profile_patch_changes_only_the_given_fields(openapi_spec, member):
    services.profile_update(
        actor=member,
        user=member,
        values={"display_name": "River", "languages": ["en"], "country": "GB", "topics": ["grief"]},
    )

    response = api_for(member).call("PATCH", "/me/profile", {"pronouns": "they/them", "time_zone": "Europe/London"})

    assert response.status_code == 200
    body = check(openapi_spec, response, "PATCH", "/me/profile")
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
        ("languages", [None, None]),
        ("display_name", 5),
        ("display_name", ["River"]),
        ("pronouns", "she\x00her"),
        ("display_name", "Anonymous member"),
    ],
)
def test_profile_patch_refuses_bad_values_and_saves_nothing(openapi_spec, member, field, value):
    before = {"display_name": "River", "country": "GB", "topics": ["grief"], "languages": ["en"]}
    services.profile_update(actor=member, user=member, values=before)
    snapshot = profile_values(member)

    response = api_for(member).call("PATCH", "/me/profile", {"pronouns": "she/her", field: value})

    detail = assert_error(response, 422, "invalid")
    check(openapi_spec, response, "PATCH", "/me/profile")
    assert field in problem_fields(detail), detail
    assert profile_values(member) == snapshot


@pytest.mark.parametrize("raw", ["[null, null]", "[]", "null", '"pronouns"', "5"])
def test_profile_patch_refuses_a_body_that_is_not_an_object(member, raw):
    snapshot = profile_values(member)

    response = api_for(member).call("PATCH", "/me/profile", raw=raw)

    assert_error(response, 422, "invalid")
    assert profile_values(member) == snapshot


def test_profile_patch_refuses_fields_outside_the_profile_and_writes_nothing(member):
    response = api_for(member).call("PATCH", "/me/profile", {"role": "admin", "username": "root", "pronouns": "he/him"})

    detail = assert_error(response, 422, "invalid")
    assert {"role", "username"} <= problem_fields(detail)
    member.refresh_from_db()
    assert member.role == "member"
    assert member.username == "river_member"
    assert profile_values(member)["pronouns"] == ""


def test_profile_patch_with_a_malformed_body_is_a_json_4xx(member):
    response = api_for(member).call("PATCH", "/me/profile", raw="{not json")

    assert 400 <= response.status_code < 500
    assert response.json()["code"] in {"bad_request", "invalid"}
    assert_error(response, response.status_code, response.json()["code"])


def test_profile_patch_needs_authentication(api, member):
    assert_error(api.call("PATCH", "/me/profile", {"pronouns": "he/him"}), 401, "not_authenticated")
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
    token, _raw = services.api_token_create(user=member)
    client = csrf_client_for(member)

    response = client.delete(f"/api/v1/auth/tokens/{token.pk}")

    assert response.status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("PATCH", "/me/profile", {"pronouns": "he/him"}), ("PUT", "/me/email", {"email": "a@example.org"})],
)
def test_a_signed_out_write_is_401_not_a_csrf_403(method, path, body):
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method.lower())(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")

    assert_error(response, 401, "not_authenticated")


# --- Schema and docs --------------------------------------------------------------------------


def test_openapi_lists_the_account_paths(openapi_spec):
    spec = openapi_spec
    assert spec["openapi"].startswith("3.")
    for path in ACCOUNT_PATHS:
        assert path in spec["paths"], path
    assert set(spec["paths"]["/api/v1/me/profile"]) == {"get", "patch"}
    assert set(spec["paths"]["/api/v1/auth/tokens"]) == {"get", "post"}
    assert set(spec["paths"]["/api/v1/auth/tokens/current"]) == {"delete"}
    assert set(spec["paths"]["/api/v1/auth/tokens/{token_id}"]) == {"delete"}
    assert set(spec["paths"]["/api/v1/me/email"]) == {"put"}
    # Anonymous endpoints are documented without auth; the others with both ways in.
    assert not spec["paths"]["/api/v1/auth/register"]["post"].get("security")
    assert not spec["paths"]["/api/v1/auth/tokens"]["post"].get("security")
    assert len(spec["paths"]["/api/v1/me"]["get"]["security"]) == 2
    # Request bodies refuse unknown keys in the published schema too.
    register = spec["paths"]["/api/v1/auth/register"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    name = register["$ref"].rsplit("/", 1)[-1]
    assert spec["components"]["schemas"][name].get("additionalProperties") is False


def test_openapi_document_served_is_the_one_tests_check_against(api, openapi_spec):
    response = api.call("GET", "/openapi.json")

    assert response.status_code == 200
    assert sorted(response.json()["paths"]) == sorted(openapi_spec["paths"])


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
