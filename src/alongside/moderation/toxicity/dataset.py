"""The labelled tweets the toxicity head is trained, tuned and measured on, and their fixed parts.

- TweetEval offensive (OffensEval 2019): its `train` split is cut by the SHA-256 of each text into
  `fit` (buckets 0-79) and `tune` (80-99, where thresholds and settings are chosen); its `val`
  split (1,324) is the held-out part, read by `evaluate.py` only.
- Davidson et al. 2017: extra training rows (`hate` and `offensive` count as offensive), never
  tuned or measured on.

The tweets are real people's words: only hash prefixes and scores leave this module, never text.
Embeddings are cached under var/moderation/ (git-ignored; MODERATION_CACHE_DIR moves it), keyed by
the data files' and the encoder's hashes.
"""

from __future__ import annotations

import csv
import hashlib
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR = Path(os.environ.get("MODERATION_TRAINING_DATA", "/work/shared/data"))
TWEETEVAL = DATA_DIR / "tweeteval-offensive"
DAVIDSON = DATA_DIR / "davidson" / "labeled_data.csv"
CACHE_DIR = Path(os.environ.get("MODERATION_CACHE_DIR", Path(__file__).resolve().parents[4] / "var" / "moderation"))
TUNE_FROM_BUCKET = 80  # TweetEval train texts whose hash bucket (0-99) is at least this form `tune`

_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_RETWEET = re.compile(r"(^|\s)RT(?=\s|:)")
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """The same light clean-up for training rows and for what people write: HTML entities decoded,
    mentions and links replaced by placeholders (as TweetEval ships them), "RT" dropped."""
    text = html.unescape(text)
    text = _URL.sub("URL", text)
    text = _MENTION.sub("@user", text)
    text = _RETWEET.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Example:
    id: str  # first 10 hex digits of the original text's SHA-256
    text: str  # cleaned
    label: int  # 1 offensive, 0 not
    source: str  # "tweeteval" | "davidson"
    part: str  # "fit" | "tune" | "heldout"


def _id_and_bucket(text: str) -> tuple[str, int]:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return digest[:10], int(digest[:8], 16) % 100


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def load_tweeteval() -> list[Example]:
    rows = []
    for split in ("train", "val"):
        texts, labels = _lines(TWEETEVAL / f"{split}_text.txt"), _lines(TWEETEVAL / f"{split}_labels.txt")
        for text, label in zip(texts, labels, strict=True):
            example_id, bucket = _id_and_bucket(text)
            part = "heldout" if split == "val" else "tune" if bucket >= TUNE_FROM_BUCKET else "fit"
            rows.append(Example(example_id, clean(text), int(label), "tweeteval", part))
    return rows


def load_davidson() -> list[Example]:
    rows = []
    with DAVIDSON.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = row.get("tweet") or ""
            if not text.strip():
                continue
            example_id, _bucket = _id_and_bucket(text)
            rows.append(Example(example_id, clean(text), 0 if row["class"].strip() == "2" else 1, "davidson", "fit"))
    return rows


def load_all() -> list[Example]:
    return load_tweeteval() + load_davidson()


def _files_hash() -> str:
    digest = hashlib.sha256()
    for path in (TWEETEVAL / "train_text.txt", TWEETEVAL / "val_text.txt", DAVIDSON):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def embeddings_for(examples: list[Example], encoder: str) -> np.ndarray:
    """n x 384 sentence embeddings of the cleaned texts by the named encoder, cached on disk."""
    from alongside.safety.services.embeddings import embed_texts, encoder_version

    key = hashlib.sha256(encoder_version(encoder).encode()).hexdigest()[:12]
    cache = CACHE_DIR / f"embeddings-{_files_hash()}-{key}.npz"
    ids = np.asarray([f"{e.source}:{e.id}" for e in examples])
    if cache.exists():
        with np.load(cache) as stored:
            if stored["ids"].shape == ids.shape and bool((stored["ids"] == ids).all()):
                vectors: np.ndarray = stored["vectors"]
                return vectors
    step = 512
    parts = [
        embed_texts([e.text for e in examples[start : start + step]], encoder=encoder)
        for start in range(0, len(examples), step)
    ]
    vectors = np.concatenate(parts) if parts else np.zeros((0, 384), dtype=np.float32)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.savez(cache, ids=ids, vectors=vectors)
    return vectors
