"""Measure the crisis classifier on the held-out split and on the hand-made cases (`make eval-safety`).

The held-out split (20% of the posts, fixed by the hash of each text) is read here only: training
and threshold choice never saw it. Printed: precision, recall and F1 per level (each level and
above, against "the post is from the crisis community"), average precision, precision at the
crisis threshold, the confusion matrix of levels, and the 20 worst errors as ids and scores, never
text; then the accuracy on the hand-made cases and how responders closed live risk events.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np

from alongside.safety.classifier import assess, assess_patterns, model, train
from alongside.safety.enums import AssessContext, RiskLevel

CASES = Path(__file__).resolve().parents[1] / "tests" / "cases" / "crisis_cases.csv"
LEVELS = (RiskLevel.NONE, RiskLevel.CONCERN, RiskLevel.HIGH, RiskLevel.CRISIS)


def load_cases(path: Path = CASES) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row.get("text", "").strip()]


def case_accuracy(cases: list[dict[str, str]], *, patterns_only: bool = False) -> tuple[float, float, list[str]]:
    """(exact level agreement, agreement on "high or crisis" vs not, ids of the misses)."""
    exact = alarm = 0
    misses = []
    for case in cases:
        read = assess_patterns if patterns_only else assess
        level = read(case["text"], context=AssessContext(case["context"])).level
        expected = RiskLevel(case["expected"])
        exact += level == expected
        alarm += level.shows_support == expected.shows_support
        if level != expected:
            misses.append(f"{case['id']}: expected {expected}, got {level}")
    return exact / len(cases), alarm / len(cases), misses


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main(report: Callable[[str], None] = print) -> None:
    test = train.splits()["test"]
    head = model._load_head()
    scores = train.scores_of(head, test)
    pattern_rank = test.x[:, -4:].argmax(axis=1)  # the pattern level is the features' one-hot tail
    levels = []
    for probability, rank in zip(scores, pattern_rank, strict=True):
        model_level = model.level_for(float(probability), head)  # held-out posts are long
        levels.append(max(model_level, LEVELS[rank], key=lambda level: level.rank))
    y = test.y.astype(int)
    report(f"Held-out split: {len(y)} posts, {int(y.sum())} from the crisis community ({model.version()})")
    report(f"Average precision (model score): {train.average_precision(test.y, scores):.3f}")
    report("")
    report("level and above | precision | recall | F1 | flagged")
    for level in LEVELS[1:]:
        predicted = np.asarray([lv.rank >= level.rank for lv in levels])
        true_positive = int((predicted & (y == 1)).sum())
        precision = true_positive / max(1, int(predicted.sum()))
        recall = true_positive / max(1, int(y.sum()))
        report(f"{level} | {precision:.3f} | {recall:.3f} | {_f1(precision, recall):.3f} | {int(predicted.sum())}")
    patterns_alone = pattern_rank >= RiskLevel.HIGH.rank
    tp, flagged = int((patterns_alone & (y == 1)).sum()), int(patterns_alone.sum())
    report(
        f"patterns alone, high and above | {tp / max(1, flagged):.3f} | {tp / max(1, int(y.sum())):.3f} | - | {flagged}"
    )
    report("")
    report("confusion (rows: crisis community or not; columns: none, concern, high, crisis)")
    for label, truth in (("crisis community", 1), ("other communities", 0)):
        counts = [sum(1 for lv, t in zip(levels, y, strict=True) if t == truth and lv == level) for level in LEVELS]
        report(f"{label} | " + " | ".join(str(count) for count in counts))
    report("")
    report("20 worst errors (id, truth, score, level):")
    wrongness = np.where(y == 1, 1 - scores, scores)
    for index in np.argsort(-wrongness)[:20]:
        label = "crisis" if y[index] else "other"
        report(f"{test.ids[index]} | {label} | {scores[index]:.4f} | {levels[index]}")
    report("")
    cases = load_cases()
    exact, alarm, misses = case_accuracy(cases)
    p_exact, p_alarm, _ = case_accuracy(cases, patterns_only=True)
    report(f"Hand-made cases: {len(cases)}; exact level {exact:.3f}, high-or-crisis agreement {alarm:.3f}")
    report(f"  patterns alone: exact level {p_exact:.3f}, high-or-crisis agreement {p_alarm:.3f}")
    for miss in misses:
        report(f"  miss {miss}")


def responder_verdicts(report: Callable[[str], None] = print) -> None:
    """How responders closed live events, by source and level (false alarms feed this)."""
    from alongside.safety.selectors import responder_verdicts as verdicts

    rows = verdicts()
    report("Live risk events closed by responders (source/level: handled, false alarm):")
    for key, counts in sorted(rows.items()):
        report(f"  {key}: {counts['handled']} handled, {counts['false_alarm']} false alarms")
    if not rows:
        report("  none yet")
