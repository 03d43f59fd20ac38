"""Content screening: blocked terms, matching rules, and how decisions combine."""

from __future__ import annotations

import pytest

from alongside.core.models import BlockedTerm, ScreeningAction
from alongside.core.screening import ScreeningInput, ScreeningReason, normalise, screen_content

pytestmark = pytest.mark.django_db


def block(term: str, action: str = ScreeningAction.HOLD, *, whole_word: bool = True, note: str = "") -> BlockedTerm:
    return BlockedTerm.objects.create(term=term, action=action, whole_word=whole_word, note=note)


def test_allows_everything_when_no_terms_are_listed():
    decision = screen_content(text="Anything at all, even words that might be blocked later.")

    assert decision.action == ScreeningAction.ALLOW
    assert decision.allowed
    assert not decision.held
    assert decision.reasons == []


def test_allows_text_without_a_listed_term():
    block("forbidden")

    decision = screen_content(text="A perfectly ordinary message.")

    assert decision.allowed
    assert decision.reasons == []


def test_held_term_holds_the_content_and_names_the_rule():
    block("forbidden", note="spam campaign")

    decision = screen_content(text="This is forbidden talk.", kind="reply")

    assert decision.action == ScreeningAction.HOLD
    assert decision.held
    assert not decision.allowed
    assert decision.reasons == [
        ScreeningReason(check="blocked_terms", action=ScreeningAction.HOLD, rule="forbidden", detail="spam campaign")
    ]


def test_flagged_term_flags_the_content():
    block("dodgy", ScreeningAction.FLAG)

    decision = screen_content(text="a dodgy link")

    assert decision.action == ScreeningAction.FLAG
    assert not decision.allowed
    assert not decision.held
    assert [(r.check, r.rule, r.action) for r in decision.reasons] == [("blocked_terms", "dodgy", ScreeningAction.FLAG)]


def test_whole_word_term_does_not_match_inside_another_word():
    block("ass", whole_word=True)

    assert screen_content(text="I went to my art class today.").allowed
    assert screen_content(text="Passing the assessment was hard.").allowed


@pytest.mark.parametrize("text", ["ass", "what an ass", "ass!", "(ass)", "you ass, honestly", "ass-hat"])
def test_whole_word_term_matches_the_word_itself(text):
    block("ass", whole_word=True)

    assert screen_content(text=text).held


def test_substring_term_matches_inside_other_words():
    block("ass", ScreeningAction.FLAG, whole_word=False)

    decision = screen_content(text="I went to my art class today.")

    assert decision.action == ScreeningAction.FLAG
    assert decision.reasons[0].rule == "ass"


@pytest.mark.parametrize(
    "text",
    [
        "FORBIDDEN",
        "ForBidDen",
        "ｆｏｒｂｉｄｄｅｎ",  # full-width letters  # noqa: RUF001
        "ＦＯＲＢＩＤＤＥＮ",  # full-width capitals  # noqa: RUF001
        "forbidden",
    ],
)
def test_case_and_width_are_folded_before_matching(text):
    block("forbidden")

    assert screen_content(text=f"this is {text} talk").held


def test_term_written_in_capitals_or_full_width_still_matches():
    block("ＦＯＲＢＩＤＤＥＮ")  # noqa: RUF001

    assert screen_content(text="forbidden").held


def test_casefold_matches_sharp_s():
    block("strasse")

    assert screen_content(text="Die STRAẞE ist lang").held
    assert screen_content(text="Die Straße ist lang").held


def test_ligatures_and_compatibility_characters_are_folded():
    block("office")

    assert screen_content(text="the oﬃce was closed").held  # "ﬃ" is one ligature character


def test_multi_word_phrase_matches_across_any_whitespace():
    block("hurt myself")

    assert screen_content(text="I want to hurt   myself").held
    assert screen_content(text="I want to hurt\n\tmyself").held
    assert screen_content(text="I want to HURT\u00a0MYSELF").held  # no-break space
    assert screen_content(text="I want to hurtmyself").allowed


def test_phrase_written_with_extra_spaces_still_matches():
    block("  hurt    myself ")

    assert screen_content(text="I might hurt myself").held


def test_blank_term_is_ignored():
    block("   ")

    assert screen_content(text="anything   at all").allowed


def test_term_with_regex_characters_is_matched_literally():
    block("a.b", whole_word=False)

    assert screen_content(text="see a.b here").held
    assert screen_content(text="see axb here").allowed


def test_hold_beats_flag_when_both_match():
    block("dodgy", ScreeningAction.FLAG)
    block("forbidden", ScreeningAction.HOLD)

    decision = screen_content(text="a dodgy and forbidden message")

    assert decision.action == ScreeningAction.HOLD
    assert {(r.rule, r.action) for r in decision.reasons} == {
        ("dodgy", ScreeningAction.FLAG),
        ("forbidden", ScreeningAction.HOLD),
    }
    assert all(r.check == "blocked_terms" for r in decision.reasons)


def test_every_matching_term_is_listed_as_a_reason():
    block("one", ScreeningAction.FLAG)
    block("two", ScreeningAction.FLAG)
    block("three", ScreeningAction.FLAG)

    decision = screen_content(text="one and two")

    assert decision.action == ScreeningAction.FLAG
    assert sorted(r.rule for r in decision.reasons) == ["one", "two"]


def test_normalise_folds_and_collapses():
    assert normalise("  ＨＥＬＬＯ\n\n Wörld ") == " hello wörld "  # noqa: RUF001


# --- The pipeline is configurable and the strictest check wins --------------------------------------

seen: list[ScreeningInput] = []


def always_flag(content: ScreeningInput) -> list[ScreeningReason]:
    seen.append(content)
    return [ScreeningReason(check="always_flag", action=ScreeningAction.FLAG, rule="everything", score=0.5)]


def never_anything(content: ScreeningInput) -> list[ScreeningReason]:
    return []


def test_pipeline_runs_every_configured_check(settings, member):
    seen.clear()
    settings.SCREENING_PIPELINE = [
        "alongside.core.screening.blocked_terms_check",
        "alongside.core.tests.test_screening.always_flag",
        "alongside.core.tests.test_screening.never_anything",
    ]
    block("forbidden")

    decision = screen_content(text="forbidden", author=member, kind="thread")

    assert decision.action == ScreeningAction.HOLD
    assert {(r.check, r.action) for r in decision.reasons} == {
        ("blocked_terms", ScreeningAction.HOLD),
        ("always_flag", ScreeningAction.FLAG),
    }
    # Each check sees what the checks before it said (the moderation rules read the crisis level).
    [content] = seen
    assert (content.text, content.author, content.kind) == ("forbidden", member, "thread")
    assert [(r.check, r.rule) for r in content.earlier] == [("blocked_terms", "forbidden")]


def test_flag_from_any_check_flags_clean_text(settings):
    settings.SCREENING_PIPELINE = [
        "alongside.core.screening.blocked_terms_check",
        "alongside.core.tests.test_screening.always_flag",
    ]

    decision = screen_content(text="hello")

    assert decision.action == ScreeningAction.FLAG
    assert decision.reasons[0].score == 0.5


def test_empty_pipeline_allows(settings):
    settings.SCREENING_PIPELINE = []
    block("forbidden")

    assert screen_content(text="forbidden").allowed


@pytest.mark.parametrize("name", ["nastyword_fox", "fox_nastyword", "nastyword-fox", "fox-nastyword", "NastyWord_1"])
def test_underscores_and_hyphens_separate_words_in_names(name):
    block("nastyword", whole_word=True)

    assert screen_content(text=name, kind="pseudonym").held


def test_whole_word_still_needs_the_whole_word_next_to_digits_or_letters():
    block("nastyword", whole_word=True)

    assert screen_content(text="nastywords2", kind="pseudonym").allowed
