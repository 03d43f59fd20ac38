from django.urls import path

from alongside.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("outcomes.csv", views.dashboard_csv, name="csv"),
]
