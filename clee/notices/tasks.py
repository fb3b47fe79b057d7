"""The notice jobs, run by the scheduler (clee.jobs): the daily one that prepares and sends, the
frequent one that sends what waits (retries after a mail-server failure), and the daily
license-expiry job, which tells each holder whose license it expires."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from clee.notices.services import licenses_expire, notices_deliver, notices_prepare


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


@task()
def send_due_notices() -> dict[str, int]:
    """Send the queued notices that are due (first attempts and retries). Safe to run twice."""
    delivery = notices_deliver(now=timezone.now())
    return {
        "sent": delivery.sent,
        "retrying": delivery.retrying,
        "failed": delivery.failed,
        "withdrawn": delivery.withdrawn,
    }


@task()
def expire_licenses() -> dict[str, Any]:
    """The daily license-expiry job: licenses of holders not commissioned for five years."""
    changes = licenses_expire(today=timezone.localdate())
    return {"expired": len(changes), "license_numbers": [change.officer.license_number for change in changes]}
