"""Which destination fits what someone wrote in the triage guide.

1. The crisis classifier reads the text first (`assess(..., context=TRIAGE)`): at a level that shows
   support, or when one of the guide's own crisis phrases (`cues.py`, "harm") is there, the
   destination is the crisis panel, whatever else the text says.
2. Otherwise, with the embedding model: nearest centroid. Each destination's centroid is the mean of
   the (L2-normalised) embeddings of its training messages in `routing_set.csv`, computed once per
   process; a message goes to the destination whose centroid is closest (cosine similarity). The
   router's own "crisis" counts too: recall first. When the closest centroid is not close
   (MIN_SIMILARITY) or barely closer than the next (MIN_MARGIN), the router is not sure: "hello",
   "banana" or "not sure" must not land anywhere in particular, least of all on the crisis panel.
3. Without the model, or when it is not sure: the summed weights of the keyword cues (`cues.py`);
   nothing matched means "not sure", and the guide then asks which of its options is closest.

The set is split once and for all by the SHA-256 of each message's id: about 30% is held out for
`evaluate`, the rest are the centroids' training messages.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from alongside.safety.classifier import assess, embeddings
from alongside.safety.enums import AssessContext, RiskLevel
from alongside.safety.triage.cues import cues_in, keyword_scores
from alongside.safety.triage.destinations import Destination

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

ROUTING_SET = Path(__file__).with_name("routing_set.csv")
HELD_OUT_PERCENT = 30
# The router is not sure below this cosine similarity to the closest centroid, or when the closest is
# less than MIN_MARGIN ahead of the next. Every held-out message it routes correctly is at 0.31 or
# more; greetings and stray words ("test", "banana") sit at 0.15-0.28, often with no margin at all.
MIN_SIMILARITY = 0.3
MIN_MARGIN = 0.02
HARM_CUE = "harm"  # cues.py: phrases of self-harm, suicide or danger (never quoted back)

Method = Literal["embeddings", "keywords", "choice"]


@dataclass(frozen=True)
class Example:
    id: str
    destination: str
    text: str

    @property
    def held_out(self) -> bool:
        return is_held_out(self.id)


def is_held_out(example_id: str) -> bool:
    """The fixed split: a message is held out when its id's SHA-256, read as a number, falls in the
    first HELD_OUT_PERCENT of a hundred buckets. Never changes when messages are added."""
    bucket = int(hashlib.sha256(example_id.encode()).hexdigest()[:8], 16) % 100
    return bucket < HELD_OUT_PERCENT


@functools.cache
def routing_set() -> tuple[Example, ...]:
    with ROUTING_SET.open(newline="", encoding="utf-8") as handle:
        rows = [
            Example(row["id"], Destination(row["destination"]).value, row["text"]) for row in csv.DictReader(handle)
        ]
    return tuple(rows)


def training_examples() -> list[Example]:
    return [example for example in routing_set() if not example.held_out]


def held_out_examples() -> list[Example]:
    return [example for example in routing_set() if example.held_out]


@dataclass(frozen=True)
class Centroids:
    destinations: tuple[str, ...]
    matrix: npt.NDArray[np.float32]  # one L2-normalised row per destination


def centroids_of(examples: list[Example]) -> Centroids:
    """Each destination's mean embedding over `examples`, normalised again."""
    import numpy as np

    vectors = embeddings.embed([example.text for example in examples])
    destinations = tuple(d for d in Destination.values if any(e.destination == d for e in examples))
    rows = []
    for destination in destinations:
        mean = vectors[[i for i, e in enumerate(examples) if e.destination == destination]].mean(axis=0)
        rows.append(mean / (np.linalg.norm(mean) or 1.0))
    return Centroids(destinations, np.asarray(rows, dtype=np.float32))


@functools.cache
def training_centroids() -> Centroids:
    """Computed from the training messages once per process (about a second on a laptop CPU)."""
    return centroids_of(training_examples())


@dataclass(frozen=True)
class Route:
    """Where the guide suggests going, and why."""

    destination: str | None  # None: not sure (no cue and no close centroid)
    method: Method
    scores: dict[str, float] = field(default_factory=dict)
    cues: tuple[str, ...] = ()  # cue keys found in the text, for the explanation
    risk: str = RiskLevel.NONE  # the crisis classifier's level

    @property
    def shows_support(self) -> bool:
        return self.destination == Destination.CRISIS or RiskLevel(self.risk).shows_support


def model_available() -> bool:
    return bool(embeddings.available())


def model_unavailable_reason() -> str:
    return embeddings.load_error()


def embedding_route(text: str, centroids: Centroids | None = None) -> tuple[str | None, dict[str, float]]:
    """The nearest centroid to `text` and every similarity (needs the model)."""
    centroids = centroids or training_centroids()
    vector = embeddings.embed([text])[0]
    similarities = centroids.matrix @ vector
    scores = {d: round(float(s), 4) for d, s in zip(centroids.destinations, similarities, strict=True)}
    ranked = sorted(scores.values(), reverse=True)
    best = max(scores, key=lambda d: scores[d])
    sure = ranked[0] >= MIN_SIMILARITY and (len(ranked) < 2 or ranked[0] - ranked[1] >= MIN_MARGIN)
    return (best if sure else None), scores


def keyword_route(text: str) -> tuple[str | None, dict[str, float]]:
    """The destination with the most cue weight, or None when no cue matched."""
    scores = keyword_scores(text)
    best = max(scores, key=lambda d: scores[d])
    return (best if scores[best] > 0 else None), scores


def route_text(text: str, *, use_model: bool = True) -> Route:
    """The router alone (no crisis classifier): the model when it is there, else the keywords."""
    keys = tuple(cue.key for cue in cues_in(text))
    if use_model and model_available():
        try:
            destination, scores = embedding_route(text)
        except embeddings.ModelUnavailableError:
            pass  # it went away between the check and the call: the keywords still answer
        else:
            if destination is not None or not keys:
                return Route(destination, "embeddings", scores, keys)
    destination, scores = keyword_route(text)
    return Route(destination, "keywords", scores, keys)


def triage(text: str, *, use_model: bool = True) -> Route:
    """The crisis classifier first, then the router (see the module's docstring). `use_model=False`
    routes with the keywords, as when the model is unavailable (the classifier still reads first)."""
    assessment = assess(text, context=AssessContext.TRIAGE)
    level = RiskLevel(assessment.level)
    routed = route_text(text, use_model=use_model)
    # Recall first: an overdose the classifier reads as nothing ("I took too many of my tablets")
    # still puts the panel first when the guide's own harm phrases are there.
    crisis = level.shows_support or HARM_CUE in routed.cues
    destination = Destination.CRISIS.value if crisis else routed.destination
    return Route(destination, routed.method, routed.scores, routed.cues, level.value)


def chosen(destination: str) -> Route:
    """Someone picked a destination themselves instead of writing."""
    return Route(Destination(destination).value, "choice")
