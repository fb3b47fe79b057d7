"""Officer use cases that change compliance results: licensing an officer and recording a
license upgrade (POST staff, on the officer's page). Each writes ``clee.officers`` rows and
marks the results they change stale in the same transaction (``clee.compliance.outbox``), so
it lives above both apps (issue 15)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from clee.compliance.calendar import program_today
from clee.compliance.outbox import results_mark_stale
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.officers.models import LicenseStatus, LicenseStatusChange, LicenseUpgrade, Officer

if TYPE_CHECKING:
    from clee.accounts.models import User

DESCRIPTION_MAX = 200  # LicenseUpgrade.description


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
    acting_user: User | None,
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
    record_event(
        actor=acting_user, action=AuditAction.OFFICER_CREATE, target=officer, summary=f"licensed {officer}"
    )
    results_mark_stale([officer.pk], [licensed_on.year, timezone.localdate().year], reason="officer added")
    return officer


@transaction.atomic
def license_upgrade_record(
    *, officer: Officer, upgraded_on: dt.date, description: str, acting_user: User | None
) -> LicenseUpgrade:
    """Record a license upgrade (for example Class B to Class A): it exempts the officer for the
    period it falls in (11 CSR 75-15.010(3)), so that period's result is decided again. Refused:
    a date still to come or before the officer was licensed, no description, a second upgrade
    on the same day."""
    description = " ".join(description.split())
    if not description:
        raise ServiceError("say what the upgrade was, for example Class B to Class A", field="description")
    if len(description) > DESCRIPTION_MAX:
        raise ServiceError(f"the description is at most {DESCRIPTION_MAX} characters", field="description")
    if upgraded_on > program_today():
        raise ServiceError(
            f"{upgraded_on:%B %-d, %Y} is still to come: record an upgrade once it is made",
            field="upgraded_on",
        )
    if upgraded_on < officer.licensed_on:
        raise ServiceError(
            f"{officer.full_name} was licensed on {officer.licensed_on:%B %-d, %Y}: "
            "an upgrade comes after that",
            field="upgraded_on",
        )
    Officer.objects.select_for_update().filter(pk=officer.pk).first()  # one upgrade a day, even at once
    if LicenseUpgrade.objects.filter(officer=officer, upgraded_on=upgraded_on).exists():
        raise ServiceError(f"an upgrade on {upgraded_on:%B %-d, %Y} is on file already", field="upgraded_on")
    upgrade = LicenseUpgrade.objects.create(officer=officer, upgraded_on=upgraded_on, description=description)
    record_event(
        actor=acting_user,
        action=AuditAction.OFFICER_LICENSE_UPGRADE,
        target=officer,
        summary=f"license upgrade on {upgraded_on.isoformat()}: {description}",
    )
    results_mark_stale([officer.pk], [upgraded_on.year], reason="license upgrade")
    return upgrade
