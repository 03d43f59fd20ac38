"""Measure the toxicity signal on the held-out split (`make eval-moderation`).

The held-out split is TweetEval's offensive validation split (1,324 tweets): training and the
choice of threshold never saw it. Printed, each as precision, recall and F1 of "offensive" at its
own threshold: alt-profanity-check (the baseline; a dev dependency), MiniLM + logistic regression
(refitted here in about a second, threshold on the tuning slice), and the shipped head as pinned.
With `--attempts`, every training attempt refitted and measured too. Tweets are real people's
words: only figures are printed, never text.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from alongside.moderation.toxicity import model, train


def _line(name: str, y: np.ndarray, predicted: np.ndarray, note: str = "") -> str:
    precision, recall, f1 = train.precision_recall_f1(y, predicted)
    return f"{name} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {int(predicted.sum())}{note}"


def baseline(texts: list[str]) -> np.ndarray | None:
    """alt-profanity-check's probabilities, or None when it is not installed (it is a dev dependency)."""
    try:
        from profanity_check import predict_prob  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        return None
    result: np.ndarray = np.asarray(predict_prob(texts), dtype=np.float64)
    return result


def main(report: Callable[[str], None] = print, *, attempts: bool = False) -> None:
    data = train.load()
    held = data.index("heldout")
    y = data.y[held]
    texts = [data.examples[i].text for i in held]
    report(f"Held-out split: TweetEval offensive validation, {len(y)} tweets, {int(y.sum())} offensive")
    report("")
    report("model | precision | recall | F1 | flagged")
    scores = baseline(texts)
    if scores is None:
        report("alt-profanity-check | not installed (make install-dev)")
    else:
        report(_line("alt-profanity-check (its own 0.5)", y, scores >= 0.5))
        tune = data.index("tune")
        tune_scores = baseline([data.examples[i].text for i in tune])
        if tune_scores is not None:
            limit = train.best_threshold(data.y[tune], tune_scores)
            report(_line("alt-profanity-check (threshold on tune)", y, scores >= limit, f" (t={limit:.3f})"))
    reference = train.fit_attempt(data, train.REFERENCE)
    ref_scores = train.probabilities(reference, data, held)
    report(_line(f"{train.REFERENCE.name}", y, ref_scores >= reference.threshold, f" (t={reference.threshold:.3f})"))
    head = model.load_head()
    vectors = data.vectors(head["encoder"])[held] if head["uses_embeddings"] else None
    shipped = model.sigmoid(model.logits_with(head, texts, vectors=vectors, cleaned=True))
    limit = float(head["threshold"])
    report(_line(f"shipped {head['version']}", y, shipped >= limit, f" (t={limit:.3f})"))
    report("")
    report(f"Shipped head, average precision {_average_precision(y, shipped):.3f}; at other thresholds:")
    for value in (0.3, 0.4, 0.5, 0.6, 0.7):
        report(_line(f"  t={value:.1f}", y, shipped >= value))
    if attempts:
        report("")
        report("attempt | tune F1 | held-out precision | recall | F1 | flagged")
        for attempt in train.ATTEMPTS:
            fitted = train.fit_attempt(data, attempt)
            predicted = train.probabilities(fitted, data, held) >= fitted.threshold
            report(
                _line(f"{attempt.name} (tune F1 {fitted.tune[2]:.3f})", y, predicted, f" (t={fitted.threshold:.3f})")
            )


def _average_precision(y: np.ndarray, scores: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")
    hits = y[order]
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision_at * hits).sum() / max(1.0, float(hits.sum())))
