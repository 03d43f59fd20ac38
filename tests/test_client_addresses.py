"""Behind a proxy, each person keeps their own rate-limit bucket: the app server takes the client's
address from X-Forwarded-For only when a configured proxy sent it (uvicorn's --proxy-headers with
FORWARDED_ALLOW_IPS; TRUSTED_PROXY_COUNT for a server that leaves REMOTE_ADDR as the proxy's, such
as gunicorn), and never from anyone else. docs/operations.md says how to set both."""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.browser.harness import AsgiServer

pytestmark = pytest.mark.django_db(transaction=True)

IP_LIMIT = 20  # failed log-ins a minute from one address (LOGIN_FAILED_RATE_LIMIT)


LIMITED = "Too many failed login attempts"


def _fail_login(base: str, n: int, forwarded_for: str) -> bool:
    """A failed log-in (a pseudonym nobody has) through the real server: whether it was refused for
    too many attempts (rather than for the wrong password)."""
    page = urllib.request.urlopen(f"{base}/accounts/login/", timeout=10)  # noqa: S310
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    token = cookie.split("=", 1)[1]
    body = urllib.parse.urlencode({"login": f"nobody_{n}", "password": "wrong password", "csrfmiddlewaretoken": token})
    request = urllib.request.Request(  # noqa: S310
        f"{base}/accounts/login/",
        data=body.encode(),
        headers={"Cookie": cookie, "X-Forwarded-For": forwarded_for, "Referer": f"{base}/accounts/login/"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return LIMITED in answer.read().decode()


@pytest.fixture
def trusting_server() -> Iterator[AsgiServer]:
    """uvicorn as `make run` and docs/operations.md start it: --proxy-headers, trusting 127.0.0.1."""
    server = AsgiServer(proxy_headers=True, forwarded_allow_ips="127.0.0.1")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def distrusting_server() -> Iterator[AsgiServer]:
    """uvicorn trusting only a proxy that is not us: our X-Forwarded-For must be ignored."""
    server = AsgiServer(proxy_headers=True, forwarded_allow_ips="192.0.2.99")
    server.start()
    yield server
    server.stop()


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(trusting_server: AsgiServer) -> None:
    limited = [_fail_login(trusting_server.url, n, "203.0.113.1") for n in range(IP_LIMIT + 1)]
    assert limited == [False] * IP_LIMIT + [True]  # that client is limited ...
    assert _fail_login(trusting_server.url, 99, "203.0.113.2") is False  # ... the next one is not


def test_a_forwarded_address_from_anyone_else_is_ignored(distrusting_server: AsgiServer) -> None:
    limited = [_fail_login(distrusting_server.url, n, f"203.0.113.{n}") for n in range(IP_LIMIT + 1)]
    assert limited == [False] * IP_LIMIT + [True]  # a made-up X-Forwarded-For does not escape the limit


def test_trusted_proxy_count_reads_the_address_the_proxy_added(settings: Any) -> None:
    """For gunicorn: REMOTE_ADDR is the proxy's; the proxy appends the client's to X-Forwarded-For."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.5"}

    def fail(n: int, chain: str) -> bool:
        data = {"login": f"nobody_{n}", "password": "wrong password"}
        response = Client().post("/accounts/login/", data, HTTP_X_FORWARDED_FOR=chain, **proxy)
        return LIMITED in response.content.decode()

    # A client may send any X-Forwarded-For; only the last entry (the one the proxy added) counts.
    limited = [fail(n, f"198.51.100.{n}, 203.0.113.1") for n in range(IP_LIMIT + 1)]
    assert limited == [False] * IP_LIMIT + [True]
    assert fail(99, "203.0.113.2") is False
