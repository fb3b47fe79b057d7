"""The scheduler: which runs are due, claiming each one once, and running it with a record.

How a run happens (docs/operations.md §3.4):

1. ``scheduler_tick`` (called in a loop by ``manage.py run_scheduler``) computes, for each
   enabled schedule, its latest occurrence at or before now. Occurrences missed while no
   scheduler ran are coalesced into that latest one: every job works from today's date and
   catches up by itself (the notices job prepares every calendar date reached and not yet
   prepared), so one run after a restart does what the missed ones would have done.
2. The due run is claimed by INSERTing its ``ScheduledRun`` row: the unique (schedule, due_at)
   constraint lets exactly one scheduler win, however many run.
3. On commit, the winner enqueues ``clee.jobs.tasks.run_scheduled`` through django-tasks (by
   its job's name, ``RUN_SCHEDULED``: the task calls this module, ``clee.core.queue``). The
   enqueue itself is claimed with a conditional UPDATE (claimed -> enqueued), so a claim left
   without its task by a crash between commit and enqueue is picked up again by a later tick,
   and never enqueued twice.
4. The worker (``manage.py db_worker``) runs ``run_scheduled``, which resolves the schedule's
   dotted path only then, calls it and stores what it returned (counts) on the run.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.queue import Job, enqueue
from clee.jobs.leases import WorkerLostError
from clee.jobs.models import JobLease, Schedule, ScheduledRun, parse_month_day

logger = logging.getLogger(__name__)

# A claim still without its task after this long lost its enqueue (a crash right after the
# commit): the next tick enqueues it.
STALE_CLAIM = dt.timedelta(minutes=2)
# Running one claimed run (``clee.jobs.tasks.run_scheduled``), queued by its name.
RUN_SCHEDULED = Job("jobs.run_scheduled")

# name -> what the schedule is created with when missing
DEFAULT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Opens the period containing today (January 1), records each period's phase change once
    # (grace window, then the Director's queue after March 15), and puts published rule book
    # versions into force on their effective date. Just after local midnight.
    "calendar": {
        "task_path": "clee.compliance.tasks.advance_calendar",
        "recurrence": Schedule.Recurrence.DAILY,
        "at_time": dt.time(0, 5),
    },
    "license-expiry": {
        "task_path": "clee.notices.tasks.expire_licenses",
        "recurrence": Schedule.Recurrence.DAILY,
        "at_time": dt.time(1, 30),
    },
    # Prepares the notices of each calendar date reached, and sends them.
    "notices": {
        "task_path": "clee.notices.tasks.prepare_and_send_notices",
        "recurrence": Schedule.Recurrence.DAILY,
        "at_time": dt.time(6, 0),
    },
    # Sends what waits: a notice the mail server refused is retried within the hour, not the
    # next day.
    "notice-delivery": {
        "task_path": "clee.notices.tasks.send_due_notices",
        "recurrence": Schedule.Recurrence.EVERY_MINUTES,
        "every_minutes": 15,
    },
    # Finds the jobs whose worker stopped answering (killed, host gone) and runs them again or
    # marks them failed with the reason (clee.jobs.leases).
    "job-recovery": {
        "task_path": "clee.jobs.tasks.recover_lost_jobs",
        "recurrence": Schedule.Recurrence.EVERY_MINUTES,
        "every_minutes": 1,
    },
    # Queues recompute jobs for stale results nobody works on (a killed worker's claim that
    # expired, a job lost before it ran): every result becomes current within minutes.
    "stale-results": {
        "task_path": "clee.compliance.tasks.sweep_stale_results",
        "recurrence": Schedule.Recurrence.EVERY_MINUTES,
        "every_minutes": 1,
    },
    # Revokes the verifiable credentials whose record was reversed or whose period result
    # changed: the published status lists are at most a minute behind.
    "credential-revocation": {
        "task_path": "clee.credentials.tasks.revoke_stale_credentials",
        "recurrence": Schedule.Recurrence.EVERY_MINUTES,
        "every_minutes": 1,
    },
}


def latest_occurrence(schedule: Schedule, *, now: dt.datetime) -> dt.datetime | None:
    """The schedule's latest occurrence at or before ``now`` and not before its
    ``active_from``, as an aware datetime; None when there is none yet."""
    zone = timezone.get_current_timezone()
    local_now = timezone.localtime(now, zone)
    candidates: list[dt.datetime] = []
    if schedule.recurrence == Schedule.Recurrence.DAILY:
        for date in (local_now.date(), local_now.date() - dt.timedelta(days=1)):
            candidates.append(dt.datetime.combine(date, schedule.at_time, tzinfo=zone))
    elif schedule.recurrence == Schedule.Recurrence.EVERY_MINUTES:
        every = max(int(schedule.every_minutes or 0), 1)
        midnight = dt.datetime.combine(local_now.date(), dt.time(0), tzinfo=zone)
        elapsed = int((local_now - midnight).total_seconds() // 60)
        candidates.append(midnight + dt.timedelta(minutes=elapsed - elapsed % every))
    else:
        for year in (local_now.year, local_now.year - 1):
            for value in schedule.month_days:
                month, day = parse_month_day(str(value))
                candidates.append(
                    dt.datetime.combine(dt.date(year, month, day), schedule.at_time, tzinfo=zone)
                )
    due = [moment for moment in candidates if schedule.active_from <= moment <= now]
    return max(due) if due else None


@transaction.atomic
def ensure_default_schedule(*, now: dt.datetime | None = None) -> list[Schedule]:
    """Create the schedules CLEE needs when missing (an operator's changes to them are kept)."""
    now = now or timezone.now()
    schedules = []
    for name, defaults in DEFAULT_SCHEDULE.items():
        schedule, created = Schedule.objects.get_or_create(
            name=name, defaults={**defaults, "active_from": now}
        )
        if created:
            record_event(
                actor=None,
                action=AuditAction.JOB_SCHEDULE_CREATE,
                target=schedule,
                summary=f"schedule {name}",
            )
        schedules.append(schedule)
    return schedules


@transaction.atomic
def scheduled_run_claim(
    *, schedule: Schedule, due_at: dt.datetime, now: dt.datetime, scheduler_id: str = ""
) -> ScheduledRun | None:
    """Claim the run of ``schedule`` due at ``due_at`` and enqueue it on commit; None when
    another scheduler (or an earlier tick) claimed it already."""
    run, created = ScheduledRun.objects.get_or_create(
        schedule=schedule, due_at=due_at, defaults={"claimed_at": now, "claimed_by": scheduler_id[:100]}
    )
    if not created:
        return None
    record_event(
        actor=None,
        action=AuditAction.JOB_CLAIM,
        target=run,
        summary=f"{schedule.name} due {due_at.isoformat()} claimed",
        data={"scheduler": scheduler_id},
    )
    transaction.on_commit(partial(scheduled_run_enqueue, run_id=run.pk))
    return run


def scheduled_run_enqueue(*, run_id: int) -> bool:
    """Enqueue a claimed run's task; False when it was enqueued already (by another tick)."""
    with transaction.atomic():
        taken = ScheduledRun.objects.filter(pk=run_id, status=ScheduledRun.Status.CLAIMED).update(
            status=ScheduledRun.Status.ENQUEUED, enqueued_at=timezone.now()
        )
        if not taken:
            return False
        # The database backend writes its task row in this transaction: the run is enqueued
        # exactly when the status says so.
        result = enqueue(RUN_SCHEDULED, scheduled_run_id=run_id)
        ScheduledRun.objects.filter(pk=run_id).update(task_result_id=str(result.id))
    return True


def scheduled_runs_enqueue_stale(*, now: dt.datetime) -> int:
    """Enqueue the claims that lost their enqueue; returns how many were enqueued."""
    stale = ScheduledRun.objects.filter(status=ScheduledRun.Status.CLAIMED, claimed_at__lt=now - STALE_CLAIM)
    return sum(scheduled_run_enqueue(run_id=run_id) for run_id in stale.values_list("pk", flat=True))


def scheduler_tick(*, now: dt.datetime | None = None, scheduler_id: str = "") -> list[ScheduledRun]:
    """Claim (and enqueue on commit) every run due now; returns the runs this tick claimed."""
    now = now or timezone.now()
    claimed = []
    for schedule in Schedule.objects.filter(enabled=True):
        try:
            due_at = latest_occurrence(schedule, now=now)
        except ValueError:
            logger.error(
                "schedule %s has an invalid date list %r: skipped", schedule.name, schedule.month_days
            )
            continue
        if due_at is None:
            continue
        run = scheduled_run_claim(schedule=schedule, due_at=due_at, now=now, scheduler_id=scheduler_id)
        if run is not None:
            claimed.append(run)
    scheduled_runs_enqueue_stale(now=now)
    return claimed


def _as_summary(value: Any) -> dict[str, Any]:
    """A job's return value as JSON-safe counts for ``ScheduledRun.summary``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        value = {"result": value}
    loaded: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return loaded


def _run_finish(run_id: int, *, status: str, summary: dict[str, Any], error: str = "") -> None:
    ScheduledRun.objects.filter(pk=run_id).update(
        status=status, summary=summary, error=error, finished_at=timezone.now()
    )


def scheduled_run_execute(*, scheduled_run_id: int) -> dict[str, Any]:
    """Run a claimed run's job once and record what it did; returns the summary.

    Safe to run twice: a conditional UPDATE (enqueued -> running) lets only the first call
    run the job. A dotted path that does not resolve (the module is not deployed yet) makes
    the run FAILED with that reason; an error raised by the job is recorded, then re-raised
    so that django-tasks keeps its traceback too.
    """
    started = ScheduledRun.objects.filter(
        pk=scheduled_run_id, status__in=[ScheduledRun.Status.CLAIMED, ScheduledRun.Status.ENQUEUED]
    ).update(status=ScheduledRun.Status.RUNNING, started_at=timezone.now())
    if not started:
        return {"skipped": "this run was already started"}
    run = ScheduledRun.objects.select_related("schedule").get(pk=scheduled_run_id)
    path = run.schedule.task_path
    try:
        target = import_string(path)
    except ImportError as error:
        reason = f"cannot resolve {path}: {error}"
        _run_finish(run.pk, status=ScheduledRun.Status.FAILED, summary={}, error=reason)
        logger.error("scheduled run %s failed: %s", run, reason)
        return {"failed": reason}
    job: Callable[[], Any]
    if isinstance(target, Task):
        job = target.call
    elif callable(target):
        job = target
    else:
        reason = f"{path} is neither a task nor a function"
        _run_finish(run.pk, status=ScheduledRun.Status.FAILED, summary={}, error=reason)
        return {"failed": reason}
    try:
        summary = _as_summary(job())
    except Exception:
        _run_finish(
            run.pk, status=ScheduledRun.Status.FAILED, summary={}, error=traceback.format_exc()[-4000:]
        )
        raise
    _run_finish(run.pk, status=ScheduledRun.Status.SUCCEEDED, summary=summary)
    return summary


# Recovering jobs whose worker died ---------------------------------------------------------


@dataclass
class Recovery:
    """What one recovery sweep did: the task result ids tried again and given up."""

    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def as_summary(self) -> dict[str, Any]:
        return {"retried": len(self.retried), "failed": len(self.failed), "jobs": self.retried + self.failed}


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a job waits before its next try after ``attempts`` lost ones: the base delay
    (``CLEE_JOB_RETRY_SECONDS``), doubling with each lost try."""
    base = float(settings.CLEE_JOB_RETRY_SECONDS)
    return dt.timedelta(seconds=base * 2 ** min(max(attempts - 1, 0), 10))


def _local(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S %Z}" if moment else "an unknown time"


def expired_jobs(*, now: dt.datetime) -> list[str]:
    """The ids of the jobs RUNNING whose worker stopped answering by ``now``: their lease was
    not renewed for ``CLEE_JOB_LEASE_SECONDS``, or they have no lease and started that long
    ago (the worker died between claiming the job and starting it)."""
    cutoff = now - dt.timedelta(seconds=float(settings.CLEE_JOB_LEASE_SECONDS))
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    silent = running.filter(
        Q(lease__status=JobLease.Status.RUNNING, lease__heartbeat_at__lt=cutoff)
        | Q(lease__isnull=True, started_at__lt=cutoff)
    )
    return [str(pk) for pk in silent.values_list("pk", flat=True)]


@transaction.atomic
def job_recover(*, task_result_id: str, now: dt.datetime) -> str | None:
    """Try one job whose worker stopped answering again, or mark it failed on its last allowed
    try (``CLEE_JOB_MAX_ATTEMPTS``), with the reason on the job, its lease, its scheduled run
    and the audit trail. Returns "retried" or "failed"; None when it is no longer a lost job
    (finished, or recovered by another sweep meanwhile)."""
    job = (
        DBTaskResult.objects.select_for_update()
        .filter(pk=task_result_id, status=TaskResultStatus.RUNNING)
        .first()
    )
    if job is None or str(job.pk) not in expired_jobs(now=now):
        return None
    lease = JobLease.objects.filter(pk=job.pk).first()
    attempts = max(len(job.worker_ids), 1)
    limit = max(int(settings.CLEE_JOB_MAX_ATTEMPTS), 1)
    if lease is not None:
        silent = f"worker {lease.worker} stopped answering at {_local(lease.heartbeat_at)}"
    else:
        worker = job.worker_ids[-1] if job.worker_ids else "unknown"
        silent = f"worker {worker} never reported the job it claimed at {_local(job.started_at)}"
    tries = f"{attempts} {'try' if attempts == 1 else 'tries'}"
    run = ScheduledRun.objects.filter(task_result_id=str(job.pk)).first()
    if attempts < limit:
        retry_at = now + retry_delay(attempts)
        reason = f"{silent}; {tries} of {limit}, tried again from {_local(retry_at)}"
        DBTaskResult.objects.filter(pk=job.pk).update(status=TaskResultStatus.READY, run_after=retry_at)
        lease_status, action, outcome = JobLease.Status.RETRYING, AuditAction.JOB_RETRY, "retried"
        if run is not None:
            # run_scheduled runs a scheduled run only from ENQUEUED: the retry must find it so.
            ScheduledRun.objects.filter(pk=run.pk, status=ScheduledRun.Status.RUNNING).update(
                status=ScheduledRun.Status.ENQUEUED, error=reason
            )
    else:
        reason = f"{silent}; {tries}"
        DBTaskResult.objects.filter(pk=job.pk).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{WorkerLostError.__module__}.{WorkerLostError.__qualname__}",
            traceback=f"{WorkerLostError.__module__}.{WorkerLostError.__qualname__}: {reason}\n",
        )
        lease_status, action, outcome = JobLease.Status.LOST, AuditAction.JOB_LOST, "failed"
        if run is not None:
            ScheduledRun.objects.filter(
                pk=run.pk, status__in=[ScheduledRun.Status.RUNNING, ScheduledRun.Status.ENQUEUED]
            ).update(status=ScheduledRun.Status.FAILED, error=reason, finished_at=now)
    if lease is None:
        lease = JobLease.objects.create(
            task_result=job,
            task_path=job.task_path[:200],
            attempts=attempts,
            worker_id=(job.worker_ids[-1] if job.worker_ids else "")[:64],
            host="",
            pid=0,
            started_at=job.started_at or now,
            heartbeat_at=job.started_at or now,
        )
    JobLease.objects.filter(pk=job.pk).update(
        status=lease_status, reason=reason, finished_at=now if outcome == "failed" else None
    )
    logger.warning("job %s (%s): %s", job.pk, job.task_path, reason)
    record_event(
        actor=None,
        action=action,
        target=lease,
        summary=f"{job.task_path}: {reason}"[:300],
        data={"task_result": str(job.pk), "task": job.task_path, "attempts": attempts},
    )
    return outcome


def jobs_recover(*, now: dt.datetime | None = None) -> Recovery:
    """The recovery sweep: every job whose worker stopped answering is tried again (with a
    delay doubling each time) or, after ``CLEE_JOB_MAX_ATTEMPTS`` tries, marked failed with
    the reason. Safe to run twice and from several places at once (each job is recovered
    under its row lock, once)."""
    now = now or timezone.now()
    recovery = Recovery()
    for task_result_id in expired_jobs(now=now):
        outcome = job_recover(task_result_id=task_result_id, now=now)
        if outcome == "retried":
            recovery.retried.append(task_result_id)
        elif outcome == "failed":
            recovery.failed.append(task_result_id)
    return recovery
