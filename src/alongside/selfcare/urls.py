from django.urls import path

from alongside.selfcare import views

app_name = "selfcare"

urlpatterns = [
    path("", views.journal, name="journal"),
    path("new/", views.entry_new, name="entry_new"),
    path("settings/", views.journal_settings, name="settings"),
    path("moods/", views.moods, name="moods"),
    path("moods/check-in/", views.check_in, name="check_in"),
    path("moods/<int:checkin_id>/delete/", views.checkin_delete, name="checkin_delete"),
    path("<int:entry_id>/", views.entry, name="entry"),
    path("<int:entry_id>/edit/", views.entry_edit, name="entry_edit"),
    path("<int:entry_id>/delete/", views.entry_delete, name="entry_delete"),
]
