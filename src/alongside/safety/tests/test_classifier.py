"""The crisis classifier's machinery: the real model on a small sample, its pins, and what happens
without it. (Its accuracy: test_crisis_cases.py and `make eval-safety`.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from alongside.safety.classifier import assess, assess_patterns, embeddings, model, model_status
from alongside.safety.enums import AssessContext, RiskLevel

LONG_NEUTRAL = (
    "We spent the weekend repainting the kitchen a pale yellow, which took far longer than planned because "
    "the old paint kept flaking. My brother came over on Sunday with his kids and we ordered pizza, then "
    "walked to the park while the second coat dried. The kids found a heron by the pond and talked about "
    "it for the rest of the day. Next weekend we want to sort out the garden before the weather turns."
)
LONG_HEAVY = (
    "I don't know why I'm still here. Every morning I wake up and wish I hadn't. I've been giving my things "
    "away and I keep thinking about how everyone would be better off without me. I'm so tired of pretending "
    "to be fine at work and at home. Nothing has helped and I can't see this ever getting better. I've been "
    "looking up ways to end it and I think about it every single night when I can't sleep."
)


@pytest.fixture
def fresh_model():
    model.reset()
    yield
    model.reset()


def test_the_real_model_loads_once_and_says_which_version_it_is() -> None:
    status = model_status()
    assert status["loaded"] is True, status
    assert status["version"].startswith("minilm_words_softmax@")
    assert model._get() is model._get()  # loaded once per process


def test_the_model_scores_a_heavy_post_far_above_a_neutral_one() -> None:
    heavy, neutral = assess(LONG_HEAVY), assess(LONG_NEUTRAL)
    assert heavy.model_version
    assert heavy.level.shows_support
    assert neutral.level == RiskLevel.NONE
    heavy_score = next(r.score for r in heavy.reasons if r.kind == "model")
    neutral_score = next(r.score for r in neutral.reasons if r.kind == "model")
    assert heavy_score > 10 * neutral_score


def test_embeddings_are_normalised_and_place_similar_sentences_together() -> None:
    vectors = embeddings.embed(["I feel so alone tonight", "Tonight I feel really lonely", "The bus was late"])
    assert vectors.shape == (3, 384)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-4
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.2


def test_every_assessment_keeps_its_reasons_for_the_responder() -> None:
    short = assess("I'm going to kill myself tonight, I have the pills.")
    assert short.level == RiskLevel.CRISIS
    assert short.model_version == ""  # under 40 words the model is not used (model.SHORT_WORDS)
    stored = assess(LONG_HEAVY + " I'm going to kill myself tonight, I have the pills.").as_dict()
    assert stored["level"] == "crisis"
    assert "model" in {reason["kind"] for reason in stored["reasons"]}
    assert {"pattern"} <= {reason["kind"] for reason in stored["reasons"]}
    assert "intent" in {reason["rule"] for reason in stored["reasons"]}
    assert stored["model_version"]
    json.dumps(stored)  # stored on the risk event as it is


SUPPORT = (
    "Thank you for telling me all of this. It sounds like every morning is heavy and like you have been "
    "carrying it alone for a long time. When you say everyone would be better off without you, are you "
    "thinking about ending your life? You can tell me honestly, I won't judge you and I'm not going anywhere. "
    "Is there someone near you tonight, and would you be willing to call a crisis line while we keep talking?"
)


def test_a_supporters_words_set_the_model_aside() -> None:
    as_listener = assess(SUPPORT, context=AssessContext.LISTENER_CHAT)
    assert as_listener.level == RiskLevel.NONE
    as_a_post = assess(SUPPORT, context=AssessContext.POST)
    assert as_a_post.level.rank >= RiskLevel.CONCERN.rank  # the same words as one's own post are read


def test_without_the_model_the_patterns_still_answer(settings, fresh_model) -> None:
    settings.SAFETY_MODEL_ENABLED = False
    status = model_status()
    assert status["loaded"] is False
    assert "SAFETY_MODEL_ENABLED" in status["error"]
    found = assess("I want to die. I have the rope ready.")
    assert found.level == RiskLevel.CRISIS
    assert found.model_version == ""


def test_a_head_that_fails_its_pinned_hash_is_refused(tmp_path: Path, monkeypatch, fresh_model) -> None:
    altered = tmp_path / "crisis_head.npz"
    shutil.copy(model.HEAD_PATH, altered)
    with altered.open("ab") as handle:
        handle.write(b"\0")
    monkeypatch.setattr(model, "HEAD_PATH", altered)
    monkeypatch.setattr(model._load_head, "__defaults__", (altered,))
    status = model_status()
    assert status["loaded"] is False
    assert "hash mismatch" in status["error"]
    assert assess("I want to die").level == RiskLevel.HIGH  # patterns alone


@pytest.mark.parametrize(
    ("setting", "broken", "other"),
    [
        ("SAFETY_MODEL_PATH", embeddings.BASE, embeddings.CRISIS),
        ("SAFETY_CRISIS_MODEL_PATH", embeddings.CRISIS, embeddings.BASE),
        ("SAFETY_TOXICITY_MODEL_PATH", embeddings.TOXICITY, embeddings.CRISIS),
    ],
)
def test_an_encoder_file_that_fails_its_hash_is_refused_and_the_other_still_loads(
    tmp_path: Path, settings, fresh_model, setting: str, broken: str, other: str
) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    setattr(settings, setting, str(fake))
    assert embeddings.available(broken) is False
    assert "hash mismatch" in embeddings.load_error(broken)
    assert embeddings.available(other), embeddings.load_error(other)
    assert model_status()["loaded"] is (broken != embeddings.CRISIS)  # the crisis head reads the crisis encoder


def test_the_fine_tuned_encoders_are_their_own_models_not_the_published_one() -> None:
    """The three encoders share a tokenizer and shape but not weights: the crisis head's features
    come from its own fine-tune (figures in docs/safety.md), the toxicity head's from another."""
    text = ["I can't see a way through this any more and I'm so tired of trying"]
    base = embeddings.embed(text)
    crisis = embeddings.embed(text, which=embeddings.CRISIS)
    toxicity = embeddings.embed(text, which=embeddings.TOXICITY)
    assert base.shape == crisis.shape == toxicity.shape == (1, embeddings.DIM)
    for vectors in (crisis, toxicity):
        assert abs(float(np.linalg.norm(vectors)) - 1.0) < 1e-5
        assert float(base[0] @ vectors[0]) < 0.99
    assert float(crisis[0] @ toxicity[0]) < 0.99


def test_the_pattern_layer_reads_slang_misspellings_and_leetspeak() -> None:
    for text in ("kms", "thinking about sewer slide", "i want to k1ll myself", "i wnat to die", "I want to diieeee"):
        assert assess_patterns(text).level.rank >= RiskLevel.HIGH.rank, text


@pytest.mark.parametrize(
    "text",
    ["I'm proud of myself today", "I've been cutting back on sugar", "My grandad died last spring and I miss him"],
)
def test_everyday_words_that_share_the_vocabulary_are_not_risk(text: str) -> None:
    assert assess_patterns(text).level == RiskLevel.NONE


def test_who_and_when_lower_the_writers_own_risk_to_a_look() -> None:
    assert assess_patterns("I want to kill myself").level == RiskLevel.HIGH
    assert assess_patterns("I used to want to kill myself").level == RiskLevel.CONCERN
    assert assess_patterns("my friend said she wants to kill herself").level == RiskLevel.CONCERN
    assert assess_patterns("I would never kill myself").level == RiskLevel.NONE
    listener = assess_patterns("are you thinking about killing yourself?", context=AssessContext.LISTENER_CHAT)
    assert listener.level == RiskLevel.NONE
