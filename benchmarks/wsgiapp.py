"""The application as a WSGI app, for the `wsgi` benchmark server (gunicorn, one sync worker).

Uses `alongside.wsgi:application` when the project has that module, else builds Django's WSGI
handler here with the same settings module. Same environment as the uvicorn server.
"""

from __future__ import annotations

import importlib.util
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")

if importlib.util.find_spec("alongside.wsgi") is not None:
    from alongside.wsgi import application
else:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

__all__ = ["application"]
