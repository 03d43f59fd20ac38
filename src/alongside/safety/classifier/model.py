"""The model layer: a logistic-regression head on sentence embeddings, with its level thresholds.

Features of a text: the mean and the maximum, over its 256-piece windows (at most 8), of the
all-MiniLM-L6-v2 embeddings (`embeddings.py`), plus the pattern layer's level (one-hot). The head's
weights and its thresholds (chosen on the validation split by `train.py`) are in
`safety/data/crisis_head.npz`, pinned by SHA-256 in `safety/data/manifest.json` and loaded once per
process. Nothing here raises to the caller: without the encoder or the head, `score` is None.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from alongside.safety.classifier import embeddings
from alongside.safety.enums import RiskLevel

HEAD_PATH = embeddings.DATA_DIR / "crisis_head.npz"
VERSION_RULE = "minilm_logreg"
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


def sigmoid(values: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(values, -30, 30)))
    return result


def _load_head(path: Path = HEAD_PATH) -> dict[str, Any]:
    pins = embeddings.manifest().get("head", {})
    embeddings.check_file(path, str(pins.get("sha256", "")), "classifier head")
    with np.load(path) as stored:
        head = {name: stored[name] for name in stored.files}
    return {**head, "version": f"{VERSION_RULE}@{pins.get('sha256', '')[:12]}"}


def _get() -> dict[str, Any] | None:
    global _head, _error, _tried
    if _head is not None or _tried:
        return _head
    with _lock:
        if not _tried:
            try:
                if not embeddings.available():
                    raise embeddings.ModelUnavailableError(embeddings.load_error() or "the encoder is not available")
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


def probability_of(row: np.ndarray, head: dict[str, Any]) -> float:
    return float(sigmoid(np.asarray([row @ head["weights"] + float(np.asarray(head["bias"]).reshape(-1)[0])]))[0])


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
        chunks = embeddings.embed_chunks(text, max_chunks=MAX_CHUNKS)
    except embeddings.ModelUnavailableError:
        return None
    probability = probability_of(features(chunks, pattern_level), head)
    return probability, level_for(probability, head, words=len(text.split()))


def status() -> dict[str, Any]:
    head = _get()
    if head is not None:
        return {"loaded": True, "version": str(head["version"]), "error": ""}
    return {"loaded": False, "version": "", "error": _error or embeddings.load_error() or "not loaded"}
