"""Keeping stored compliance results current, through the rules engine's batch interface.

An officer's period is read from the database as the engine's plain data (``period_inputs``),
evaluated many officers at a time, and written back in bulk. ``officer_period_scenario``
exports the same data as a scenario file, so ``clee check`` on it gives the stored result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clee.compliance.models import ComplianceResult, Exemption, Extension, ReportingPeriod
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.rules import Credit, Officer, Result, RulePack, compiled_for, evaluate_officers, load_pack
from clee.training.models import CreditLine, TrainingRecord

CHUNK = 2000


@dataclass
class OfficerPeriod:
    """One officer's period as the engine reads it, plus what only the database knows."""

    officer_id: int
    officer: Officer
    credits: list[Credit]
    extended_until: dt.date | None = None


def period_pack(period: ReportingPeriod) -> RulePack:
    return load_pack(period.jurisdiction, str(period.year))


def _credit(line_id: int, values: tuple[Any, ...], college_rate: float) -> Credit:
    (completed_on, hours, core_area, subject, topics, source, credit_class, delivery, state) = values
    hours = float(hours)
    semester_hours = hours / college_rate if source == "college" else None
    return Credit(
        id=f"line-{line_id}",
        date=completed_on,
        hours=hours,
        core_area=core_area,
        source=source,
        provider_class=credit_class,
        delivery=delivery,
        subject=subject or None,
        topics=tuple((topic, float(topic_hours)) for topic, topic_hours in (topics or {}).items()),
        state=state or None,
        semester_hours=semester_hours,
    )


def period_inputs(
    period: ReportingPeriod, officer_ids: Iterable[int] | None = None
) -> Iterator[OfficerPeriod]:
    """The engine's input for every officer (or those given) in ``period``, in officer order.

    Reads in chunks of officers so a whole state streams in bounded memory.
    """
    from clee.officers.models import LicenseUpgrade
    from clee.officers.models import Officer as OfficerRow

    pack = period_pack(period)
    college_rate = pack.sources["college"].hours_per_unit.value if "college" in pack.sources else 2.0
    officers = OfficerRow.objects.order_by("id")
    if officer_ids is not None:
        officers = officers.filter(id__in=list(officer_ids))
    rows = list(officers.values_list("id", "licensed_on", "basic_training_completed_on"))
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        ids = [row[0] for row in chunk]
        credits: dict[int, list[Credit]] = defaultdict(list)
        lines = (
            CreditLine.objects.filter(
                record__officer_id__in=ids,
                record__status=TrainingRecord.Status.ACCEPTED,
                record__completed_on__gte=period.starts,
                record__completed_on__lte=period.ends,
            )
            .order_by("record__officer_id", "record__completed_on", "id")
            .values_list(
                "record__officer_id",
                "id",
                "record__completed_on",
                "hours",
                "core_area",
                "subject",
                "topics",
                "record__source",
                "record__credit_class",
                "record__delivery",
                "record__state",
            )
        )
        for officer_id, line_id, *values in lines.iterator(chunk_size=5000):
            credits[officer_id].append(_credit(line_id, tuple(values), college_rate))
        upgrades: dict[int, dt.date] = {}
        for officer_id, upgraded_on in LicenseUpgrade.objects.filter(
            officer_id__in=ids, upgraded_on__gte=period.starts, upgraded_on__lte=period.ends
        ).values_list("officer_id", "upgraded_on"):
            upgrades[officer_id] = upgraded_on
        exemptions = dict(
            Exemption.objects.filter(officer_id__in=ids, period=period).values_list("officer_id", "reason")
        )
        extensions = dict(
            Extension.objects.filter(
                officer_id__in=ids, period=period, status=Extension.Status.GRANTED
            ).values_list("officer_id", "new_deadline")
        )
        for officer_id, licensed_on, basic_training_on in chunk:
            yield OfficerPeriod(
                officer_id=officer_id,
                officer=Officer(
                    licensed_on, upgrades.get(officer_id), basic_training_on, exemptions.get(officer_id)
                ),
                credits=credits.get(officer_id, []),
                extended_until=extensions.get(officer_id),
            )


def _stored(
    item: OfficerPeriod, result: Result, period: ReportingPeriod, now: dt.datetime
) -> ComplianceResult:
    payload = result.to_dict()
    deficient = result.status == ComplianceResult.Status.DEFICIENT
    return ComplianceResult(
        officer_id=item.officer_id,
        period=period,
        status=result.status,
        counted_hours=Decimal(str(result.counted_hours)),
        additional_hours_needed=Decimal(str(result.additional_hours_needed)),
        shortfalls=result.shortfalls,
        requirements=payload["requirements"],
        still_needed=payload["still_needed"] if deficient else {},
        exemption=result.exemption or "",
        extended_until=item.extended_until,
        pack=result.pack,
        computed_at=now,
    )


def compliance_recompute(
    *,
    period: ReportingPeriod,
    officer_ids: Iterable[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Evaluate and store results for ``period`` (every officer, or those given).

    Returns how many results were written. Safe to run twice: results are replaced whole.
    """
    compiled = compiled_for(period_pack(period))
    written = 0
    batch: list[OfficerPeriod] = []

    def flush() -> None:
        nonlocal written
        results = evaluate_officers(compiled, [(item.officer, item.credits) for item in batch])
        now = timezone.now()
        rows = [_stored(item, result, period, now) for item, result in zip(batch, results, strict=True)]
        with transaction.atomic():
            ComplianceResult.objects.bulk_create(
                rows,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["officer", "period"],
                update_fields=[
                    "status",
                    "counted_hours",
                    "additional_hours_needed",
                    "shortfalls",
                    "requirements",
                    "still_needed",
                    "exemption",
                    "extended_until",
                    "pack",
                    "computed_at",
                ],
            )
        written += len(rows)
        if progress:
            progress(len(rows))
        batch.clear()

    for item in period_inputs(period, officer_ids):
        batch.append(item)
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    return written


def recompute_after_commit(officer_ids: Iterable[int], years: Iterable[int]) -> None:
    """Recompute these officers' results for these years once the current transaction commits."""
    officer_ids, years = set(officer_ids), set(years)
    if not officer_ids:
        return

    def run() -> None:
        jurisdiction = settings.CLEE_JURISDICTION
        for period in ReportingPeriod.objects.filter(jurisdiction=jurisdiction, year__in=years):
            compliance_recompute(period=period, officer_ids=officer_ids)

    transaction.on_commit(run)


def officer_period_scenario(officer_id: int, period: ReportingPeriod) -> dict[str, Any]:
    """The scenario file (``shared/examples`` contract) of one officer's period."""
    item = next(period_inputs(period, [officer_id]))
    officer: dict[str, Any] = {"licensed_on": item.officer.licensed_on.isoformat()}
    if item.officer.license_upgraded_on:
        officer["license_upgraded_on"] = item.officer.license_upgraded_on.isoformat()
    if item.officer.basic_training_completed_on:
        officer["basic_training_completed_on"] = item.officer.basic_training_completed_on.isoformat()
    if item.officer.exemption:
        officer["exemption"] = item.officer.exemption
    credits = []
    for credit in item.credits:
        entry: dict[str, Any] = {
            "id": credit.id,
            "date": credit.date.isoformat(),
            "core_area": credit.core_area,
            "source": credit.source,
            "delivery": credit.delivery,
        }
        if credit.source == "college":
            entry["semester_hours"] = credit.semester_hours
        else:
            entry["hours"] = credit.hours
        if credit.provider_class:
            entry["provider_class"] = credit.provider_class
        if credit.subject:
            entry["subject"] = credit.subject
        if credit.topics:
            entry["topics"] = dict(credit.topics)
        if credit.state:
            entry["state"] = credit.state
        credits.append(entry)
    return {
        "jurisdiction": period.jurisdiction,
        "period": str(period.year),
        "officer": officer,
        "credits": credits,
    }


def ensure_period(year: int, *, current: bool = False) -> ReportingPeriod:
    """The reporting period for ``year``, created from its rule pack if it does not exist."""
    pack = load_pack(settings.CLEE_JURISDICTION, str(year))
    period, _ = ReportingPeriod.objects.get_or_create(
        jurisdiction=pack.jurisdiction,
        year=year,
        defaults={
            "starts": pack.starts,
            "ends": pack.ends,
            "grace_deadline": pack.grace_deadline.value,
            "pack_version": pack.version,
            "is_current": current,
        },
    )
    return period


@transaction.atomic
def exemption_grant(*, officer: Any, period: ReportingPeriod, reason: str, acting_user: Any) -> Exemption:
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
        action="compliance.exemption_grant",
        target=exemption,
        summary=f"{officer.full_name} exempt for {period.year}: {reason.strip()}",
    )
    recompute_after_commit([officer.pk], [period.year])
    return exemption


@transaction.atomic
def extension_decide(
    *,
    extension: Extension,
    grant: bool,
    new_deadline: dt.date | None,
    acting_user: Any,
) -> Extension:
    """Grant (with a new deadline after the grace deadline) or refuse a requested extension."""
    extension = Extension.objects.select_for_update().select_related("period", "officer").get(pk=extension.pk)
    if extension.status != Extension.Status.REQUESTED:
        raise ServiceError(f"this request was already {extension.get_status_display().lower()}")
    if grant:
        if new_deadline is None or new_deadline <= extension.period.grace_deadline:
            raise ServiceError(
                f"a granted extension needs a new deadline after {extension.period.grace_deadline}",
                field="new_deadline",
            )
        extension.new_deadline = new_deadline
    extension.status = Extension.Status.GRANTED if grant else Extension.Status.REFUSED
    extension.decided_by = acting_user
    extension.decided_at = timezone.now()
    extension.save(update_fields=["new_deadline", "status", "decided_by", "decided_at", "updated_at"])
    record_event(
        actor=acting_user,
        action="compliance.extension_decide",
        target=extension,
        summary=f"{extension.get_kind_display()} for {extension.officer.full_name} {extension.status}"
        + (f" until {new_deadline}" if grant else ""),
    )
    recompute_after_commit([extension.officer_id], [extension.period.year])
    return extension


@transaction.atomic
def extension_request(
    *, officer: Any, period: ReportingPeriod, kind: str, reason: str, explanation: str, acting_user: Any
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
        action="compliance.extension_request",
        target=extension,
        summary=f"{extension.get_kind_display()} requested for {officer.full_name}, {period.year}",
    )
    return extension
