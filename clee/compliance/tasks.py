"""Compliance jobs (django-tasks, database backend; run by ``manage.py db_worker``): the
calendar job, recomputing stale results (``clee.compliance.outbox``) and its sweep, and the
rule-change impact preview.

The top of the app: each task calls a service. A service queues a task by its job's name
(``clee.core.queue``); ``@runs`` binds the name here, and ``ComplianceConfig.ready`` imports
this module so that the binding is there in every process."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

from clee.compliance.calendar import calendar_advance
from clee.compliance.impact import RUN_IMPACT_PREVIEW, impact_preview_run
from clee.compliance.models import ReportingPeriod
from clee.compliance.outbox import (
    RECOMPUTE_STALE,
    period_mark_stale,
    stale_results_recompute,
    stale_results_sweep,
)
from clee.core.queue import runs


@task()
def advance_calendar() -> dict[str, Any]:
    """The calendar job (scheduled just after each local midnight): opens the period that
    contains today, records each period's phase change once, puts published rule book versions
    into force on their effective date. Safe to run twice."""
    return calendar_advance().as_summary()


@runs(RECOMPUTE_STALE)
@task()
def recompute_stale() -> dict[str, Any]:
    """Claim batches of stale results and recompute them until none is left (any number of
    these run at once, on any number of hosts). Safe to run twice."""
    return stale_results_recompute()


@task()
def sweep_stale_results() -> dict[str, Any]:
    """The every-minute sweep: queues recompute jobs for marks whose claim expired (a killed
    worker) or that no job took. Safe to run twice."""
    return stale_results_sweep()


@task()
def recompute_period(period_id: int, reason: str = "") -> dict[str, Any]:
    """Mark every officer's result of one period stale (the recompute jobs follow). Kept for
    jobs queued before the outbox existed."""
    period = ReportingPeriod.objects.filter(pk=period_id).first()
    if period is None:
        return {"skipped": f"period {period_id} no longer exists"}
    with transaction.atomic():
        marked = period_mark_stale(period, reason=reason or f"period {period.year} recomputed")
    return {"period": period.year, "marked": marked, "reason": reason}


@runs(RUN_IMPACT_PREVIEW)
@task()
def run_impact_preview(preview_id: int) -> dict[str, Any]:
    """Evaluate a draft against every officer of a period, with progress, until done or
    cancelled (``clee.compliance.impact``)."""
    return impact_preview_run(preview_id=preview_id)
