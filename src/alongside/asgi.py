"""ASGI entry point: WebSockets go to Channels consumers (see routing.py), HTTP to Django.

HTTP goes through Django's WSGI handler in a small thread pool (a2wsgi), not its ASGI handler:
measured here, the ASGI handler costs two to four thread hops and two new threads per request and
served pages at about half the rate of a WSGI server, while this path serves them within a few
per cent of gunicorn (docs/performance.md). Production can also serve HTTP with gunicorn
(alongside.wsgi) and keep uvicorn for WebSockets only (docs/operations.md).
"""

import os
import re
from typing import Any

from a2wsgi import WSGIMiddleware
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
django_asgi = get_asgi_application()  # also sets Django up (apps, settings) for Channels below

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from alongside.routing import websocket_urlpatterns  # noqa: E402

# Long-polls (the chat's fallback when WebSockets are blocked) wait up to half a minute for news:
# they go to Django's ASGI handler, where a waiting poll is a coroutine, not a busy thread.
_LONG_POLL = re.compile(r"^/chat/[0-9]+/poll/$")
# django-stubs types the handler as returning a response; it is iterable bytes, as WSGI wants.
_wsgi = WSGIMiddleware(get_wsgi_application(), workers=settings.HTTP_THREADS)  # type: ignore[arg-type]


async def http(scope: dict[str, Any], receive: Any, send: Any) -> None:
    handler = django_asgi if _LONG_POLL.match(scope["path"]) else _wsgi
    await handler(scope, receive, send)  # type: ignore[arg-type]


application = ProtocolTypeRouter(
    {
        "http": http,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
