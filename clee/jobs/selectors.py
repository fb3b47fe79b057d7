"""What the operator reads about jobs: the queue's state (``manage.py jobs``, the back office,
``/health/ready/``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from clee.jobs.models import JobLease


@dataclass(frozen=True)
class JobRow:
    id: str
    task: str
    status: str
    attempts: int
    worker: str
    heartbeat_at: dt.datetime | None
    enqueued_at: dt.datetime
    run_after: dt.datetime | None
    finished_at: dt.datetime | None
    reason: str


def job_rows(*, statuses: list[str], since: dt.datetime | None = None, limit: int = 50) -> list[JobRow]:
    """The jobs in ``statuses`` (django-tasks' READY, RUNNING, FAILED, SUCCESSFUL), newest first,
    those finished before ``since`` left out, with their lease (worker, heartbeat, reason)."""
    jobs = DBTaskResult.objects.filter(status__in=statuses)
    if since is not None:
        jobs = jobs.filter(Q(finished_at__isnull=True) | Q(finished_at__gte=since))
    leases: dict[object, JobLease] = {}
    chosen = list(jobs.order_by("-enqueued_at")[:limit])
    for found in JobLease.objects.filter(pk__in=[job.pk for job in chosen]):
        leases[found.pk] = found
    rows = []
    for job in chosen:
        lease = leases.get(job.pk)
        reason = lease.reason if lease is not None and lease.reason else ""
        if not reason and job.status == TaskResultStatus.FAILED:
            lines = [line for line in str(job.traceback).splitlines() if line.strip()]
            reason = lines[-1] if lines else job.exception_class_path
        rows.append(
            JobRow(
                id=str(job.pk),
                task=job.task_path,
                status=job.status,
                attempts=len(job.worker_ids),
                worker=lease.worker if lease is not None else "",
                heartbeat_at=lease.heartbeat_at if lease is not None else None,
                enqueued_at=job.enqueued_at,
                run_after=None if job.run_after == get_date_max() else job.run_after,
                finished_at=job.finished_at,
                reason=reason,
            )
        )
    return rows


def oldest_ready_age(*, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long the oldest job ready to run has waited (since it was enqueued, or since the
    time it was deferred to); None when none waits."""
    now = now or timezone.now()
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=now)
    )
    ages = []
    oldest_immediate = (
        waiting.filter(run_after=get_date_max())
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    if oldest_immediate is not None:
        ages.append(now - oldest_immediate)
    oldest_deferred = (
        waiting.exclude(run_after=get_date_max())
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first()
    )
    if oldest_deferred is not None:
        ages.append(now - oldest_deferred)
    return max(ages) if ages else None


@dataclass(frozen=True)
class Readiness:
    """Whether this deployment can do its work: the database answers and the job queue is
    being worked (its oldest ready job has not waited too long)."""

    ready: bool
    reason: str
    oldest_ready_seconds: float | None

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "unavailable",
            "reason": self.reason,
            "oldest_ready_job_seconds": self.oldest_ready_seconds,
        }


def readiness(*, now: dt.datetime | None = None) -> Readiness:
    """The database (one query) and the queue's backlog against ``CLEE_READY_MAX_BACKLOG_SECONDS``."""
    from django.conf import settings
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        age = oldest_ready_age(now=now)
    except DatabaseError as error:
        return Readiness(False, f"database unavailable: {type(error).__name__}", None)
    seconds = None if age is None else round(age.total_seconds(), 1)
    limit = float(settings.CLEE_READY_MAX_BACKLOG_SECONDS)
    if seconds is not None and seconds > limit:
        return Readiness(
            False,
            f"job queue backlog: the oldest ready job has waited {seconds:.0f} s (more than {limit:.0f} s); "
            "are the workers running?",
            seconds,
        )
    return Readiness(True, "database and job queue ok", seconds)
