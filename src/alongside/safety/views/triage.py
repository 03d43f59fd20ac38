""" "What brings you here today?": the triage guide, one form post per step (no JavaScript needed),
open to everyone, signed in or not. The words someone writes are read once and never stored;
what the guide remembers between steps is in `safety.triage.guide`."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from alongside.core.forms import PlainErrors
from alongside.safety.triage import guide


class GuideWordsForm(PlainErrors, forms.Form):
    words = forms.CharField(
        label=_("What brings you here today?"),
        help_text=_("A few words is plenty. What you write isn't saved."),
        max_length=guide.MAX_CHARS,
        strip=True,
        error_messages={"required": _("Write a few words, or choose one of the options below.")},
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "true"}),
    )


class GuideChoiceForm(PlainErrors, forms.Form):
    destination = forms.ChoiceField(label=_("Or choose what fits best"), choices=guide.CHOICES)


def _answer_url(state: guide.GuideState) -> str:
    # Without JavaScript, the fragment is what moves focus to the new answer (or the support panel).
    anchor = "support-panel" if state.support else "guide-answer"
    return reverse("safety:guide") + "#" + anchor


def _page(request: HttpRequest, words_form: GuideWordsForm | None = None, status: int = 200) -> HttpResponse:
    state = guide.guide_state_get(request.session)
    context = guide.page_context(user=request.user, state=state)
    context["form"] = words_form or GuideWordsForm()
    return render(request, "safety/triage/guide.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def guide_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = GuideWordsForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    state = guide.state_from_words(user=request.user, text=form.cleaned_data["words"])
    guide.guide_state_set(request.session, state)
    return redirect(_answer_url(state))


@never_cache
@require_POST
def guide_choose(request: HttpRequest) -> HttpResponse:
    form = GuideChoiceForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400)
    state = guide.state_from_choice(user=request.user, destination=form.cleaned_data["destination"])
    guide.guide_state_set(request.session, state)
    return redirect(_answer_url(state))


@require_POST
def guide_restart(request: HttpRequest) -> HttpResponse:
    guide.guide_state_clear(request.session)
    return redirect("safety:guide")
