"""django-tasks tasks: what the worker (``manage.py db_worker``) runs.

Tasks only parse their arguments and call a service; each returns counts of what it did,
which ``run_scheduled`` stores on the ``ScheduledRun`` (and django-tasks on its task result).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from clee.jobs.services import jobs_recover, scheduled_run_execute
from clee.officers.services import licenses_expire


@task()
def run_scheduled(scheduled_run_id: int) -> dict[str, Any]:
    """Run one claimed run of the schedule, recording what its job did."""
    return scheduled_run_execute(scheduled_run_id=scheduled_run_id)


@task()
def expire_licenses() -> dict[str, Any]:
    """The daily license-expiry job: licenses of holders not commissioned for five years."""
    changes = licenses_expire(today=timezone.localdate())
    return {"expired": len(changes), "license_numbers": [change.officer.license_number for change in changes]}


@task()
def recover_lost_jobs() -> dict[str, Any]:
    """The recovery sweep (every minute): jobs whose worker stopped answering are tried again
    or marked failed with the reason. Safe to run twice."""
    return jobs_recover().as_summary()
