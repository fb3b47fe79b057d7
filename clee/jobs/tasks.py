"""django-tasks tasks: what the worker (``manage.py db_worker``) runs.

Tasks only parse their arguments and call a service; each returns counts of what it did,
which ``run_scheduled`` stores on the ``ScheduledRun`` (and django-tasks on its task result).
The scheduler queues ``run_scheduled`` by its job's name (``clee.core.queue``);
``JobsConfig.ready`` imports this module, which binds the name.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from clee.core.queue import runs
from clee.jobs.services import RUN_SCHEDULED, jobs_recover, scheduled_run_execute


@runs(RUN_SCHEDULED)
@task()
def run_scheduled(scheduled_run_id: int) -> dict[str, Any]:
    """Run one claimed run of the schedule, recording what its job did."""
    return scheduled_run_execute(scheduled_run_id=scheduled_run_id)


@task()
def recover_lost_jobs() -> dict[str, Any]:
    """The recovery sweep (every minute): jobs whose worker stopped answering are tried again
    or marked failed with the reason. Safe to run twice."""
    return jobs_recover().as_summary()
