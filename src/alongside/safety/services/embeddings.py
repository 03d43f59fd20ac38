"""Sentence embeddings for other apps (moderation's toxicity signal), through the safety app's encoders.

The crisis classifier owns the encoders (`safety.classifier.embeddings`: int8 ONNX files,
hash-pinned, loaded once per process under a lock). Other apps may not import the classifier, so
this module passes through what they need: `embed_texts`, whether an encoder is available and why
not, and its version. They choose between two encoders by name: `PUBLISHED` (all-MiniLM-L6-v2 as
published) and `TOXICITY` (the same model fine-tuned on TweetEval offensive's training part), never
the crisis head's. Nothing here writes.
"""

from __future__ import annotations

import numpy as np

from alongside.safety.classifier import embeddings as _encoder

EMBEDDING_DIM = _encoder.DIM
EmbeddingsUnavailableError = _encoder.ModelUnavailableError
PUBLISHED = "published"
TOXICITY = "toxicity"
_WHICH = {PUBLISHED: _encoder.BASE, TOXICITY: _encoder.TOXICITY}


def embed_texts(texts: list[str], *, encoder: str = PUBLISHED) -> np.ndarray:
    """n x 384 float32, L2-normalised (each text's first 256 word pieces, mean-pooled).

    Raises `EmbeddingsUnavailableError` when the encoder is switched off, missing or failed its hash."""
    return _encoder.embed(texts, which=_WHICH[encoder])


def embeddings_available(encoder: str = PUBLISHED) -> bool:
    """Whether the encoder is loaded or loads now. Never raises."""
    return _encoder.available(_WHICH[encoder])


def embeddings_error(encoder: str = PUBLISHED) -> str:
    """Why the encoder is not available ("" when it is, or has not been tried)."""
    return _encoder.load_error(_WHICH[encoder])


def encoder_version(encoder: str = PUBLISHED) -> str:
    """The pinned encoder's id and model hash prefix, for keying caches of embeddings."""
    pins = _encoder.manifest()[_WHICH[encoder]]
    return f"{pins['id']}@{str(pins['model_sha256'])[:12]}"


def reset_embeddings() -> None:
    """Forget the loaded encoders (tests, or after changing settings); the next use loads again."""
    _encoder.reset()
