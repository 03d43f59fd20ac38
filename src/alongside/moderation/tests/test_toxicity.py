"""The toxicity signal: the real head on a few hand-written sentences (none from the training data),
the check only ever flags, the hash pin refuses an altered head, and it runs in the task worker.
(Its accuracy on the held-out split: `make eval-moderation`, docs/moderation.md.)"""

from __future__ import annotations

import shutil

import pytest

from alongside.core import ngrams
from alongside.core.models import ScreeningAction
from alongside.core.screening import ScreeningInput
from alongside.moderation.toxicity import dataset, model, screening

# Written for these tests.
OFFENSIVE = [
    "Shut up, you pathetic idiot. Nobody wants to hear your garbage.",
    "You are a worthless piece of shit and everyone here hates you.",
    "What a stupid moron, go fuck yourself.",
    "Get lost, you disgusting loser.",
]
BENIGN = [
    "Thank you for listening to me today, it really helped.",
    "I went for a walk by the river and then made some tea.",
    "Does anyone have tips for getting to sleep before midnight?",
    "Congratulations on the new job, you worked so hard for it!",
    "I felt anxious before the appointment, but it went better than I expected.",
]


@pytest.fixture
def fresh_head():
    model.reset()
    yield
    model.reset()


def test_the_real_head_loads_once_and_says_which_version_it_is() -> None:
    status = model.status()
    assert status["loaded"] is True, status
    assert status["version"].startswith("toxicity@")
    assert model._get() is model._get()  # loaded once per process
    assert model.health()["ok"] is True


def test_the_real_head_reads_offensive_sentences_above_its_threshold_and_benign_ones_below() -> None:
    limit = model.threshold()
    assert limit is not None
    offensive = [model.probability(text) for text in OFFENSIVE]
    benign = [model.probability(text) for text in BENIGN]
    assert all(p is not None and p >= limit for p in offensive), (limit, offensive)
    assert all(p is not None and p < limit for p in benign), (limit, benign)
    assert min(offensive) > max(benign)


def test_the_check_flags_and_says_why() -> None:
    reasons = screening.toxicity_check(ScreeningInput(text=OFFENSIVE[0], kind="reply"))
    assert len(reasons) == 1
    reason = reasons[0]
    assert reason.check == "toxicity"
    assert reason.action == ScreeningAction.FLAG
    assert reason.score is not None
    assert reason.score >= (model.threshold() or 1.0)
    assert "toxicity@" in reason.detail
    assert screening.toxicity_check(ScreeningInput(text=BENIGN[0], kind="reply")) == []


def test_the_check_never_holds_however_sure_it_is(monkeypatch) -> None:
    monkeypatch.setattr(model, "probability", lambda text: 1.0)
    for kind in ("thread", "reply", "edit", "message"):
        reasons = screening.toxicity_check(ScreeningInput(text="anything", kind=kind))
        assert [r.action for r in reasons] == [ScreeningAction.FLAG]


def test_names_profiles_and_journals_are_not_read(monkeypatch) -> None:
    monkeypatch.setattr(model, "probability", lambda text: 1.0)
    for kind in ("pseudonym", "profile", "journal", ""):
        assert screening.toxicity_check(ScreeningInput(text=OFFENSIVE[0], kind=kind)) == []
    assert screening.toxicity_check(ScreeningInput(text="   ", kind="reply")) == []


def test_the_hash_pin_refuses_an_altered_head(tmp_path) -> None:
    altered = tmp_path / "toxicity_head.npz"
    shutil.copy(model.HEAD_PATH, altered)
    pinned = model.manifest()["head"]["sha256"]
    assert model.load_head(altered, expected_sha256=pinned)["version"].startswith("toxicity@")
    with altered.open("r+b") as handle:
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(model.HeadUnavailableError, match="hash mismatch"):
        model.load_head(altered, expected_sha256=pinned)


def test_without_its_head_the_check_says_nothing_and_health_says_why(tmp_path, monkeypatch, fresh_head) -> None:
    altered = tmp_path / "toxicity_head.npz"
    altered.write_bytes(model.HEAD_PATH.read_bytes() + b"\0")
    monkeypatch.setattr(model, "HEAD_PATH", altered)
    assert screening.toxicity_check(ScreeningInput(text=OFFENSIVE[0], kind="reply")) == []
    health = model.health()
    assert health["ok"] is False
    assert "hash mismatch" in health["error"]


def test_without_the_encoder_the_check_says_nothing(settings, fresh_head) -> None:
    from alongside.safety.services.embeddings import reset_embeddings

    settings.SAFETY_MODEL_ENABLED = False
    reset_embeddings()
    try:
        assert screening.toxicity_check(ScreeningInput(text=OFFENSIVE[0], kind="reply")) == []
        assert "SAFETY_MODEL_ENABLED" in model.status()["error"]
    finally:
        settings.SAFETY_MODEL_ENABLED = True
        reset_embeddings()


def test_the_head_reads_the_fine_tuned_encoder_and_without_it_says_nothing(tmp_path, settings, fresh_head) -> None:
    """The shipped head reads the encoder fine-tuned on TweetEval's `fit` part (docs/moderation.md);
    if that file fails its hash, the check says nothing and health says why, while the published
    encoder (the triage guide's) still loads."""
    from alongside.safety.services.embeddings import PUBLISHED, TOXICITY, embeddings_available, reset_embeddings

    assert model.load_head()["encoder"] == TOXICITY
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    settings.SAFETY_TOXICITY_MODEL_PATH = str(fake)
    reset_embeddings()
    try:
        assert screening.toxicity_check(ScreeningInput(text=OFFENSIVE[0], kind="reply")) == []
        assert "hash mismatch" in model.health()["error"]
        assert embeddings_available(PUBLISHED)
    finally:
        reset_embeddings()  # the settings fixture puts the path back after the test


def test_screening_before_saving_does_not_run_it(settings) -> None:
    """It is too slow for a request (docs/moderation.md, "Cost"): the task worker runs it after
    saving (moderation.services.toxicity_scan, tested in test_rules)."""
    assert "alongside.moderation.toxicity.screening.toxicity_check" not in settings.SCREENING_PIPELINE


def test_cleaning_and_ngrams_are_stable() -> None:
    assert dataset.clean("RT @someone: look &amp; see https://example.org/x") == "@user: look & see URL"
    words, chars = ngrams.grams("Sooooo st00pid!")
    assert "w soo" in words
    assert "w stoopid" in words
    assert "w !" in words
    assert "c sto" in chars
    first = ngrams.counts(["hello there"])[0]
    assert first == ngrams.counts(["hello there"])[0]  # CRC-32 buckets, the same in every process
