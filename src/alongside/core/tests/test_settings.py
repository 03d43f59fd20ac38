"""Settings come only from the environment, parsed strictly; production refuses to start unsafely."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from alongside.core.env import env_bool, env_int, env_list, env_str, env_url

ROOT = Path(__file__).resolve().parents[4]
NAME = "ALONGSIDE_TEST_VALUE"

# Every variable settings.py reads, and the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (tests/browser/conftest.py):
# cleared for the start-up tests so the outer environment cannot leak in.
SETTINGS_VARIABLES = frozenset(
    {
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "CHAT_REQUEST_UNANSWERED_AFTER",
        "CHAT_PREFERRED_LISTENER_WAIT",
        "CHAT_LISTENER_GRACE",
        "CHAT_RATE_LIMIT",
        "CHAT_RATE_WINDOW",
        "CHAT_LONG_POLL_SECONDS",
        "SAFETY_MODEL_ENABLED",
        "SAFETY_MODEL_THREADS",
        "SAFETY_REALERT_MINUTES",
        "SAFETY_REALERT_MAX",
        "SAFETY_WORRY_REPORTS_PER_DAY",
        "MODERATION_REPORTS_PER_HOUR",
        "MODERATION_BREAK_AFTER",
        "MODERATION_CLAIM_MINUTES",
        "MODERATION_REALERT_MINUTES",
        "MODERATION_REALERTS",
        "FEEDBACK_RATE_LIMIT",
        "FEEDBACK_CONTACT_EMAIL",
        "OUTCOMES_FOR_CLINICIANS",
        "ALLOWED_HOSTS",
        "API_TOKEN_LIFETIME_DAYS",
        "CACHE_KEY_PREFIX",
        "CSRF_TRUSTED_ORIGINS",
        "DATABASE_POOL",
        "DATABASE_POOL_SIZE",
        "DATABASE_URL",
        "DATA_DIR",
        "DEBUG",
        "DEFAULT_FROM_EMAIL",
        "DISCREET_TITLE",
        "OPEN_COMMUNITIES_READABLE_SIGNED_OUT",
        "EMAIL_HOST",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_HOST_USER",
        "EMAIL_PORT",
        "EMAIL_USE_SSL",
        "EMAIL_USE_TLS",
        "ENCRYPTION_KEYS",
        "ENVIRONMENT",
        "HTTP_THREADS",
        "LOGIN_FAILED_RATE_LIMIT",
        "LOG_LEVEL",
        "QUICK_EXIT_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_AGE",
        "SITE_NAME",
        "SITE_URL",
        "STATIC_FROM_SOURCE",
        "TRUSTED_PROXY_COUNT",
    }
)


# --- env_str / env_bool -------------------------------------------------------------------------------


def test_env_str_strips_and_defaults(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert env_str(NAME, "fallback") == "fallback"

    monkeypatch.setenv(NAME, "  value \n")
    assert env_str(NAME, "fallback") == "value"


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)

    assert env_bool(NAME) is False
    assert env_bool(NAME, True) is True


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "Yes", "on", " true "])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)

    assert env_bool(NAME, False) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "OFF", ""])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)

    assert env_bool(NAME, True) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "enabled", "truee"])
def test_env_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)

    with pytest.raises(ImproperlyConfigured, match=NAME) as caught:
        env_bool(NAME)
    assert repr(raw) in str(caught.value)


# --- env_int ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_env_int_uses_the_default_when_unset_or_blank(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv(NAME, raising=False)
    else:
        monkeypatch.setenv(NAME, raw)

    assert env_int(NAME, 42) == 42


@pytest.mark.parametrize(("raw", "expected"), [("7", 7), (" 300 ", 300), ("-5", -5), ("0", 0)])
def test_env_int_reads_whole_numbers(monkeypatch, raw, expected):
    monkeypatch.setenv(NAME, raw)

    assert env_int(NAME, 42) == expected


@pytest.mark.parametrize("raw", ["ten", "1.5", "1e3", "12abc", "0x10"])
def test_env_int_refuses_what_is_not_a_whole_number(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)

    with pytest.raises(ImproperlyConfigured, match=f"{NAME} must be a whole number"):
        env_int(NAME, 42)


def test_env_int_enforces_its_bounds(monkeypatch):
    monkeypatch.setenv(NAME, "299")
    with pytest.raises(ImproperlyConfigured, match=f"{NAME} must be at least 300"):
        env_int(NAME, 600, minimum=300)

    monkeypatch.setenv(NAME, "70000")
    with pytest.raises(ImproperlyConfigured, match=f"{NAME} must be at most 65535"):
        env_int(NAME, 587, minimum=1, maximum=65535)

    monkeypatch.setenv(NAME, "300")
    assert env_int(NAME, 600, minimum=300, maximum=300) == 300


# --- env_list -----------------------------------------------------------------------------------------


def test_env_list_uses_a_copy_of_the_default_when_unset(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    default = ["a", "b"]

    value = env_list(NAME, default)
    value.append("c")

    assert value == ["a", "b", "c"]
    assert default == ["a", "b"]
    assert env_list(NAME) == []


def test_env_list_splits_on_commas_and_drops_blank_items(monkeypatch):
    monkeypatch.setenv(NAME, " example.org, ,www.example.org,,  api.example.org ")

    assert env_list(NAME, ["ignored"]) == ["example.org", "www.example.org", "api.example.org"]


def test_env_list_set_but_empty_is_an_empty_list(monkeypatch):
    monkeypatch.setenv(NAME, "")

    assert env_list(NAME, ["default"]) == []


# --- env_url ------------------------------------------------------------------------------------------


def test_env_url_is_empty_when_unset(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)

    assert env_url(NAME, schemes=("postgres",)) == ""


@pytest.mark.parametrize("raw", ["postgres://u:p@db:5432/x", "POSTGRES://db/x", "  sqlite:///tmp/x.db  "])
def test_env_url_accepts_listed_schemes(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)

    assert env_url(NAME, schemes=("postgres", "sqlite")) == raw.strip()


@pytest.mark.parametrize("raw", ["mysql://db/x", "http://example.org", "db.example.org:5432", "postgres:/db"])
def test_env_url_refuses_other_schemes(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)

    with pytest.raises(ImproperlyConfigured, match=NAME) as caught:
        env_url(NAME, schemes=("postgres", "postgresql"))
    assert "postgres://, postgresql://" in str(caught.value)


@pytest.mark.parametrize(
    "raw",
    [
        "mysql://admin:hunter2-secret@db.example.org/alongside",
        "postgres//admin:hunter2-secret@db.example.org/alongside",  # a typo: no "://"
        "admin:hunter2-secret@db.example.org",
        "postgres//admin:hunter2-secret@db.example.org/alongside?sslrootcert=file:///ca.pem",
    ],
)
def test_env_url_error_never_repeats_credentials(monkeypatch, raw):
    """Start-up errors end up in logs: they must not carry the password from a mistyped URL."""
    monkeypatch.setenv(NAME, raw)

    with pytest.raises(ImproperlyConfigured, match=NAME) as caught:
        env_url(NAME, schemes=("postgres",))
    assert "hunter2" not in str(caught.value)


def test_env_url_error_names_the_wrong_scheme(monkeypatch):
    monkeypatch.setenv(NAME, "mysql://admin:hunter2-secret@db.example.org/alongside")

    with pytest.raises(ImproperlyConfigured, match=r"got 'mysql'"):
        env_url(NAME, schemes=("postgres",))


# --- Start-up, in a fresh process -----------------------------------------------------------------------


def manage(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    clean.update(DATA_DIR=str(tmp_path), PYTHONPATH="src", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production(**overrides: str) -> dict[str, str]:
    env = {
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(60)[:60],
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "example.org",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


@pytest.mark.parametrize(
    ("env", "engine"),
    [
        ({"ENVIRONMENT": "production"}, "db"),
        ({"ENVIRONMENT": "production", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "cached_db"),
        ({}, "cached_db"),  # development: one process, one memory cache
    ],
)
def test_sessions_are_read_from_a_cache_only_when_every_process_shares_it(tmp_path, env, engine):
    """A per-process memory cache would keep a logged-out session alive in the other workers."""
    settings_env = production(**env) if env.get("ENVIRONMENT") == "production" else env
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    result = manage("shell", "-c", code, tmp_path=tmp_path, **settings_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"django.contrib.sessions.backends.{engine}"


def test_root_is_the_project_root():
    assert (ROOT / "manage.py").is_file()
    assert (ROOT / "src" / "alongside" / "settings.py").is_file()


def test_production_passes_the_deploy_checks(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **production())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_turning_hsts_preload_off_leaves_only_that_deploy_warning(tmp_path):
    """Operators may opt out of HSTS preload (it is hard to undo); Django then warns about just that."""
    result = manage("check", "--deploy", tmp_path=tmp_path, **production(SECURE_HSTS_PRELOAD="false"))

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert set(re.findall(r"\(([a-z_.]+\.[WE]\d+)\)", output)) <= {"security.W021"}, output


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"ENCRYPTION_KEYS": ""}, "ENCRYPTION_KEYS"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "too-short-for-production"}, "SECRET_KEY must be at least 50 characters"),
        ({"ENCRYPTION_KEYS": "not-a-fernet-key"}, "ENCRYPTION_KEYS must be a comma-separated list of Fernet keys"),
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"ENVIRONMENT": "staging"}, "ENVIRONMENT must be"),
        ({"SESSION_COOKIE_AGE": "60"}, "SESSION_COOKIE_AGE must be at least 300"),
        ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL must start with"),
    ],
)
def test_production_refuses_to_start_with_bad_settings(tmp_path, overrides, message):
    result = manage("check", tmp_path=tmp_path, **production(**overrides))

    assert result.returncode != 0
    assert message in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_seed_demo_is_refused_in_production(tmp_path):
    """The demo app is not installed in production, so its command does not exist there at all."""
    result = manage("seed_demo", tmp_path=tmp_path, **production())

    assert result.returncode != 0
    assert "Unknown command: 'seed_demo'" in result.stderr
    assert "password:" not in result.stdout


def test_development_generates_secrets_once_and_keeps_them_private(tmp_path):
    show = "from django.conf import settings; print(settings.SECRET_KEY, settings.ENCRYPTION_KEYS[0])"

    first = manage("shell", "-c", show, tmp_path=tmp_path)
    second = manage("shell", "-c", show, tmp_path=tmp_path)

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip()
    assert first.stdout == second.stdout
    secrets_file = tmp_path / "development-secrets.json"
    assert secrets_file.stat().st_mode & 0o777 == 0o600


def test_the_development_database_is_readable_by_its_owner_only(tmp_path):
    data_dir = tmp_path / "data"
    result = manage("migrate", "--noinput", tmp_path=data_dir)

    assert result.returncode == 0, result.stderr
    assert data_dir.stat().st_mode & 0o777 == 0o700
    files = [path for path in data_dir.iterdir() if path.name.startswith("alongside.sqlite3")]
    assert data_dir / "alongside.sqlite3" in files
    for path in files:  # the database, and SQLite's -wal and -shm files beside it
        assert path.stat().st_mode & 0o777 == 0o600, path.name


def test_every_variable_settings_reads_is_documented_and_cleared_for_start_up_tests():
    source = (ROOT / "src" / "alongside" / "settings.py").read_text()
    read = set(re.findall(r"env_(?:str|bool|int|list|url)\(\s*\"([A-Z_]+)\"", source))
    documented = set(re.findall(r"`([A-Z][A-Z_]+)`", (ROOT / "docs" / "settings.md").read_text()))

    assert read, "no variables found: the pattern no longer matches settings.py"
    assert read - documented == set()
    assert read - SETTINGS_VARIABLES == set()
