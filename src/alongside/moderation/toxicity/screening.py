"""The toxicity check, in the shape of a screening check; run by the task worker on each new visible
post (moderation.services.toxicity_scan), since it is too slow for a request.

A signal, not a verdict: above the head's threshold (chosen on a tuning slice of the training
data, docs/moderation.md) it returns a `flag` reason, and the post goes to the review queue with
its score. It never holds or removes anything by itself. Names and
profiles (`pseudonym`, `profile`) are not read: there any reason at all asks the person for other
wording, and a model's guess is not enough for that. Journals are private and not read either.
Without the head or the encoder the check says nothing (and /healthz says "degraded").
"""

from __future__ import annotations

from alongside.core.models import ScreeningAction
from alongside.core.screening import ScreeningInput, ScreeningReason

CHECK = "toxicity"
RULE = "reads_as_offensive"
KINDS = frozenset({"thread", "reply", "edit", "message"})


def toxicity_check(content: ScreeningInput) -> list[ScreeningReason]:
    if content.kind not in KINDS or not content.text.strip():
        return []
    from alongside.moderation.toxicity import model  # loads the head (and the encoder) on first use

    probability = model.probability(content.text)
    limit = model.threshold()
    if probability is None or limit is None or probability < limit:
        return []
    return [
        ScreeningReason(
            check=CHECK,
            action=ScreeningAction.FLAG,
            rule=RULE,
            score=round(probability, 4),
            detail=f"{model.version()}, threshold {limit:.3f}; a signal for a moderator, not a verdict",
        )
    ]
