"""Work of the self-care app run by the task worker (never in a request): goal reminders."""

from __future__ import annotations

from django_tasks import task

from alongside.selfcare import goals


@task()
def goal_remind(*, goal_id: int, version: int) -> bool:
    return goals.goal_remind(goal_id=goal_id, version=version)
