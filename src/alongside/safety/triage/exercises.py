"""The self-help exercises: slow breathing, 5-4-3-2-1 grounding and a thought record.

Each is a page of its own (`safety:exercise`), written out in full so it works without JavaScript.
Nothing anyone types into them is sent or saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alongside.core.errors import NotFound

BREATH_IN_SECONDS = 4
BREATH_OUT_SECONDS = 6
BREATHS = 6  # 6 breaths of 4 + 6 seconds: one minute


@dataclass(frozen=True)
class Exercise:
    slug: str
    title: Promise
    summary: Promise
    minutes: int
    template: str


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "breathing",
        _("Slow breathing"),
        _("One minute of breathing in for 4 and out for 6. It can help when your body feels tense or panicky."),
        1,
        "safety/exercises/breathing.html",
    ),
    Exercise(
        "grounding",
        _("5-4-3-2-1 grounding"),
        _("Notice what's around you, one sense at a time. It can help when you feel overwhelmed or far away."),
        3,
        "safety/exercises/grounding.html",
    ),
    Exercise(
        "thought-record",
        _("A thought record"),
        _("A worksheet for a hard thought: what happened, what went through your mind, and a kinder way to see it."),
        10,
        "safety/exercises/thought_record.html",
    ),
)


def exercise_get(*, slug: str) -> Exercise:
    for exercise in EXERCISES:
        if exercise.slug == slug:
            return exercise
    raise NotFound(_("We couldn't find that exercise."))
