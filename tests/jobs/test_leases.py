"""Leases, the recovery sweep and its bounds, in one process (SQLite and PostgreSQL); the same
with real killed worker processes is tests/jobs/test_crash.py."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clee.core.models import AuditEvent
from clee.jobs.models import JobLease, Schedule, ScheduledRun
from clee.jobs.services import ensure_default_schedule, jobs_recover, retry_delay, scheduled_run_enqueue
from clee.jobs.tasks import recover_lost_jobs
from tests.jobs.conftest import CENTRAL, make_schedule

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2023, 10, 1, 3, 0, tzinfo=CENTRAL)


def claim(job_id: Any, worker_id: str, *, at: dt.datetime, pid: int = 4242) -> None:
    """What a worker does when it takes a job: django-tasks claims the row, CLEE's lease follows."""
    job = DBTaskResult.objects.get(pk=job_id)
    job.status = TaskResultStatus.RUNNING
    job.started_at = at
    job.worker_ids = [*job.worker_ids, worker_id]
    job.save(update_fields=["status", "started_at", "worker_ids"])
    JobLease.objects.update_or_create(
        task_result=job,
        defaults={
            "task_path": job.task_path,
            "status": JobLease.Status.RUNNING,
            "attempts": len(job.worker_ids),
            "worker_id": worker_id,
            "host": "worker-host",
            "pid": pid,
            "started_at": at,
            "heartbeat_at": at,
        },
    )


def shown(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S %Z}"


@pytest.fixture
def lease_settings(settings: Any) -> None:
    settings.CLEE_JOB_LEASE_SECONDS = 90
    settings.CLEE_JOB_RETRY_SECONDS = 60
    settings.CLEE_JOB_MAX_ATTEMPTS = 3


def test_a_job_run_by_the_worker_holds_a_lease_that_is_closed_when_it_ends(
    world: Any, run_worker: Any
) -> None:
    result = recover_lost_jobs.enqueue()
    run_worker()
    lease = JobLease.objects.get(pk=result.id)
    assert lease.status == JobLease.Status.FINISHED
    assert (lease.attempts, lease.host, lease.pid) == (1, socket.gethostname(), os.getpid())
    assert lease.task_path == "clee.jobs.tasks.recover_lost_jobs"
    assert lease.finished_at is not None
    # Between jobs the worker has no heartbeat thread: it is single-threaded and may fork.
    assert "clee-job-heartbeat" not in [thread.name for thread in threading.enumerate()]


def test_manage_py_jobs_lists_a_running_job_with_its_worker_and_heartbeat(lease_settings: None) -> None:
    live, silent = recover_lost_jobs.enqueue(), recover_lost_jobs.enqueue()
    claim(live.id, "w1", at=T0, pid=1001)
    claim(silent.id, "w2", at=T0 - dt.timedelta(minutes=5), pid=1002)
    out = StringIO()
    with time_machine.travel(T0 + dt.timedelta(seconds=20), tick=False):
        call_command("jobs", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Running: 2"
    assert (
        f"  {live.id}  clee.jobs.tasks.recover_lost_jobs  RUNNING  tries=1  worker=worker-host:1001"
        "  heartbeat 20 s ago"
    ) in lines
    running = [line for line in lines if "RUNNING" in line]
    assert (
        f"  {silent.id}  clee.jobs.tasks.recover_lost_jobs  RUNNING  tries=1  worker=worker-host:1002"
        "  heartbeat 320 s ago  LEASE EXPIRED: the recovery sweep will retry or fail it"
    ) in running


def test_a_job_whose_heartbeat_is_recent_is_left_alone(lease_settings: None) -> None:
    result = recover_lost_jobs.enqueue()
    claim(result.id, "w1", at=T0)
    JobLease.objects.filter(pk=result.id).update(heartbeat_at=T0 + dt.timedelta(minutes=10))
    with time_machine.travel(T0 + dt.timedelta(minutes=11), tick=False):
        assert (jobs_recover().retried, jobs_recover().failed) == ([], [])
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING


def test_a_lost_job_is_retried_with_a_doubling_delay_then_failed_with_the_reason(
    lease_settings: None,
) -> None:
    result = recover_lost_jobs.enqueue()
    moment = T0
    for attempt, delay in ((1, 60), (2, 120)):
        claim(result.id, f"w{attempt}", at=moment, pid=4240 + attempt)
        with time_machine.travel(moment + dt.timedelta(seconds=89), tick=False):
            assert jobs_recover().retried == []  # the lease has not run out yet
        swept_at = moment + dt.timedelta(seconds=91)
        with time_machine.travel(swept_at, tick=False):
            assert jobs_recover().retried == [str(result.id)]
            assert jobs_recover().retried == []  # once
        job = DBTaskResult.objects.get(pk=result.id)
        assert job.status == TaskResultStatus.READY
        assert job.run_after == swept_at + dt.timedelta(seconds=delay)
        lease = JobLease.objects.get(pk=result.id)
        assert lease.status == JobLease.Status.RETRYING
        tries = "1 try" if attempt == 1 else f"{attempt} tries"
        assert lease.reason.startswith(
            f"worker worker-host:{4240 + attempt} stopped answering at {shown(moment)}; {tries} of 3"
        )
        moment = job.run_after
    claim(result.id, "w3", at=moment, pid=4243)
    with time_machine.travel(moment + dt.timedelta(seconds=91), tick=False):
        recovery = jobs_recover()
    assert (recovery.retried, recovery.failed) == ([], [str(result.id)])
    job = DBTaskResult.objects.get(pk=result.id)
    reason = f"worker worker-host:4243 stopped answering at {shown(moment)}; 3 tries"
    assert job.status == TaskResultStatus.FAILED
    assert job.traceback == f"clee.jobs.leases.WorkerLostError: {reason}\n"
    assert job.task_result.errors[0].exception_class.__name__ == "WorkerLostError"
    assert JobLease.objects.get(pk=result.id).reason == reason
    actions = AuditEvent.objects.filter(action__in=["job.retry", "job.lost"]).values_list("action", flat=True)
    assert sorted(actions) == ["job.lost", "job.retry", "job.retry"]
    out = StringIO()
    with time_machine.travel(moment + dt.timedelta(hours=1), tick=False):
        call_command("jobs", stdout=out)
    listing = out.getvalue()
    assert "Failed in the last 7 days: 1" in listing
    assert "clee.jobs.tasks.recover_lost_jobs  FAILED  tries=3  worker=worker-host:4243" in listing
    assert f"why: {reason}" in listing


def test_the_delay_doubles_from_the_base() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


def test_a_job_claimed_by_a_worker_that_died_before_starting_it_is_retried(lease_settings: None) -> None:
    result = recover_lost_jobs.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=T0, worker_ids=["gone"]
    )
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        assert jobs_recover().retried == [str(result.id)]
    lease = JobLease.objects.get(pk=result.id)
    assert lease.reason.startswith("worker gone never reported the job it claimed at ")


def test_a_lost_scheduled_run_is_run_again_by_the_retry(
    world: Any, lease_settings: None, run_worker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    schedule = make_schedule("expiry")
    run = ScheduledRun.objects.create(schedule=schedule, due_at=T0, claimed_at=T0)
    assert scheduled_run_enqueue(run_id=run.pk)
    run.refresh_from_db()
    claim(run.task_result_id, "w1", at=T0)
    ScheduledRun.objects.filter(pk=run.pk).update(status=ScheduledRun.Status.RUNNING, started_at=T0)

    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        assert jobs_recover().retried == [run.task_result_id]
    run.refresh_from_db()
    assert run.status == ScheduledRun.Status.ENQUEUED
    assert "stopped answering" in run.error
    DBTaskResult.objects.filter(pk=run.task_result_id).update(run_after=timezone.now())
    run_worker()

    run.refresh_from_db()
    assert run.status == ScheduledRun.Status.SUCCEEDED
    assert run.summary == {"expired": 0, "license_numbers": []}
    assert JobLease.objects.get(pk=run.task_result_id).attempts == 2


def test_the_recovery_sweep_is_on_the_default_schedule_every_minute() -> None:
    ensure_default_schedule()
    sweep = Schedule.objects.get(name="job-recovery")
    assert (sweep.task_path, sweep.recurrence, sweep.every_minutes) == (
        "clee.jobs.tasks.recover_lost_jobs",
        Schedule.Recurrence.EVERY_MINUTES,
        1,
    )
