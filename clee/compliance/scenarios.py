"""One officer's period as a scenario file (the ``shared/examples`` contract), read as the
stored result was (clee.compliance.recompute.period_inputs): ``clee check`` on it gives the
stored result."""

from __future__ import annotations

from typing import Any

from clee.compliance.models import ReportingPeriod
from clee.compliance.recompute import period_inputs
from clee.compliance.rulebooks import recognized_list


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
        if credit.applied_to:
            entry["applied_to"] = credit.applied_to
        if credit.recognized_by:
            entry["recognized_by"] = credit.recognized_by
        credits.append(entry)
    scenario: dict[str, Any] = {
        "jurisdiction": period.jurisdiction,
        "period": str(period.year),
        "officer": officer,
        "credits": credits,
    }
    # The recognized list POST keeps, so that ``clee check`` (with the period's rule book
    # version, ``--pack``) reads out-of-state credits exactly as the stored result did.
    recognized = recognized_list(period.jurisdiction)
    if recognized is not None:
        scenario["recognized_sources"] = [
            {
                "codes": sorted(entry.value),
                "from": entry.start.isoformat(),
                "until": entry.until.isoformat() if entry.until else None,
                "reference": entry.reference,
            }
            for entry in recognized
        ]
    return scenario
