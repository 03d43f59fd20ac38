"""The safety app's records, one module per area: crisis lines, risk events and responders, safety plans."""

from alongside.safety.models.crisis_lines import CrisisLine
from alongside.safety.models.plans import PLAN_SECTIONS, SafetyPlan, SafetyPlanShare
from alongside.safety.models.risk import OPEN_STATUSES, Responder, RiskAction, RiskEvent, RiskSource, RiskStatus

__all__ = [
    "OPEN_STATUSES",
    "PLAN_SECTIONS",
    "CrisisLine",
    "Responder",
    "RiskAction",
    "RiskEvent",
    "RiskSource",
    "RiskStatus",
    "SafetyPlan",
    "SafetyPlanShare",
]
