"""Train the toxicity head and choose its threshold on the tuning slice (`make moderation-train`).

Every attempt is fitted on the `fit` part (80% of TweetEval's train split, by hash; Davidson's
tweets added where the attempt says so) and judged on the `tune` part (the other 20%): its
threshold is the one with the best F1 there. Attempts read the published MiniLM or the one
fine-tuned on `fit` (`tools/finetune_encoder.py --task toxicity`). The chosen attempt is the best
tune F1. The held-out split (TweetEval's validation split) is never read here: `evaluate.py`
measures it. The tweets are real people's words: nothing here prints or stores their text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from alongside.core import ngrams
from alongside.core.files import sha256_of
from alongside.moderation.toxicity import dataset, model
from alongside.safety.services.embeddings import PUBLISHED, TOXICITY

DIM = 384


@dataclass(frozen=True)
class Attempt:
    name: str
    embeddings: bool = True  # MiniLM sentence embedding
    encoder: str = PUBLISHED  # which MiniLM: as published, or fine-tuned on `fit` (TOXICITY)
    ngrams: bool = False  # hashed word + character n-grams
    davidson: float = 0.0  # weight of each Davidson row (0: not used)
    l2: float = 1.0
    dense_scale: float = 1.0
    char_weight: float = 1.0
    word_weight: float = 1.0


@dataclass
class Fitted:
    attempt: Attempt
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    threshold: float = 0.5
    tune: tuple[float, float, float] = (0.0, 0.0, 0.0)  # precision, recall, F1 on the tuning slice


ATTEMPTS = (
    Attempt("MiniLM + LR, l2=1", l2=1.0),
    Attempt("MiniLM + LR, l2=3", l2=3.0),
    Attempt("MiniLM + LR + Davidson x0.3, l2=3", l2=3.0, davidson=0.3),
    Attempt("n-grams + LR, l2=1", embeddings=False, ngrams=True, l2=1.0),
    Attempt("MiniLM + n-grams, l2=1", ngrams=True, l2=1.0),
    Attempt("MiniLM + n-grams, l2=3", ngrams=True, l2=3.0),
    Attempt("MiniLM x3 + n-grams, l2=3", ngrams=True, l2=3.0, dense_scale=3.0),
    Attempt("MiniLM + n-grams + Davidson x0.3, l2=1", ngrams=True, l2=1.0, davidson=0.3),
    Attempt("fine-tuned MiniLM + LR, l2=1", encoder=TOXICITY, l2=1.0),
    Attempt("fine-tuned MiniLM + LR, l2=10", encoder=TOXICITY, l2=10.0),
    Attempt("fine-tuned MiniLM + n-grams, l2=1", encoder=TOXICITY, ngrams=True, l2=1.0),
    Attempt("fine-tuned MiniLM + n-grams, l2=3", encoder=TOXICITY, ngrams=True, l2=3.0),
    Attempt("fine-tuned MiniLM x3 + n-grams, l2=3", encoder=TOXICITY, ngrams=True, l2=3.0, dense_scale=3.0),
)
# The plain MiniLM + logistic regression reference that `make eval-moderation` prints.
REFERENCE = ATTEMPTS[0]


# -- logistic regression ---------------------------------------------------------------------------


def fit_logistic(
    sparse: ngrams.Rows | None,
    dense: np.ndarray | None,
    y: np.ndarray,
    *,
    size: int,
    l2: float,
    weight: np.ndarray | None = None,
    iterations: int = 300,
    memory: int = 10,
    tolerance: float = 1e-6,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted, L2-regularised logistic regression on [sparse | dense] by L-BFGS (the bias is not
    regularised). Returns (sparse weights, dense weights, bias)."""
    n = len(y)
    weight = np.ones(n) if weight is None else weight
    sparse_size = size if sparse is not None else 0
    dense_size = dense.shape[1] if dense is not None else 0
    dim = sparse_size + dense_size + 1

    def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = np.full(n, theta[-1])
        if sparse is not None:
            z += sparse.matvec(theta[:sparse_size])
        if dense is not None:
            z += dense @ theta[sparse_size:-1]
        p = model.sigmoid(z)
        loss = -float((weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum())
        loss += 0.5 * l2 * float((theta[:-1] ** 2).sum())
        residual = weight * (p - y)
        gradient = np.zeros(dim)
        if sparse is not None:
            gradient[:sparse_size] = sparse.rmatvec(residual, sparse_size)
        if dense is not None:
            gradient[sparse_size:-1] = dense.T @ residual
        gradient[-1] = residual.sum()
        gradient[:-1] += l2 * theta[:-1]
        return loss, gradient

    theta = np.zeros(dim)
    loss, gradient = loss_and_gradient(theta)
    steps: list[tuple[np.ndarray, np.ndarray]] = []
    for _ in range(iterations):
        direction = -_two_loop(gradient, steps)
        rate = 1.0
        while True:
            candidate = theta + rate * direction
            new_loss, new_gradient = loss_and_gradient(candidate)
            if new_loss <= loss + 1e-4 * rate * float(gradient @ direction) or rate < 1e-10:
                break
            rate *= 0.5
        s, change = candidate - theta, new_gradient - gradient
        if float(change @ s) > 1e-10:
            steps.append((s, change))
            steps = steps[-memory:]
        previous, theta, loss, gradient = loss, candidate, new_loss, new_gradient
        if abs(previous - loss) < tolerance * max(1.0, abs(loss)):
            break
    return theta[:sparse_size], theta[sparse_size:-1], float(theta[-1])


def _two_loop(gradient: np.ndarray, steps: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """L-BFGS: the inverse Hessian estimate times the gradient."""
    q = gradient.copy()
    alphas = []
    for s, change in reversed(steps):
        rho = 1.0 / float(change @ s)
        alpha = rho * float(s @ q)
        q -= alpha * change
        alphas.append((rho, alpha, s, change))
    if steps:
        s, change = steps[-1]
        q *= float(s @ change) / float(change @ change)
    else:
        q /= max(float(np.linalg.norm(gradient)), 1.0)
    for rho, alpha, s, change in reversed(alphas):
        beta = rho * float(change @ q)
        q += s * (alpha - beta)
    return q


# -- measuring -------------------------------------------------------------------------------------


def precision_recall_f1(y: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    true_positive = float((predicted & (y == 1)).sum())
    precision = true_positive / max(1.0, float(predicted.sum()))
    recall = true_positive / max(1.0, float((y == 1).sum()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_threshold(y: np.ndarray, scores: np.ndarray) -> float:
    """The threshold with the best F1 (ties: the higher threshold, fewer flags)."""
    candidates = np.unique(np.round(scores, 4))
    best = max(candidates, key=lambda t: (precision_recall_f1(y, scores >= t)[2], t))
    return float(best)


# -- data ------------------------------------------------------------------------------------------


@dataclass
class Data:
    examples: list[dataset.Example]
    y: np.ndarray
    counted: list[tuple[dict[int, float], dict[int, float]]]
    part: np.ndarray
    source: np.ndarray
    _vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def index(self, part: str, *, davidson: bool = False) -> np.ndarray:
        wanted = (self.part == part) & ((self.source == "tweeteval") | davidson)
        return np.flatnonzero(wanted)

    def vectors(self, encoder: str) -> np.ndarray:
        """Every example's embedding by the named encoder (computed on first use, cached on disk)."""
        if encoder not in self._vectors:
            self._vectors[encoder] = dataset.embeddings_for(self.examples, encoder).astype(np.float64)
        return self._vectors[encoder]


def load() -> Data:
    examples = dataset.load_all()
    return Data(
        examples=examples,
        y=np.asarray([e.label for e in examples], dtype=np.float64),
        counted=ngrams.counts([e.text for e in examples]),
        part=np.asarray([e.part for e in examples]),
        source=np.asarray([e.source for e in examples]),
    )


def fit_attempt(data: Data, attempt: Attempt) -> Fitted:
    """Fit on `fit` (plus Davidson if asked); the threshold with the best F1 on `tune`."""
    rows = data.index("fit", davidson=attempt.davidson > 0)
    weight = np.where(data.source[rows] == "davidson", attempt.davidson, 1.0)
    arrays: dict[str, np.ndarray] = {}
    sparse = None
    size = 1 << ngrams.BITS
    if attempt.ngrams:
        df = ngrams.document_frequency([data.counted[i] for i in rows])
        idf = ngrams.idf_from(df, len(rows))
        sparse = ngrams.rows(
            [data.counted[i] for i in rows], idf, char_weight=attempt.char_weight, word_weight=attempt.word_weight
        )
        arrays.update(
            idf=idf,
            bits=np.asarray(ngrams.BITS),
            char_weight=np.asarray(attempt.char_weight, dtype=np.float32),
            word_weight=np.asarray(attempt.word_weight, dtype=np.float32),
        )
    dense = data.vectors(attempt.encoder)[rows] * attempt.dense_scale if attempt.embeddings else None
    sparse_weights, dense_weights, bias = fit_logistic(
        sparse, dense, data.y[rows], size=size, l2=attempt.l2, weight=weight
    )
    if attempt.ngrams:
        arrays["sparse_weights"] = sparse_weights.astype(np.float32)
    if attempt.embeddings:
        arrays["dense_weights"] = dense_weights.astype(np.float32)
        arrays["dense_scale"] = np.asarray(attempt.dense_scale, dtype=np.float32)
        arrays["encoder"] = np.asarray(attempt.encoder)
    arrays["bias"] = np.asarray([bias], dtype=np.float32)
    fitted = Fitted(attempt, arrays)
    tune = data.index("tune")
    scores = probabilities(fitted, data, tune)
    fitted.threshold = best_threshold(data.y[tune], scores)
    fitted.tune = precision_recall_f1(data.y[tune], scores >= fitted.threshold)
    fitted.arrays["threshold"] = np.asarray(fitted.threshold, dtype=np.float32)
    return fitted


def probabilities(fitted: Fitted, data: Data, rows: np.ndarray) -> np.ndarray:
    texts = [data.examples[i].text for i in rows]
    vectors = data.vectors(fitted.attempt.encoder)[rows] if fitted.attempt.embeddings else None
    logits = model.logits_with(model.head_from(fitted.arrays), texts, vectors=vectors, cleaned=True)
    return model.sigmoid(logits)


def save(fitted: Fitted) -> str:
    """Write the head and pin its SHA-256; returns the hash."""
    model.DATA_DIR.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(model.HEAD_PATH, **fitted.arrays)  # type: ignore[arg-type]
    digest = sha256_of(model.HEAD_PATH)
    attempt = fitted.attempt
    pins = {
        "head": {
            "sha256": digest,
            "attempt": attempt.name,
            "features": "+".join(
                name for name, on in (("minilm", attempt.embeddings), ("ngrams", attempt.ngrams)) if on
            ),
            "encoder": attempt.encoder if attempt.embeddings else "",
            "l2": attempt.l2,
            "davidson_weight": attempt.davidson,
            "threshold": round(fitted.threshold, 4),
            "tune_precision_recall_f1": [round(v, 4) for v in fitted.tune],
        }
    }
    model.MANIFEST_PATH.write_text(json.dumps(pins, indent=2) + "\n", encoding="utf-8")
    model.reset()
    return digest


def main(report: Callable[[str], None] = print, *, attempts: tuple[Attempt, ...] = ATTEMPTS) -> Fitted:
    data = load()
    report("attempt | tune precision | tune recall | tune F1 | threshold")
    fitted = []
    for attempt in attempts:
        result = fit_attempt(data, attempt)
        precision, recall, f1 = result.tune
        report(f"{attempt.name} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {result.threshold:.3f}")
        fitted.append(result)
    best = max(fitted, key=lambda f: f.tune[2])
    digest = save(best)
    report(f"chosen: {best.attempt.name}, threshold {best.threshold:.3f}, head sha256 {digest[:12]}")
    return best
