from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from alongside.api import api
from alongside.communities.views import home as home_views
from alongside.core import views as core_views
from alongside.moderation import views as moderation_views

admin.site.site_header = "Alongside administration"
admin.site.site_title = "Alongside admin"
# The admin has no log-in of its own: administrators log in through the site's log-in, with its
# rate limits, lock-out and two-factor step, and are then sent back here.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

handler404 = "alongside.core.views.not_found"

urlpatterns = [
    # Signed in: new replies in threads you follow, threads waiting for a reply, your communities
    # (communities' home); signed out: the welcome page (core).
    path("", home_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("help/", include("alongside.safety.urls")),
    path("responders/", include("alongside.safety.responder_urls")),
    path("accounts/", include("alongside.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("alongside.notifications.urls")),
    path("moderation/", include("alongside.moderation.urls")),
    path("journal/", include("alongside.selfcare.urls")),
    path("outcomes/", include("alongside.outcomes.urls")),
    path("feedback/", moderation_views.feedback, name="feedback"),
    path("chat/", include("alongside.chat.urls")),
    path("api/v1/", api.urls),
    path("", include("alongside.communities.urls")),
    path("admin/", admin.site.urls),
]
