"""Statewide reads: compliance by agency and by requirement, and the non-compliant officers
after a grace deadline. Each table is one aggregated query (a 17,000-officer state renders in
the time of a few queries, whatever the page size)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, FilteredRelation, Prefetch, Q, QuerySet
from django.utils import timezone

from clee.agencies.models import Agency
from clee.compliance.models import ComplianceResult, LicenseDecision, ReportingPeriod
from clee.compliance.rulebooks import book_pack
from clee.compliance.selectors import CASE_DECISIONS, noncompliant_after_grace
from clee.officers.models import Commission
from clee.portals.selectors import NEARLY_HOURS
from clee.rules import NoPackError, PackError

Status = ComplianceResult.Status

# Sortable columns of the agency table: URL key -> (heading, ordering field).
AGENCY_COLUMNS: dict[str, tuple[str, str]] = {
    "name": ("Agency", "name"),
    "officers": ("Officers", "officers"),
    "compliant": ("Compliant", "compliant"),
    "deficient": ("Deficient", "deficient"),
    "nearly": ("Nearly (4 h or fewer short)", "nearly"),
    "extended": ("Deficient with an extension", "extended"),
    "exempt": ("Exempt", "exempt"),
    "no_result": ("No result", "no_result"),
}
DEFAULT_AGENCY_SORT = "name"


def agency_compliance(period: ReportingPeriod, *, search: str = "", sort: str = "") -> QuerySet[Any]:
    """Per active agency, its officers commissioned now and how many of them are compliant,
    deficient (of them nearly there, of them extended), exempt, or have no result for
    ``period``: one grouped query over commissions joined to the period's results."""
    result = "current__officer__compliance_results"
    rows = (
        Agency.objects.filter(active=True)
        .annotate(
            current=FilteredRelation("commissions", condition=Q(commissions__end__isnull=True)),
            result=FilteredRelation(result, condition=Q(**{f"{result}__period": period})),
        )
        .values("pk", "name", "ori")
        .annotate(
            officers=Count("current__id"),
            compliant=Count("result__id", filter=Q(result__status=Status.COMPLIANT)),
            deficient=Count("result__id", filter=Q(result__status=Status.DEFICIENT)),
            nearly=Count(
                "result__id",
                filter=Q(result__status=Status.DEFICIENT, result__additional_hours_needed__lte=NEARLY_HOURS),
            ),
            extended=Count(
                "result__id", filter=Q(result__status=Status.DEFICIENT, result__extended_until__isnull=False)
            ),
            exempt=Count("result__id", filter=Q(result__status=Status.EXEMPT)),
            no_result=Count("current__id", filter=Q(result__id__isnull=True)),
        )
    )
    if search.strip():
        rows = rows.filter(Q(name__icontains=search.strip()) | Q(ori__iexact=search.strip()))
    key = sort.removeprefix("-")
    field = AGENCY_COLUMNS.get(key, AGENCY_COLUMNS[DEFAULT_AGENCY_SORT])[1]
    descending = sort.startswith("-") and key in AGENCY_COLUMNS
    return rows.order_by(f"-{field}" if descending else field, "name", "pk")


@dataclass(frozen=True)
class RequirementShort:
    key: str
    label: str
    required: float
    officers_short: int
    share: float  # of the officers with a result, as a percentage

    @property
    def bar(self) -> int:
        """The bar's width in percent of the widest possible (every officer short)."""
        return max(0, min(100, round(self.share)))


def requirement_shortfalls(period: ReportingPeriod) -> tuple[list[RequirementShort], int]:
    """Statewide, per requirement of the period's pack, how many officers are short of it
    (one query: a filtered count per requirement), and how many officers have a result."""
    try:
        pack = book_pack(period)
    except (NoPackError, PackError):
        return [], 0
    counts = {
        f"short_{index}": Count("id", filter=Q(shortfalls__has_key=r.key))
        for index, r in enumerate(pack.requirements)
    }
    totals = ComplianceResult.objects.filter(period=period).aggregate(results=Count("id"), **counts)
    everyone = totals["results"] or 0
    rows = [
        RequirementShort(
            r.key,
            r.label,
            r.minimum.value,
            totals[f"short_{index}"],
            100.0 * totals[f"short_{index}"] / everyone if everyone else 0.0,
        )
        for index, r in enumerate(pack.requirements)
    ]
    return rows, everyone


def noncompliant_results(
    period: ReportingPeriod, today: dt.date, *, search: str = "", agency: Agency | None = None
) -> QuerySet[ComplianceResult]:
    """Officers non-compliant for ``period`` after its grace deadline (none before it), with
    their officer, agencies commissioning them now and the Director's decision prefetched."""
    results = noncompliant_after_grace(period, today).select_related("officer")
    if agency is not None:
        results = results.filter(officer__commissions__agency=agency, officer__commissions__end__isnull=True)
    if search.strip():
        term = search.strip()
        results = results.filter(
            Q(officer__last_name__icontains=term)
            | Q(officer__first_name__icontains=term)
            | Q(officer__license_number__iexact=term)
        )
    return results.prefetch_related(
        Prefetch(
            "officer__commissions",
            queryset=Commission.objects.filter(end__isnull=True)
            .select_related("agency")
            .order_by("agency__name"),
            to_attr="current_commissions",
        ),
        Prefetch(
            "officer__license_decisions",
            queryset=LicenseDecision.objects.filter(period=period).order_by("decided_at", "id"),
            to_attr="period_decisions",
        ),
    ).order_by("officer__last_name", "officer__first_name", "officer__license_number")


@dataclass(frozen=True)
class NoncompliantRow:
    result: ComplianceResult
    agencies: list[Agency]
    decision: LicenseDecision | None
    reactivation: LicenseDecision | None

    @property
    def officer(self) -> Any:
        return self.result.officer

    @property
    def hours_needed(self) -> Decimal:
        return self.result.additional_hours_needed

    @property
    def missing(self) -> str:
        """What the officer still needs, in parts ("2 live hours of Skill Development –
        Firearms; 1 hour on implicit bias"), without the sentence's "You need" addressed to them."""
        needed = self.result.still_needed or {}
        parts = [
            str(p["what"]) for p in [*needed.get("parts", []), *needed.get("within", [])] if p.get("what")
        ]
        return "; ".join(parts) or str(needed.get("sentence", ""))

    @property
    def agency_names(self) -> str:
        return "; ".join(a.name for a in self.agencies)

    @property
    def decision_shown(self) -> str:
        if self.decision is None:
            return "Awaiting the Director's decision"
        shown = f"{self.decision.get_decision_display()} {timezone.localdate(self.decision.decided_at)}"
        if self.reactivation is not None:
            shown += f"; reactivated {timezone.localdate(self.reactivation.decided_at)}"
        return shown


def noncompliant_rows(results: Any) -> Iterator[NoncompliantRow]:
    """Rows of ``noncompliant_results`` (a page or the whole queryset) ready to show."""
    for result in results:
        officer: Any = result.officer
        decisions = officer.period_decisions
        yield NoncompliantRow(
            result=result,
            agencies=[c.agency for c in officer.current_commissions],
            decision=next((d for d in decisions if d.decision in CASE_DECISIONS), None),
            reactivation=next(
                (d for d in decisions if d.decision == LicenseDecision.Decision.REACTIVATE), None
            ),
        )
