from django.urls import path

from alongside.accounts import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("delete/", views.account_delete, name="delete"),
]
