"""The JSON API at /api/v1/ (django-ninja). Each app contributes a router; authentication (a bearer
token, or a session plus the CSRF token for writes) is required unless an endpoint says otherwise."""

from __future__ import annotations

from ninja import NinjaAPI

from alongside.accounts.api import router as accounts_router
from alongside.accounts.api_auth import API_AUTH
from alongside.chat.api import router as chat_router
from alongside.communities.api import router as communities_router
from alongside.core.api import install_error_handlers
from alongside.moderation.api import router as moderation_router
from alongside.notifications.api import router as notifications_router
from alongside.safety.api import router as safety_router
from alongside.selfcare.api import router as selfcare_router

api = NinjaAPI(
    title="Alongside API",
    version="1",
    description=(
        "The Alongside JSON API. Authenticate with a session cookie (plus the CSRF token for writes) "
        "or with `Authorization: Bearer <token>` from `POST /api/v1/auth/tokens`. "
        'Errors are JSON objects with `detail` and a stable `code`, e.g. `{"detail": "Not found.", '
        '"code": "not_found"}`; invalid input (422, `code` `invalid`) lists one `{loc, msg, type}` per problem. '
        "Every list is `{items, page, pages, count}`."
    ),
    urls_namespace="api-1",
    auth=API_AUTH,
)
install_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("", communities_router)
api.add_router("", notifications_router)
api.add_router("", chat_router)
api.add_router("", safety_router)
api.add_router("", moderation_router)
api.add_router("", selfcare_router)
