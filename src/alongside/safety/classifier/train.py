"""Train the crisis head on the labelled posts and choose its thresholds on the validation split.

`python manage.py safety_train` writes `safety/data/crisis_head.npz` and pins its
SHA-256 in `safety/data/manifest.json`. It also prints every attempt tried (docs/safety.md,
"Attempts"), each measured on the validation split only: the held-out split is read by
`evaluate.py` alone. Posts are real people's words: nothing here prints or stores their text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from alongside.core.files import sha256_of
from alongside.safety.classifier import dataset, embeddings, model, patterns
from alongside.safety.enums import AssessContext, RiskLevel

RECALL_TARGET = 0.95
# Below the crisis threshold, `high` and `concern` catch most of the crisis posts it missed (on validation).
HIGH_RECALL = 0.98
CONCERN_RECALL = 0.995


@dataclass
class Split:
    x: np.ndarray
    y: np.ndarray
    ids: list[str]


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float, iterations: int = 30) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (the bias is not regularised)."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1), dtype=np.float64)])
    weights = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = model.sigmoid(design @ weights)
        gradient = design.T @ (p - y) + penalty * weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-6:
            break
    return weights[:-1], float(weights[-1])


def average_precision(y: np.ndarray, scores: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")
    hits = y[order]
    if hits.sum() == 0:
        return 0.0
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision_at * hits).sum() / hits.sum())


def threshold_for_recall(y: np.ndarray, scores: np.ndarray, recall: float) -> float:
    """The highest threshold that keeps at least `recall` of the positives at or above it."""
    positives = np.sort(scores[y == 1])[::-1]
    keep = int(np.ceil(recall * len(positives)))
    return float(positives[max(keep, 1) - 1])


def precision_recall_at(y: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[float, float]:
    predicted = scores >= threshold
    true_positive = float((predicted & (y == 1)).sum())
    precision = true_positive / max(1.0, float(predicted.sum()))
    recall = true_positive / max(1.0, float((y == 1).sum()))
    return precision, recall


def pattern_levels(posts: list[dataset.Post]) -> list[RiskLevel]:
    return [patterns.level_of(patterns.find(post.text, AssessContext.POST)) for post in posts]


def build(posts: list[dataset.Post], chunks: list[np.ndarray], levels: list[RiskLevel], kind: str) -> np.ndarray:
    rows = []
    for vectors, level in zip(chunks, levels, strict=True):
        row = model.features(vectors[: model.MAX_CHUNKS], level)
        if kind == "mean":
            row = np.concatenate([row[: embeddings.DIM], np.zeros(embeddings.DIM + 4, dtype=np.float32)])
        elif kind == "mean+max":
            row = np.concatenate([row[: 2 * embeddings.DIM], np.zeros(4, dtype=np.float32)])
        rows.append(row)
    return np.asarray(rows, dtype=np.float64)


def splits(kind: str) -> tuple[dict[str, Split], list[dataset.Post]]:
    posts = dataset.load_posts()
    chunks = dataset.chunk_embeddings(posts)
    levels = pattern_levels(posts)
    x = build(posts, chunks, levels, kind)
    y = np.asarray([1.0 if post.crisis else 0.0 for post in posts])
    result = {}
    for part in ("train", "validation", "test"):
        index = [i for i, post in enumerate(posts) if post.split == part]
        result[part] = Split(x[index], y[index], [posts[i].id for i in index])
    return result, posts


def attempts() -> list[tuple[str, float, float, float]]:
    """(attempt, validation AP, precision at 95% recall, l2) for each feature set and penalty."""
    rows = []
    for kind in ("mean", "mean+max", "mean+max+patterns"):
        parts, _posts = splits(kind)
        for l2 in (0.1, 0.3, 1.0, 3.0, 10.0):
            weights, bias = fit_logistic(parts["train"].x, parts["train"].y, l2=l2)
            scores = model.sigmoid(parts["validation"].x @ weights + bias)
            threshold = threshold_for_recall(parts["validation"].y, scores, RECALL_TARGET)
            precision, _recall = precision_recall_at(parts["validation"].y, scores, threshold)
            rows.append((f"{kind}, l2={l2:g}", average_precision(parts["validation"].y, scores), precision, l2))
    return rows


def out_of_fold(x: np.ndarray, y: np.ndarray, *, l2: float, folds: int = 5) -> np.ndarray:
    """Each row's score from a model that did not see it (the rows are already in a fixed order)."""
    scores = np.zeros(len(y))
    fold_of = np.arange(len(y)) % folds
    for fold in range(folds):
        weights, bias = fit_logistic(x[fold_of != fold], y[fold_of != fold], l2=l2)
        scores[fold_of == fold] = model.sigmoid(x[fold_of == fold] @ weights + bias)
    return scores


def train(kind: str = "mean+max+patterns", l2: float = 10.0) -> dict[str, float]:
    """The head on train + validation; thresholds from out-of-fold scores over both (205 crisis
    posts rather than validation's 62: a threshold chosen on 62 alone kept only 87% on held-out)."""
    parts, _posts = splits(kind)
    x = np.vstack([parts["train"].x, parts["validation"].x])
    y = np.concatenate([parts["train"].y, parts["validation"].y])
    scores = out_of_fold(x, y, l2=l2)
    weights, bias = fit_logistic(x, y, l2=l2)
    thresholds = {
        "t_crisis": threshold_for_recall(y, scores, RECALL_TARGET),
        "t_high": threshold_for_recall(y, scores, HIGH_RECALL),
        "t_concern": threshold_for_recall(y, scores, CONCERN_RECALL),
    }
    thresholds["t_high"] = min(thresholds["t_high"], thresholds["t_crisis"])
    thresholds["t_concern"] = min(thresholds["t_concern"], thresholds["t_high"])
    arrays: dict[str, np.ndarray] = {
        "weights": weights.astype(np.float32),
        "bias": np.asarray([bias], dtype=np.float32),
    }
    arrays.update({name: np.asarray(value, dtype=np.float32) for name, value in thresholds.items()})
    np.savez(model.HEAD_PATH, **arrays)  # type: ignore[arg-type]
    manifest = embeddings.manifest()
    manifest["head"] = {"sha256": sha256_of(model.HEAD_PATH), "features": kind, "l2": l2}
    embeddings.MANIFEST_PATH.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return {**thresholds, "validation_ap": average_precision(y, scores)}


def main(report: Callable[[str], None] = print) -> None:
    report("attempt | validation AP | precision at 95% recall")
    tried = attempts()
    for name, ap, precision, _l2 in tried:
        report(f"{name} | {ap:.3f} | {precision:.3f}")
    # Chosen by the target itself, on validation: precision at 95% crisis recall (then AP).
    best = max(tried, key=lambda row: (row[2], row[1]))
    kind, l2 = best[0].split(", l2=")[0], best[3]
    report(f"chosen: {kind}, l2={l2:g} -> {train(kind, l2)}")
