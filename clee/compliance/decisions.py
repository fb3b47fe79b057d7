"""The Director's decisions on licenses after a grace deadline, and reactivations.

After the grace deadline a non-compliant officer's license *may*, at the Director's
discretion, be made inactive (11 CSR 75-15.080); an inactive license cannot hold a commission
until the missing training is shown, and is then made active again. Each decision is a
``LicenseDecision`` row, written with its license history line and audit row in one
transaction. (A module apart from ``services``: it calls the officers' services, which
themselves import ``services``.)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from clee.accounts.models import User
from clee.compliance.models import ComplianceResult, LicenseDecision, ReportingPeriod
from clee.compliance.selectors import CASE_DECISIONS, SHOWN_TRAINING, grace_passed, open_inactivations
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.core.wording import hours_text
from clee.officers.models import LicenseStatus, Officer
from clee.officers.services import license_status_change

# The license history keeps 300 characters of reason; the Director's words get all but the
# few that say which decision it was.
REASON_MAX = 240


def _day(value: dt.date) -> str:
    return date_format(value, "F j, Y")


def _director_only(acting_user: User | None) -> None:
    if not isinstance(acting_user, User) or acting_user.role != User.Role.DIRECTOR:
        raise ServiceError("only the Director decides on a license")


def reason_cleaned(reason: str, *, required: str | None) -> str:
    """A decision's reason on one line, at most ``REASON_MAX`` characters; ``required`` is the
    refusal when it is empty (None: it may be)."""
    reason = " ".join(reason.split())
    if required and not reason:
        raise ServiceError(required, field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(
            f"the reason must be at most {REASON_MAX} characters (it has {len(reason)})", field="reason"
        )
    return reason


@transaction.atomic
def license_decide(
    *,
    officer: Officer,
    period: ReportingPeriod,
    inactivate: bool,
    reason: str,
    acting_user: User,
    today: dt.date | None = None,
) -> LicenseDecision:
    """Record the Director's decision on an officer non-compliant for ``period`` after its grace
    deadline: inactivate the license (a reason is required; the license history gets the line)
    or keep it active. One decision per officer and period; refused before the grace deadline,
    while an extension runs, or when the officer is not non-compliant. Returns the decision."""
    _director_only(acting_user)
    today = today or timezone.localdate()
    required = "a reason is required to inactivate a license" if inactivate else None
    reason = reason_cleaned(reason, required=required)
    # The officer's row is the lock: two decisions on one officer never interleave.
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    if not grace_passed(period, today):
        raise ServiceError(
            f"the grace deadline of the {period.year} period ({_day(period.grace_deadline)}) has not "
            "passed yet: the officer may still show the training"
        )
    earlier = (
        LicenseDecision.objects.filter(officer=officer, period=period, decision__in=CASE_DECISIONS)
        .select_related("decided_by")
        .first()
    )
    if earlier is not None:
        raise ServiceError(
            f"{officer.full_name}'s license was already decided for {period.year}: "
            f"{earlier.get_decision_display().lower()} on {_day(timezone.localdate(earlier.decided_at))} "
            f"by {earlier.decided_by.get_full_name() or earlier.decided_by.get_username()}"
        )
    result = ComplianceResult.objects.filter(officer=officer, period=period).first()
    if result is None or result.status != ComplianceResult.Status.DEFICIENT:
        shown = "no result" if result is None else f"the result is {result.get_status_display().lower()}"
        raise ServiceError(f"{officer.full_name} is not non-compliant for {period.year} ({shown})")
    if result.extended_until is not None and result.extended_until >= today:
        raise ServiceError(
            f"{officer.full_name} has an extension until {_day(result.extended_until)}: "
            "no decision before it passes"
        )
    change = None
    if inactivate:
        if officer.license_status != LicenseStatus.ACTIVE:
            raise ServiceError(
                f"{officer.full_name}'s license is {officer.get_license_status_display().lower()}, "
                "not active: there is nothing to inactivate"
            )
        change = license_status_change(
            officer=officer,
            to_status=LicenseStatus.INACTIVE,
            reason=f"{period.year} CLEE requirement not met after the grace deadline: {reason}",
            effective_on=today,
            acting_user=acting_user,
        )
    decision = _create(
        officer=officer,
        period=period,
        decision=LicenseDecision.Decision.INACTIVATE if inactivate else LicenseDecision.Decision.KEEP,
        reason=reason,
        hours_short=result.additional_hours_needed,
        status_change=change,
        acting_user=acting_user,
    )
    record_event(
        actor=acting_user,
        action=AuditAction.COMPLIANCE_LICENSE_DECIDE,
        target=decision,
        summary=f"{officer.full_name} ({officer.license_number}), {period.year}: license "
        + ("inactivated" if inactivate else "kept active")
        + (f": {reason}" if reason else ""),
        data={
            "officer": officer.license_number,
            "period": period.year,
            "decision": decision.decision,
            "hours_short": str(result.additional_hours_needed),
        },
    )
    return decision


@transaction.atomic
def license_reactivate(
    *, inactivation: LicenseDecision, reason: str, acting_user: User
) -> list[LicenseDecision]:
    """Make active again a license the Director inactivated, now that the missing training is
    shown (the period's result is compliant, or exempt). Every open inactivation of the officer
    must be resolved so: one still short keeps the license inactive. Returns the reactivation
    rows written, one per inactivated period."""
    _director_only(acting_user)
    reason = reason_cleaned(reason, required="a reason is required to reactivate a license")
    officer = Officer.objects.select_for_update().get(pk=inactivation.officer_id)
    if inactivation.decision != LicenseDecision.Decision.INACTIVATE:
        raise ServiceError("only an inactivation can be undone by a reactivation")
    open_ones = list(open_inactivations().filter(officer=officer).select_related("period"))
    if inactivation.pk not in {d.pk for d in open_ones}:
        raise ServiceError(
            f"{officer.full_name}'s license is {officer.get_license_status_display().lower()} and this "
            "inactivation is already undone"
        )
    results = {
        r.period_id: r
        for r in ComplianceResult.objects.filter(officer=officer, period__in=[d.period for d in open_ones])
    }
    short = [
        d.period for d in open_ones if getattr(results.get(d.period_id), "status", None) not in SHOWN_TRAINING
    ]
    if short:
        hours = [results[p.pk].additional_hours_needed if p.pk in results else None for p in short]
        missing = ", ".join(
            f"{p.year} ({hours_text(h)} short)" if isinstance(h, Decimal) else f"{p.year} (no result)"
            for p, h in zip(short, hours, strict=True)
        )
        raise ServiceError(f"the missing training is not shown yet for {missing}")
    change = license_status_change(
        officer=officer,
        to_status=LicenseStatus.ACTIVE,
        reason=f"missing training shown for {', '.join(str(d.period.year) for d in open_ones)}: {reason}",
        effective_on=timezone.localdate(),
        acting_user=acting_user,
    )
    written = [
        _create(
            officer=officer,
            period=d.period,
            decision=LicenseDecision.Decision.REACTIVATE,
            reason=reason,
            hours_short=Decimal(0),
            status_change=change if index == 0 else None,
            acting_user=acting_user,
        )
        for index, d in enumerate(sorted(open_ones, key=lambda d: d.period.year))
    ]
    for reactivation in written:
        record_event(
            actor=acting_user,
            action=AuditAction.COMPLIANCE_LICENSE_REACTIVATE,
            target=reactivation,
            summary=f"{officer.full_name} ({officer.license_number}), {reactivation.period.year}: "
            f"license reactivated: {reason}",
            data={"officer": officer.license_number, "period": reactivation.period.year},
        )
    return written


def _create(
    *,
    officer: Officer,
    period: ReportingPeriod,
    decision: str,
    reason: str,
    hours_short: Decimal,
    status_change: Any,
    acting_user: User,
) -> LicenseDecision:
    try:
        with transaction.atomic():
            return LicenseDecision.objects.create(
                officer=officer,
                period=period,
                decision=decision,
                reason=reason,
                hours_short=hours_short,
                status_change=status_change,
                decided_by=acting_user,
                decided_at=timezone.now(),
            )
    except IntegrityError:
        # Only a concurrent decision that slipped past the lock can get here.
        raise ServiceError(f"{officer.full_name}'s license was already decided for {period.year}") from None
