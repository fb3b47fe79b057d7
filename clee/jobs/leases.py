"""Leases of running jobs, renewed by a heartbeat inside the job worker.

``manage.py db_worker`` (django-tasks' database worker) sends ``task_started`` before it
calls a task and ``task_finished`` after; only that worker sends them for the database
backend, so a web request never holds a lease. On ``task_started`` the worker takes the
job's ``JobLease`` (who runs it, which attempt) and a heartbeat thread of the worker process
renews it every ``CLEE_JOB_HEARTBEAT_SECONDS`` on its own database connection while the
task runs. A worker that is killed stops renewing; the recovery sweep
(``clee.jobs.services.jobs_recover``) finds the lease expired and tries the job again or
marks it failed. On ``task_finished`` the lease is closed.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks.signals import task_finished, task_started
from django_tasks_db.backend import DatabaseBackend

from clee.jobs.models import JobLease

logger = logging.getLogger(__name__)


class WorkerLostError(Exception):
    """The failure recorded on a job whose worker stopped answering (its lease expired) on
    its last allowed try; the message says which worker, when, and how many tries."""


def _from_database_worker(sender: Any) -> bool:
    # django-tasks sends the backend instance on start, its class on finish.
    backend = sender if isinstance(sender, type) else type(sender)
    return issubclass(backend, DatabaseBackend)


class Heartbeat:
    """The worker process's heartbeat: a daemon thread renewing the leases of the jobs this
    process runs (one at a time with db_worker), alive only while a job runs: between jobs
    the worker is a single-threaded process again (it may fork safely)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: dict[str, str] = {}  # task result id -> worker id
        self.thread: threading.Thread | None = None
        self.stop = threading.Event()
        self.pid = 0

    def hold(self, task_result_id: str, worker_id: str) -> None:
        with self.lock:
            self.running[task_result_id] = worker_id
            # A forked child does not inherit the parent's thread: start one of its own.
            if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
                self.pid = os.getpid()
                self.stop = threading.Event()
                self.thread = threading.Thread(
                    target=self._beat, args=(self.stop,), name="clee-job-heartbeat", daemon=True
                )
                self.thread.start()

    def release(self, task_result_id: str) -> None:
        with self.lock:
            self.running.pop(task_result_id, None)
            if self.running or self.thread is None:
                return
            thread, stop = self.thread, self.stop
            self.thread = None
        stop.set()
        if thread is not threading.current_thread():
            thread.join()

    def _beat(self, stop: threading.Event) -> None:
        while not stop.wait(float(settings.CLEE_JOB_HEARTBEAT_SECONDS)):
            with self.lock:
                running = dict(self.running)
            if not running:
                continue
            try:
                for task_result_id, worker_id in running.items():
                    self._renew(task_result_id, worker_id)
            finally:
                # A connection of its own, opened for the beat and closed after it: none is
                # left open between beats (nor after the last job).
                connection.close()

    @staticmethod
    def _renew(task_result_id: str, worker_id: str) -> None:
        try:
            renewed = JobLease.objects.filter(
                task_result_id=uuid.UUID(task_result_id), worker_id=worker_id, status=JobLease.Status.RUNNING
            ).update(heartbeat_at=timezone.now())
        except DatabaseError as error:
            # The database is away for a moment: the next beat tries again (a lease outlives
            # several missed beats).
            logger.warning("job heartbeat failed: %s", error)
            return
        if not renewed:
            logger.warning("job %s: its lease was taken by the recovery sweep while it ran", task_result_id)


HEARTBEAT = Heartbeat()


def lease_take(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """``task_started``: take the job's lease for this worker (a retry takes it again)."""
    if not _from_database_worker(sender):
        return
    now = timezone.now()
    worker_ids = list(task_result.worker_ids) or [""]
    task_result_id = str(task_result.id)
    fields = {
        "task_path": task_result.task.module_path[:200],
        "status": JobLease.Status.RUNNING,
        "attempts": max(len(worker_ids), 1),
        "worker_id": worker_ids[-1][:64],
        "host": socket.gethostname()[:255],
        "pid": os.getpid(),
        "started_at": now,
        "heartbeat_at": now,
        "finished_at": None,
    }
    JobLease.objects.update_or_create(task_result_id=uuid.UUID(task_result_id), defaults=fields)
    HEARTBEAT.hold(task_result_id, fields["worker_id"])


def lease_close(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """``task_finished``: the job ended here (successfully or not): close its lease."""
    if not _from_database_worker(sender):
        return
    task_result_id = str(task_result.id)
    HEARTBEAT.release(task_result_id)
    worker_ids = list(task_result.worker_ids) or [""]
    try:
        JobLease.objects.filter(
            task_result_id=uuid.UUID(task_result_id),
            worker_id=worker_ids[-1][:64],
            status=JobLease.Status.RUNNING,
        ).update(status=JobLease.Status.FINISHED, finished_at=timezone.now())
    except DatabaseError as error:
        # The job's own result is recorded already; an error here must not turn it into a
        # failure (the sweep looks only at jobs still running, so the open lease is harmless).
        logger.warning("job %s: its lease could not be closed: %s", task_result_id, error)


def connect() -> None:
    """Connect the receivers (``JobsConfig.ready``)."""
    task_started.connect(lease_take, dispatch_uid="clee.jobs.lease_take")
    task_finished.connect(lease_close, dispatch_uid="clee.jobs.lease_close")
