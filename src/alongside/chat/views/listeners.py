"""Becoming a listener: the training overview, each lesson and its quiz, the code of conduct,
applying, and an approved listener's settings. Thin: the rules are in chat/access/listeners.py,
chat/training.py and chat/services/listeners.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.chat.access import listeners as listener_access
from alongside.chat.listener_forms import ConductForm, ListenerSettingsForm, QuizForm
from alongside.chat.services import listeners as services
from alongside.chat.training import CODE_OF_CONDUCT, LESSONS, QuizResult, listener_training_get
from alongside.core.errors import errors_into, require

if TYPE_CHECKING:
    from alongside.accounts.models import User


def _me(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind login_required)."""
    return cast("User", request.user)


def _sent(request: HttpRequest) -> QueryDict | None:
    """The form's data when it was sent (even with nothing ticked), None when the page is only shown."""
    return request.POST if request.method == "POST" else None


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    require(listener_access.check_train_permission(me), listener_access.REASON_SIGN_IN)
    progress = listener_training_get(user=me)
    lessons = [(number, lesson, progress.passed.get(lesson.slug)) for number, lesson in enumerate(LESSONS, 1)]
    return render(request, "chat/listen/overview.html", {"progress": progress, "lessons": lessons})


@login_required
@require_http_methods(["GET", "POST"])
def lesson(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = listener_access.access_lesson(request.user, slug)
    form = QuizForm(_sent(request), lesson=lesson)
    result: QuizResult | None = None
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            result = services.listener_lesson_submit(actor=_me(request), lesson=lesson, answers=form.answers())
            if result.passed:
                messages.success(
                    request,
                    _("Well done: you passed “%(title)s” with %(score)d of %(total)d.")
                    % {"title": lesson.title, "score": result.score, "total": result.total},
                )
                return redirect("chat:listen")
            for question_id in result.to_review:
                number = lesson.number_of(question_id)
                form.add_error(question_id, _("Have another look at question %(number)d.") % {"number": number})
    number = LESSONS.index(lesson) + 1
    context = {"lesson": lesson, "number": number, "count": len(LESSONS), "form": form, "result": result}
    return render(request, "chat/listen/lesson.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def conduct(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    require(listener_access.check_train_permission(me), listener_access.REASON_SIGN_IN)
    form = ConductForm(_sent(request))
    if request.method == "POST" and form.is_valid():
        services.listener_conduct_accept(actor=me)
        messages.success(request, _("Thank you for accepting the code of conduct."))
        return redirect("chat:listen")
    progress = listener_training_get(user=me)
    context = {"form": form, "promises": CODE_OF_CONDUCT, "accepted": progress.conduct_accepted}
    return render(request, "chat/listen/conduct.html", context)


@login_required
@require_POST
def apply(request: HttpRequest) -> HttpResponse:
    services.listener_apply(actor=_me(request))
    messages.success(
        request,
        _("Thank you for applying. An administrator will look at your application soon; their answer will be here."),
    )
    return redirect("chat:listen")


@login_required
@require_http_methods(["GET", "POST"])
def listener_settings(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    profile = listener_training_get(user=me).profile
    require(listener_access.check_edit_listener_settings_permission(me, profile), listener_access.REASON_APPROVED_ONLY)
    assert profile is not None  # the rule above says so
    initial = {"topics": profile.topics, "languages": profile.languages, "capacity": profile.capacity}
    form = ListenerSettingsForm(_sent(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            services.listener_settings_update(
                actor=me,
                topics=form.cleaned_data["topics"],
                languages=form.cleaned_data["languages"],
                capacity=form.cleaned_data["capacity"],
            )
            messages.success(request, _("Your listener settings are saved."))
            return redirect("chat:listen_settings")
    return render(request, "chat/listen/settings.html", {"form": form})
