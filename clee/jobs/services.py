"""The scheduler: which runs are due, claiming each one once, and running it with a record.

How a run happens (docs/operations.md §3.4):

1. ``scheduler_tick`` (called in a loop by ``manage.py run_scheduler``) computes, for each
   enabled schedule, its latest occurrence at or before now. Occurrences missed while no
   scheduler ran are coalesced into that latest one: every job works from today's date and
   catches up by itself (the notices job prepares every calendar date reached and not yet
   prepared), so one run after a restart does what the missed ones would have done.
2. The due run is claimed by INSERTing its ``ScheduledRun`` row: the unique (schedule, due_at)
   constraint lets exactly one scheduler win, however many run.
3. On commit, the winner enqueues ``clee.jobs.tasks.run_scheduled`` through django-tasks. The
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
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from clee.core.audit import record_event
from clee.jobs.models import Schedule, ScheduledRun, parse_month_day

logger = logging.getLogger(__name__)

# A claim still without its task after this long lost its enqueue (a crash right after the
# commit): the next tick enqueues it.
STALE_CLAIM = dt.timedelta(minutes=2)

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
        "task_path": "clee.jobs.tasks.expire_licenses",
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
    # Revokes the verifiable credentials whose record was reversed or whose period result
    # changed: the published status lists are at most a minute behind.
    # Queues recompute jobs for stale results nobody works on (a killed worker's claim that
    # expired, a job lost before it ran): every result becomes current within minutes.
    "stale-results": {
        "task_path": "clee.compliance.tasks.sweep_stale_results",
        "recurrence": Schedule.Recurrence.EVERY_MINUTES,
        "every_minutes": 1,
    },
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
                actor=None, action="job.schedule_create", target=schedule, summary=f"schedule {name}"
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
        action="job.claim",
        target=run,
        summary=f"{schedule.name} due {due_at.isoformat()} claimed",
        data={"scheduler": scheduler_id},
    )
    transaction.on_commit(partial(scheduled_run_enqueue, run_id=run.pk))
    return run


def scheduled_run_enqueue(*, run_id: int) -> bool:
    """Enqueue a claimed run's task; False when it was enqueued already (by another tick)."""
    from clee.jobs.tasks import run_scheduled  # the tasks module imports this one

    with transaction.atomic():
        taken = ScheduledRun.objects.filter(pk=run_id, status=ScheduledRun.Status.CLAIMED).update(
            status=ScheduledRun.Status.ENQUEUED, enqueued_at=timezone.now()
        )
        if not taken:
            return False
        # The database backend writes its task row in this transaction: the run is enqueued
        # exactly when the status says so.
        result = run_scheduled.enqueue(scheduled_run_id=run_id)
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
