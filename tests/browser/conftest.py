"""Browser tests: a real uvicorn server, Debian's Chromium and axe-core (see tests/browser/harness.py)."""

import os

# Playwright's sync API runs an event loop in the test thread; Django must allow sync ORM use there.
# Only the browser tests need this: everywhere else, async-unsafe use stays an error.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.browser.harness import *  # noqa: F403
