"""The labelled posts the classifier is trained and measured on, and their fixed split.

Each post's split comes from the SHA-256 of its text: the first 8 hex digits modulo 100 put it in
train (0-59), validation (60-79) or held-out test (80-99), so the split never changes and the same
text always lands in the same part. Training and threshold choice never read the test part. Posts
are real people's words: only their hash prefixes (ids) and scores leave this module, never text.
Embeddings are cached under var/safety/ (git-ignored; SAFETY_CACHE_DIR moves it), keyed by the data
file's and encoder's hashes, so reruns take seconds rather than the ~7 minutes of embedding.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alongside.core.files import sha256_of
from alongside.safety.classifier import embeddings

DATA_FILE = Path(os.environ.get("SAFETY_TRAINING_DATA", "/work/shared/data/rmhd27/posts.csv"))
CACHE_DIR = Path(os.environ.get("SAFETY_CACHE_DIR", Path(__file__).resolve().parents[4] / "var" / "safety"))
CRISIS_SUBREDDIT = "suicidewatch"
MAX_CHUNKS = 8


@dataclass(frozen=True)
class Post:
    id: str  # first 10 hex digits of the text's SHA-256
    subreddit: str
    text: str
    split: str  # "train" | "validation" | "test"

    @property
    def crisis(self) -> bool:
        return self.subreddit.lower() == CRISIS_SUBREDDIT


def split_of(text: str) -> tuple[str, str]:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    bucket = int(digest[:8], 16) % 100
    part = "train" if bucket < 60 else "validation" if bucket < 80 else "test"
    return digest[:10], part


def load_posts(path: Path = DATA_FILE) -> list[Post]:
    posts = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row.get("post") or "").strip()
            if not text:
                continue
            post_id, part = split_of(text)
            posts.append(Post(post_id, row["subreddit"].strip(), text, part))
    return posts


def chunk_embeddings(posts: list[Post]) -> list[np.ndarray]:
    """One k x 384 array per post (k <= MAX_CHUNKS windows), cached on disk."""
    data_hash = sha256_of(DATA_FILE)[:12]
    encoder = embeddings.manifest()[embeddings.CRISIS]["model_sha256"][:12]
    cache = CACHE_DIR / f"chunks-{data_hash}-{encoder}-{MAX_CHUNKS}.npz"
    ids = [p.id for p in posts]
    if cache.exists():
        stored = np.load(cache)
        if list(stored["ids"]) == ids:
            vectors, owners = stored["vectors"], stored["owners"]
            return [vectors[owners == i] for i in range(len(posts))]
    per_post = []
    step = 256
    for start in range(0, len(posts), step):
        per_post.extend(
            embeddings.embed_chunks_many(
                [p.text for p in posts[start : start + step]], max_chunks=MAX_CHUNKS, which=embeddings.CRISIS
            )
        )
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    owners = np.concatenate([np.full(len(v), i) for i, v in enumerate(per_post)])
    np.savez(cache, ids=np.asarray(ids), vectors=np.concatenate(per_post), owners=owners)
    return per_post
