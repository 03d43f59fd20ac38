"""Helpers shared by tests: the real log-in flow, and checking API answers against the OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from alongside.accounts.models import Profile
from tests.personas import PASSWORD, totp_code


def profile_values(user: Any) -> dict[str, Any]:
    """A person's profile as the API shows it, read straight from the database."""
    profile = Profile.objects.get(user=user)
    return {
        "display_name": profile.display_name,
        "pronouns": profile.pronouns,
        "languages": list(profile.languages),
        "country": profile.country.code or "",
        "time_zone": profile.time_zone,
        "topics": list(profile.topics),
    }


def session_user_id(client: Client) -> str | None:
    """The id of the person the client's session is logged in as, or None."""
    return client.session.get("_auth_user_id")


def login_with_password(client: Client, pseudonym: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("account_login"), {"login": pseudonym, "password": password})


def login_fully(client: Client, pseudonym: str, *, password: str = PASSWORD, code: str | None = None) -> Client:
    """Log in through the real pages: password, then (if asked) the authenticator code."""
    response = login_with_password(client, pseudonym, password)
    assert response.status_code == 302, response.content.decode()[:2000]
    if response["Location"] == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": code or totp_code()})
        assert response.status_code == 302, response.content.decode()[:2000]
    assert session_user_id(client) is not None
    return client


def reauthenticate(client: Client, password: str = PASSWORD) -> None:
    """Confirm the password again, as allauth asks before changing two-factor settings."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()[:2000]


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def assert_matches_schema(value: Any, schema: dict[str, Any], spec: dict[str, Any], where: str = "$") -> None:
    """A deliberately small JSON Schema check: $ref, required, types, array items, no unknown keys."""
    schema = _resolve(schema, spec)
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                assert_matches_schema(value, option, spec, where)
                return
            except AssertionError as error:
                errors.append(str(error))
        raise AssertionError(f"{where}: matches none of anyOf: {errors}")
    kind = schema.get("type")
    if kind == "null":
        assert value is None, f"{where}: expected null, got {value!r}"
        return
    if kind is not None:
        assert isinstance(value, _JSON_TYPES[kind]), f"{where}: expected {kind}, got {value!r}"
        assert not (kind == "integer" and isinstance(value, bool)), f"{where}: expected {kind}, got {value!r}"
    if kind == "object" and "properties" in schema:
        missing = set(schema.get("required", [])) - set(value)
        assert not missing, f"{where}: missing {sorted(missing)}"
        unknown = set(value) - set(schema["properties"])
        assert not unknown, f"{where}: keys not in the schema {sorted(unknown)}"
        for key, item in value.items():
            assert_matches_schema(item, schema["properties"][key], spec, f"{where}.{key}")
    if kind == "array" and "items" in schema:
        for index, item in enumerate(value):
            assert_matches_schema(item, schema["items"], spec, f"{where}[{index}]")


def response_schema(spec: dict[str, Any], method: str, path: str, status: int) -> dict[str, Any]:
    operation = spec["paths"][path][method.lower()]
    return dict(operation["responses"][str(status)]["content"]["application/json"]["schema"])


# The stable `code` of each error status (core.api).
ERROR_CODES = {
    400: {"bad_request"},
    401: {"not_authenticated"},
    403: {"not_allowed", "two_factor_required"},
    404: {"not_found"},
    422: {"invalid"},
    429: {"throttled"},
}


def documented_path(spec: dict[str, Any], method: str, path: str) -> str:
    """The OpenAPI path (e.g. /api/v1/threads/{thread_id}) a concrete path and method fall under."""
    concrete = "/api/v1" + path.split("?")[0]
    matches = [
        documented
        for documented, operations in spec["paths"].items()
        if method.lower() in operations and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", documented), concrete)
    ]
    assert matches, f"{method} {concrete} is not in the OpenAPI description"
    return min(matches, key=lambda documented: documented.count("{"))


def check_answer(spec: dict[str, Any], method: str, path: str, response: Any) -> Any:
    """The answer is documented for its status and matches the documented shape; an error is
    `{"detail", "code"}` with the code of its status. Returns the body (None for 204)."""
    status = response.status_code
    assert status < 500, response.content
    documented = documented_path(spec, method, path)
    operation = spec["paths"][documented][method.lower()]
    assert str(status) in operation["responses"], f"{method} {documented} answered {status}, not documented"
    if status == 204:
        assert response.content == b""
        return None
    assert response["Content-Type"].startswith("application/json"), response.content
    body = response.json()
    assert_matches_schema(body, response_schema(spec, method, documented, status), spec)
    if status >= 400:
        assert set(body) == {"detail", "code"}, body
        assert body["code"] in ERROR_CODES[status], body
    return body


class Caller:
    """One persona calling the API with their own bearer token (or none, signed out); every answer
    is checked against the OpenAPI document (check_answer)."""

    def __init__(self, spec: dict[str, Any], user: Any | None) -> None:
        from tests.fixtures import ApiClient, api_for

        self.spec = spec
        self.client = api_for(user) if user is not None else ApiClient()

    def __call__(self, method: str, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        response = self.client.call(method, path, body, raw=raw)
        check_answer(self.spec, method, path, response)
        return response
