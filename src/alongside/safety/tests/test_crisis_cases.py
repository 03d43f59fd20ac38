"""The crisis classifier on the hand-made cases (tests/cases/crisis_cases.csv: written for this, never
copied from the labelled data): a person at risk, a person supporting them, someone talking about
the past, someone else, a film or the news; slang, misspellings, negation, quotes.

Floors are what was measured (docs/safety.md, "Hand-made cases"), rounded down; never loosened.
The patterns were written while looking at these cases, so an independent set will score lower.
"""

from __future__ import annotations

import pytest

from alongside.safety.classifier import assess
from alongside.safety.classifier.evaluate import case_accuracy, load_cases
from alongside.safety.enums import AssessContext, RiskLevel

CASES = load_cases()
EXACT_FLOOR = 1.0  # measured 1.000 (155 cases; the patterns were tuned on them, so this is not a generalisation figure)
ALARM_FLOOR = 1.0  # measured 1.000 ("high or crisis" vs not: whether the writer sees the panel)


def test_there_are_at_least_150_cases_across_every_level_and_context() -> None:
    assert len(CASES) >= 150
    assert {case["expected"] for case in CASES} == set(RiskLevel.values)
    assert {case["context"] for case in CASES} >= {"post", "reply", "chat", "listener_chat", "journal"}
    assert len({case["id"] for case in CASES}) == len(CASES)


def test_accuracy_on_the_hand_made_cases_stays_at_what_was_measured() -> None:
    exact, alarm, misses = case_accuracy(CASES)
    assert exact >= EXACT_FLOOR, misses
    assert alarm >= ALARM_FLOOR, misses


# Distinctions that must always hold, whatever else changes.
MUST = [
    ("I'm going to kill myself tonight. I've already written the note.", "post", RiskLevel.CRISIS),
    ("im gonna kms tonight nobody will even notice", "post", RiskLevel.CRISIS),
    ("I tried to kill myself last night and I want to try again.", "post", RiskLevel.CRISIS),
    ("I want to die. I'm so tired of everything.", "post", RiskLevel.HIGH),
    ("thinking about sewerslide a lot lately", "post", RiskLevel.HIGH),
    ("i want to unalive myself", "post", RiskLevel.HIGH),
    ("I just want to go to sleep and never wake up.", "post", RiskLevel.HIGH),
    ("i just wanna d1e", "post", RiskLevel.HIGH),
    ("I used to want to die when I was a teenager, but things are different now.", "post", RiskLevel.CONCERN),
    ("My friend told me she wants to die. What should I do?", "post", RiskLevel.CONCERN),
    ("I read a news article about a teen suicide and I can't stop thinking about it.", "post", RiskLevel.CONCERN),
    ("Please don't end it all. Are you thinking about killing yourself? I'm here with you.", "reply", RiskLevel.NONE),
    ("Are you having thoughts of suicide right now?", "listener_chat", RiskLevel.NONE),
    ("Honestly I want to die too. I feel exactly the same.", "reply", RiskLevel.HIGH),
    ("I'm not suicidal, just really sad about the breakup.", "post", RiskLevel.NONE),
    ("This exam is killing me.", "post", RiskLevel.NONE),
    ("Went for a walk by the river today and it helped a little.", "post", RiskLevel.NONE),
]


@pytest.mark.parametrize(("text", "context", "expected"), MUST, ids=[text[:40] for text, _c, _e in MUST])
def test_a_distinction_that_must_hold(text: str, context: str, expected: RiskLevel) -> None:
    assessment = assess(text, context=AssessContext(context))
    assert assessment.level == expected, assessment.reasons
