"""Communities that might fit what someone wrote to the triage guide.

The candidates are the communities listed to this person (`communities.selectors.community_directory`:
public and private ones, and hidden ones they belong to; the same for a signed-out visitor, minus
anything of their own). They are ranked by the cosine similarity between the person's words and
each community's name and description; without the embedding model, by the words they share. The
words are used for this one ranking and never kept: the guide stores only the communities' ids.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from alongside.communities import selectors as community_selectors
from alongside.safety.classifier import embeddings

SHOWN = 3
# Which communities fit (cosine similarity, all-MiniLM-L6-v2; from hand-made pairs in the tests: a
# fitting community sits at 0.3-0.7, loosely related ones at 0.2-0.35): at least MIN_SIMILARITY and
# within WITHIN of the best. When the guide suggests something else first, only close ones (STRONG)
# are mentioned beside it. The word-overlap fallback has its own scale (OVERLAP_STRONG).
MIN_SIMILARITY = 0.25
WITHIN = 0.12
STRONG = 0.45
OVERLAP_STRONG = 0.5
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        """a about after again all also am an and any are as at be been being but by can could did do does for from
    get got had has have having he her here him his how i i'm if in into is it its just like me more most my
    myself no not now of on one only or other our out over really so some someone still such than that the their
    them then there these they this those through to too up very want was we were what when where which who will
    with would you your yourself anyone people others lot feel feeling things thing help need find group groups
    community communities place space join time day days life""",
    )
)


def _words(text: str) -> set[str]:
    """Content words, crudely stemmed (a suffix off, then the first four letters) so that "grieving"
    meets "grief" and "parents" meets "parenting"."""
    stems = set()
    for word in _WORD.findall(text.lower()):
        if word in _STOPWORDS or len(word) < 3:
            continue
        for suffix in ("ing", "ers", "ies", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        stems.add(word[:4])
    return stems


def overlap_score(text: str, about: str) -> float:
    """Shared content words, over the square root of the community's word count (long descriptions
    don't win by being long)."""
    mine, theirs = _words(text), _words(about)
    if not mine or not theirs:
        return 0.0
    return len(mine & theirs) / math.sqrt(len(theirs))


def _about(community: Any) -> str:
    return f"{community.name}. {community.description}".strip()


@functools.lru_cache(maxsize=512)
def _vector_of(about: str) -> Any:
    """A community's embedding, kept per process and keyed by its text (an edit embeds it afresh)."""
    return embeddings.embed([about])[0]


def _vectors(abouts: Sequence[str]) -> Any:
    import numpy as np

    return np.stack([_vector_of(about) for about in abouts])


def rank_communities(
    text: str, communities: Iterable[Any], *, limit: int = SHOWN, strong: bool = False
) -> list[tuple[Any, float]]:
    """The communities closest to `text`, best first, with their scores; those that don't fit are
    left out, and with `strong` all but the closest. Embeddings when the model is there, else word
    overlap."""
    candidates = list(communities)
    if not candidates or not text.strip():
        return []
    scored: list[tuple[Any, float]] = []
    if embeddings.available():
        try:
            matrix = _vectors([_about(c) for c in candidates])
            similarities = matrix @ embeddings.embed([text])[0]
        except embeddings.ModelUnavailableError:
            pass
        else:
            floor = max(STRONG if strong else MIN_SIMILARITY, float(similarities.max()) - WITHIN)
            scored = [(c, float(s)) for c, s in zip(candidates, similarities, strict=True) if s >= floor]
            scored.sort(key=lambda pair: (-pair[1], pair[0].name))
            return scored[:limit]
    scored = [(c, overlap_score(text, _about(c))) for c in candidates]
    scored = [pair for pair in scored if pair[1] >= (OVERLAP_STRONG if strong else 1e-9)]
    scored.sort(key=lambda pair: (-pair[1], pair[0].name))
    return scored[:limit]


def communities_for_text(*, user: Any, text: str, limit: int = SHOWN, strong: bool = False) -> list[int]:
    """The ids of the communities listed to `user` that fit `text` best (none when nothing fits)."""
    ranked = rank_communities(text, community_selectors.community_directory(user=user), limit=limit, strong=strong)
    return [community.pk for community, _score in ranked]


def communities_to_browse(*, user: Any, limit: int = SHOWN) -> list[int]:
    """When someone chose "people who've been there" without writing: the busiest communities they
    haven't joined."""
    return [c.pk for c in community_selectors.community_suggestions(user=user, topics=[], limit=limit)]


def communities_by_id(*, user: Any, ids: Sequence[int]) -> list[Any]:
    """The communities with these ids that are still listed to `user`, in the given order. The ids
    come from the session: what may be shown is decided again, on every request."""
    found = {c.pk: c for c in community_selectors.community_directory(user=user).filter(pk__in=list(ids))}
    return [found[pk] for pk in ids if pk in found]
