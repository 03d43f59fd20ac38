"""The signed-in home page: new replies in threads I follow, threads waiting for a reply in my
communities, and my communities. Signed-out visitors get the welcome page (core)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alongside.communities import selectors
from alongside.core import views as core_views

HOME_FOLLOWED = 8
HOME_WAITING = 5


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return core_views.home(request)
    context = {
        "followed": selectors.followed_threads_with_news(user=user, limit=HOME_FOLLOWED),
        "waiting": list(selectors.waiting_threads(user=user, limit=HOME_WAITING)),
        "communities": list(selectors.my_communities(user=user)),
    }
    return render(request, "communities/home.html", context)
