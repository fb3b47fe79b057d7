"""An agency's roster with its officers' stored results: one query per page whatever the
agency's size (the open commissions joined to the officers and, by a left join, to the period's
stored result and its stale mark), read alike by the agency portal and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet

from clee.agencies.models import Agency
from clee.compliance.models import ReportingPeriod, StaleResult
from clee.officers.models import Commission


def roster(agency: Agency, period: ReportingPeriod | None) -> QuerySet[Commission, dict[str, Any]]:
    """One row (a dict) per officer the agency commissions now, with the officer's stored
    result of ``period`` (None values when there is none yet)."""
    # No period yet: join on a period id that cannot exist, so every result column is empty.
    period_id = period.pk if period is not None else 0
    return (
        Commission.objects.filter(agency=agency, end__isnull=True)
        .annotate(
            result=FilteredRelation(
                "officer__compliance_results",
                condition=Q(officer__compliance_results__period_id=period_id),
            )
        )
        .annotate(
            license_number=F("officer__license_number"),
            first_name=F("officer__first_name"),
            last_name=F("officer__last_name"),
            license_status=F("officer__license_status"),
            status=F("result__status"),
            counted_hours=F("result__counted_hours"),
            hours_needed=F("result__additional_hours_needed"),
            extended_until=F("result__extended_until"),
            exemption=F("result__exemption"),
            # Being recomputed: shown as "Updating…" (one indexed lookup a row, in the same query).
            stale=Exists(StaleResult.objects.filter(officer_id=OuterRef("officer_id"), period_id=period_id)),
        )
        .values(
            "officer_id",
            "start",
            "license_number",
            "first_name",
            "last_name",
            "license_status",
            "status",
            "counted_hours",
            "hours_needed",
            "extended_until",
            "exemption",
            "stale",
        )
    )


def roster_with_details(rows: QuerySet[Commission, dict[str, Any]]) -> QuerySet[Commission, dict[str, Any]]:
    """The same rows with the stored result's requirements and shortfalls (for a page or an
    export, not for counting)."""
    return rows.annotate(shortfalls=F("result__shortfalls"), requirements=F("result__requirements"))
