from django.urls import path

from alongside.selfcare import views

app_name = "selfcare"

urlpatterns = [
    path("", views.journal, name="journal"),
    path("new/", views.entry_new, name="entry_new"),
    path("settings/", views.journal_settings, name="settings"),
    path("export/", views.export_page, name="export"),
    path("export/journal-and-moods.json", views.export_json, name="export_json"),
    path("export/journal.zip", views.export_zip, name="export_zip"),
    path("export/questionnaires.fhir.json", views.export_fhir, name="export_fhir"),
    path("erase/", views.erase, name="erase"),
    path("measures/", views.measures, name="measures"),
    path("measures/results/<int:result_id>/", views.measure_result, name="measure_result"),
    path("measures/results/<int:result_id>/delete/", views.measure_delete, name="measure_delete"),
    path("measures/<slug:key>/", views.measure_take, name="measure_take"),
    path("measures/<slug:key>/schedule/", views.measure_schedule, name="measure_schedule"),
    path("goals/", views.goals_page, name="goals"),
    path("goals/new/", views.goal_new, name="goal_new"),
    path("goals/<int:goal_id>/", views.goal_act, name="goal_act"),
    path("goals/<int:goal_id>/share/", views.goal_share, name="goal_share"),
    path("moods/", views.moods, name="moods"),
    path("moods/check-in/", views.check_in, name="check_in"),
    path("moods/<int:checkin_id>/delete/", views.checkin_delete, name="checkin_delete"),
    path("<int:entry_id>/", views.entry, name="entry"),
    path("<int:entry_id>/edit/", views.entry_edit, name="entry_edit"),
    path("<int:entry_id>/delete/", views.entry_delete, name="entry_delete"),
    path("<int:entry_id>/share/", views.entry_share, name="entry_share"),
    path("shares/<int:share_id>/stop/", views.share_stop, name="share_stop"),
    path("shared/<int:share_id>/", views.shared_entry, name="shared_entry"),
]
