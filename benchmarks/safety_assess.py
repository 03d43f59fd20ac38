"""What the crisis classifier costs per message, on this machine (docs/safety.md, "Cost").

    PYTHONPATH=src .venv/bin/python benchmarks/safety_assess.py [--runs 2000]

Times, over the same 300-character message and a 1,200-character post, one after another:
- the reference: `core.screening.normalise` plus one plain regular-expression scan (what any
  screening of the text costs at the least);
- `assess_patterns` (the pattern layer, which always answers in the request);
- `assess` (patterns plus the model: tokenising, the int8 encoder on one thread, the head);
and the model's load time and the process's memory before and after loading it.
Prints a markdown table: median and 99th percentile in milliseconds, and each as a multiple of the
reference. Timings are never asserted (the test suite has none).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")

MESSAGE = (
    "I've had a really rough week. Work has been piling up and I haven't slept properly since Monday. "
    "My sister called and I didn't pick up because I couldn't face talking. I keep telling myself it'll "
    "pass, but tonight everything feels heavy and I don't really know what to do with myself anymore."
)[:300]
POST = (MESSAGE + " ") * 4


def _timed(function: Callable[[], object], runs: int) -> list[float]:
    for _ in range(min(20, runs)):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _p99(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.99) - 1]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()

    import django

    django.setup()
    from alongside.core.screening import normalise
    from alongside.safety.classifier import assess, assess_patterns, embeddings, model

    scan = re.compile(r"\b(?:die|kill|suicide|hurt)\b")
    before = _rss_mb()
    started = time.perf_counter()
    loaded = model.status()["loaded"]
    load_seconds = time.perf_counter() - started
    after = _rss_mb()
    rows: list[tuple[str, list[float]]] = []
    rows.append(
        (
            "reference: normalise + one regex scan (300 chars)",
            _timed(lambda: scan.search(normalise(MESSAGE)), args.runs),
        )
    )
    rows.append(("assess_patterns, 300 chars", _timed(lambda: assess_patterns(MESSAGE), args.runs)))
    rows.append(("assess_patterns, 1,200 chars", _timed(lambda: assess_patterns(POST), args.runs)))
    if loaded:
        model_runs = max(50, args.runs // 10)
        rows.append(("assess (patterns + model), 300 chars", _timed(lambda: assess(MESSAGE), model_runs)))
        rows.append(("assess (patterns + model), 1,200 chars", _timed(lambda: assess(POST), model_runs)))
    reference = statistics.median(rows[0][1])
    print(
        f"Crisis classifier, {os.cpu_count()} CPUs, model {'loaded' if loaded else 'NOT loaded'} "
        f"({model.version() or model.status()['error']})"
    )
    print()
    print("| what | runs | median ms | p99 ms | median vs reference |")
    print("|---|---|---|---|---|")
    for name, samples in rows:
        median = statistics.median(samples)
        print(f"| {name} | {len(samples)} | {median:.3f} | {_p99(samples):.3f} | {median / reference:.0f}x |")
    print()
    print(
        f"Model load (encoder + head, first use): {load_seconds:.2f} s; "
        f"peak memory {before:.0f} MB before, {after:.0f} MB after; "
        f"encoder {embeddings.manifest()[embeddings.CRISIS]['id']}"
    )


if __name__ == "__main__":
    main()
