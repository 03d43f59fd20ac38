from django.urls import path

from alongside.safety import views

app_name = "safety"
urlpatterns = [path("", views.help_page, name="help")]
