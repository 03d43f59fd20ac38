"""Sentence embeddings for other apps (moderation's toxicity signal), through the safety app's encoder.

The crisis classifier owns the encoders (`safety.classifier.embeddings`: int8 ONNX files,
hash-pinned, loaded once per process under a lock). Other apps get the published
all-MiniLM-L6-v2 (`BASE`), never the crisis classifier's fine-tuned one. They may not import the
classifier, so this module passes through what they need: `embed_texts`, whether the encoder is
available and why not, and its version. Nothing here writes.
"""

from __future__ import annotations

import numpy as np

from alongside.safety.classifier import embeddings as _encoder

EMBEDDING_DIM = _encoder.DIM
EmbeddingsUnavailableError = _encoder.ModelUnavailableError


def embed_texts(texts: list[str]) -> np.ndarray:
    """n x 384 float32, L2-normalised (each text's first 256 word pieces, mean-pooled).

    Raises `EmbeddingsUnavailableError` when the encoder is switched off, missing or failed its hash."""
    return _encoder.embed(texts)


def embeddings_available() -> bool:
    """Whether the encoder is loaded or loads now. Never raises."""
    return _encoder.available()


def embeddings_error() -> str:
    """Why the encoder is not available ("" when it is, or has not been tried)."""
    return _encoder.load_error()


def encoder_version() -> str:
    """The pinned encoder's id and model hash prefix, for keying caches of embeddings."""
    pins = _encoder.manifest()["encoder"]
    return f"{pins['id']}@{str(pins['model_sha256'])[:12]}"


def reset_embeddings() -> None:
    """Forget the loaded encoder (tests, or after changing settings); the next use loads again."""
    _encoder.reset()
