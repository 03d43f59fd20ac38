"""The toxicity head: logistic regression on sentence embeddings and hashed n-grams, loaded once.

Features of a text (after `dataset.clean`): its all-MiniLM-L6-v2 embedding (through
`safety.services.embeddings`, by the encoder the head names: the published model, or the one
fine-tuned on TweetEval's `fit` part, which the shipped head reads) scaled by `dense_scale`, and
the hashed word and character n-grams of `core.ngrams` weighted by the head's inverse document
frequencies. The head (`moderation/data/toxicity_head.npz`: weights, idf, threshold and the
feature settings) is pinned by SHA-256 in `moderation/data/manifest.json` and checked on load,
once per process under a lock. Nothing here raises to the caller: without the head (or the
encoder, when the head uses embeddings) `probability` is None and `status()` says why.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from alongside.core import ngrams
from alongside.core.files import sha256_of
from alongside.moderation.toxicity import dataset

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
HEAD_PATH = DATA_DIR / "toxicity_head.npz"
MANIFEST_PATH = DATA_DIR / "manifest.json"
VERSION_RULE = "toxicity"
# What the model reads of a long text: the encoder stops at 256 word pieces anyway (~1,200
# characters); n-grams past this many characters cost time (~140 ms at 20,000) and add little.
MAX_CHARS = 4000

_lock = threading.Lock()
_head: dict[str, Any] | None = None
_error = ""
_tried = False


class HeadUnavailableError(RuntimeError):
    """The head is missing, failed its hash check, or needs an encoder that cannot load."""


def sigmoid(values: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(values, -30, 30)))
    return result


def manifest() -> dict[str, Any]:
    with MANIFEST_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def load_head(path: Path | None = None, *, expected_sha256: str | None = None) -> dict[str, Any]:
    """The head's arrays and settings; refuses a file whose SHA-256 is not the pinned one."""
    path = HEAD_PATH if path is None else path
    expected = expected_sha256 if expected_sha256 is not None else str(manifest().get("head", {}).get("sha256", ""))
    if not path.is_file():
        raise HeadUnavailableError(f"toxicity head not found at {path}")
    actual = sha256_of(path)
    if actual != expected:
        raise HeadUnavailableError(f"toxicity head hash mismatch: expected {expected[:12]}…, got {actual[:12]}…")
    with np.load(path) as stored:
        head = head_from({name: stored[name] for name in stored.files})
    head["version"] = f"{VERSION_RULE}@{actual[:12]}"
    return head


def head_from(arrays: dict[str, Any]) -> dict[str, Any]:
    """A head's arrays with what `logits_with` derives from them: which features it uses and the
    encoder it was fitted on (heads from before the fine-tuned encoder read the published one)."""
    head = dict(arrays)
    head["uses_embeddings"] = "dense_weights" in head
    head["uses_ngrams"] = "sparse_weights" in head
    head["encoder"] = str(head.get("encoder", "published"))
    return head


def _get() -> dict[str, Any] | None:
    global _head, _error, _tried
    if _head is not None or _tried:
        return _head
    with _lock:
        if not _tried:
            try:
                head = load_head()
                if head["uses_embeddings"]:
                    from alongside.safety.services.embeddings import embeddings_available, embeddings_error

                    if not embeddings_available(head["encoder"]):
                        error = embeddings_error(head["encoder"])
                        raise HeadUnavailableError(error or "the sentence encoder is not available")
                _head = head
            except Exception as exc:  # a missing or altered file must not take the site down
                _error = str(exc)
            _tried = True
    return _head


def reset() -> None:
    """Forget the loaded head (tests, or after retraining); the next use loads it again."""
    global _head, _error, _tried
    with _lock:
        _head, _error, _tried = None, "", False


def threshold() -> float | None:
    head = _get()
    return float(head["threshold"]) if head is not None else None


def version() -> str:
    head = _get()
    return str(head["version"]) if head is not None else ""


def logits_with(
    head: dict[str, Any], texts: list[str], *, vectors: np.ndarray | None = None, cleaned: bool = False
) -> np.ndarray:
    """The head's logits for many texts (`vectors`: their embeddings, if already computed)."""
    clean_texts = texts if cleaned else [dataset.clean(t) for t in texts]
    result = np.full(len(clean_texts), float(np.asarray(head["bias"]).reshape(-1)[0]))
    if head["uses_ngrams"]:
        counted = ngrams.counts(clean_texts, int(head["bits"]))
        rows = ngrams.rows(
            counted, head["idf"], char_weight=float(head["char_weight"]), word_weight=float(head["word_weight"])
        )
        result += rows.matvec(head["sparse_weights"].astype(np.float64))
    if head["uses_embeddings"]:
        if vectors is None:
            from alongside.safety.services.embeddings import embed_texts

            vectors = embed_texts(clean_texts, encoder=head["encoder"])
        result += (vectors.astype(np.float64) * float(head["dense_scale"])) @ head["dense_weights"].astype(np.float64)
    return result


def probability(text: str) -> float | None:
    """The probability that the text reads as offensive, or None without the head or the encoder."""
    head = _get()
    if head is None or not text.strip():
        return None
    try:
        return float(sigmoid(logits_with(head, [text[:MAX_CHARS]]))[0])
    except Exception:  # the encoder failing mid-run must not block anyone's post
        return None


def status() -> dict[str, Any]:
    head = _get()
    if head is not None:
        return {"loaded": True, "version": str(head["version"]), "error": ""}
    return {"loaded": False, "version": "", "error": _error or "not loaded"}


def health() -> dict[str, Any]:
    """For /healthz (`settings.HEALTH_CHECKS`): the site works without the signal, but should say so."""
    current = status()
    return {"ok": bool(current["loaded"]), **current}
