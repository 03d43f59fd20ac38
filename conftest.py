"""Test set-up shared by every test in the repository (app tests under src/, browser tests under tests/)."""

import os

# Playwright's sync API runs an event loop in the test thread; Django must allow sync ORM use there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.fixtures", "tests.browser_fixtures"]


def pytest_configure() -> None:
    from django.conf import settings

    # Serve static files straight from the app folders: tests do not run collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
