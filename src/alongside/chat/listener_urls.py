"""Listener training, application and settings pages (included from chat/urls.py under /listen/)."""

from django.urls import URLPattern, path

from alongside.chat.views import listeners as views

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="listen"),
    path("lessons/<slug:slug>/", views.lesson, name="listen_lesson"),
    path("conduct/", views.conduct, name="listen_conduct"),
    path("apply/", views.apply, name="listen_apply"),
    path("settings/", views.listener_settings, name="listen_settings"),
]
