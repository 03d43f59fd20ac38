"""Timers of the safety app, run by the task worker (never in a request): re-alerting responders
about a crisis event nobody has picked up."""

from __future__ import annotations

from django_tasks import task

from alongside.safety.services import risk


@task()
def risk_realert(*, event_id: int) -> bool:
    return risk.risk_realert(event_id=event_id)
