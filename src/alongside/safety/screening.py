"""The crisis check in the content screening pipeline (`settings.SCREENING_PIPELINE`).

It reads what someone writes with the crisis classifier and, at `concern` or above, adds a reason
that flags the content (never holds or removes it: detection routes, it does not punish) and
carries the whole assessment in `data`. The service that saved the content then raises the risk
event and tells the writer's page to show the support panel: `safety.services.risk_from_screening`.
"""

from __future__ import annotations

from alongside.core.models import ScreeningAction
from alongside.core.screening import ScreeningInput, ScreeningReason
from alongside.safety.enums import AssessContext, RiskLevel

CHECK = "crisis"

# What people write, and the context each is read in when the service does not say.
_CONTEXT_OF_KIND = {
    "thread": AssessContext.POST,
    "edit": AssessContext.POST,
    "reply": AssessContext.REPLY,
    "message": AssessContext.CHAT,
    "journal": AssessContext.JOURNAL,
}


def crisis_check(content: ScreeningInput) -> list[ScreeningReason]:
    default = _CONTEXT_OF_KIND.get(content.kind)
    if default is None or not content.text.strip():
        return []  # names, profiles and the like are not read for risk
    from alongside.safety.classifier import assess  # the classifier loads its model on first use

    context = AssessContext(content.context) if content.context in AssessContext.values else default
    assessment = assess(content.text, context=context)
    if assessment.level == RiskLevel.NONE:
        return []
    return [
        ScreeningReason(
            check=CHECK,
            action=ScreeningAction.FLAG,
            rule=str(assessment.level),
            score=round(assessment.score, 4),
            detail=", ".join(sorted({r.rule for r in assessment.reasons}))[:200],
            data=assessment.as_dict(),
        )
    ]
