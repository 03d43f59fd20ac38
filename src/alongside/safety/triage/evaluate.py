"""How well the triage guide routes: `python -m alongside.safety.triage.evaluate`.

Measures on the held-out part of `routing_set.csv` (never used for the centroids): accuracy,
precision and recall per destination and a confusion matrix, for the embedding router, for the
keyword fallback, and for what the guide actually does (crisis classifier first, then the router).
Prints message ids, never text. `--min-accuracy 0.8` exits 1 when the guide falls below it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    name: str
    ids: list[str]
    truth: list[str]
    predicted: list[str]  # "unsure" where the router declined

    @property
    def accuracy(self) -> float:
        return sum(t == p for t, p in zip(self.truth, self.predicted, strict=True)) / max(len(self.truth), 1)

    def precision_recall(self, destination: str) -> tuple[float, float, int]:
        pairs = list(zip(self.truth, self.predicted, strict=True))
        hits = sum(t == p == destination for t, p in pairs)
        said = sum(p == destination for _, p in pairs)
        real = sum(t == destination for t, _ in pairs)
        return (hits / said if said else 0.0), (hits / real if real else 0.0), real


def _measure(name: str, examples: Sequence[object], route: Callable[[str], str | None]) -> Scores:
    ids, truth, predicted = [], [], []
    for example in examples:
        ids.append(example.id)  # type: ignore[attr-defined]
        truth.append(example.destination)  # type: ignore[attr-defined]
        predicted.append(route(example.text) or "unsure")  # type: ignore[attr-defined]
    return Scores(name, ids, truth, predicted)


def report(scores: Scores, destinations: Sequence[str]) -> str:
    correct = sum(t == p for t, p in zip(scores.truth, scores.predicted, strict=True))
    lines = [f"## {scores.name}", f"accuracy: {scores.accuracy:.3f} ({correct}/{len(scores.truth)})", ""]
    lines.append(f"{'destination':<16}{'precision':>10}{'recall':>8}{'support':>9}")
    for destination in destinations:
        precision, recall, support = scores.precision_recall(destination)
        lines.append(f"{destination:<16}{precision:>10.3f}{recall:>8.3f}{support:>9}")
    columns = [*destinations, "unsure"]
    short = [c[:8] for c in columns]
    lines += ["", "confusion matrix (rows: true destination, columns: predicted)"]
    lines.append(f"{'':<16}" + "".join(f"{c:>9}" for c in short))
    for destination in destinations:
        row = [
            sum(t == destination and p == c for t, p in zip(scores.truth, scores.predicted, strict=True))
            for c in columns
        ]
        lines.append(f"{destination:<16}" + "".join(f"{n:>9}" for n in row))
    wrong = [f"{i} ({t}->{p})" for i, t, p in zip(scores.ids, scores.truth, scores.predicted, strict=True) if t != p]
    lines += ["", "misrouted ids: " + (", ".join(wrong) if wrong else "none"), ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--min-accuracy", type=float, default=None, help="exit 1 when the guide's accuracy is lower")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
    import django

    django.setup()

    from alongside.safety.classifier import embeddings
    from alongside.safety.triage import routing
    from alongside.safety.triage.destinations import Destination

    destinations = list(Destination.values)
    held_out = routing.held_out_examples()
    training = routing.training_examples()
    print("# Triage guide routing")
    print(
        f"routing set: {len(routing.routing_set())} messages; held out (SHA-256 of the id, "
        f"{routing.HELD_OUT_PERCENT}%): {len(held_out)}; centroids from the other {len(training)}"
    )
    results: list[Scores] = []
    if routing.model_available():
        print(f"embedding model: {embeddings.version()}\n")
        results.append(
            _measure("embedding router (nearest centroid)", held_out, lambda t: routing.route_text(t).destination)
        )
    else:
        print(f"embedding model unavailable ({embeddings.load_error()}): keyword fallback only\n")
    results.append(_measure("keyword fallback", held_out, lambda t: routing.keyword_route(t)[0]))
    everything = list(routing.routing_set())
    results.append(
        _measure("keyword fallback on the whole set, for comparison", everything, lambda t: routing.keyword_route(t)[0])
    )

    def guide_route(text: str) -> str | None:
        return routing.triage(text).destination

    guide = _measure("the guide (crisis classifier first, then the router)", held_out, guide_route)
    results.append(guide)
    for scores in results:
        print(report(scores, destinations))

    # Crisis recall over every crisis message in the set (the classifier never saw them; the router
    # trained on some of them, so the held-out figure above is the router's honest one).
    crisis = [e for e in routing.routing_set() if e.destination == Destination.CRISIS]
    caught = [e.id for e in crisis if routing.triage(e.text).shows_support]
    missed = ", ".join(e.id for e in crisis if e.id not in caught) or "none"
    print(
        f"support panel shown for {len(caught)}/{len(crisis)} crisis messages in the whole set (guide); "
        f"missed: {missed}"
    )
    others = [e for e in held_out if e.destination != Destination.CRISIS]
    alarmed = [e.id for e in others if routing.triage(e.text).shows_support]
    print(
        f"support panel shown for {len(alarmed)}/{len(others)} held-out non-crisis messages: "
        f"{', '.join(alarmed) or 'none'}"
    )
    print("(the keyword cues were written with the whole set in view: the fallback's figure is optimistic)")

    # As it runs when the model cannot load: the classifier's patterns alone, then the keywords.
    from django.conf import settings

    settings.SAFETY_MODEL_ENABLED = False
    embeddings.reset()
    offline = _measure("the guide without the model (patterns, then keywords)", held_out, guide_route)
    print()
    print(report(offline, destinations))
    caught_offline = [e.id for e in crisis if routing.triage(e.text).shows_support]
    print(
        f"support panel shown for {len(caught_offline)}/{len(crisis)} crisis messages in the whole set "
        f"(guide without the model); missed: {', '.join(e.id for e in crisis if e.id not in caught_offline) or 'none'}"
    )

    if args.min_accuracy is not None and guide.accuracy < args.min_accuracy:
        print(f"FAIL: the guide's accuracy {guide.accuracy:.3f} is below {args.min_accuracy}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
