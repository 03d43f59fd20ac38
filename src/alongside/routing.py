"""WebSocket routes. Each app that speaks WebSocket adds its consumers' paths here."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
