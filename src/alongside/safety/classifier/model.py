"""The model layer: a softmax head over 27 communities on sentence embeddings and hashed words, with
its level thresholds.

Features of a text: the mean and the maximum, over its 256-piece windows (at most 2), of the
crisis encoder's embeddings (`embeddings.CRISIS`: all-MiniLM-L6-v2 fine-tuned on the train split's
27 communities), the pattern layer's level (one-hot), and its hashed word uni- and bigrams
(`core.ngrams`, tf-idf). The head scores each of the 27 communities of the
training data; the score is the probability of the crisis community. Its weights and thresholds
(chosen out of fold by `train.py`) are in `safety/data/crisis_head.npz`, pinned by SHA-256 in
`safety/data/manifest.json` and loaded once per process. Nothing here raises to the caller: without
the encoder or the head, `score` is None.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from alongside.core import ngrams
from alongside.safety.classifier import embeddings
from alongside.safety.enums import RiskLevel

HEAD_PATH = embeddings.DATA_DIR / "crisis_head.npz"
VERSION_RULE = "minilm_words_softmax"
# Windows of 256 word pieces read per text: the first two (about 2,000 characters). Eight cost
# 0.6 s on a 20,000-character post, which a request cannot afford; two keep the model inside the
# request for short texts (benchmarks/safety_assess.py; docs/safety.md, "Cost").
MAX_CHUNKS = 2
_LEVELS = (RiskLevel.NONE, RiskLevel.CONCERN, RiskLevel.HIGH, RiskLevel.CRISIS)

_lock = threading.Lock()
_head: dict[str, Any] | None = None
_error = ""
_tried = False


def features(chunks: np.ndarray, pattern_level: RiskLevel) -> np.ndarray:
    """One row: mean and max of the window vectors, and the pattern level one-hot."""
    onehot = np.zeros(len(_LEVELS), dtype=np.float32)
    onehot[pattern_level.rank] = 1.0
    return np.concatenate([chunks.mean(axis=0), chunks.max(axis=0), onehot]).astype(np.float32)


def prepared(head: dict[str, Any]) -> dict[str, Any]:
    """The stored arrays made ready to score with (the word weights are stored as float16)."""
    return {**head, "word_weights": np.asarray(head["word_weights"], dtype=np.float32)}


def crisis_probabilities(
    rows: np.ndarray, counted: list[tuple[dict[int, float], dict[int, float]]], head: dict[str, Any]
) -> np.ndarray:
    """The probability of the crisis community for each text: its `features` row and its word
    n-gram counts (`ngrams.counts(..., chars=False)`)."""
    logits = np.asarray(rows, dtype=np.float64) @ head["dense_weights"].T.astype(np.float64) + head["bias"]
    weights = head["word_weights"]
    if weights.shape[1]:
        words = ngrams.rows(counted, head["idf"], char_weight=0.0)
        parts = (weights[:, words.indices] * words.values).T.astype(np.float64)  # one row per n-gram
        running = np.vstack([np.zeros((1, weights.shape[0])), np.cumsum(parts, axis=0)])
        logits += running[words.indptr[1:]] - running[words.indptr[:-1]]
    logits -= logits.max(axis=1, keepdims=True)
    odds = np.exp(logits)
    result: np.ndarray = odds[:, int(head["crisis"])] / odds.sum(axis=1)
    return result


def _load_head(path: Path = HEAD_PATH) -> dict[str, Any]:
    pins = embeddings.manifest().get("head", {})
    embeddings.check_file(path, str(pins.get("sha256", "")), "classifier head")
    with np.load(path) as stored:
        head = prepared({name: stored[name] for name in stored.files})
    return {**head, "version": f"{VERSION_RULE}@{pins.get('sha256', '')[:12]}"}


def _get() -> dict[str, Any] | None:
    global _head, _error, _tried
    if _head is not None or _tried:
        return _head
    with _lock:
        if not _tried:
            try:
                if not embeddings.available(embeddings.CRISIS):
                    error = embeddings.load_error(embeddings.CRISIS)
                    raise embeddings.ModelUnavailableError(error or "the encoder is not available")
                _head = _load_head()
            except Exception as exc:  # a missing or altered file must not take the site down
                _error = str(exc)
            _tried = True
    return _head


def reset() -> None:
    global _head, _error, _tried
    with _lock:
        _head, _error, _tried = None, "", False
    embeddings.reset()


def version() -> str:
    head = _get()
    return str(head["version"]) if head is not None else ""


SHORT_WORDS = 40  # shorter than the posts it learned from: the model's level does not count


def level_for(probability: float, head: dict[str, Any], *, words: int = SHORT_WORDS) -> RiskLevel:
    """The model's own level. Its threshold for "reads like the crisis community" (95% recall of
    crisis posts, out of fold) gives `high`: the writer sees the support panel and responders are
    told. `crisis` (re-alerts) needs the patterns' explicit intent, plan or time, never the model
    alone. Below that threshold, `concern` down to `t_concern`. On texts shorter than the posts it
    learned from (most chat messages) it is out of its depth (everyday sentences scored past the
    threshold), so there the patterns decide alone; the score is still kept with the reasons."""
    level = RiskLevel.NONE
    if probability >= float(head["t_crisis"]):
        level = RiskLevel.HIGH
    elif probability >= float(head["t_concern"]):
        level = RiskLevel.CONCERN
    return RiskLevel.NONE if words < SHORT_WORDS else level


def score(text: str, *, pattern_level: RiskLevel) -> tuple[float, RiskLevel] | None:
    """(probability of a crisis post, the level it maps to), or None without the model or for a
    text shorter than SHORT_WORDS."""
    head = _get()
    if head is None or len(text.split()) < SHORT_WORDS:
        return None  # too short for the model to count (`level_for`): not worth its 15 ms
    try:
        chunks = embeddings.embed_chunks(text, max_chunks=MAX_CHUNKS, which=embeddings.CRISIS)
    except embeddings.ModelUnavailableError:
        return None
    counted = ngrams.counts([text], int(head["bits"]), chars=False)
    probability = float(crisis_probabilities(features(chunks, pattern_level)[None, :], counted, head)[0])
    return probability, level_for(probability, head, words=len(text.split()))


def status() -> dict[str, Any]:
    head = _get()
    if head is not None:
        return {"loaded": True, "version": str(head["version"]), "error": ""}
    return {"loaded": False, "version": "", "error": _error or embeddings.load_error(embeddings.CRISIS) or "not loaded"}
