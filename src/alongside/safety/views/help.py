"""The "Get help now" page: crisis lines for the person's country, one click from every page; choosing
another country in one tap; and the support panel on a page of its own.

The country comes from, in order: the address (?country=), a choice made earlier in this session,
the member's profile, a time zone (the profile's, or the browser's from a cookie a tiny script sets),
the browser's language region. When none of them says, the page asks: it never pretends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_countries import countries

from alongside.accounts import services as account_services
from alongside.core.errors import errors_as_messages
from alongside.core.forms import PlainErrors
from alongside.safety import selectors

if TYPE_CHECKING:
    pass

# The page differs by these: a shared cache must never hand one person's country to another.
VARY = ["Accept-Language", "Cookie"]


class CountryForm(PlainErrors, forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Show services for"), choices=())
    save = forms.BooleanField(label=gettext_lazy("Also save this country to my profile"), required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["country"].choices = [(code, str(name)) for code, name in countries]  # type: ignore[attr-defined]


def _help_context(request: HttpRequest, *, requested: str = "") -> dict[str, object]:
    guess = selectors.crisis_country_for_request(request, requested=requested)
    return {
        "guess": guess,
        "country": guess.code,
        "country_name": countries.name(guess.code) if guess.code else "",
        "lines": selectors.crisis_lines_for(
            country=guess.code, languages=selectors.crisis_languages_for_request(request)
        ),
        "countries": selectors.crisis_countries(),
        "all_countries": list(countries),
        "has_plan": selectors.safety_plan_of(owner=request.user) is not None,
        "time_zone_cookie": selectors.TIME_ZONE_COOKIE,
    }


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    response = render(request, "safety/help.html", _help_context(request, requested=request.GET.get("country", "")))
    patch_vary_headers(response, VARY)
    return response


@require_POST
def country_choose(request: HttpRequest) -> HttpResponse:
    """One tap: remember the country for this session (and, if a member asks, in their profile)."""
    form = CountryForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = ""
    if not form.is_valid():
        messages.error(request, _("Please choose a country from the list."))
        return redirect(target or "safety:help")
    code = form.cleaned_data["country"]
    request.session[selectors.CHOSEN_COUNTRY_SESSION_KEY] = code
    user = request.user
    if form.cleaned_data["save"] and user.is_authenticated:
        member = user
        with errors_as_messages(request):
            account_services.profile_update(actor=member, user=member, values={"country": code})
            messages.success(request, _("Saved to your profile. You can change it there at any time."))
    return redirect(target or "safety:help")


@require_GET
def support_page(request: HttpRequest) -> HttpResponse:
    """The support panel on its own page: shown after someone publishes words that read as high risk."""
    response = render(request, "safety/support.html", {})
    patch_vary_headers(response, VARY)
    return response
