"""The self-help exercises (breathing, grounding, a thought record): plain pages, open to everyone."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alongside.safety.triage import exercises


@require_GET
def exercise_list(request: HttpRequest) -> HttpResponse:
    return render(request, "safety/exercises/index.html", {"exercises": exercises.EXERCISES})


@require_GET
def exercise_page(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = exercises.exercise_get(slug=slug)
    context = {
        "exercise": exercise,
        "others": [other for other in exercises.EXERCISES if other.slug != exercise.slug],
        "breath_in": exercises.BREATH_IN_SECONDS,
        "breath_out": exercises.BREATH_OUT_SECONDS,
        "breaths": exercises.BREATHS,
    }
    return render(request, exercise.template, context)
