"""The validated measures (issue 11.4), with their published wording, answers and scoring, and the
bands explained in plain words. They are offered, never required.

- PHQ-9 (Kroenke, Spitzer & Williams, 2001; free to use): nine questions about the last two weeks,
  answered 0 to 3, summed 0 to 27. Bands: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately
  severe, 20-27 severe. Question 9 asks about thoughts of being better off dead or of self-harm:
  any answer above "Not at all" opens the crisis panel at once and raises an event for the safety
  responders (`safety.services.risk.risk_from_questionnaire`); the member is told so before they
  start.
- GAD-7 (Spitzer, Kroenke, Williams & Löwe, 2006; free to use): seven questions, 0 to 3, summed 0 to
  21. Bands: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe.
- WHO-5 Well-Being Index (WHO, 1998): five statements about the last two weeks, 0 to 5, the sum
  times 4 gives 0 to 100 (higher is better); 50 or less suggests low wellbeing, 28 or less very low.
- General Self-Efficacy Scale (Schwarzer & Jerusalem, 1995): ten statements, 1 to 4, summed 10 to
  40 (higher: more confidence in one's ability to cope). It has no official bands; the page says
  where most people's scores fall (around 29).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FREQUENCY = [
    (0, _("Not at all")),
    (1, _("Several days")),
    (2, _("More than half the days")),
    (3, _("Nearly every day")),
]


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    name: str | Promise
    plain: str | Promise


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    about: str | Promise
    stem: str | Promise
    questions: tuple[str | Promise, ...]
    answers: tuple[tuple[int, str | Promise], ...]
    bands: tuple[Band, ...]
    maximum: int
    multiplier: int = 1
    higher_is_better: bool = False
    crisis_question: int | None = None  # index of the question that opens the crisis route

    def score(self, answers: list[int]) -> int:
        return sum(answers) * self.multiplier

    def band(self, score: int) -> Band | None:
        return next((band for band in self.bands if band.low <= score <= band.high), None)


PHQ9 = Measure(
    key="phq9",
    name="PHQ-9",
    about=_("Nine questions about low mood over the last two weeks."),
    stem=_("Over the last 2 weeks, how often have you been bothered by any of the following problems?"),
    questions=(
        _("Little interest or pleasure in doing things"),
        _("Feeling down, depressed, or hopeless"),
        _("Trouble falling or staying asleep, or sleeping too much"),
        _("Feeling tired or having little energy"),
        _("Poor appetite or overeating"),
        _("Feeling bad about yourself — or that you are a failure or have let yourself or your family down"),
        _("Trouble concentrating on things, such as reading the newspaper or watching television"),
        _(
            "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
            "fidgety or restless that you have been moving around a lot more than usual"
        ),
        _("Thoughts that you would be better off dead or of hurting yourself in some way"),
    ),
    answers=tuple(FREQUENCY),
    bands=(
        Band(0, 4, _("minimal"), _("Few or no signs of low mood right now.")),
        Band(5, 9, _("mild"), _("Some signs of low mood. Worth keeping an eye on, and being kind to yourself.")),
        Band(10, 14, _("moderate"), _("A fair amount of low mood. Talking it over with a doctor could help.")),
        Band(15, 19, _("moderately severe"), _("A lot of low mood. Please consider talking to a doctor soon.")),
        Band(
            20, 27, _("severe"), _("Very low mood. Please talk to a doctor or a crisis line soon; you deserve support.")
        ),
    ),
    maximum=27,
    crisis_question=8,
)

GAD7 = Measure(
    key="gad7",
    name="GAD-7",
    about=_("Seven questions about worry and anxiety over the last two weeks."),
    stem=_("Over the last 2 weeks, how often have you been bothered by the following problems?"),
    questions=(
        _("Feeling nervous, anxious, or on edge"),
        _("Not being able to stop or control worrying"),
        _("Worrying too much about different things"),
        _("Trouble relaxing"),
        _("Being so restless that it is hard to sit still"),
        _("Becoming easily annoyed or irritable"),
        _("Feeling afraid, as if something awful might happen"),
    ),
    answers=tuple(FREQUENCY),
    bands=(
        Band(0, 4, _("minimal"), _("Little or no anxiety right now.")),
        Band(5, 9, _("mild"), _("Some anxiety. Worth keeping an eye on.")),
        Band(10, 14, _("moderate"), _("A fair amount of anxiety. Talking it over with a doctor could help.")),
        Band(15, 21, _("severe"), _("A lot of anxiety. Please consider talking to a doctor soon.")),
    ),
    maximum=21,
)

WHO5 = Measure(
    key="who5",
    name="WHO-5",
    about=_("Five statements about your wellbeing over the last two weeks."),
    stem=_(
        "Please indicate for each of the five statements which is closest to how you have been feeling over the last two weeks."  # noqa: E501 (the published wording)
    ),
    questions=(
        _("I have felt cheerful and in good spirits"),
        _("I have felt calm and relaxed"),
        _("I have felt active and vigorous"),
        _("I woke up feeling fresh and rested"),
        _("My daily life has been filled with things that interest me"),
    ),
    answers=(
        (5, _("All of the time")),
        (4, _("Most of the time")),
        (3, _("More than half of the time")),
        (2, _("Less than half of the time")),
        (1, _("Some of the time")),
        (0, _("At no time")),
    ),
    bands=(
        Band(0, 28, _("very low"), _("Your wellbeing has been very low. Please consider talking to a doctor.")),
        Band(29, 50, _("low"), _("Your wellbeing has been low lately. It may help to talk it over with someone.")),
        Band(51, 100, _("good"), _("Your wellbeing has been fairly good.")),
    ),
    maximum=100,
    multiplier=4,
    higher_is_better=True,
)

GSE = Measure(
    key="gse",
    name="General Self-Efficacy Scale",
    about=_("Ten statements about how you handle difficulties."),
    stem=_("How true is each of these statements for you?"),
    questions=(
        _("I can always manage to solve difficult problems if I try hard enough."),
        _("If someone opposes me, I can find the means and ways to get what I want."),
        _("It is easy for me to stick to my aims and accomplish my goals."),
        _("I am confident that I could deal efficiently with unexpected events."),
        _("Thanks to my resourcefulness, I know how to handle unforeseen situations."),
        _("I can solve most problems if I invest the necessary effort."),
        _("I can remain calm when facing difficulties because I can rely on my coping abilities."),
        _("When I am confronted with a problem, I can usually find several solutions."),
        _("If I am in trouble, I can usually think of a solution."),
        _("I can usually handle whatever comes my way."),
    ),
    answers=((1, _("Not at all true")), (2, _("Hardly true")), (3, _("Moderately true")), (4, _("Exactly true"))),
    bands=(
        Band(10, 24, _("lower"), _("Lower than most people's: coping feels hard right now. That can change.")),
        Band(25, 33, _("typical"), _("Around where most people's scores fall.")),
        Band(34, 40, _("higher"), _("Higher than most people's: you trust your ability to cope.")),
    ),
    maximum=40,
    higher_is_better=True,
)

MEASURES = {measure.key: measure for measure in (GSE, PHQ9, GAD7, WHO5)}
