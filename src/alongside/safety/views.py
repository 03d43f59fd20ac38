"""The "Get help now" page: crisis lines for the person's country, one click from every page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_countries import countries

from alongside.safety import selectors


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    country = selectors.crisis_country_for(viewer=request.user, requested=request.GET.get("country", ""))
    return render(
        request,
        "safety/help.html",
        {
            "country": country,
            "country_name": countries.name(country),
            "lines": selectors.crisis_lines_for(country=country),
            "countries": selectors.crisis_countries(),
        },
    )
