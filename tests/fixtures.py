"""Personas and clients. Every authorization test walks these people through the product.

member, other_member  ordinary members
listener              a trained peer listener
moderator, facilitator, clinician, admin   staff roles (two-factor authentication switched on)
stranger              nobody signed in
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core.cache import cache
from django.test import Client

from alongside.accounts import services as account_services
from alongside.accounts.models import Role, User

PASSWORD = "a calm harbour at dawn"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def make_person(pseudonym: str, role: Role = Role.MEMBER, *, email: str = "") -> User:
    user = account_services.user_register(pseudonym=pseudonym, password=PASSWORD, email=email)
    if role != Role.MEMBER:
        account_services.user_role_set(actor=None, user=user, role=role, reason="test persona")
    if role.value in ("moderator", "facilitator", "clinician", "admin"):
        TOTP.activate(user, TOTP_SECRET)
    return user


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The authenticator app's current code. Never one in the last seconds of its period: the
    server checks the password (Argon2) first, and a code that expired meanwhile made tests flaky."""
    remaining = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if remaining < 3:
        time.sleep(remaining + 0.1)
    counter = next(iter(yield_hotp_counters_from_time()))
    return str(format_hotp_value(hotp_value(secret, counter)))


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters and used TOTP codes live in the cache: start every test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db: Any) -> User:
    return make_person("river_member", email="river@example.org")


@pytest.fixture
def other_member(db: Any) -> User:
    return make_person("maple_member")


@pytest.fixture
def listener(db: Any) -> User:
    return make_person("kind_listener", Role.LISTENER)


@pytest.fixture
def moderator(db: Any) -> User:
    return make_person("steady_mod", Role.MODERATOR)


@pytest.fixture
def facilitator(db: Any) -> User:
    return make_person("group_facilitator", Role.FACILITATOR)


@pytest.fixture
def clinician(db: Any) -> User:
    return make_person("on_call_clinician", Role.CLINICIAN)


@pytest.fixture
def admin_user(db: Any) -> User:
    return make_person("site_admin", Role.ADMIN)


@pytest.fixture
def stranger() -> Client:
    return Client()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


class ApiClient:
    """Calls /api/v1/ as a client app would: JSON bodies, bearer token."""

    def __init__(self, token: str = "") -> None:
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(self, method: str, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        handler = getattr(self.client, method.lower())
        kwargs: dict[str, Any] = {"headers": self._headers()}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return handler(f"/api/v1{path}", **kwargs)


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


def api_for(user: User) -> ApiClient:
    _token, raw = account_services.api_token_create(user=user, name="test")
    return ApiClient(raw)


__all__ = ["PASSWORD", "TOTP_SECRET", "ApiClient", "api_for", "client_for", "make_person", "totp_code"]
