"""Reads of the API, each one query (or one and a prefetch) whatever the page size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.api.errors import NOT_FOUND
from clee.api.models import ApiToken
from clee.compliance.access import access_period
from clee.compliance.calendar import current_period
from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.compliance.rosters import roster, roster_with_details
from clee.compliance.selectors import result_is_stale
from clee.officers.models import Commission, LicenseStatus, Officer
from clee.providers.models import Course, Offering
from clee.training.models import TrainingRecord


def hours(value: Decimal | float | None) -> str | None:
    """Hours as a decimal string to the hundredth (``"4.00"``)."""
    return None if value is None else f"{Decimal(str(value)):.2f}"


def period_for(user: User, year: int | None) -> ReportingPeriod | None:
    """The period of ``year`` (a 404 naming the periods on record when there is none), or the
    current one (the period containing today)."""
    if year is None:
        return current_period()
    return access_period(user, year)


def licenses(numbers: Iterable[str], token: ApiToken) -> list[dict[str, Any]]:
    """What a caller needs to check a roster: whether each license exists and is active. The
    name on file (first initial and last name) only for an officer the token's agency
    commissions now: a license number alone must not tell a stranger whose it is (a roster's
    ``last_name`` column is checked against it without saying the name)."""
    wanted = list(dict.fromkeys(n.strip().upper() for n in numbers if n.strip()))
    found = {
        row["license_number"]: row
        for row in Officer.objects.filter(license_number__in=wanted).values(
            "id", "license_number", "first_name", "last_name", "license_status"
        )
    }
    commissioned: set[int] = set()
    if token.agency_id is not None:
        commissioned = set(
            Commission.objects.filter(
                agency_id=token.agency_id, end__isnull=True, officer_id__in=[r["id"] for r in found.values()]
            ).values_list("officer_id", flat=True)
        )
    out = []
    for number in wanted:
        row = found.get(number)
        named = row is not None and row["id"] in commissioned
        out.append(
            {
                "license_number": number,
                "found": row is not None,
                "first_initial": row["first_name"][:1].upper() if named and row else None,
                "last_name": row["last_name"] if named and row else None,
                "active": bool(row and row["license_status"] == LicenseStatus.ACTIVE),
            }
        )
    return out


def provider_courses(token: ApiToken, status: str = "") -> QuerySet[Course]:
    assert token.provider_id is not None
    courses = Course.objects.filter(provider_id=token.provider_id).prefetch_related("portions")
    if status:
        courses = courses.filter(status=status)
    return courses.order_by("number", "id")


def course_view(course: Course) -> dict[str, Any]:
    return {
        "id": course.pk,
        "number": course.number,
        "title": course.title,
        "hours": hours(course.hours),
        "delivery": course.delivery,
        "status": course.status,
        "approved_from": course.approved_from.isoformat() if course.approved_from else None,
        "approved_until": course.approved_until.isoformat() if course.approved_until else None,
        "submitted_at": course.submitted_at.isoformat() if course.submitted_at else None,
        "decision_reason": course.decision_reason,
        "portions": [
            {
                "core_area": p.core_area,
                "subject": p.subject,
                "hours": hours(p.hours),
                "topics": {topic: hours(value) for topic, value in sorted(p.topics.items())},
            }
            for p in course.portions.all()
        ],
    }


def provider_offerings(token: ApiToken, course_id: int | None = None) -> QuerySet[Offering, Any]:
    assert token.provider_id is not None
    offerings = Offering.objects.filter(course__provider_id=token.provider_id)
    if course_id is not None:
        offerings = offerings.filter(course_id=course_id)
    return offerings.order_by("starts_on", "id").values(
        "id", "course_id", "course__number", "starts_on", "ends_on", "location"
    )


def offering_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "course_id": row["course_id"],
        "course_number": row["course__number"],
        "starts_on": row["starts_on"].isoformat(),
        "ends_on": row["ends_on"].isoformat(),
        "location": row["location"],
    }


ROSTER_ORDER = ("last_name", "first_name", "license_number", "officer_id")


def agency_officers(
    agency: Agency, period: ReportingPeriod | None, status: str = ""
) -> QuerySet[Commission, dict[str, Any]]:
    """The officers ``agency`` commissions now, with their stored result of ``period``: the
    agency portal's roster query (one query a page, a left join to the stored result)."""
    rows = roster(agency, period)
    if status == "none":
        rows = rows.filter(Q(status__isnull=True))
    elif status:
        rows = rows.filter(Q(status=status))
    return rows.order_by(*ROSTER_ORDER)


def officer_view(row: Mapping[str, Any], year: int | None) -> dict[str, Any]:
    extended: dt.date | None = row["extended_until"]
    return {
        "license_number": row["license_number"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "license_status": row["license_status"],
        "commissioned_since": row["start"].isoformat(),
        "period": year,
        "result": {
            "status": row["status"],
            "counted_hours": hours(row["counted_hours"]),
            "additional_hours_needed": hours(row["hours_needed"]),
            "extended_until": extended.isoformat() if extended else None,
            "exemption": row["exemption"],
            "stale": bool(row.get("stale")),
        },
    }


def agency_officer(agency: Agency, period: ReportingPeriod | None, license_number: str) -> dict[str, Any]:
    """One officer ``agency`` commissions now, with the stored result's details; 404 for anyone
    else (never commissioned there, or no longer)."""
    row = (
        roster_with_details(roster(agency, period))
        .filter(Q(license_number=license_number.strip().upper()))
        .first()
    )
    if row is None:
        raise Http404(NOT_FOUND)
    view = officer_view(row, period.year if period else None)
    stored = (
        ComplianceResult.objects.filter(officer_id=row["officer_id"], period=period)
        .values("still_needed", "computed_at")
        .first()
        if period
        else None
    )
    view["result"].update(
        requirements=row["requirements"] or [],
        still_needed=stored["still_needed"] if stored else {},
        computed_at=stored["computed_at"].isoformat() if stored else None,
    )
    return view


def result_view(result: ComplianceResult | None, *, stale: bool = False) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "stale": stale,
        "status": result.status,
        "counted_hours": hours(result.counted_hours),
        "additional_hours_needed": hours(result.additional_hours_needed),
        "extended_until": result.extended_until.isoformat() if result.extended_until else None,
        "exemption": result.exemption,
        "requirements": result.requirements,
        "still_needed": result.still_needed,
        "computed_at": result.computed_at.isoformat(),
    }


def own_record(officer: Officer, period: ReportingPeriod | None) -> dict[str, Any]:
    """An officer's own transcript of ``period`` and stored result."""
    view: dict[str, Any] = {
        "license_number": officer.license_number,
        "first_name": officer.first_name,
        "last_name": officer.last_name,
        "license_status": officer.license_status,
        "period": None,
        "result": None,
        "records": [],
    }
    if period is None:
        return view
    view["period"] = {
        "year": period.year,
        "starts": period.starts.isoformat(),
        "ends": period.ends.isoformat(),
        "grace_deadline": period.grace_deadline.isoformat(),
    }
    view["result"] = result_view(
        ComplianceResult.objects.filter(officer=officer, period=period).first(),
        stale=result_is_stale(officer.pk, period),
    )
    records = (
        TrainingRecord.objects.filter(
            officer=officer, completed_on__gte=period.starts, completed_on__lte=period.ends
        )
        .select_related("course__provider")
        .prefetch_related("lines")
        .order_by("completed_on", "id")
    )
    view["records"] = [
        {
            "id": record.pk,
            "completed_on": record.completed_on.isoformat(),
            "title": record.course.title if record.course else record.description,
            "course_number": record.course.number if record.course else None,
            "provider": record.course.provider.name if record.course else record.state,
            "hours": hours(record.hours),
            "source": record.source,
            "status": record.status,
            "lines": [
                {
                    "core_area": line.core_area,
                    "subject": line.subject,
                    "hours": hours(line.hours),
                    "topics": {topic: hours(value) for topic, value in sorted(line.topics.items())},
                }
                for line in record.lines.all()
            ],
        }
        for record in records
    ]
    return view
