"""Compliance jobs (django-tasks, database backend; run by ``manage.py db_worker``): the
calendar job, and recomputing a whole period after it opens or its rules change."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import task

from clee.compliance.models import ReportingPeriod


@task()
def advance_calendar() -> dict[str, Any]:
    """The calendar job (scheduled just after each local midnight): opens the period that
    contains today, records each period's phase change once, puts published rule book versions
    into force on their effective date. Safe to run twice."""
    from clee.compliance.calendar import calendar_advance

    return calendar_advance().as_summary()


@task()
def recompute_period(period_id: int, reason: str = "") -> dict[str, Any]:
    """Recompute every officer's stored result for one period (results are replaced whole:
    safe to run twice)."""
    from clee.compliance.services import compliance_recompute

    period = ReportingPeriod.objects.filter(pk=period_id).first()
    if period is None:
        return {"skipped": f"period {period_id} no longer exists"}
    written = compliance_recompute(period=period)
    return {"period": period.year, "results": written, "reason": reason}


def enqueue_period_recompute(period: ReportingPeriod, *, reason: str) -> None:
    """Have a worker recompute ``period`` once the current transaction commits."""
    transaction.on_commit(partial(recompute_period.enqueue, period_id=period.pk, reason=reason))
