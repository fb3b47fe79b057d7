"""Writes about officers: license status with its history, commissions.

Licensing an officer and recording a license upgrade mark compliance results stale, so they are
in ``clee.workflows.officers``; the license-expiry job, which sends a notice to each holder, is
in ``clee.notices.services`` (issue 15: officers know nothing of the apps above them)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from clee.accounts.services import administrators_leave
from clee.agencies.models import Agency
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.core.wording import day_text
from clee.officers.models import Commission, LicenseStatus, LicenseStatusChange, Officer
from clee.officers.selectors import officer_by_identity

if TYPE_CHECKING:
    from clee.accounts.models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def license_status_change(
    *, officer: Officer, to_status: str, reason: str, effective_on: dt.date, acting_user: User | None
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
        action=AuditAction.OFFICER_LICENSE_STATUS,
        target=officer,
        summary=f"license {change.from_status} → {to_status}: {reason.strip()}",
        data={"from": change.from_status, "to": to_status, "effective_on": effective_on.isoformat()},
    )
    return change


@transaction.atomic
def commission_start(
    *, officer: Officer, agency: Agency, start: dt.date, acting_user: User | None
) -> Commission:
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
        action=AuditAction.COMMISSION_START,
        target=commission,
        summary=f"{agency.name} commissioned {officer.full_name} from {start}",
    )
    return commission


@transaction.atomic
def commission_end(
    *, commission: Commission, end: dt.date, reason: str, acting_user: User | None
) -> Commission:
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
        action=AuditAction.COMMISSION_END,
        target=commission,
        summary=f"commission ended {end}: {reason.strip() or 'no reason given'}",
    )
    # An administrator of the agency who is this officer leaves with the commission, at once.
    administrators_leave(commission=commission, acting_user=acting_user)
    return commission


# Commissioning by an agency: proof of employment, notices, what the agency then sees --------

# Failed identity checks an agency may make in a day before the form refuses more: enough for
# typing mistakes, too few to guess a date of birth.
COMMISSION_TRIES_PER_DAY = 10
IDENTITY_MISMATCH = AuditAction.COMMISSION_IDENTITY_MISMATCH


def _identity_failures(agency: Agency, now: dt.datetime) -> int:
    return int(
        AuditEvent.objects.filter(
            action=IDENTITY_MISMATCH,
            object_type=Agency._meta.label_lower,
            object_id=str(agency.pk),
            created_at__gte=now - dt.timedelta(days=1),
        ).count()
    )


def commission_by_agency(
    *,
    agency: Agency,
    license_number: str,
    last_name: str,
    date_of_birth: dt.date,
    start: dt.date,
    acting_user: User | None,
) -> Commission:
    """An agency commissions an officer it employs: the license number, the last name and the
    date of birth must all be the officer's (a stranger knows the first two from a roster; the
    employer has the third on file). Each mismatch is audited, and after
    ``COMMISSION_TRIES_PER_DAY`` in a day the agency's tries are refused until the next.

    The officer and the agencies that commissioned them before are told by email once the
    commission is written; the new agency sees the officer's records and documents from the
    commission's start only (``Commission.records_visible_from``).
    """
    now = timezone.now()
    if _identity_failures(agency, now) >= COMMISSION_TRIES_PER_DAY:
        raise ServiceError(
            f"{COMMISSION_TRIES_PER_DAY} commissions were refused today for details that did not match: "
            "try again tomorrow, or call POST staff",
            field="license_number",
        )
    officer = officer_by_identity(license_number, last_name, date_of_birth)
    if officer is None:
        number = license_number.strip().upper()[:20]
        with transaction.atomic():
            record_event(
                actor=acting_user,
                action=IDENTITY_MISMATCH,
                target=agency,
                summary=f"commission refused: no officer matches license {number}, the last name and the "
                "date of birth given",
                data={"license_number": number},
            )
        raise ServiceError(
            "No officer on file has that license number, last name and date of birth: check all three "
            "against the officer's license and your personnel record.",
            field="license_number",
        )
    if start < officer.licensed_on:
        raise ServiceError(
            f"the officer was licensed on {officer.licensed_on:%B %-d, %Y}: a commission cannot start "
            "before the license",
            field="start",
        )
    with transaction.atomic():
        previous = _previous_agencies(officer, agency)
        commission = commission_start(officer=officer, agency=agency, start=start, acting_user=acting_user)
        record_event(
            actor=acting_user,
            action=AuditAction.COMMISSION_IDENTITY_CONFIRMED,
            target=commission,
            summary=f"{agency.name} confirmed {officer.license_number}'s last name and date of birth; "
            f"records visible from {start.isoformat()}",
            data={"previous_agencies": [a.pk for a in previous]},
        )
        transaction.on_commit(
            partial(commission_notices_send, commission_id=commission.pk, previous=previous)
        )
    return commission


def _previous_agencies(officer: Officer, agency: Agency) -> list[Agency]:
    """The other agencies that commission the officer now, or, when none does, the last one
    that did."""
    others = Commission.objects.filter(officer=officer).exclude(agency=agency).select_related("agency")
    current = [c.agency for c in others.filter(end__isnull=True).order_by("agency__name")]
    if current:
        return current
    last = others.order_by("-end", "-start").first()
    return [last.agency] if last else []


def commission_notices_send(*, commission_id: int, previous: Sequence[Agency]) -> None:
    """Tell the officer and the agencies that commissioned them before of a new commission (after
    it is committed). Each mail sent or refused by the mail server is audited; a refused one is
    left for POST staff to follow up (the audit trail lists it), never lost in silence."""
    commission = Commission.objects.select_related("officer", "agency").get(pk=commission_id)
    officer = commission.officer
    context = {"commission": commission, "officer": officer, "agency": commission.agency}
    recipients: list[tuple[str, str, str]] = []
    if officer.email:
        recipients.append(("officer", officer.email, "officers/email/commissioned_officer"))
    for other in previous:
        emails = other.administrators.filter(is_active=True).exclude(email="").values_list("email", flat=True)
        recipients += [
            (f"agency {other.ori}", email, "officers/email/commissioned_elsewhere") for email in emails
        ]
    for whom, address, template in recipients:
        message = EmailMultiAlternatives(
            subject=f"{officer.full_name} (license {officer.license_number}) is now commissioned by "
            f"{commission.agency.name}",
            body=render_to_string(f"{template}.txt", context),
            to=[address],
            headers={"X-CLEE-Commission": str(commission.pk)},
        )
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("commission %s notice to %s not sent: %s", commission.pk, address, error)
            outcome, summary = (
                AuditAction.COMMISSION_NOTICE_FAILED,
                f"notice to the {whom} ({address}) NOT sent: {error}",
            )
        else:
            outcome, summary = (
                AuditAction.COMMISSION_NOTICE_SENT,
                f"notice of the new commission sent to the {whom} ({address})",
            )
        with transaction.atomic():
            record_event(actor=None, action=outcome, target=commission, summary=summary, data={"to": address})
    if not recipients:
        with transaction.atomic():
            record_event(
                actor=None,
                action=AuditAction.COMMISSION_NOTICE_FAILED,
                target=commission,
                summary="no notice sent: neither the officer nor an earlier agency has an email address",
            )


@transaction.atomic
def commission_history_grant(
    *, commission: Commission, visible_from: dt.date, reason: str, acting_user: User | None
) -> Commission:
    """POST staff open an agency's view of the officer's records and documents from
    ``visible_from`` (earlier than its commission's start), for ``reason``; audited."""
    commission = (
        Commission.objects.select_for_update().select_related("officer", "agency").get(pk=commission.pk)
    )
    if not reason.strip():
        raise ServiceError("say why the agency may see the earlier records", field="reason")
    if visible_from > commission.start:
        raise ServiceError(
            f"the agency already sees the records from the commission's start, {commission.start:%B %-d, %Y}",
            field="visible_from",
        )
    before = commission.records_visible_from
    commission.history_from = visible_from
    commission.save(update_fields=["history_from", "updated_at"])
    record_event(
        actor=acting_user,
        action=AuditAction.COMMISSION_HISTORY_GRANT,
        target=commission,
        summary=f"{commission.agency.name} may see {commission.officer.license_number}'s records from "
        f"{visible_from.isoformat()} (was {before.isoformat()}): {reason.strip()}"[:300],
        data={"from": visible_from.isoformat(), "before": before.isoformat(), "reason": reason.strip()},
    )
    return commission
