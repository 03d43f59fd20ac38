"""WebSocket routes. Each app that speaks WebSocket adds its consumers' paths here."""

from django.urls import URLPattern, path

from alongside.chat.consumers import ChatConsumer, DeskConsumer
from alongside.notifications.consumers import LiveConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/chat/desk/", DeskConsumer.as_asgi()),
    path("ws/chat/<int:conversation_id>/", ChatConsumer.as_asgi()),
    path("ws/live/", LiveConsumer.as_asgi()),
]
