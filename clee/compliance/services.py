"""Write services of the compliance app: opening a period, exemptions, and extensions and
waivers (requested by an agency, decided or granted by POST staff), each with its audit row and
the stale marks of the results it changes.

Keeping stored results current is clee.compliance.recompute (and the outbox); a period as a
scenario file, clee.compliance.scenarios."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from clee.compliance.calendar import period_open
from clee.compliance.models import Exemption, Extension, ReportingPeriod
from clee.compliance.outbox import results_mark_stale
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.core.wording import day_text

if TYPE_CHECKING:
    from clee.accounts.models import User


def ensure_period(year: int) -> ReportingPeriod:
    """The reporting period of ``year``, opened (under the rule book version in force) when it
    is not on record yet; ServiceError when the rules have no period for that year."""
    return period_open(year=year)[0]


@transaction.atomic
def exemption_grant(
    *, officer: Any, period: ReportingPeriod, reason: str, acting_user: User | None
) -> Exemption:
    """Exempt an officer for a period by hand (POST staff); the result is recomputed after commit."""
    if not reason.strip():
        raise ServiceError("a reason is required for an exemption", field="reason")
    if Exemption.objects.filter(officer=officer, period=period).exists():
        raise ServiceError(f"{officer.full_name} is already exempt for {period.year}")
    exemption = Exemption.objects.create(
        officer=officer, period=period, reason=reason.strip(), granted_by=acting_user
    )
    record_event(
        actor=acting_user,
        action=AuditAction.COMPLIANCE_EXEMPTION_GRANT,
        target=exemption,
        summary=f"{officer.full_name} exempt for {period.year}: {reason.strip()}",
    )
    results_mark_stale([officer.pk], [period.year], reason="exemption granted")
    return exemption


@transaction.atomic
def extension_decide(
    *,
    extension: Extension,
    grant: bool,
    new_deadline: dt.date | None,
    acting_user: User | None,
) -> Extension:
    """Grant (with a new deadline after the grace deadline) or refuse a requested extension."""
    extension = Extension.objects.select_for_update().select_related("period", "officer").get(pk=extension.pk)
    if extension.status != Extension.Status.REQUESTED:
        raise ServiceError(f"this request was already {extension.get_status_display().lower()}")
    if grant:
        if new_deadline is None or new_deadline <= extension.period.grace_deadline:
            raise ServiceError(
                f"a granted extension needs a new deadline after {day_text(extension.period.grace_deadline)}",
                field="new_deadline",
            )
        extension.new_deadline = new_deadline
    extension.status = Extension.Status.GRANTED if grant else Extension.Status.REFUSED
    extension.decided_by = acting_user
    extension.decided_at = timezone.now()
    extension.save(update_fields=["new_deadline", "status", "decided_by", "decided_at", "updated_at"])
    record_event(
        actor=acting_user,
        action=AuditAction.COMPLIANCE_EXTENSION_DECIDE,
        target=extension,
        summary=f"{extension.get_kind_display()} for {extension.officer.full_name} {extension.status}"
        + (f" until {day_text(new_deadline)}" if grant and new_deadline else ""),
    )
    results_mark_stale(
        [extension.officer_id], [extension.period.year], reason=f"extension {extension.status}"
    )
    return extension


@transaction.atomic
def extension_request(
    *,
    officer: Any,
    period: ReportingPeriod,
    kind: str,
    reason: str,
    explanation: str,
    acting_user: User | None,
) -> Extension:
    """An officer's or agency's request for an extension or waiver (medical or military leave)."""
    if reason not in Extension.Reason.values:
        raise ServiceError(f"{reason!r} is not a reason for an extension", field="reason")
    if Extension.objects.filter(officer=officer, period=period, status=Extension.Status.REQUESTED).exists():
        raise ServiceError(f"a request for {period.year} is already awaiting a decision")
    extension = Extension.objects.create(
        officer=officer,
        period=period,
        kind=kind,
        reason=reason,
        explanation=explanation.strip(),
        requested_by=acting_user,
    )
    record_event(
        actor=acting_user,
        action=AuditAction.COMPLIANCE_EXTENSION_REQUEST,
        target=extension,
        summary=f"{extension.get_kind_display()} requested for {officer.full_name}, {period.year}",
    )
    return extension


# Extensions and waivers granted by POST staff directly ----------------------------------------


@transaction.atomic
def extension_grant(
    *,
    officer: Any,
    period: ReportingPeriod,
    kind: str,
    reason: str,
    explanation: str,
    new_deadline: dt.date,
    acting_user: User | None,
) -> Extension:
    """Grant an extension or waiver for medical or military leave without a request first
    (POST staff, on a letter or a call); the officer's result is recomputed after commit.
    Returns the granted extension."""
    if kind not in Extension.Kind.values:
        raise ServiceError(f"{kind!r} is not a kind of extension", field="kind")
    if reason not in Extension.Reason.values:
        raise ServiceError(f"{reason!r} is not a reason for an extension", field="reason")
    if new_deadline <= period.grace_deadline:
        raise ServiceError(
            f"the new deadline must be after the grace deadline of {period.year}, "
            f"{day_text(period.grace_deadline)}",
            field="new_deadline",
        )
    # One granted extension per officer and period: the stored result reads a single deadline.
    held = (
        Extension.objects.select_for_update()
        .filter(
            officer=officer, period=period, status__in=[Extension.Status.REQUESTED, Extension.Status.GRANTED]
        )
        .first()
    )
    if held is not None and held.status == Extension.Status.GRANTED:
        raise ServiceError(
            f"{officer.full_name} already has an extension for {period.year}"
            + (f" until {day_text(held.new_deadline)}" if held.new_deadline else ""),
            field="officer",
        )
    if held is not None:
        raise ServiceError(
            f"{officer.full_name} has a request for {period.year} awaiting a decision: decide that request",
            field="officer",
        )
    extension = Extension.objects.create(
        officer=officer,
        period=period,
        kind=kind,
        reason=reason,
        explanation=explanation.strip(),
        new_deadline=new_deadline,
        status=Extension.Status.GRANTED,
        requested_by=acting_user,
        decided_by=acting_user,
        decided_at=timezone.now(),
    )
    record_event(
        actor=acting_user,
        action=AuditAction.COMPLIANCE_EXTENSION_GRANT,
        target=extension,
        summary=f"{extension.get_kind_display()} granted to {officer.full_name} for {period.year} "
        f"until {day_text(new_deadline)} ({extension.get_reason_display().lower()})",
        data={"new_deadline": new_deadline.isoformat(), "kind": kind, "reason": reason},
    )
    results_mark_stale([officer.pk], [period.year], reason="extension granted")
    return extension


@transaction.atomic
def extension_refuse(*, extension: Extension, reason: str, acting_user: User | None) -> Extension:
    """Refuse a requested extension with the reason for the refusal, which the officer and the
    agency see. Returns the refused extension."""
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError("a reason is required to refuse a request", field="refusal_reason")
    if len(reason) > 300:
        raise ServiceError(
            f"the reason must be at most 300 characters (it has {len(reason)})", field="refusal_reason"
        )
    extension = Extension.objects.select_for_update().select_related("period", "officer").get(pk=extension.pk)
    if extension.status != Extension.Status.REQUESTED:
        raise ServiceError(f"this request was already {extension.get_status_display().lower()}")
    extension.status = Extension.Status.REFUSED
    extension.decided_by = acting_user
    extension.decided_at = timezone.now()
    extension.decision_reason = reason
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    record_event(
        actor=acting_user,
        action=AuditAction.COMPLIANCE_EXTENSION_DECIDE,
        target=extension,
        summary=f"{extension.get_kind_display()} for {extension.officer.full_name} refused: {reason}",
        data={"status": extension.status, "reason": reason},
    )
    return extension
