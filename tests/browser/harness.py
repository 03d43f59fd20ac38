"""Browser tests: a real uvicorn server running the ASGI app, Debian's Chromium, and axe-core.

- `live_url`: the base URL of uvicorn serving `alongside.asgi.application` (HTTP and WebSocket)
  against the test database. Test data must be committed, so these tests use transactional_db.
- `browser_type_launch_args`: Debian's /usr/bin/chromium (never a downloaded browser); when no
  Chromium is installed, every browser test is skipped with a message saying so.
- `audited_page`: a Playwright page that records every page it navigates to; `audit(page)`
  runs axe-core (WCAG 2.2 AA) on the current page, and the test fails at teardown if a visited
  page was never audited.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    import os

    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AsgiServer:
    """uvicorn in a background thread of the test process, so it shares the test database."""

    def __init__(self, **options: Any) -> None:
        """`options` go to uvicorn.Config, e.g. proxy_headers and forwarded_allow_ips."""
        import uvicorn

        from alongside.asgi import application

        self.port = _free_port()
        config = uvicorn.Config(
            application, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", **options
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn-test", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def asgi_server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[AsgiServer]:
    with django_db_blocker.unblock():
        server = AsgiServer()
        server.start()
        yield server
        server.stop()


@pytest.fixture
def live_url(asgi_server: AsgiServer, transactional_db: Any) -> str:
    """Transactional tests empty every table afterwards; the crisis lines a data migration seeds are
    put back first, since every page links to them (Django's serialized_rollback would be the other
    way, but it cannot be mixed with plain transactional tests and still restore reliably)."""
    from alongside.safety.models import CrisisLine
    from alongside.safety.seed_lines import seed_crisis_lines

    if not CrisisLine.objects.exists():
        seed_crisis_lines(CrisisLine)
    return asgi_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    path = chromium_path()
    if not path:
        pytest.skip("Browser tests need Chromium: install Debian's package (apt-get install chromium).")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does this) to install it from the npm registry.")
    return AXE_PATH.read_text()


class PageAudits:
    def __init__(self, axe_source: str) -> None:
        self.axe_source = axe_source
        self.visited: list[str] = []
        self.audited: set[str] = set()

    def audit(self, page: Any) -> None:
        """Run axe-core on the current page; fail with every violation listed."""
        page.wait_for_load_state("load")
        page.evaluate(self.axe_source)
        # From the top of the page: scrolled down, the sticky header lies over whatever passes under
        # it, and axe's target-size rule would count those controls as covered.
        result = page.evaluate(
            """async tags => {
                const [x, y] = [window.scrollX, window.scrollY];
                window.scrollTo(0, 0);
                try {
                    return await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
                } finally {
                    window.scrollTo(x, y);
                }
            }""",
            AXE_TAGS,
        )
        violations = result["violations"]
        lines = [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}" for v in violations]
        assert violations == [], f"axe-core found WCAG 2.2 AA problems on {page.url}:\n" + "\n".join(lines)
        self.audited.add(_page_key(page.url))


def _page_key(url: str) -> str:
    return url.split("#", 1)[0]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def audit(page: Any, axe_source: str, live_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """`audit(page)` checks the current page; every page of the site the test visits must be audited."""
    audits = PageAudits(axe_source)

    def on_navigate(frame: Any) -> None:
        if frame == page.main_frame and frame.url.startswith(live_url):
            audits.visited.append(_page_key(frame.url))

    page.on("framenavigated", on_navigate)
    yield audits.audit
    if request.node.stash.get(_CALL_FAILED, True):
        return  # the test already failed; don't bury its error under this one
    missed = sorted({url for url in audits.visited if url not in audits.audited})
    assert not missed, f"These pages were visited but not checked with axe-core: {missed}"


NEUTRAL_PAGE = "<!doctype html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"


def stub_neutral_site(page: Any) -> None:
    """No internet here: answer for the quick-exit site (and any other outside address) from
    inside the browser."""
    import re

    def fulfil(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)

    page.context.route(re.compile(r"^https?://(?!127\.0\.0\.1).*"), fulfil)
