"""Site-wide pages: the health check, the home page, and the headers that protect every response."""

from __future__ import annotations

import re

import pytest

from tests.fixtures import client_for

pytestmark = pytest.mark.django_db


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


# --- /healthz -------------------------------------------------------------------------------------


def test_healthz_reports_ok(stranger, settings):
    settings.REDIS_URL = ""
    settings.HEALTH_CHECKS = {}

    response = stranger.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": True, "redis": None}}


def test_healthz_is_never_cached(stranger):
    response = stranger.get("/healthz")

    assert "no-store" in response["Cache-Control"]


def test_healthz_reports_unavailable_when_redis_does_not_answer(stranger, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.HEALTH_CHECKS = {}

    response = stranger.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": True, "redis": False}}


def test_healthz_reports_unavailable_when_the_database_does_not_answer(stranger, monkeypatch):
    from alongside.core import views

    monkeypatch.setattr(views, "connection", None)  # any use of it raises

    response = stranger.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] is False


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_accepts_only_get(stranger, method):
    response = getattr(stranger, method)("/healthz")

    assert response.status_code == 405
    assert "GET" in response["Allow"]


# --- Home page ------------------------------------------------------------------------------------


def test_home_page_for_a_stranger_offers_quick_exit_and_help(stranger, settings):
    settings.QUICK_EXIT_URL = "https://weather.example.org/"

    response = stranger.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="quick-exit"' in html
    assert "Quick exit" in html
    assert 'href="https://weather.example.org/"' in html
    assert 'href="/help/"' in html
    assert 'href="/accounts/signup/"' in html


def test_home_page_for_a_member_offers_quick_exit_and_help(member):
    response = client_for(member).get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Quick exit" in html
    assert 'href="/help/"' in html
    assert "Welcome back" in html
    assert "Join with a pseudonym" not in html


def test_home_page_accepts_only_get(stranger):
    assert stranger.post("/").status_code == 405


# --- Caching of private pages -----------------------------------------------------------------------


def test_signed_in_pages_are_not_stored(member):
    response = client_for(member).get("/")

    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control or "no-cache" in cache_control


def test_anonymous_pages_may_be_cached(stranger):
    response = stranger.get("/")

    assert "no-store" not in response.get("Cache-Control", "")


# --- Security headers -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["stranger", "member"])
def test_security_headers_are_set(who, request):
    client = request.getfixturevalue("stranger") if who == "stranger" else client_for(request.getfixturevalue(who))

    response = client.get("/")

    csp = directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_security_headers_are_set_on_json_responses(stranger):
    response = stranger.get("/healthz")

    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_scripts(stranger):
    """script-src 'self' would block them: every script must come from a file."""
    html = stranger.get("/").content.decode()

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all(" src=" in tag for tag in scripts), scripts
    assert not re.search(r"\son[a-z]+=", html)


# --- Permissions-Policy and the page handler for domain errors -----------------------------------


@pytest.mark.parametrize("path", ["/", "/help/", "/healthz", "/communities/", "/api/v1/communities", "/no-such-page/"])
def test_every_response_refuses_powerful_browser_features(stranger, path):
    policy = stranger.get(path)["Permissions-Policy"]

    features = dict(item.strip().split("=", 1) for item in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert features[feature] == "()", feature


def test_domain_errors_become_kind_pages_never_500(rf, member):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore

    from alongside.core.errors import Invalid, NotAllowed, NotFound
    from alongside.core.middleware import DomainErrorMiddleware

    handler = DomainErrorMiddleware(lambda request: None)
    request = rf.get("/anything/")
    request.user = member
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    cases = [
        (NotFound(), 404, "We couldn't find that page"),
        (NotAllowed("Only the community's hosts can do this."), 403, "Only the community&#x27;s hosts can do this."),
        (Invalid({"body": ["Please write something first."]}), 400, "Please write something first."),
    ]
    for error, status, text in cases:
        response = handler.process_exception(request, error)
        assert response is not None
        assert response.status_code == status
        assert text in response.content.decode()
    assert handler.process_exception(request, ValueError("a real bug")) is None  # not ours: a 500, logged


def test_pages_go_out_compressed_and_the_csrf_token_is_masked_anew_each_time(member):
    """GZip (a bad connection) and the BREACH defence Django gives: the masked CSRF token differs
    in every response, so a compressed page never repeats a secret byte for byte."""
    import gzip

    client = client_for(member)
    first = client.get("/accounts/profile/", headers={"Accept-Encoding": "gzip"})
    second = client.get("/accounts/profile/", headers={"Accept-Encoding": "gzip"})

    assert first["Content-Encoding"] == second["Content-Encoding"] == "gzip"
    pages = [gzip.decompress(response.content).decode() for response in (first, second)]
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1) for page in pages]
    assert tokens[0] != tokens[1]
    assert len(first.content) < len(pages[0]) / 3
    plain = client.get("/accounts/profile/")
    assert "Content-Encoding" not in plain


def test_healthz_reports_the_crisis_model_loaded(stranger, settings):
    settings.REDIS_URL = ""
    response = stranger.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["safety_model"]["loaded"] is True


def test_healthz_says_degraded_when_the_crisis_model_is_missing(stranger, settings):
    from alongside.safety.classifier import model

    settings.REDIS_URL = ""
    settings.SAFETY_MODEL_ENABLED = False
    model.reset()
    try:
        response = stranger.get("/healthz")
    finally:
        settings.SAFETY_MODEL_ENABLED = True
        model.reset()
    assert response.status_code == 200  # the site still works: the pattern layer answers
    assert response.json()["status"] == "degraded"
    check = response.json()["checks"]["safety_model"]
    assert check["ok"] is False
    assert "SAFETY_MODEL_ENABLED" in check["error"]
