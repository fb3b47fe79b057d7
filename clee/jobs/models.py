"""The schedule stored in the database, and one row per due run of it.

A ``Schedule`` recurs daily at a local time, every few minutes (counted from each local
midnight), or each year on given month/day dates at that time (the reporting period is a
calendar year, 15.010(1), so "October 1" is October 1 of every year). A ``ScheduledRun`` is
one due occurrence: the scheduler claims it by inserting the row, and the unique (schedule,
due_at) pair makes the claim happen once however many schedulers run. The run keeps what the
job did (``summary``), so every job leaves a record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clee.core.models import TimeStamped


def parse_month_day(value: str) -> tuple[int, int]:
    """``"MM-DD"`` as (month, day); raises ValueError for anything else (Feb 29 included:
    a date that is missing in most years would make the schedule skip years)."""
    month_text, _, day_text = value.partition("-")
    month, day = int(month_text), int(day_text)
    dt.date(2023, month, day)  # a non-leap year: refuses Feb 29 and impossible dates
    return month, day


class Schedule(TimeStamped):
    class Recurrence(models.TextChoices):
        DAILY = "daily", "Daily at a time"
        YEARLY_DATES = "yearly_dates", "On given month/day dates each year, at a time"
        EVERY_MINUTES = "every_minutes", "Every few minutes"

    name = models.CharField(max_length=80, unique=True)
    # The dotted path of a django-tasks task (or a plain function), resolved when the run starts.
    task_path = models.CharField(max_length=200)
    recurrence = models.CharField(max_length=20, choices=Recurrence.choices, default=Recurrence.DAILY)
    # Local time (settings.TIME_ZONE) of each occurrence.
    at_time = models.TimeField(default=dt.time(2, 0))
    # For YEARLY_DATES: a list of "MM-DD" strings, for example ["10-01", "11-15", "12-15"].
    month_days = models.JSONField(default=list, blank=True)
    # For EVERY_MINUTES: the minutes between two runs, counted from each local midnight.
    every_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    # Occurrences before this moment are never run (a new schedule does not replay the past).
    active_from = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.recurrence == self.Recurrence.EVERY_MINUTES and not 1 <= (self.every_minutes or 0) <= 1440:
            raise ValidationError({"every_minutes": "give the minutes between two runs, from 1 to 1440"})
        if self.recurrence == self.Recurrence.YEARLY_DATES:
            if not self.month_days:
                raise ValidationError({"month_days": "give at least one MM-DD date"})
            for value in self.month_days:
                try:
                    parse_month_day(str(value))
                except ValueError:
                    raise ValidationError({"month_days": f"{value!r} is not a MM-DD date"}) from None


class ScheduledRun(models.Model):
    class Status(models.TextChoices):
        CLAIMED = "claimed", "Claimed"
        ENQUEUED = "enqueued", "Enqueued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="runs")
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=100, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLAIMED)
    # What the job did: counts returned by the job, for the operator and the tests.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-due_at", "schedule"]
        constraints = [models.UniqueConstraint(fields=["schedule", "due_at"], name="one_run_per_due_time")]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.schedule} due {timezone.localtime(self.due_at):%Y-%m-%d %H:%M} ({self.status})"


class JobLease(models.Model):
    """The lease of a job (a django-tasks task result) while a worker runs it, renewed by the
    worker's heartbeat: a job whose lease stopped being renewed lost its worker (killed, host
    gone), and the recovery sweep (``clee.jobs.services.jobs_recover``) runs it again or marks
    it failed with the reason. One row per task result, kept after it ends for the record."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        RETRYING = "retrying", "Waiting to be tried again: its worker stopped answering"
        LOST = "lost", "Failed: its worker stopped answering"

    task_result = models.OneToOneField(
        "django_tasks_database.DBTaskResult", primary_key=True, on_delete=models.CASCADE, related_name="lease"
    )
    task_path = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    # How many times a worker started the job (1 on the first run).
    attempts = models.PositiveSmallIntegerField(default=1)
    # The worker running it (or that ran it last): django-tasks' worker id, host and process.
    worker_id = models.CharField(max_length=64)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # Why it was tried again or given up, e.g. "worker web1:4242 stopped answering at ...".
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="joblease_status_heartbeat")]

    def __str__(self) -> str:
        return f"{self.task_path} ({self.get_status_display()}, attempt {self.attempts})"

    @property
    def worker(self) -> str:
        return f"{self.host}:{self.pid}"


class Job(DBTaskResult[..., Any]):
    """django-tasks' queue row (one per job enqueued), shown to staff with its lease: what
    runs, waits, succeeded or failed, and why."""

    class Meta:
        proxy = True
        verbose_name = "job"
        ordering = ["-enqueued_at"]
