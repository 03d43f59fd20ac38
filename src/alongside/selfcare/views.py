"""The journal: a member's private entries, a search of them, writing and changing one, and its
settings. Every page works without JavaScript, and none is cached by the browser or a proxy."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.chat import selectors as chat_selectors
from alongside.communities import selectors as community_selectors
from alongside.core.errors import Invalid, NotFound, errors_as_messages, errors_into
from alongside.core.markdown import render_markdown
from alongside.selfcare import access, export, fhir, goals, scores, selectors, services, sharing
from alongside.selfcare.forms import (
    CheckInForm,
    EntryForm,
    EraseForm,
    GoalForm,
    SearchForm,
    SettingsForm,
    ShareGoalForm,
)
from alongside.selfcare.measures import MEASURES
from alongside.selfcare.moods import WINDOWS, chart_svg, mood_series

SUPPORT_MESSAGE = _(
    "What you wrote sounds really hard. You don't have to carry it alone: the crisis lines at “Get help "
    "now” answer any time, and a listener can talk with you. Nobody else has been told."
)


@never_cache
@login_required
@require_GET
def journal(request: HttpRequest) -> HttpResponse:
    search = SearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    context = {
        "search": search,
        "query": query,
        "found": selectors.journal_search(user=request.user, query=query) if query else None,
        "page": selectors.journal_page(user=request.user, page=request.GET.get("page", 1)),
        "prompt": selectors.prompt_for(),
    }
    return render(request, "selfcare/journal.html", context)


def _save(request: HttpRequest, entry_id: int | None) -> HttpResponse:
    entry = access.access_entry(request.user, entry_id) if entry_id is not None else None
    initial = {}
    if entry is not None:
        initial = {"title": entry.title, "body": entry.body, "mood": entry.mood, "tags": entry.tags}
    form = EntryForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            with errors_into(form):
                saved = services.entry_save(actor=request.user, entry_id=entry_id, **form.cleaned_data)
                if saved.offer_support:
                    messages.warning(request, SUPPORT_MESSAGE)
                else:
                    messages.success(request, _("Saved. Only you can read it."))
                return redirect("selfcare:entry", entry_id=saved.entry.pk)
    context = {"form": form, "entry": entry, "prompt": selectors.prompt_for()}
    return render(request, "selfcare/entry_form.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    return _save(request, entry_id)


@never_cache
@login_required
@require_GET
def entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    found = access.access_entry(request.user, entry_id)
    context = {
        "entry": found,
        "body_html": render_markdown(found.body),
        "shares": sharing.shares_of_entry(user=request.user, entry_id=found.pk),
        "chats": chat_selectors.open_chats_with_a_listener(request.user),
    }
    return render(request, "selfcare/entry.html", context)


@login_required
@require_POST
def entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    services.entry_delete(actor=request.user, entry_id=entry_id)
    messages.success(request, _("The entry is deleted. No copy is kept."))
    return redirect("selfcare:journal")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def journal_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.journal_settings(user=request.user)
    initial = {
        "screen_for_crisis": current.screen_for_crisis,
        "quiet_start": current.quiet_start,
        "quiet_end": current.quiet_end,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.settings_save(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Your journal settings are saved."))
        return redirect("selfcare:journal")
    return render(request, "selfcare/settings.html", {"form": form})


# --- Mood check-ins ------------------------------------------------------------------------------

# Where a one-tap check-in may send the person back to (by name: never an address from the form).
BACK_TO = {"home": "/", "journal": "selfcare:journal", "moods": "selfcare:moods", "chat": "chat:start"}


def _moods_page(request: HttpRequest, form: CheckInForm, days: int = 30, status: int = 200) -> HttpResponse:
    series = mood_series(user=request.user, days=days)
    context = {
        "series": series,
        "chart": chart_svg(series),
        "windows": WINDOWS,
        "form": form,
        "recent": selectors.recent_checkins(user=request.user),
    }
    return render(request, "selfcare/moods.html", context, status=status)


@never_cache
@login_required
@require_GET
def moods(request: HttpRequest) -> HttpResponse:
    days = request.GET.get("days", "30")
    return _moods_page(request, CheckInForm(), days=int(days) if days.isdigit() else 30)


@login_required
@require_POST
def check_in(request: HttpRequest) -> HttpResponse:
    """A check-in: one tap from the home page, the journal or after a chat, or the full form."""
    form = CheckInForm(request.POST)
    back = BACK_TO.get(request.POST.get("back", ""), "selfcare:moods")
    if form.is_valid():
        with errors_into(form):
            services.checkin_save(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Thank you for checking in. It's in your mood chart."))
            return redirect(back)
    return _moods_page(request, form, status=422)


@login_required
@require_POST
def checkin_delete(request: HttpRequest, checkin_id: int) -> HttpResponse:
    services.checkin_delete(actor=request.user, checkin_id=checkin_id)
    messages.success(request, _("The check-in is deleted."))
    return redirect("selfcare:moods")


# --- Take it away, or erase it ---------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def export_page(request: HttpRequest) -> HttpResponse:
    return render(request, "selfcare/export.html", {"form": EraseForm()})


def _attachment(body: str | bytes, content_type: str, filename: str) -> HttpResponse:
    """A download of the member's own data, saved under `filename` (ASCII, no quotes)."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    data = json.dumps(export.export_data(user=request.user), ensure_ascii=False, indent=2)
    return _attachment(data, "application/json; charset=utf-8", "alongside-journal-and-moods.json")


@never_cache
@login_required
@require_GET
def export_fhir(request: HttpRequest) -> HttpResponse:
    data = json.dumps(fhir.questionnaire_bundle(user=request.user), ensure_ascii=False, indent=2)
    return _attachment(data, "application/fhir+json; charset=utf-8", "alongside-questionnaires-fhir.json")


@never_cache
@login_required
@require_GET
def export_zip(request: HttpRequest) -> HttpResponse:
    return _attachment(export.journal_zip(user=request.user), "application/zip", "alongside-journal.zip")


@login_required
@require_POST
def erase(request: HttpRequest) -> HttpResponse:
    form = EraseForm(request.POST)
    if not form.is_valid():
        return render(request, "selfcare/export.html", {"form": form}, status=422)
    export.erase_all(actor=request.user)
    messages.success(request, _("Your journal, moods and their settings are erased. Nothing of them is kept."))
    return redirect("selfcare:journal")


# --- Validated measures ------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def measures(request: HttpRequest) -> HttpResponse:
    return render(request, "selfcare/measures.html", {"histories": scores.histories(user=request.user)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def measure_take(request: HttpRequest, key: str) -> HttpResponse:
    measure = MEASURES.get(key)
    if measure is None:
        raise NotFound()
    chosen: dict[int, str] = {}
    problem, status, crisis_now = "", 200, False
    if request.method == "POST":
        answers = [request.POST.get(f"q{index}", "") for index in range(len(measure.questions))]
        chosen = dict(enumerate(answers))
        crisis_now = bool(services.crisis_answer_of(measure, answers))
        try:
            answered = services.measure_submit(actor=request.user, key=key, answers=answers)
        except Invalid as error:
            problem, status = " ".join(error.messages), 422
        else:
            return redirect("selfcare:measure_result", result_id=answered.result.pk)
    questions = [
        (index, question, [(value, label, chosen.get(index) == str(value)) for value, label in measure.answers])
        for index, question in enumerate(measure.questions)
    ]
    context = {"measure": measure, "questions": questions, "problem": problem, "crisis_now": crisis_now}
    return render(request, "selfcare/measure_take.html", context, status=status)


@never_cache
@login_required
@require_GET
def measure_result(request: HttpRequest, result_id: int) -> HttpResponse:
    result = access.access_result(request.user, result_id)
    measure = MEASURES[result.measure]
    context = {
        "result": result,
        "measure": measure,
        "band": measure.band(result.score),
        "crisis": scores.crisis_answered(result),
    }
    return render(request, "selfcare/measure_result.html", context)


@login_required
@require_POST
def measure_delete(request: HttpRequest, result_id: int) -> HttpResponse:
    services.measure_delete(actor=request.user, result_id=result_id)
    messages.success(request, _("The result is deleted."))
    return redirect("selfcare:measures")


@login_required
@require_POST
def measure_schedule(request: HttpRequest, key: str) -> HttpResponse:
    with errors_as_messages(request):
        services.measure_schedule_set(actor=request.user, key=key, every_weeks=request.POST.get("every_weeks", ""))
        messages.success(request, _("Saved. It's offered when it's due, and never required."))
    return redirect("selfcare:measures")


# --- Goals ----------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def goals_page(request: HttpRequest) -> HttpResponse:
    return render(request, "selfcare/goals.html", {"goals": goals.goals_of(user=request.user)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest) -> HttpResponse:
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            data = form.cleaned_data
            goals.goal_save(
                actor=request.user,
                title=data["title"],
                why=data["why"],
                due_date=data["due_date"],
                remind=data["remind"],
                remind_hour=data["remind_hour"],
                steps=data["steps"].splitlines(),
            )
            messages.success(request, _("Your goal is saved. One small step at a time."))
            return redirect("selfcare:goals")
    status = 422 if request.method == "POST" else 200
    return render(request, "selfcare/goal_form.html", {"form": form}, status=status)


@login_required
@require_POST
def goal_act(request: HttpRequest, goal_id: int) -> HttpResponse:
    """Worked on it today, a step done (or not), finished (or not), or deleted."""
    what = request.POST.get("do", "")
    with errors_as_messages(request):
        if what == "today":
            goals.worked_today(actor=request.user, goal_id=goal_id)
            messages.success(request, _("Well done. Every day you show up counts."))
        elif what == "step":
            access.access_goal(request.user, goal_id)
            goals.step_toggle(actor=request.user, step_id=request.POST.get("step"))
        elif what in ("done", "undone"):
            goals.goal_complete(actor=request.user, goal_id=goal_id, done=what == "done")
            if what == "done":
                messages.success(request, _("You did it. That's worth being proud of."))
        elif what == "delete":
            goals.goal_delete(actor=request.user, goal_id=goal_id)
            messages.success(request, _("The goal is deleted."))
        else:
            raise NotFound()
    return redirect("selfcare:goals")


@login_required
@require_http_methods(["GET", "POST"])
def goal_share(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = access.access_goal(request.user, goal_id)
    mine = [(community.slug, community.name) for community in community_selectors.my_communities(user=request.user)]
    form = ShareGoalForm(request.POST or None, communities=mine)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            thread = goals.goal_share(
                actor=request.user,
                goal_id=goal.pk,
                slug=form.cleaned_data["community"],
                message=form.cleaned_data["message"],
            )
            messages.success(request, _("Shared. Thank you for letting others see what's possible."))
            return redirect("communities:thread", slug=thread.community.slug, thread_id=thread.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "selfcare/goal_share.html", {"form": form, "goal": goal, "mine": mine}, status=status)


# --- Sharing an entry with a listener ---------------------------------------------------------------


@login_required
@require_POST
def entry_share(request: HttpRequest, entry_id: int) -> HttpResponse:
    with errors_as_messages(request):
        sharing.entry_share(actor=request.user, entry_id=entry_id, conversation_id=request.POST.get("conversation"))
        messages.success(request, _("Shared with your listener. You can stop sharing at any time."))
    return redirect("selfcare:entry", entry_id=entry_id)


@login_required
@require_POST
def share_stop(request: HttpRequest, share_id: int) -> HttpResponse:
    share = sharing.share_stop(actor=request.user, share_id=share_id)
    messages.success(request, _("Stopped: your listener can no longer read it."))
    return redirect("selfcare:entry", entry_id=share.entry_id) if share.entry_id else redirect("selfcare:journal")


@never_cache
@login_required
@require_GET
def shared_entry(request: HttpRequest, share_id: int) -> HttpResponse:
    share = sharing.shared_entry_read(user=request.user, share_id=share_id)
    context = {"share": share, "body_html": render_markdown(share.body)}
    return render(request, "selfcare/shared_entry.html", context)
