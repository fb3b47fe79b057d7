"""Reads of the non-compliance process: who is non-compliant after a grace deadline, who awaits
the Director's decision, and whose inactive license may be made active again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from clee.compliance.models import ComplianceResult, LicenseDecision, ReportingPeriod, StaleResult
from clee.officers.models import LicenseStatus

# The decisions that close a period's case; a reactivation only undoes an inactivation.
CASE_DECISIONS = (LicenseDecision.Decision.INACTIVATE, LicenseDecision.Decision.KEEP)
SHOWN_TRAINING = (ComplianceResult.Status.COMPLIANT, ComplianceResult.Status.EXEMPT)


def grace_passed(period: ReportingPeriod, today: dt.date) -> bool:
    """Whether ``today`` is after the period's grace deadline: compliance may still be shown
    on the deadline itself (11 CSR 75-15.080)."""
    return today > period.grace_deadline


def periods_past_grace(today: dt.date) -> QuerySet[ReportingPeriod]:
    """The jurisdiction's periods whose grace deadline has passed, latest first."""
    return ReportingPeriod.objects.filter(
        jurisdiction=settings.CLEE_JURISDICTION, grace_deadline__lt=today
    ).order_by("-year")


def noncompliant_after_grace(period: ReportingPeriod, today: dt.date) -> QuerySet[ComplianceResult]:
    """Deficient results of ``period`` once its grace deadline has passed, leaving out officers
    whose extension still runs (its new deadline is today or later). None before the deadline."""
    if not grace_passed(period, today):
        return ComplianceResult.objects.none()
    return ComplianceResult.objects.filter(period=period, status=ComplianceResult.Status.DEFICIENT).filter(
        Q(extended_until__isnull=True) | Q(extended_until__lt=today)
    )


def decision_queue(period: ReportingPeriod, today: dt.date) -> QuerySet[ComplianceResult]:
    """The Director's queue: non-compliant after the grace deadline, license still active,
    no decision yet for the period."""
    decided = LicenseDecision.objects.filter(
        officer_id=OuterRef("officer_id"), period_id=OuterRef("period_id"), decision__in=CASE_DECISIONS
    )
    return (
        noncompliant_after_grace(period, today)
        .filter(officer__license_status=LicenseStatus.ACTIVE)
        .exclude(Exists(decided))
    )


def open_inactivations() -> QuerySet[LicenseDecision]:
    """Inactivations not yet undone, of officers whose license is still inactive."""
    reactivated = LicenseDecision.objects.filter(
        officer_id=OuterRef("officer_id"),
        period_id=OuterRef("period_id"),
        decision=LicenseDecision.Decision.REACTIVATE,
    )
    return LicenseDecision.objects.filter(
        decision=LicenseDecision.Decision.INACTIVATE, officer__license_status=LicenseStatus.INACTIVE
    ).exclude(Exists(reactivated))


def _training_shown() -> Exists:
    return Exists(
        ComplianceResult.objects.filter(
            officer_id=OuterRef("officer_id"), period_id=OuterRef("period_id"), status__in=SHOWN_TRAINING
        )
    )


def reactivation_candidates() -> QuerySet[LicenseDecision]:
    """Open inactivations whose period's result is now compliant (or exempt): the missing
    training has been shown, so the license may be made active again. An officer still short
    for another inactivated period is left out: the license stays inactive until all is shown."""
    still_short = inactivations_awaiting_training().values("officer_id")
    return open_inactivations().filter(_training_shown()).exclude(officer_id__in=still_short)


def inactivations_awaiting_training() -> QuerySet[LicenseDecision]:
    """Open inactivations whose period's result is still not compliant."""
    return open_inactivations().exclude(_training_shown())


# Stale results (clee.compliance.outbox): pages show "Updating…" rather than an old result. ---------


def stale_officer_ids(period: ReportingPeriod | int | None, officer_ids: Iterable[int]) -> set[int]:
    """Which of these officers' results of ``period`` are being recomputed: one query for a
    page's officers (a roster page, a list), whatever their number on PostgreSQL."""
    ids = list(officer_ids)
    if period is None or not ids:
        return set()
    period_id = period if isinstance(period, int) else period.pk
    return set(
        StaleResult.objects.filter(period_id=period_id, officer_id__in=ids).values_list(
            "officer_id", flat=True
        )
    )


def result_is_stale(officer_id: int, period: ReportingPeriod | int | None) -> bool:
    """Whether this officer's result of ``period`` is being recomputed."""
    if period is None:
        return False
    period_id = period if isinstance(period, int) else period.pk
    return StaleResult.objects.filter(period_id=period_id, officer_id=officer_id).exists()


def stale_count(period: ReportingPeriod | None) -> int:
    """How many officers' results of ``period`` are being recomputed."""
    return 0 if period is None else StaleResult.objects.filter(period=period).count()
