"""Compliance certificates: an officer's certificate for a period, issued from the period's
stored result (the ``Certificate`` row and its code are ``clee.training``'s)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from clee.compliance.models import ComplianceResult
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.training.models import Certificate
from clee.training.services import certificate_code_new

if TYPE_CHECKING:
    from clee.accounts.models import User


CERTIFIED_STATUSES = ("compliant", "exempt")


@transaction.atomic
def certificate_issue(*, officer: Any, period: Any, acting_user: User | None) -> Certificate:
    """The officer's compliance certificate for ``period``: the one issued before, or a new one
    with its verification code when the period's stored result is compliant or exempt."""
    result = ComplianceResult.objects.filter(officer=officer, period=period).first()
    if result is None or result.status not in CERTIFIED_STATUSES:
        status = "not computed yet" if result is None else result.get_status_display().lower()
        raise ServiceError(
            f"a certificate is given only for a period you are compliant or exempt in; "
            f"{period.year} is {status}"
        )
    existing = Certificate.objects.filter(officer=officer, period=period).first()
    if existing is not None:
        return existing
    try:
        # A savepoint: a second request issuing the same certificate at the same moment loses
        # the race on the (officer, period) constraint and returns the winner's certificate.
        with transaction.atomic():
            certificate = Certificate.objects.create(
                officer=officer,
                period=period,
                code=certificate_code_new(),
                status=result.status,
                counted_hours=result.counted_hours,
                issued_by=acting_user,
            )
    except IntegrityError:
        return Certificate.objects.get(officer=officer, period=period)
    record_event(
        actor=acting_user,
        action=AuditAction.TRAINING_CERTIFICATE_ISSUE,
        target=certificate,
        summary=f"compliance certificate {certificate.shown_code} for {period.year} issued",
    )
    return certificate
