"""The crisis classifier: curated patterns plus a statistical model on sentence embeddings (docs/safety.md).

One interface: `assess(text, language=..., context=...) -> Assessment(level, score, reasons)`.

- The pattern layer (`patterns.py`) always answers, in well under a millisecond for a message.
- The model layer (`model.py`: all-MiniLM-L6-v2 int8 on onnxruntime and hashed words, a softmax
  head over the 27 communities of the labelled data) adds a probability, mapped to levels by
  `model.level_for`: `high` at the threshold that keeps 95% of crisis posts (never `crisis` alone:
  that needs the patterns' explicit intent, plan or time), no more than `concern` on short texts.
- How they combine: the higher level wins, except that where the pattern layer found the words
  to be about the past, someone else, a film or the news (and nothing first-person), the model
  cannot raise the writer's level above `concern`, and in a reply or a listener's message it is
  set aside unless the writer speaks of their own risk: the embeddings know the topic, not whose.
- If the model cannot load, `assess` answers from patterns alone and `model_status()` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alongside.safety.classifier import patterns
from alongside.safety.enums import AssessContext, RiskLevel

_PATTERN_SCORES = {RiskLevel.NONE: 0.0, RiskLevel.CONCERN: 0.4, RiskLevel.HIGH: 0.75, RiskLevel.CRISIS: 0.95}
_SUPPORTER_CONTEXTS = {AssessContext.REPLY, AssessContext.LISTENER_CHAT}


@dataclass(frozen=True)
class Reason:
    kind: str  # "pattern", "model" or "context"
    rule: str
    detail: str = ""
    score: float | None = None


@dataclass(frozen=True)
class Assessment:
    level: RiskLevel
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    model_version: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": str(self.level),
            "score": round(self.score, 4),
            "model_version": self.model_version,
            "reasons": [
                {
                    "kind": r.kind,
                    "rule": r.rule,
                    "detail": r.detail,
                    "score": None if r.score is None else round(r.score, 4),
                }
                for r in self.reasons
            ],
        }


def _highest(*levels: RiskLevel) -> RiskLevel:
    return max(levels, key=lambda level: level.rank)


def assess_patterns(text: str, *, language: str = "en", context: AssessContext = AssessContext.POST) -> Assessment:
    """The pattern layer alone (fast; what answers when the model cannot)."""
    hits = patterns.find(text, context)
    level = patterns.level_of(hits)
    reasons = tuple(
        Reason("pattern", hit.rule, f"{hit.reading}: {hit.phrase}", _PATTERN_SCORES[hit.level]) for hit in hits
    )
    return Assessment(level=level, score=_PATTERN_SCORES[level], reasons=reasons)


def assess(text: str, *, language: str = "en", context: AssessContext = AssessContext.POST) -> Assessment:
    """Patterns and, when it is loaded, the model (see the module docstring for how they combine)."""
    from alongside.safety.classifier import model

    found = assess_patterns(text, language=language, context=context)
    scored = model.score(text, pattern_level=found.level) if text.strip() else None
    if scored is None:
        return found
    probability, model_level = scored
    reasons = [*found.reasons, Reason("model", model.VERSION_RULE, model.version(), probability)]
    own = any(r.kind == "pattern" and r.detail.startswith(patterns.OWN_READINGS) for r in found.reasons)
    if context in _SUPPORTER_CONTEXTS and not own and model_level != RiskLevel.NONE:
        # A reply or a listener's words about someone else's pain: the topic, not the writer's risk.
        reasons.append(Reason("context", "supporting_someone", "the model's level was set aside"))
        model_level = RiskLevel.NONE
    elif found.reasons and not own and model_level.rank > RiskLevel.CONCERN.rank:
        reasons.append(Reason("context", "not_the_writers_own", "the model's level was capped at concern"))
        model_level = RiskLevel.CONCERN
    level = _highest(found.level, model_level)
    return Assessment(
        level=level, score=max(found.score, probability), reasons=tuple(reasons), model_version=model.version()
    )


def model_status() -> dict[str, Any]:
    """Whether the model layer is loaded, its version, and why not. Never raises."""
    from alongside.safety.classifier import model

    return model.status()


def health() -> dict[str, Any]:
    """For the health check: the site works without the model, but it should say so."""
    status = model_status()
    return {"ok": bool(status["loaded"]), **status}


__all__ = ["Assessment", "Reason", "assess", "assess_patterns", "health", "model_status"]
