"""The schedule, its runs and the jobs in the staff back office: looked at, never changed there
(the default schedule is seeded by ``run_scheduler``; docs/operations.md §3.4)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from clee.core.admin_site import ReadOnlyAdmin, site
from clee.jobs.models import Job, JobLease, Schedule, ScheduledRun


@admin.register(Schedule, site=site)
class ScheduleAdmin(ReadOnlyAdmin[Schedule]):
    list_display = (
        "name",
        "task_path",
        "recurrence",
        "at_time",
        "every_minutes",
        "month_days",
        "enabled",
        "active_from",
    )


@admin.register(ScheduledRun, site=site)
class ScheduledRunAdmin(ReadOnlyAdmin[ScheduledRun]):
    list_display = (
        "schedule",
        "due_at",
        "status",
        "claimed_by",
        "started_at",
        "finished_at",
        "summary",
        "error",
    )
    list_filter = ("status", "schedule")
    list_select_related = ("schedule",)
    readonly_fields = ("error",)


@admin.register(Job, site=site)
class JobAdmin(ReadOnlyAdmin[Job]):
    """Every job of the queue: waiting, running (with its worker's last heartbeat), done, or
    failed with the reason (a worker that stopped answering is named, with the tries)."""

    list_display = (
        "task_path",
        "status",
        "attempts",
        "worker",
        "heartbeat",
        "enqueued_at",
        "started_at",
        "finished_at",
        "reason",
    )
    list_filter = ("status", "lease__status")
    search_fields = ("task_path",)
    exclude = ("args_kwargs", "return_value", "traceback")
    readonly_fields = ("reason", "failure")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Job]:
        return super().get_queryset(request).select_related("lease")

    @admin.display(description="tries")
    def attempts(self, job: Job) -> int:
        return len(job.worker_ids)

    @staticmethod
    def _lease(job: Job) -> JobLease | None:
        try:
            lease: JobLease = job.lease
        except JobLease.DoesNotExist:
            return None
        return lease

    @admin.display(description="worker")
    def worker(self, job: Job) -> str:
        lease = self._lease(job)
        return lease.worker if lease is not None else ""

    @admin.display(description="last heartbeat")
    def heartbeat(self, job: Job) -> object:
        lease = self._lease(job)
        return lease.heartbeat_at if lease is not None else None

    @admin.display(description="why")
    def reason(self, job: Job) -> str:
        lease = self._lease(job)
        if lease is not None and lease.reason:
            return lease.reason
        return job.exception_class_path

    @admin.display(description="error")
    def failure(self, job: Job) -> str:
        return str(job.traceback)[-4000:]


@admin.register(JobLease, site=site)
class JobLeaseAdmin(ReadOnlyAdmin[JobLease]):
    list_display = (
        "task_path",
        "status",
        "attempts",
        "worker",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "reason",
    )
    list_filter = ("status",)
    search_fields = ("task_path", "host", "reason")
