"""Personas, clients and helpers every test may use.

member, other_member  ordinary members
listener              a trained peer listener
moderator, facilitator, clinician, admin_user   staff roles (two-factor authentication switched on)
stranger              nobody signed in
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from alongside.accounts import services as account_services
from alongside.accounts.enums import Role
from alongside.accounts.models import User
from tests.personas import PASSWORD, TOTP_SECRET, make_person, totp_code

ALLAUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters and used TOTP codes live in the cache: start every test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def argon2_passwords(settings: Any) -> None:
    """The production password hasher, for the tests about it (others use a fast one)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


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
    return make_person("steady_keeper", Role.MODERATOR)


@pytest.fixture
def facilitator(db: Any) -> User:
    return make_person("group_facilitator", Role.FACILITATOR)


@pytest.fixture
def clinician(db: Any) -> User:
    return make_person("on_call_clinician", Role.CLINICIAN)


@pytest.fixture
def admin_user(db: Any) -> User:
    return make_person("site_lead", Role.ADMIN)


@pytest.fixture
def stranger() -> Client:
    return Client()


def client_for(user: User) -> Client:
    """A browser logged in as `user`, as if they had just logged in through the pages: a person with
    an authenticator also passed the code step in this session (as allauth records it)."""
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    from alongside.accounts import selectors

    client = Client()
    client.force_login(user, backend=ALLAUTH_BACKEND)
    if selectors.user_has_totp(user=user):
        session = client.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": time.time(), "username": user.username},
            {"method": "mfa", "at": time.time(), "type": "totp"},
        ]
        session.save()
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


def api_for(user: User, *, second_factor: bool | None = None) -> ApiClient:
    """A token as the log-in endpoint would issue it: with a second factor when the person has one."""
    from alongside.accounts import selectors

    if second_factor is None:
        second_factor = selectors.user_has_totp(user=user)
    _token, raw = account_services.api_token_create(user=user, name="test", second_factor=second_factor)
    return ApiClient(raw)


@pytest.fixture(scope="session")
def openapi_spec(django_db_setup: Any, django_db_blocker: Any) -> dict[str, Any]:
    """The published OpenAPI document, built once per test run."""
    from alongside.api import api as ninja_api

    with django_db_blocker.unblock():
        return dict(json.loads(json.dumps(ninja_api.get_openapi_schema(path_prefix="/api/v1/"), default=str)))


def run_tasks() -> int:
    """Run every queued background task now with the task worker's own code (`db_worker`), one by
    one, and return how many ran. (The worker's loop closes database connections between tasks,
    which would end a test's transaction; its task runner does not.)"""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (task_result := DBTaskResult.objects.ready().first()) is not None:
        task_result.claim(worker.worker_id)
        worker.run_task(task_result)
        ran += 1
    return ran


__all__ = [
    "PASSWORD",
    "TOTP_SECRET",
    "ApiClient",
    "api_for",
    "client_for",
    "make_person",
    "run_tasks",
    "totp_code",
]
