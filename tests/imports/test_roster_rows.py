"""Every kind of bad roster row is reported by row number and column, with a specific reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from clee.imports.services import ImportReport, import_preview
from clee.imports.tables import table_from_upload
from clee.providers.models import Course, CoursePortion, Offering
from tests.imports.files import ROSTER, csv_file

pytestmark = pytest.mark.django_db


def preview(world: dict[str, Any], content: bytes) -> ImportReport:
    return import_preview(
        kind="roster",
        table=table_from_upload(content, "roster.csv"),
        actor=world["dave"],
        provider=world["provider"],
    )


def only_error(report: ImportReport) -> tuple[int | None, str, str]:
    assert len(report.errors) == 1, report.errors
    error = report.errors[0]
    return error.row, error.field, error.reason


def test_a_valid_row_has_no_error_and_would_be_added(world: dict[str, Any]) -> None:
    report = preview(world, csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01")))
    assert report.errors == []
    assert [o.row for o in report.to_add] == [2]


def test_it_rejects_a_row_with_an_unknown_license_number(world: dict[str, Any]) -> None:
    report = preview(
        world, csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01"), ("P9999999", "CMA-101", "2023-03-01"))
    )
    assert only_error(report) == (3, "license_number", "no officer has license number P9999999")
    assert [o.row for o in report.to_add] == [2]


def test_it_rejects_a_row_with_a_course_number_the_provider_does_not_have(world: dict[str, Any]) -> None:
    report = preview(world, csv_file(ROSTER, ("P1000001", "XYZ-9", "2023-03-01")))
    assert only_error(report) == (2, "course_number", "provider LP-0042 has no course numbered XYZ-9")


def test_it_rejects_a_course_of_another_provider(world: dict[str, Any], in_service: Course) -> None:
    report = preview(world, csv_file(ROSTER, ("P1000001", in_service.number, "2023-03-01")))
    assert only_error(report)[:2] == (2, "course_number")


def test_it_rejects_a_completion_before_the_course_was_approved(world: dict[str, Any]) -> None:
    report = preview(world, csv_file(ROSTER, ("P1000001", "CMA-101", "2019-12-31")))
    assert only_error(report) == (
        2,
        "completion_date",
        "course CMA-101 was not approved on December 31, 2019 (approved from January 1, 2020)",
    )


def test_it_rejects_a_completion_after_the_course_approval_ended(world: dict[str, Any]) -> None:
    course = world["course"]
    course.approved_until = dt.date(2022, 12, 31)
    course.save(update_fields=["approved_until"])
    report = preview(world, csv_file(ROSTER, ("P1000001", "CMA-101", "2023-01-02")))
    assert only_error(report) == (
        2,
        "completion_date",
        "course CMA-101 was not approved on January 2, 2023 "
        "(approved from January 1, 2020 to December 31, 2022)",
    )


def test_it_rejects_a_course_still_awaiting_review(world: dict[str, Any]) -> None:
    pending = Course.objects.create(
        provider=world["provider"], number="CMA-200", title="Draft", hours=Decimal(1)
    )
    CoursePortion.objects.create(course=pending, core_area="legal_studies", hours=Decimal(1))
    report = preview(world, csv_file(ROSTER, ("P1000001", "CMA-200", "2023-03-01")))
    assert only_error(report) == (
        2,
        "completion_date",
        "course CMA-200 is not approved (it is awaiting review)",
    )


def test_it_rejects_a_completion_outside_the_providers_approval(world: dict[str, Any]) -> None:
    provider = world["provider"]
    provider.approved_until = dt.date(2022, 6, 30)
    provider.save(update_fields=["approved_until"])
    report = preview(world, csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01")))
    assert only_error(report) == (
        2,
        "completion_date",
        "LP-0042 was not an approved provider on March 1, 2023",
    )


def test_it_rejects_hours_above_the_courses_hours(world: dict[str, Any]) -> None:
    report = preview(world, csv_file((*ROSTER, "hours"), ("P1000001", "CMA-101", "2023-03-01", "4.5")))
    assert only_error(report) == (2, "hours", "4.50 hours is more than course CMA-101's 4.00")


@pytest.mark.parametrize(
    ("hours", "reason"),
    [
        pytest.param("0", "'0' hours: hours must be more than zero", id="zero hours"),
        pytest.param("-2", "'-2' hours: hours must be more than zero", id="negative hours"),
        pytest.param("four", "'four' is not a number of hours", id="words for hours"),
        pytest.param("NaN", "'NaN' is not a number of hours", id="not a number"),
        pytest.param(
            "1.255", "'1.255': hours are given to the hundredth at most", id="thousandths of an hour"
        ),
        pytest.param(
            "1.1715079258854519e+27",
            "'1.1715079258854519e+27' hours is not a plausible number of hours",
            id="beyond the hundredth's precision (found by schemathesis)",
        ),
    ],
)
def test_it_rejects_hours_that_are_not_a_positive_number(
    world: dict[str, Any], hours: str, reason: str
) -> None:
    report = preview(world, csv_file((*ROSTER, "hours"), ("P1000001", "CMA-101", "2023-03-01", hours)))
    assert only_error(report) == (2, "hours", reason)


def test_it_rejects_a_completion_date_in_the_future(world: dict[str, Any]) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    report = preview(world, csv_file(ROSTER, ("P1000001", "CMA-101", tomorrow.isoformat())))
    assert only_error(report) == (2, "completion_date", f"{tomorrow.isoformat()} is in the future")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param("yesterday", "'yesterday' is not a date (write YYYY-MM-DD or MM/DD/YYYY)", id="a word"),
        pytest.param("2023-02-30", "'2023-02-30' is not a date on the calendar", id="february 30th"),
        pytest.param("13/01/2023", "'13/01/2023' is not a date on the calendar", id="a 13th month"),
        pytest.param(
            "3/1/23", "'3/1/23': write the year with four digits (YYYY-MM-DD)", id="a two-digit year"
        ),
    ],
)
def test_it_rejects_a_completion_date_that_is_not_a_date(
    world: dict[str, Any], value: str, reason: str
) -> None:
    report = preview(world, csv_file(ROSTER, ("P1000001", "CMA-101", value)))
    assert only_error(report) == (2, "completion_date", reason)


def test_it_reads_a_us_date(world: dict[str, Any]) -> None:
    report = preview(world, csv_file(ROSTER, ("P1000001", "CMA-101", "3/1/2023")))
    assert report.errors == []
    assert "2023-03-01" in report.to_add[0].summary


def test_it_rejects_the_same_completion_twice_in_one_file(world: dict[str, Any]) -> None:
    report = preview(
        world,
        csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01"), ("P1000001", "cma-101", "03/01/2023")),
    )
    assert only_error(report) == (
        3,
        "course_number",
        "the same completion (P1000001, CMA-101 Legal update and de-escalation, 2023-03-01) is on row 2 too",
    )


@pytest.mark.parametrize("column", ROSTER)
def test_it_rejects_a_row_missing_a_required_value(world: dict[str, Any], column: str) -> None:
    values = {"license_number": "P1000001", "course_number": "CMA-101", "completion_date": "2023-03-01"}
    values[column] = "  "
    report = preview(world, csv_file(ROSTER, tuple(values.values())))
    assert only_error(report) == (2, column, "a value is required")


def test_it_rejects_a_last_name_that_is_not_the_officers(world: dict[str, Any]) -> None:
    report = preview(
        world,
        csv_file(
            (*ROSTER, "last_name"),
            ("P1000001", "CMA-101", "2023-03-01", "Smith"),
            ("P1000001", "CMA-101", "2023-04-01", "avery"),
        ),
    )
    assert only_error(report) == (2, "last_name", "Smith is not the last name on file for license P1000001")


def test_it_rejects_an_offering_of_another_course_or_on_other_dates(
    world: dict[str, Any], offering: Offering
) -> None:
    other = Course.objects.create(
        provider=world["provider"],
        number="CMA-300",
        title="Other",
        hours=Decimal(1),
        status="approved",
        approved_from=dt.date(2020, 1, 1),
    )
    CoursePortion.objects.create(course=other, core_area="legal_studies", hours=Decimal(1))
    report = preview(
        world,
        csv_file(
            (*ROSTER, "offering"),
            ("P1000001", "CMA-101", "2023-03-02", offering.pk),
            ("P1000001", "CMA-300", "2023-03-02", offering.pk),
            ("P1000001", "CMA-101", "2023-05-02", offering.pk),
        ),
    )
    assert [(e.row, e.field) for e in report.errors] == [(3, "offering"), (4, "completion_date")]
    assert report.errors[1].reason == f"offering {offering.pk} ran from March 1, 2023 to March 2, 2023"


def test_it_reports_every_error_of_every_row_not_only_the_first(world: dict[str, Any]) -> None:
    report = preview(
        world,
        csv_file(
            (*ROSTER, "hours"),
            ("P9999999", "NOPE", "someday", "x"),
            ("P1000001", "CMA-101", "2023-03-01", ""),
            ("", "CMA-101", "2023-03-01", "9"),
        ),
    )
    assert [(e.row, e.field) for e in report.errors] == [
        (2, "completion_date"),
        (2, "hours"),
        (2, "license_number"),
        (2, "course_number"),
        (4, "license_number"),
        (4, "hours"),
    ]
    assert [o.row for o in report.to_add] == [3]


def test_a_course_without_a_split_of_its_hours_cannot_be_recorded(world: dict[str, Any]) -> None:
    Course.objects.create(
        provider=world["provider"],
        number="CMA-400",
        title="No split",
        hours=Decimal(1),
        status="approved",
        approved_from=dt.date(2020, 1, 1),
    )
    report = preview(world, csv_file(ROSTER, ("P1000001", "CMA-400", "2023-03-01")))
    assert only_error(report) == (
        2,
        "course_number",
        "course CMA-400 has no split of its hours over core areas",
    )
