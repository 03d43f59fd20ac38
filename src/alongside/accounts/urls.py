from django.urls import path

from alongside.accounts import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    # Shadows allauth's e-mail page (same address, so its links land here): ours keeps the
    # address encrypted and never says whether it is in use.
    path("email/", views.recovery_email, name="email"),
    path("email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path("discreet/", views.discreet, name="discreet"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("delete/", views.account_delete, name="delete"),
]
