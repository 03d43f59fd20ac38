"""Work of the moderation app run by the task worker (never in a request): reading new posts with
the toxicity signal, which takes tens of milliseconds a post (docs/moderation.md, "Cost"), and ending
sanctions on time (enqueued for the moment they end), and re-alerting moderators about reports that
wait (every MODERATION_REALERT_MINUTES)."""

from __future__ import annotations

from django_tasks import task

from alongside.moderation import sanctions, services


@task()
def toxicity_scan(*, post_id: int) -> bool:
    return services.toxicity_scan(post_id=post_id)


@task()
def sanction_expire(*, sanction_id: int) -> bool:
    return sanctions.sanction_expire(sanction_id=sanction_id)


@task()
def report_realert(*, report_id: int) -> int:
    return services.report_realert(report_id=report_id)
