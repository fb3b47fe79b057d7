"""Make-up training: training completed after a deficient period, applied to it by POST staff.

Training completed in a period's grace window (January 1 to March 15, 11 CSR 75-15.080(2)), or
later to show the missing training after the grace deadline, may cure the period's shortfall.
POST staff apply such records to the deficient period: they then count there, with their real
dates (the scenario contract's ``applied_to``), and no longer in the period of their completion
date, so an hour is never counted twice (``TrainingRecord.applied_to_year``;
``clee.compliance.recompute`` reads lines so). The preview evaluates every period the move
touches through the engine, exactly as the stored results will be, before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from clee.accounts.models import User
from clee.compliance.decisions import reason_cleaned
from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.compliance.outbox import results_mark_stale
from clee.compliance.preview import Effect, preview
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.officers.models import Officer
from clee.training.models import TrainingRecord

STAFF_ROLES = (User.Role.POST_STAFF, User.Role.DIRECTOR)


def makeup_queue(today: dt.date) -> QuerySet[ComplianceResult]:
    """Deficient results of ended periods whose officer has accepted training completed after
    the period that is not applied anywhere yet: what staff may apply, oldest period first."""
    later_training = TrainingRecord.objects.filter(
        officer_id=OuterRef("officer_id"),
        status=TrainingRecord.Status.ACCEPTED,
        applied_to_year__isnull=True,
        completed_on__gt=OuterRef("period__ends"),
    )
    return (
        ComplianceResult.objects.filter(status=ComplianceResult.Status.DEFICIENT, period__ends__lt=today)
        .filter(Exists(later_training))
        .select_related("officer", "period")
        .order_by("period__year", "officer__last_name", "officer__first_name", "officer_id")
    )


def makeup_candidates(officer: Officer, period: ReportingPeriod) -> QuerySet[TrainingRecord]:
    """The officer's accepted records completed after ``period`` and not applied anywhere."""
    return (
        TrainingRecord.objects.filter(
            officer=officer,
            status=TrainingRecord.Status.ACCEPTED,
            applied_to_year__isnull=True,
            completed_on__gt=period.ends,
        )
        .select_related("course__provider")
        .prefetch_related("lines")
        .order_by("completed_on", "id")
    )


def _home_periods(records: Sequence[TrainingRecord]) -> list[ReportingPeriod]:
    """The periods on file that contain the records' completion dates."""
    days = {record.completed_on for record in records}
    if not days:
        return []
    candidates = ReportingPeriod.objects.filter(starts__lte=max(days), ends__gte=min(days)).order_by("year")
    return [p for p in candidates if any(p.starts <= day <= p.ends for day in days)]


def makeup_preview(
    officer: Officer,
    period: ReportingPeriod,
    records: Sequence[TrainingRecord],
    *,
    acting_user: User | None,
    reason: str = "",
    today: dt.date | None = None,
) -> Effect:
    """What applying ``records`` to ``period`` does to every period it touches (the deficient
    one first, then those the records were completed in): the move is made by
    ``training_apply_to_period`` itself, in a transaction rolled back, and each period read back
    as its stored result is computed. So the preview is what applying does. Raises ServiceError
    as applying would (a record that may not be applied, say)."""
    homes = {_home_year(record) for record in records} - {period.year}
    effect = preview(
        officer_id=officer.pk,
        years=[period.year, *sorted(homes)],
        change=lambda: [
            record.pk
            for record in training_apply_to_period(
                officer=officer,
                period=period,
                record_ids=[record.pk for record in records],
                reason=reason.strip() or "preview",
                acting_user=acting_user,
                today=today,
            )
        ],
    )
    effect.periods.sort(key=lambda change: (change.year != period.year, change.year))
    return effect


def _home_year(record: TrainingRecord) -> int:
    return record.applied_to_year or record.completed_on.year


@transaction.atomic
def training_apply_to_period(
    *,
    officer: Officer,
    period: ReportingPeriod,
    record_ids: Sequence[int],
    reason: str,
    acting_user: User | None,
    today: dt.date | None = None,
) -> list[TrainingRecord]:
    """Apply the officer's records completed after ``period`` to it as make-up training: they
    count there and nowhere else. Only POST staff or the Director; only for an ended period in
    which the officer is short; every record accepted, the officer's, completed after the
    period and not applied yet. Both periods are recomputed after the commit."""
    if not isinstance(acting_user, User) or acting_user.role not in STAFF_ROLES:
        raise ServiceError("only POST staff apply make-up training to a period")
    today = today or timezone.localdate()
    reason = reason_cleaned(reason, required="a reason is required: say what the training makes up for")
    if not record_ids:
        raise ServiceError("choose at least one record to apply", field="records")
    # The officer's row is the lock: two staff members never apply the same record twice.
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    if period.ends >= today:
        raise ServiceError(
            f"the {period.year} period has not ended: training completed in it counts there already"
        )
    result = ComplianceResult.objects.filter(officer=officer, period=period).first()
    if result is None or result.status != ComplianceResult.Status.DEFICIENT:
        shown = "no result" if result is None else f"the result is {result.get_status_display().lower()}"
        raise ServiceError(
            f"{officer.full_name} is not short for {period.year} ({shown}): nothing to make up"
        )
    records = list(TrainingRecord.objects.filter(pk__in=set(record_ids), officer=officer).order_by("id"))
    if len(records) != len(set(record_ids)):
        raise ServiceError(f"a chosen record is not one of {officer.full_name}'s", field="records")
    for record in records:
        _check_record(record, period)
    TrainingRecord.objects.filter(pk__in=[r.pk for r in records]).update(
        applied_to_year=period.year, updated_at=timezone.now()
    )
    years = {period.year, *(p.year for p in _home_periods(records))}
    for record in records:
        record.applied_to_year = period.year
        record_event(
            actor=acting_user,
            action=AuditAction.TRAINING_APPLY_TO_PERIOD,
            target=record,
            summary=f"{officer.full_name} ({officer.license_number}): {record} applied to {period.year} "
            f"as make-up training: {reason}",
            data={
                "officer": officer.license_number,
                "period": period.year,
                "completed_on": record.completed_on.isoformat(),
                "hours": str(record.hours),
                "reason": reason,
            },
        )
    results_mark_stale([officer.pk], years, reason="training applied to a period")
    return records


def _check_record(record: TrainingRecord, period: ReportingPeriod) -> None:
    day = date_format(record.completed_on, "F j, Y")
    if record.status != TrainingRecord.Status.ACCEPTED:
        raise ServiceError(
            f"{record} is {record.get_status_display().lower()}: only accepted training is applied"
        )
    if record.applied_to_year is not None:
        raise ServiceError(f"{record} is already applied to the {record.applied_to_year} period")
    if record.completed_on <= period.ends:
        raise ServiceError(
            f"{record} was completed on {day}, within or before the {period.year} period: "
            "only training completed after the period makes it up"
        )
