"""An agency's in-service roster: its in-service courses by number, or ad-hoc courses by title,
hours and their split over core areas, for officers it commissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from clee.core.errors import ServiceError
from clee.imports.services import ImportReport, import_apply, import_preview
from clee.imports.tables import table_from_upload
from clee.officers.models import Officer
from clee.providers.models import Course
from clee.training.models import TrainingRecord
from tests.imports.files import csv_file

pytestmark = pytest.mark.django_db

AD_HOC = (
    "license_number",
    "title",
    "completion_date",
    "hours",
    "legal_studies",
    "interpersonal_perspectives",
)


def apply(world: dict[str, Any], content: bytes, actor: str = "bob") -> ImportReport:
    return import_apply(
        kind="roster",
        table=table_from_upload(content, "in-service.csv"),
        actor=world[actor],
        agency=world["agency_a"],
    )


def test_an_agency_records_its_in_service_course_by_number(world: dict[str, Any], in_service: Course) -> None:
    report = apply(
        world,
        csv_file(("license_number", "course_number", "completion_date"), ("P1000001", "is-7", "2023-05-05")),
    )
    assert (report.applied, report.errors) == (True, [])
    record = TrainingRecord.objects.get()
    assert (record.course, record.credit_class, record.import_batch.agency) == (  # type: ignore[union-attr]
        in_service,
        "licensed",
        world["agency_a"],
    )
    assert [(line.core_area, line.subject) for line in record.lines.all()] == [
        ("skill_development", "firearms")
    ]


def test_an_ad_hoc_in_service_course_is_recorded_with_its_split_and_topics(world: dict[str, Any]) -> None:
    content = csv_file(
        (*AD_HOC, "firearms", "implicit_bias", "racial_profiling", "delivery"),
        ("P1000001", "Roll-call: bias and the stop", "2023-06-01", "3", "1", "1", "1", "1.5", "0.5", "Live"),
    )
    report = apply(world, content)
    assert (report.applied, report.errors) == (True, [])
    record = TrainingRecord.objects.get()
    assert (record.course, record.description, record.hours) == (
        None,
        "Roll-call: bias and the stop",
        Decimal("3"),
    )
    assert (record.source, record.credit_class, record.delivery) == ("course", "licensed", "live")
    assert [(line.core_area, line.subject, line.hours, line.topics) for line in record.lines.all()] == [
        # Topics fill Interpersonal Perspectives first (racial profiling, then implicit bias).
        ("legal_studies", "", Decimal("1.00"), {"implicit_bias": 1.0}),
        ("interpersonal_perspectives", "", Decimal("1.00"), {"racial_profiling": 0.5, "implicit_bias": 0.5}),
        ("skill_development", "firearms", Decimal("1.00"), {}),
    ]


def test_sending_the_same_ad_hoc_roster_twice_adds_nothing(world: dict[str, Any]) -> None:
    content = csv_file(AD_HOC, ("P1000001", "Report writing", "2023-06-01", "2", "2", "0"))
    first, second = apply(world, content), apply(world, content)
    assert (len(first.to_add), len(second.to_add), len(second.already_present)) == (1, 0, 1)
    assert TrainingRecord.objects.count() == 1


def test_it_rejects_a_split_that_does_not_add_up_to_the_hours(world: dict[str, Any]) -> None:
    report = apply(world, csv_file(AD_HOC, ("P1000001", "Report writing", "2023-06-01", "3", "1", "1")))
    assert [str(e) for e in report.errors] == ["row 2, hours: the core-area hours add up to 2.00, not 3.00"]
    assert not TrainingRecord.objects.exists()


def test_it_rejects_an_ad_hoc_row_without_hours_or_split(world: dict[str, Any]) -> None:
    report = apply(
        world,
        csv_file(
            AD_HOC,
            ("P1000001", "Report writing", "2023-06-01", "", "1", ""),
            ("P1000001", "Radio procedure", "2023-06-01", "1", "", ""),
        ),
    )
    assert [(e.row, e.field) for e in report.errors] == [(2, "hours"), (3, "hours")]
    assert report.errors[1].reason.startswith("split the hours over core areas")


def test_it_rejects_topic_hours_beyond_the_courses_hours(world: dict[str, Any]) -> None:
    content = csv_file((*AD_HOC, "de_escalation"), ("P1000001", "Talk-down", "2023-06-01", "1", "", "1", "2"))
    report = apply(world, content)
    assert [str(e) for e in report.errors] == [
        "row 2, hours: the topic hours (2.00) are more than the course's 1.00"
    ]


def test_it_rejects_a_delivery_that_is_not_one_of_the_choices(world: dict[str, Any]) -> None:
    content = csv_file((*AD_HOC, "delivery"), ("P1000001", "Talk-down", "2023-06-01", "1", "", "1", "by owl"))
    assert [str(e) for e in apply(world, content).errors] == [
        "row 2, delivery: 'by owl' is not one of: live, computer_based"
    ]


def test_it_rejects_an_officer_the_agency_did_not_commission_that_day(
    world: dict[str, Any], bert: Officer
) -> None:
    content = csv_file(
        AD_HOC,
        ("P1000002", "Report writing", "2023-06-01", "2", "2", ""),
        ("P1000001", "Report writing", "2014-06-01", "2", "2", ""),
    )
    report = apply(world, content)
    assert [str(e) for e in report.errors] == [
        "row 2, license_number: P1000002 was not commissioned by MO0950000 on June 1, 2023",
        "row 3, license_number: P1000001 was not commissioned by MO0950000 on June 1, 2014",
    ]


def test_core_area_columns_are_only_for_rows_without_a_course_number(
    world: dict[str, Any], in_service: Course
) -> None:
    content = csv_file(
        ("license_number", "course_number", "completion_date", "legal_studies"),
        ("P1000001", "IS-7", "2023-05-05", "2"),
    )
    report = apply(world, content)
    assert [(e.row, e.field) for e in report.errors] == [(2, "legal_studies")]


def test_an_agency_roster_cannot_use_a_licensed_providers_course(world: dict[str, Any]) -> None:
    content = csv_file(
        ("license_number", "course_number", "completion_date"), ("P1000001", "CMA-101", "2023-05-05")
    )
    assert [str(e) for e in apply(world, content).errors] == [
        "row 2, course_number: the agency's in-service providers has no course numbered CMA-101"
    ]


def test_a_provider_roster_has_no_ad_hoc_columns(world: dict[str, Any]) -> None:
    report = import_preview(
        kind="roster",
        table=table_from_upload(
            csv_file(AD_HOC, ("P1000001", "Report writing", "2023-06-01", "2", "2", "0")), "r.csv"
        ),
        actor=world["dave"],
        provider=world["provider"],
    )
    assert [(e.row, e.field) for e in report.errors] == [
        (1, "course_number"),
        (1, "title"),
        (1, "legal_studies"),
        (1, "interpersonal_perspectives"),
    ]


def test_another_agencys_administrator_may_not_send_its_roster(world: dict[str, Any]) -> None:
    with pytest.raises(ServiceError):
        apply(
            world,
            csv_file(AD_HOC, ("P1000001", "Report writing", "2023-06-01", "2", "2", "0")),
            actor="carol",
        )


def test_the_agency_administrator_may_send_its_in_service_providers_roster(
    world: dict[str, Any], in_service: Course
) -> None:
    report = import_apply(
        kind="roster",
        table=table_from_upload(
            csv_file(
                ("license_number", "course_number", "completion_date"),
                ("P1000001", "IS-7", dt.date(2023, 5, 5)),
            ),
            "r.csv",
        ),
        actor=world["bob"],
        provider=in_service.provider,
    )
    assert report.applied
