"""Reads shared by several portals: counts of stored results."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from clee.compliance.models import ComplianceResult

# A deficient officer this close to the requirement is shown apart: a nudge, not a case.
NEARLY_HOURS = Decimal(4)


@dataclass(frozen=True)
class StatusCount:
    label: str
    count: int
    note: str = ""
    part_of_previous: bool = False

    @property
    def shown(self) -> str:
        return f"{self.count:,}"


@dataclass(frozen=True)
class Figure:
    label: str
    count: int

    @property
    def shown(self) -> str:
        return f"{self.count:,}"


def status_counts(results: QuerySet[ComplianceResult]) -> list[StatusCount]:
    totals = results.aggregate(
        compliant=Count("id", filter=Q(status=ComplianceResult.Status.COMPLIANT)),
        deficient=Count("id", filter=Q(status=ComplianceResult.Status.DEFICIENT)),
        nearly=Count(
            "id",
            filter=Q(status=ComplianceResult.Status.DEFICIENT, additional_hours_needed__lte=NEARLY_HOURS),
        ),
        extended=Count(
            "id", filter=Q(status=ComplianceResult.Status.DEFICIENT, extended_until__isnull=False)
        ),
        exempt=Count("id", filter=Q(status=ComplianceResult.Status.EXEMPT)),
    )
    return [
        StatusCount("Compliant", totals["compliant"]),
        StatusCount("Deficient", totals["deficient"], "not yet meeting the requirement"),
        StatusCount("of them 4 hours or fewer short", totals["nearly"], part_of_previous=True),
        StatusCount("of them with an extension granted", totals["extended"], part_of_previous=True),
        StatusCount("Exempt", totals["exempt"], "licensed, upgraded or exempted this period"),
    ]
