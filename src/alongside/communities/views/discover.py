"""Across communities: my feed, threads waiting for a reply, search, reading preferences."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.accounts import selectors as account_selectors
from alongside.accounts import services as account_services
from alongside.communities import presenters, selectors, services
from alongside.communities.forms import ReadingPreferenceForm, SearchForm, TopicsForm
from alongside.communities.models import ContentWarning, Post
from alongside.communities.views.common import me
from alongside.core.errors import errors_into

WAITING_PER_PAGE = 20


@dataclass(frozen=True)
class SearchResult:
    """A search hit; its snippet stays folded when the reader collapses one of its warnings."""

    post: Post
    author: str
    warnings: list[str]
    collapsed: bool


@login_required
@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    page = selectors.feed_threads(user=request.user, page=request.GET.get("page", 1))
    return render(request, "communities/feed.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest) -> HttpResponse:
    """Where a new member lands: what this place is, what brings them here (optional, their
    profile's topics), communities that fit with one-tap join, and where crisis lines are."""
    user = me(request)
    topics = account_selectors.profile_get(viewer=user).topics
    form = TopicsForm(request.POST or None, initial={"topics": topics})
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            account_services.profile_update(actor=user, user=user, values={"topics": form.cleaned_data["topics"]})
            messages.success(request, _("Thank you. Here are some communities that might fit."))
            return redirect(reverse("communities:welcome") + "#suggestions")
    context = {
        "form": form,
        "topics": topics,
        "suggestions": selectors.community_suggestions(user=user, topics=topics),
    }
    return render(request, "communities/welcome.html", context)


@login_required
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    threads = selectors.waiting_threads(user=request.user)
    page = Paginator(threads, WAITING_PER_PAGE).get_page(request.GET.get("page", 1))
    return render(request, "communities/waiting.html", {"page": page})


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    found = selectors.search_results(user=request.user, query=query) if query else None
    posts = found.posts if found else []
    collapsed = selectors.collapsed_warnings_for(user=request.user) if posts else set()
    results = [
        SearchResult(
            post=post,
            author=presenters.author_label(post),
            warnings=presenters.warning_labels(post.content_warnings),
            collapsed=any(code in collapsed for code in post.content_warnings),
        )
        for post in posts
    ]
    context = {"form": form, "query": query, "found": found, "results": results}
    return render(request, "communities/search.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reading_preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.collapsed_warnings_for(user=request.user)
    initial = {"collapsed_warnings": [code for code in ContentWarning.values if code in current]}
    form = ReadingPreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            services.reading_preference_update(
                actor=me(request), collapsed_warnings=form.cleaned_data["collapsed_warnings"]
            )
            messages.success(request, _("Your reading preferences are saved."))
            return redirect("communities:reading_preferences")
    return render(request, "communities/reading_preferences.html", {"form": form})


@require_GET
def badges(request: HttpRequest) -> HttpResponse:
    """What each badge beside a name means. Open to everyone, signed in or not."""
    return render(request, "communities/badges.html")
