"""Test set-up shared by every test in the repository (app tests under src/, browser tests under tests/)."""

from __future__ import annotations

import os
from typing import Any

import pytest

pytest_plugins = ["tests.fixtures"]


def pytest_configure() -> None:
    from django.conf import settings

    # Parallel workers (pytest-xdist) each get their own Redis database: the tests clear the cache
    # (rate-limit counters, used two-factor codes, cached sessions), and clearing is a FLUSHDB.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker and settings.REDIS_URL:
        base, _slash, db = settings.REDIS_URL.rpartition("/")
        number = (int(db) if db.isdigit() else 0) + int(worker.removeprefix("gw"))
        settings.CACHES["default"]["LOCATION"] = f"{base}/{number}"
        # Group names (a conversation's number) repeat across the workers' databases: keep them apart.
        settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"asgi-{worker}"

    # Serve static files straight from the app folders: tests do not run collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    # A fast hasher: Argon2 costs ~50 ms a password. The tests about Argon2 ask for it back
    # (the `argon2_passwords` fixture).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, request: pytest.FixtureRequest
) -> None:
    """SQLite in memory for app tests; a file only when browser tests run, because the ASGI server
    they drive runs in another thread and must share the test database."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    browser = any(item.get_closest_marker("browser") for item in request.session.items)
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")  # one file per xdist worker
    database["TEST"]["NAME"] = str(settings.DATA_DIR / f"test-alongside-{worker}.sqlite3") if browser else None


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    # Browser tests last: they are slow, and an app-test failure shows up first.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
