"""Hashed word and character n-grams in numpy (no scikit-learn), as sparse rows (the toxicity
signal and the crisis head read texts through them).

A text is lower-cased, letters repeated three times or more are folded to two ("sooooo" -> "soo")
and a few look-alike digits inside words are read as letters ("sh1t"). Then:
- words (runs of letters, digits and apostrophes; every other non-space character is a token of
  its own, so emoji and "!" count): unigrams and bigrams;
- characters: 2- to 5-grams inside each word padded with spaces (as scikit-learn's `char_wb`).
Each n-gram is hashed (CRC-32, stable across processes, unlike `hash()`) into one of `2**bits`
buckets, counted with sublinear tf (1 + log tf), weighted by the inverse document frequency learned
in training, and each namespace (words, characters) is L2-normalised on its own.

Rows are CSR-like: `Rows(indptr, indices, values)`; `matvec` and `rmatvec` are what logistic
regression needs.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections import Counter
from dataclasses import dataclass

import numpy as np

BITS = 18
_WORD = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")
_REPEAT = re.compile(r"(.)\1{2,}")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_WORD = re.compile(r"\b(?=[a-z0-9@$]*[a-z])(?=[a-z0-9@$]*[0-9@$])[a-z0-9@$]+\b")
CHAR_SIZES = (2, 3, 4, 5)


@dataclass
class Rows:
    indptr: np.ndarray  # int64, n + 1
    indices: np.ndarray  # int64
    values: np.ndarray  # float32

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    def take(self, rows: np.ndarray) -> Rows:
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        lengths = ends - starts
        positions = (
            np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
            if len(rows)
            else np.zeros(0, dtype=np.int64)
        )
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        return Rows(indptr, self.indices[positions], self.values[positions])

    def row_of_each(self) -> np.ndarray:
        """The row of each stored value (computed once)."""
        owners: np.ndarray | None = getattr(self, "_owners", None)
        if owners is None:
            owners = np.repeat(np.arange(self.n, dtype=np.int32), np.diff(self.indptr))
            self._owners = owners
        return owners

    def matvec(self, weights: np.ndarray) -> np.ndarray:
        """X @ w."""
        products = self.values * weights[self.indices]
        return np.bincount(self.row_of_each(), weights=products, minlength=self.n)

    def rmatvec(self, residuals: np.ndarray, size: int) -> np.ndarray:
        """X.T @ r."""
        return np.bincount(self.indices, weights=self.values * residuals[self.row_of_each()], minlength=size)


def normalise(text: str) -> str:
    text = _REPEAT.sub(r"\1\1", text.lower())
    return _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), text)


def _bucket(gram: str, size: int) -> int:
    return zlib.crc32(gram.encode("utf-8")) % size


def grams(text: str, *, chars: bool = True) -> tuple[list[str], list[str]]:
    """(word n-grams, character n-grams: none unless `chars`) of one text."""
    tokens = _WORD.findall(normalise(text))
    words = [f"w {t}" for t in tokens] + [f"b {a} {b}" for a, b in itertools.pairwise(tokens)]
    found: list[str] = []
    for token in tokens if chars else ():
        padded = f" {token} "
        for size in CHAR_SIZES:
            found.extend(f"c{padded[i : i + size]}" for i in range(max(1, len(padded) - size + 1)))
    return words, found


def counts(
    texts: list[str], bits: int = BITS, *, chars: bool = True
) -> list[tuple[dict[int, float], dict[int, float]]]:
    """Per text: (word bucket -> sublinear tf, char bucket -> sublinear tf: empty unless `chars`)."""
    size = 1 << bits
    result = []
    for text in texts:
        words, found = grams(text, chars=chars)
        parts = []
        for namespace in (words, found):
            tally = Counter(_bucket(g, size) for g in namespace)
            parts.append({k: 1.0 + float(np.log(v)) for k, v in tally.items()})
        result.append((parts[0], parts[1]))
    return result


def document_frequency(counted: list[tuple[dict[int, float], dict[int, float]]], bits: int = BITS) -> np.ndarray:
    df = np.zeros(1 << bits, dtype=np.float64)
    for words, chars in counted:
        keys = set(words) | set(chars)
        df[np.fromiter(keys, dtype=np.int64, count=len(keys))] += 1
    return df


def idf_from(df: np.ndarray, n: int) -> np.ndarray:
    result: np.ndarray = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    return result


def rows(
    counted: list[tuple[dict[int, float], dict[int, float]]],
    idf: np.ndarray,
    *,
    char_weight: float = 1.0,
    word_weight: float = 1.0,
) -> Rows:
    indptr = [0]
    indices: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for words, chars in counted:
        for part, weight in ((words, word_weight), (chars, char_weight)):
            if not part or weight == 0:
                continue
            keys = np.fromiter(part.keys(), dtype=np.int64, count=len(part))
            tf = np.fromiter(part.values(), dtype=np.float64, count=len(part)) * idf[keys]
            tf *= weight / max(float(np.linalg.norm(tf)), 1e-12)
            indices.append(keys)
            values.append(tf.astype(np.float32))
        indptr.append(indptr[-1] + sum(len(p) for p, w in ((words, word_weight), (chars, char_weight)) if p and w))
    return Rows(
        np.asarray(indptr, dtype=np.int64),
        np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
        np.concatenate(values) if values else np.zeros(0, dtype=np.float32),
    )
