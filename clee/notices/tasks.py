"""The daily notice job, run by the scheduler (clee.jobs)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from clee.notices.services import notices_deliver, notices_prepare


@task()
def prepare_and_send_notices() -> dict[str, int]:
    """Prepare the notices of every calendar date reached by today, then send what is queued
    and due. Returns what it did; safe to run twice (nothing is prepared or sent twice)."""
    runs = notices_prepare(today=timezone.localdate())
    delivery = notices_deliver(now=timezone.now())
    return {
        "steps_prepared": sum(1 for run in runs if not run.skipped),
        "steps_passed_over": sum(1 for run in runs if run.skipped),
        "sent": delivery.sent,
        "retrying": delivery.retrying,
        "failed": delivery.failed,
        "withdrawn": delivery.withdrawn,
    }
