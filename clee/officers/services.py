"""Writes about officers: onboarding, license status with its history, upgrades, commissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from clee.agencies.models import Agency
from clee.compliance.services import recompute_after_commit
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.core.wording import day_text
from clee.notices.services import license_expired_notice
from clee.officers.models import Commission, LicenseStatus, LicenseStatusChange, LicenseUpgrade, Officer


@transaction.atomic
def officer_create(
    *,
    license_number: str,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    licensed_on: dt.date,
    email: str = "",
    basic_training_completed_on: dt.date | None = None,
    acting_user: Any,
) -> Officer:
    """A newly licensed officer, with the first line of the license history."""
    license_number = license_number.strip().upper()
    if not license_number:
        raise ServiceError("a license number is required", field="license_number")
    if Officer.objects.filter(license_number=license_number).exists():
        raise ServiceError(f"license number {license_number} is already on file", field="license_number")
    if date_of_birth >= licensed_on:
        raise ServiceError("the date of birth must come before the licensed-on date", field="date_of_birth")
    officer = Officer.objects.create(
        license_number=license_number,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        licensed_on=licensed_on,
        email=email.strip(),
        basic_training_completed_on=basic_training_completed_on,
    )
    LicenseStatusChange.objects.create(
        officer=officer,
        from_status="",
        to_status=LicenseStatus.ACTIVE,
        effective_on=licensed_on,
        reason="licensed",
        changed_by=acting_user,
    )
    record_event(actor=acting_user, action="officer.create", target=officer, summary=f"licensed {officer}")
    recompute_after_commit([officer.pk], [licensed_on.year, timezone.localdate().year])
    return officer


@transaction.atomic
def license_status_change(
    *, officer: Officer, to_status: str, reason: str, effective_on: dt.date, acting_user: Any
) -> LicenseStatusChange:
    """Change a license's status, keeping who, when and why in the license history."""
    if to_status not in LicenseStatus.values:
        raise ServiceError(f"{to_status!r} is not a license status", field="to_status")
    if not reason.strip():
        raise ServiceError("a reason is required for a license status change", field="reason")
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    if officer.license_status == to_status:
        raise ServiceError(f"the license is already {officer.get_license_status_display().lower()}")
    change = LicenseStatusChange.objects.create(
        officer=officer,
        from_status=officer.license_status,
        to_status=to_status,
        effective_on=effective_on,
        reason=reason.strip(),
        changed_by=acting_user,
    )
    officer.license_status = to_status
    officer.save(update_fields=["license_status", "updated_at"])
    record_event(
        actor=acting_user,
        action="officer.license_status",
        target=officer,
        summary=f"license {change.from_status} → {to_status}: {reason.strip()}",
        data={"from": change.from_status, "to": to_status, "effective_on": effective_on.isoformat()},
    )
    return change


@transaction.atomic
def license_upgrade_record(
    *, officer: Officer, upgraded_on: dt.date, description: str, acting_user: Any
) -> LicenseUpgrade:
    """Record a license upgrade; it exempts the officer for that period (11 CSR 75-15.010(3))."""
    upgrade = LicenseUpgrade.objects.create(officer=officer, upgraded_on=upgraded_on, description=description)
    record_event(
        actor=acting_user,
        action="officer.license_upgrade",
        target=officer,
        summary=f"license upgrade: {description}",
    )
    recompute_after_commit([officer.pk], [upgraded_on.year])
    return upgrade


@transaction.atomic
def commission_start(*, officer: Officer, agency: Agency, start: dt.date, acting_user: Any) -> Commission:
    """Commission an officer; an inactive, expired or revoked license cannot be commissioned."""
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    if officer.license_status != LicenseStatus.ACTIVE:
        raise ServiceError(
            f"{officer.full_name}'s license is {officer.get_license_status_display().lower()}: "
            "it must be active before a commission",
            field="officer",
        )
    if not agency.active:
        raise ServiceError(f"{agency.name} is not an active agency", field="agency")
    try:
        with transaction.atomic():
            commission = Commission.objects.create(officer=officer, agency=agency, start=start)
    except IntegrityError:
        raise ServiceError(f"{officer.full_name} is already commissioned by {agency.name}") from None
    record_event(
        actor=acting_user,
        action="commission.start",
        target=commission,
        summary=f"{agency.name} commissioned {officer.full_name} from {start}",
    )
    return commission


@transaction.atomic
def commission_end(*, commission: Commission, end: dt.date, reason: str, acting_user: Any) -> Commission:
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    if commission.end is not None:
        raise ServiceError(f"this commission already ended on {commission.end}")
    if end < commission.start:
        raise ServiceError(
            f"the end date cannot come before the start ({day_text(commission.start)})", field="end"
        )
    commission.end = end
    commission.save(update_fields=["end", "updated_at"])
    record_event(
        actor=acting_user,
        action="commission.end",
        target=commission,
        summary=f"commission ended {end}: {reason.strip() or 'no reason given'}",
    )
    return commission


LICENSE_EXPIRY_REASON = "not commissioned for five consecutive years (11 CSR 75-15; DESIGN §2)"


def _five_years_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 5)
    except ValueError:  # February 29 in a year five years after a non-leap one
        return day.replace(year=day.year - 5, day=28)


@transaction.atomic
def licenses_expire(*, today: dt.date, acting_user: Any = None) -> list[LicenseStatusChange]:
    """Expire every active or inactive license whose holder, licensed at least five years ago,
    held no commission at any time in the five years up to ``today``; returns the license
    history rows written (none on a second run the same day: the job is safe to run twice).

    Each change goes through ``license_status_change`` (history and audit with who and why).
    Each expired holder is sent a notice (``clee.notices``), queued in the same transaction.
    """
    window_start = _five_years_before(today)
    commissioned_in_window = Commission.objects.filter(officer=OuterRef("pk"), start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gte=window_start)
    )
    candidates = (
        Officer.objects.filter(
            license_status__in=[LicenseStatus.ACTIVE, LicenseStatus.INACTIVE], licensed_on__lte=window_start
        )
        .exclude(Exists(commissioned_in_window))
        .order_by("pk")
    )
    changes = []
    for officer in candidates:
        try:
            with transaction.atomic():
                change = license_status_change(
                    officer=officer,
                    to_status=LicenseStatus.EXPIRED,
                    reason=LICENSE_EXPIRY_REASON,
                    effective_on=today,
                    acting_user=acting_user,
                )
                license_expired_notice(officer, today=today)
        except ServiceError:
            continue  # changed meanwhile by another run or by staff: nothing to do
        changes.append(change)
    return changes
