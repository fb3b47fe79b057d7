"""A job worker killed mid-job (SIGKILL, real ``manage.py db_worker`` processes): its lease
stops being renewed, and the recovery sweep tries the job again, a bounded number of times,
then marks it failed with the reason, visible to staff.

The worker renews every 0.2 s and a lease expires after 1 s here, so the tests take seconds.
"""

from __future__ import annotations

import datetime as dt
import socket
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clee.core.models import AuditEvent
from clee.jobs.models import JobLease, ScheduledRun
from clee.jobs.services import jobs_recover, scheduled_run_enqueue
from tests.conftest import PASSWORD
from tests.jobs.conftest import make_schedule
from tests.jobs.slow_tasks import long_job
from tests.workers import NEEDS_POSTGRESQL, Worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason=NEEDS_POSTGRESQL),
]

WORKER_ENV = {"CLEE_JOB_HEARTBEAT_SECONDS": "0.2"}


@pytest.fixture(autouse=True)
def short_leases(settings: Any) -> None:
    settings.CLEE_JOB_LEASE_SECONDS = 1
    settings.CLEE_JOB_RETRY_SECONDS = 0
    settings.CLEE_JOB_MAX_ATTEMPTS = 2


def tries(folder: Path) -> int:
    path = folder / "tries"
    return len(path.read_text().splitlines()) if path.exists() else 0


def recover_when_lost() -> Any:
    """Run the sweep until the lost job's lease has expired and it acts (about a second)."""
    outcome: dict[str, Any] = {}

    def swept() -> bool:
        outcome["recovery"] = jobs_recover()
        return bool(outcome["recovery"].retried or outcome["recovery"].failed)

    wait_for(swept, "the recovery sweep to find the lost job")
    return outcome["recovery"]


def lease_renewed_past_its_length(task_result_id: Any) -> bool:
    lease = JobLease.objects.filter(pk=task_result_id).first()
    return lease is not None and (lease.heartbeat_at - lease.started_at).total_seconds() > 1.5


def test_a_job_whose_worker_is_killed_is_tried_again_and_finishes(tmp_path: Path) -> None:
    result = long_job.enqueue(folder=str(tmp_path), finish_on_try=2)
    first = Worker(tmp_path / "first.log", WORKER_ENV)
    try:
        wait_for(lambda: tries(tmp_path) == 1, "the job to start", first)
        # The heartbeat keeps the lease alive well past its length: the sweep leaves it alone.
        wait_for(lambda: lease_renewed_past_its_length(result.id), "heartbeats", first)
        assert jobs_recover().retried == []
        lease = JobLease.objects.get(pk=result.id)
        assert (lease.status, lease.pid, lease.host) == (
            JobLease.Status.RUNNING,
            first.pid,
            socket.gethostname(),
        )
        first.kill()
    finally:
        first.stop()

    recovery = recover_when_lost()

    assert (recovery.retried, recovery.failed) == ([str(result.id)], [])
    lease = JobLease.objects.get(pk=result.id)
    assert lease.status == JobLease.Status.RETRYING
    assert f"worker {socket.gethostname()}:{first.pid} stopped answering at " in lease.reason
    assert "1 try of 2" in lease.reason
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    assert AuditEvent.objects.filter(action="job.retry").count() == 1

    second = Worker(tmp_path / "second.log", WORKER_ENV, batch=True)
    assert second.wait() == 0, second.text()

    job = DBTaskResult.objects.get(pk=result.id)
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value == {"finished_on_try": 2}
    assert len(job.worker_ids) == 2
    lease = JobLease.objects.get(pk=result.id)
    assert (lease.status, lease.attempts, lease.pid) == (JobLease.Status.FINISHED, 2, second.process.pid)
    assert tries(tmp_path) == 2


def test_a_job_that_loses_its_worker_on_every_try_is_failed_with_the_reason(tmp_path: Path) -> None:
    # Through the scheduler, as the daily jobs run: the scheduled run records the failure too.
    schedule = make_schedule("long", task_path="tests.jobs.slow_tasks.endless_job")
    run = ScheduledRun.objects.create(
        schedule=schedule,
        due_at=timezone.now(),
        claimed_at=timezone.now(),
        status=ScheduledRun.Status.CLAIMED,
    )
    assert scheduled_run_enqueue(run_id=run.pk)
    run.refresh_from_db()
    workers = []
    try:
        for attempt in (1, 2):
            worker = Worker(
                tmp_path / f"worker{attempt}.log", {**WORKER_ENV, "CLEE_TEST_JOB_FOLDER": str(tmp_path)}
            )
            workers.append(worker)
            wait_for(lambda attempt=attempt: tries(tmp_path) == attempt, f"try {attempt} to start", worker)  # type: ignore[misc]
            run.refresh_from_db()
            assert run.status == ScheduledRun.Status.RUNNING
            worker.kill()
            recovery = recover_when_lost()
            assert (len(recovery.retried), len(recovery.failed)) == ((1, 0) if attempt == 1 else (0, 1))
            run.refresh_from_db()
            if attempt == 1:
                assert run.status == ScheduledRun.Status.ENQUEUED  # so that the retry runs it
    finally:
        for worker in workers:
            worker.stop()

    job = DBTaskResult.objects.get(pk=run.task_result_id)
    assert job.status == TaskResultStatus.FAILED
    reason = f"worker {socket.gethostname()}:{workers[1].pid} stopped answering at "
    assert reason in job.traceback
    assert job.traceback.rstrip().endswith("; 2 tries")
    assert job.exception_class_path == "clee.jobs.leases.WorkerLostError"
    lease = JobLease.objects.get(pk=job.pk)
    assert (lease.status, lease.attempts) == (JobLease.Status.LOST, 2)
    run.refresh_from_db()
    assert run.status == ScheduledRun.Status.FAILED
    assert reason in run.error
    assert run.error.endswith("; 2 tries")
    assert AuditEvent.objects.filter(action="job.lost").count() == 1
    # A third sweep finds nothing: the job is not tried a third time.
    assert jobs_recover(now=timezone.now() + dt.timedelta(hours=1)).retried == []
    assert tries(tmp_path) == 2

    # Visible to the operator and to staff.
    out = StringIO()
    call_command("jobs", stdout=out)
    listing = out.getvalue()
    assert "Failed in the last 7 days: 1" in listing
    assert "clee.jobs.tasks.run_scheduled" in listing
    assert "tries=2" in listing
    assert reason in listing
    from clee.accounts.models import User

    User.objects.create_user(username="erin", password=PASSWORD, role="post_staff", is_staff=True)
    client = Client()
    assert client.login(username="erin", password=PASSWORD)
    page = client.get("/admin/jobs/job/?status__exact=FAILED").content.decode()
    assert "stopped answering" in page
    assert str(workers[1].pid) in page
