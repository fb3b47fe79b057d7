"""The schedule and its runs in the staff back office: looked at, never changed there (the
default schedule is seeded by ``run_scheduler``; docs/operations.md §3.4)."""

from __future__ import annotations

from django.contrib import admin

from clee.core.admin_site import ReadOnlyAdmin, site
from clee.jobs.models import Schedule, ScheduledRun


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
    list_display = ("schedule", "due_at", "status", "claimed_by", "started_at", "finished_at", "summary")
    list_filter = ("status", "schedule")
    list_select_related = ("schedule",)
    readonly_fields = ("error",)
