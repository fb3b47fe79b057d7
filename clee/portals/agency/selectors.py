"""Reads of the agency portal: the roster of commissioned officers with their stored results,
an officer's period, and the agency's overview.

The roster is one query per page whatever the agency's size: the open commissions joined to
the officers and (left join) to their current period's stored result, filtered, sorted and
sliced by the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OrderBy,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractMonth

from clee.agencies.models import Agency
from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.compliance.rulebooks import book_pack
from clee.officers.models import Commission, Officer
from clee.officers.selectors import agency_sees
from clee.portals.selectors import NEARLY_HOURS, Figure
from clee.training.models import TrainingRecord

Status = ComplianceResult.Status

# Filter value -> (label, condition on the annotated roster).
FILTERS: dict[str, tuple[str, Q]] = {
    "deficient": ("Deficient", Q(status=Status.DEFICIENT)),
    "nearly": (
        f"Nearly there ({NEARLY_HOURS:g} hours or fewer short)",
        Q(status=Status.DEFICIENT, hours_needed__lte=NEARLY_HOURS),
    ),
    "compliant": ("Compliant", Q(status=Status.COMPLIANT)),
    "exempt": ("Exempt", Q(status=Status.EXEMPT)),
    "extended": (
        "Deficient with an extension granted",
        Q(status=Status.DEFICIENT, extended_until__isnull=False),
    ),
    "none": ("No result yet", Q(status__isnull=True)),
}

# Deficient officers first: they are the ones the administrator acts on.
STATUS_RANK = Case(
    When(status=Status.DEFICIENT, then=Value(0)),
    When(status=Status.COMPLIANT, then=Value(2)),
    When(status=Status.EXEMPT, then=Value(3)),
    default=Value(1),  # no result yet
    output_field=IntegerField(),
)
NAME_ORDER = ("last_name", "first_name", "license_number", "id")

# The sorts offered: a value, "-" before it reversing it. Officers without a result come
# last either way.
SORT_CHOICES: tuple[tuple[str, str], ...] = (
    ("name", "Name (A to Z)"),
    ("-name", "Name (Z to A)"),
    ("-needed", "Hours needed (most first)"),
    ("needed", "Hours needed (fewest first)"),
    ("hours", "Hours counted (fewest first)"),
    ("-hours", "Hours counted (most first)"),
    ("status", "Status (deficient first)"),
    ("-status", "Status (exempt first)"),
)
SORT_KEYS = ("name", "hours", "needed", "status")


def sort_parts(sort: str) -> tuple[str, bool]:
    """``(key, descending)`` of a sort value such as ``-needed``; unknown values sort by name."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    return (key, descending) if key in SORT_KEYS else ("name", False)


def roster_filtered(
    rows: QuerySet[Commission, dict[str, Any]], *, query: str = "", status: str = "", sort: str = "name"
) -> QuerySet[Commission, dict[str, Any]]:
    """``rows`` searched (every word in a name or the license number), filtered by a
    ``FILTERS`` value and ordered by a ``SORTS`` value."""
    for word in query.split()[:5]:
        rows = rows.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(license_number__icontains=word)
        )
    if status in FILTERS:
        rows = rows.filter(FILTERS[status][1])
    key, descending = sort_parts(sort)
    leading: list[OrderBy] = []
    if key == "hours":
        leading = [OrderBy(F("counted_hours"), descending=descending, nulls_last=True)]
    elif key == "needed":
        leading = [OrderBy(F("hours_needed"), descending=descending, nulls_last=True)]
    elif key == "status":
        rows = rows.annotate(status_rank=STATUS_RANK)
        leading = [OrderBy(F("status_rank"), descending=descending)]
    names = [OrderBy(F(name), descending=descending and key == "name") for name in NAME_ORDER[:3]]
    return rows.order_by(*leading, *names, "officer_id")


@dataclass(frozen=True)
class Shortfall:
    key: str
    label: str
    hours: Decimal

    @property
    def shown(self) -> str:
        return _hours(self.hours)


@dataclass(frozen=True)
class RosterRow:
    """One officer of the roster, ready to show or export."""

    officer_id: int
    license_number: str
    first_name: str
    last_name: str
    commissioned_since: dt.date
    license_status: str
    status: str | None
    counted_hours: Decimal | None
    required_hours: Decimal | None
    hours_needed: Decimal | None
    shortfalls: tuple[Shortfall, ...]
    extended_until: dt.date | None
    exemption: str
    # The result is being recomputed (a stale mark): shown as "Updating…", not as it was.
    updating: bool = False

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def status_label(self) -> str:
        return Status(self.status).label if self.status else "No result yet"

    @property
    def status_class(self) -> str:
        return f"site-status--{self.status or 'none'}"

    @property
    def nearly(self) -> bool:
        return (
            self.status == Status.DEFICIENT
            and self.hours_needed is not None
            and self.hours_needed <= NEARLY_HOURS
        )

    @property
    def counted_shown(self) -> str:
        return "" if self.counted_hours is None else _hours(self.counted_hours)

    @property
    def required_shown(self) -> str:
        return "" if self.required_hours is None else _hours(self.required_hours)

    @property
    def needed_shown(self) -> str:
        """Hours needed as shown: those of a deficient officer, 0 for anyone else with a result."""
        if self.status is None or self.hours_needed is None:
            return ""
        return _hours(self.hours_needed) if self.status == Status.DEFICIENT else "0"

    @property
    def lacks(self) -> str:
        """What the officer still lacks, in a few words (``Firearms 2 h; Implicit Bias 1 h``)."""
        return "; ".join(f"{s.label} {s.shown} h" for s in self.shortfalls)


def _hours(value: Decimal | float) -> str:
    """Hours as people write them: ``24``, ``2.5`` (never ``2.50`` or ``2E+1``)."""
    return f"{Decimal(str(value)).normalize():f}"


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def roster_rows(items: Iterable[Mapping[str, Any]]) -> Iterator[RosterRow]:
    """Rows of ``roster_with_details`` as ``RosterRow``s, the shortfalls in the pack's order."""
    for item in items:
        requirements = item.get("requirements") or []
        shortfalls = item.get("shortfalls") or {}
        required = next((r["required"] for r in requirements if r["key"] == "total"), None)
        lacking = tuple(
            Shortfall(r["key"], r["label"], Decimal(str(shortfalls[r["key"]])).quantize(Decimal("0.01")))
            for r in requirements
            if r["key"] in shortfalls and shortfalls[r["key"]] > 0
        )
        yield RosterRow(
            officer_id=item["officer_id"],
            license_number=item["license_number"],
            first_name=item["first_name"],
            last_name=item["last_name"],
            commissioned_since=item["start"],
            license_status=item["license_status"],
            status=item["status"],
            counted_hours=_decimal(item["counted_hours"]),
            required_hours=_decimal(required),
            hours_needed=_decimal(item["hours_needed"]),
            shortfalls=lacking if item["status"] == Status.DEFICIENT else (),
            extended_until=item["extended_until"],
            exemption=item["exemption"] or "",
            updating=bool(item.get("stale")),
        )


def roster_figures(rows: QuerySet[Commission, dict[str, Any]]) -> list[Figure]:
    """Headline counts of the (unfiltered) roster, in one query."""
    totals = rows.aggregate(
        commissioned=Count("id"),
        compliant=Count("id", filter=FILTERS["compliant"][1]),
        deficient=Count("id", filter=FILTERS["deficient"][1]),
        nearly=Count("id", filter=FILTERS["nearly"][1]),
        exempt=Count("id", filter=FILTERS["exempt"][1]),
        none=Count("id", filter=FILTERS["none"][1]),
    )
    return [
        Figure("Commissioned now", totals["commissioned"]),
        Figure("Compliant", totals["compliant"]),
        Figure("Deficient", totals["deficient"]),
        Figure(f"Of them {NEARLY_HOURS:g} h or fewer short", totals["nearly"]),
        Figure("Exempt", totals["exempt"]),
        Figure("No result yet", totals["none"]),
    ]


EXPORT_HEADER = (
    "License number",
    "Last name",
    "First name",
    "Commissioned since",
    "Status",
    "Hours counted",
    "Hours required",
    "Additional hours needed",
    "Short in",
    "Extended until",
    "Exemption",
)


def export_rows(rows: Iterable[RosterRow]) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        yield (
            row.license_number,
            row.last_name,
            row.first_name,
            row.commissioned_since,
            row.status_label,
            row.counted_hours,
            row.required_hours,
            row.hours_needed,
            row.lacks,
            row.extended_until,
            row.exemption,
        )


# The drill-down ------------------------------------------------------------------------


def officer_result(officer: Officer, period: ReportingPeriod | None) -> ComplianceResult | None:
    if period is None:
        return None
    return ComplianceResult.objects.filter(officer=officer, period=period).first()


def officer_records(commission: Commission, period: ReportingPeriod | None) -> QuerySet[TrainingRecord]:
    """The records the agency of ``commission`` may see (completed from
    ``records_visible_from``) of those completed in ``period`` (every one when there is no
    period), newest first, with course, provider, credit lines and documents."""
    records = TrainingRecord.objects.filter(
        officer_id=commission.officer_id, completed_on__gte=commission.records_visible_from
    )
    if period is not None:
        records = records.counting_in(period)
    return (
        records.select_related("course__provider")
        .prefetch_related("lines", "documents")
        .order_by("-completed_on", "-id")
    )


# The overview --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    percent: int
    note: str = ""
    count: int = 0

    @property
    def shown(self) -> str:
        return _hours(self.value)


def _bars(items: list[tuple[str, Decimal, str, int]]) -> list[Bar]:
    """Bars scaled to the largest value (100%)."""
    largest = max((value for _, value, _, _ in items), default=Decimal(0))
    return [
        Bar(label, value, 0 if not largest else round(100 * value / largest), note, count)
        for label, value, note, count in items
    ]


def short_by_requirement(agency: Agency, period: ReportingPeriod) -> list[Bar]:
    """For each requirement of the period's pack, how many officers the agency commissions now
    are short in it (deficient officers only: an exempt officer is short in nothing)."""
    requirements = book_pack(period).requirements
    officers = Commission.objects.filter(agency=agency, end__isnull=True).values("officer_id")
    results = ComplianceResult.objects.filter(period=period, officer_id__in=officers, status=Status.DEFICIENT)
    counts = results.aggregate(
        **{f"short_{i}": Count("id", filter=Q(shortfalls__has_key=r.key)) for i, r in enumerate(requirements)}
    )
    return _bars(
        [
            (r.label, Decimal(counts[f"short_{i}"]), f"at least {_hours(r.minimum.value)} h", 0)
            for i, r in enumerate(requirements)
        ]
    )


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def hours_by_month(agency: Agency, period: ReportingPeriod) -> list[Bar]:
    """Hours of accepted training completed in each month of ``period`` by the officers the
    agency commissions now (whoever reported it) and that it may see, with the number of
    records as the count."""
    totals = {
        item["month"]: item
        for item in TrainingRecord.objects.filter(
            agency_sees(agency),
            status=TrainingRecord.Status.ACCEPTED,
            completed_on__gte=period.starts,
            completed_on__lte=period.ends,
        )
        .annotate(month=ExtractMonth("completed_on"))
        .values("month")
        .annotate(hours=Sum("hours"), records=Count("id"))
        .order_by("month")
    }
    items = []
    for number in range(period.starts.month, period.ends.month + 1):
        found = totals.get(number)
        hours = Decimal(found["hours"]) if found else Decimal(0)
        records = found["records"] if found else 0
        items.append((MONTHS[number - 1], hours, "", records))
    return _bars(items)
