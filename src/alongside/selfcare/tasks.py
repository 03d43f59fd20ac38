"""Work of the self-care app run by the task worker (never in a request): goal reminders, and the
"it's due" notes for questionnaires the member asked to be offered."""

from __future__ import annotations

from django_tasks import task

from alongside.selfcare import goals, services


@task()
def goal_remind(*, goal_id: int, version: int) -> bool:
    return goals.goal_remind(goal_id=goal_id, version=version)


@task()
def measure_remind(*, schedule_id: int) -> bool:
    return services.measure_remind(schedule_id=schedule_id)
