"""Applying a roster: all or nothing, never twice, audited, the same from CSV or XLSX."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from clee.compliance.models import ComplianceResult
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.imports.services import ImportReport, import_apply, import_preview
from clee.imports.tables import table_from_upload
from clee.officers.models import Officer
from clee.training.models import CreditLine, ImportBatch, TrainingRecord
from tests.factories import audit_rows_after_setup
from tests.imports.files import ROSTER, csv_file, xlsx_file

pytestmark = pytest.mark.django_db

GOOD = csv_file(
    (*ROSTER, "hours"),
    ("P1000001", "CMA-101", "2023-03-01", ""),
    ("P1000002", "CMA-101", "2023-03-01", "2"),
)


def apply(world: dict[str, Any], content: bytes, name: str = "roster.csv", **scope: Any) -> ImportReport:
    scope = scope or {"provider": world["provider"]}
    return import_apply(kind="roster", table=table_from_upload(content, name), actor=world["dave"], **scope)


def test_a_dry_run_previews_the_roster_and_writes_nothing(world: dict[str, Any], bert: Officer) -> None:
    report = import_preview(
        kind="roster",
        table=table_from_upload(GOOD, "roster.csv"),
        actor=world["dave"],
        provider=world["provider"],
    )
    assert (report.rows, report.ok, report.applied, report.dry_run) == (2, True, False, True)
    assert [o.summary for o in report.to_add] == [
        "P1000001: CMA-101 Legal update and de-escalation, 2023-03-01, 4.00 h",
        "P1000002: CMA-101 Legal update and de-escalation, 2023-03-01, 2.00 h",
    ]
    assert not TrainingRecord.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not audit_rows_after_setup().exists()


def test_applying_a_roster_records_every_row_with_its_credit_lines(
    world: dict[str, Any], bert: Officer
) -> None:
    report = apply(world, GOOD)
    assert (report.applied, len(report.to_add), report.errors) == (True, 2, [])
    full = TrainingRecord.objects.get(officer=world["officer"])
    assert (full.course, full.hours, full.completed_on) == (
        world["course"],
        Decimal("4.00"),
        dt.date(2023, 3, 1),
    )
    assert (full.source, full.credit_class, full.delivery, full.status) == (
        "course",
        "approved",
        "live",
        "accepted",
    )
    assert (full.entered_by, full.import_batch) == (world["dave"], report.batch)
    assert sorted((line.core_area, line.hours, line.topics) for line in full.lines.all()) == [
        ("interpersonal_perspectives", Decimal("2.00"), {"de_escalation": 1}),
        ("legal_studies", Decimal("2.00"), {}),
    ]


def test_partial_hours_scale_the_courses_split(world: dict[str, Any], bert: Officer) -> None:
    apply(world, GOOD)
    half = TrainingRecord.objects.get(officer=bert)
    assert half.hours == Decimal("2.00")
    assert sorted((line.core_area, line.hours, line.topics) for line in half.lines.all()) == [
        ("interpersonal_perspectives", Decimal("1.00"), {"de_escalation": 0.5}),
        ("legal_studies", Decimal("1.00"), {}),
    ]


def test_the_credit_lines_add_up_to_the_hours_when_scaling_rounds(
    world: dict[str, Any], bert: Officer
) -> None:
    apply(world, csv_file((*ROSTER, "hours"), ("P1000002", "CMA-101", "2023-03-01", "1.01")))
    record = TrainingRecord.objects.get(officer=bert)
    assert sum(line.hours for line in record.lines.all()) == Decimal("1.01")


def test_the_import_batch_keeps_the_file_who_sent_it_and_the_counts(
    world: dict[str, Any], bert: Officer
) -> None:
    import hashlib

    report = apply(world, GOOD, name="march.csv")
    batch = ImportBatch.objects.get()
    assert batch == report.batch
    assert (batch.kind, batch.file_name, batch.sha256) == (
        "roster",
        "march.csv",
        hashlib.sha256(GOOD).hexdigest(),
    )
    assert (batch.submitted_by, batch.provider, batch.agency) == (world["dave"], world["provider"], None)
    assert (batch.rows, batch.added, batch.already_present) == (2, 2, 0)


def test_every_record_and_the_batch_have_an_audit_row_naming_the_acting_user(
    world: dict[str, Any], bert: Officer
) -> None:
    report = apply(world, GOOD)
    events = AuditEvent.objects.filter(object_type="training.trainingrecord")
    assert sorted(int(e.object_id) for e in events) == sorted(
        TrainingRecord.objects.values_list("pk", flat=True)
    )
    assert {(e.actor, e.actor_label, e.action) for e in events} == {
        (world["dave"], "dave", "training.record_add")
    }
    assert f"batch {report.batch.pk}" in events[0].summary  # type: ignore[union-attr]
    batch_event = AuditEvent.objects.get(object_type="training.importbatch")
    assert (batch_event.actor, batch_event.action) == (world["dave"], "imports.roster_apply")
    assert batch_event.data == {"rows": 2, "added": 2, "already_present": 0}


def test_one_bad_row_means_nothing_is_written(world: dict[str, Any], bert: Officer) -> None:
    content = csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01"), ("P1000002", "CMA-101", "2023-13-01"))
    report = apply(world, content)
    assert (report.applied, report.batch, [str(e) for e in report.errors]) == (
        False,
        None,
        ["row 3, completion_date: '2023-13-01' is not a date on the calendar"],
    )
    assert len(report.to_add) == 1  # what would have been added, had the file been clean
    assert not TrainingRecord.objects.exists()
    assert not CreditLine.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not audit_rows_after_setup().exists()


def test_sending_the_same_roster_twice_adds_nothing_the_second_time(
    world: dict[str, Any], bert: Officer
) -> None:
    first = apply(world, GOOD)
    second = apply(world, GOOD)
    assert (len(first.to_add), len(second.to_add), len(second.already_present)) == (2, 0, 2)
    assert second.applied
    assert second.earlier_batch_id == first.batch.pk  # type: ignore[union-attr]
    assert TrainingRecord.objects.count() == 2
    assert second.batch is not None
    assert (second.batch.added, second.batch.already_present) == (0, 2)


def test_a_roster_overlapping_one_on_file_adds_only_the_new_completions(
    world: dict[str, Any], bert: Officer
) -> None:
    apply(world, csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01")))
    report = apply(world, GOOD)
    assert [o.row for o in report.already_present] == [2]
    assert [o.row for o in report.to_add] == [3]
    assert TrainingRecord.objects.count() == 2


def test_the_preview_counts_completions_already_on_file(world: dict[str, Any], bert: Officer) -> None:
    apply(world, csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01")))
    report = import_preview(
        kind="roster",
        table=table_from_upload(GOOD, "roster.csv"),
        actor=world["dave"],
        provider=world["provider"],
    )
    assert ([o.row for o in report.already_present], [o.row for o in report.to_add]) == ([2], [3])


def test_an_xlsx_roster_gives_the_same_records_as_the_csv(world: dict[str, Any], bert: Officer) -> None:
    content = xlsx_file(
        ("License Number", "Course Number", "Completion Date", "Hours"),
        ("P1000001", "CMA-101", dt.date(2023, 3, 1), None),
        ("P1000002", "CMA-101", dt.datetime(2023, 3, 1, 0, 0), 2),
    )
    report = apply(world, content, name="roster.xlsx")
    assert (report.applied, report.errors) == (True, [])
    assert sorted(TrainingRecord.objects.values_list("officer__license_number", "completed_on", "hours")) == [
        ("P1000001", dt.date(2023, 3, 1), Decimal("4.00")),
        ("P1000002", dt.date(2023, 3, 1), Decimal("2.00")),
    ]
    again = apply(world, GOOD)
    assert (len(again.to_add), len(again.already_present)) == (0, 2)


def test_an_xlsx_roster_reports_bad_cells_by_row_too(world: dict[str, Any]) -> None:
    content = xlsx_file(ROSTER, ("P1000001", "CMA-101", dt.date(2023, 3, 1)), ("P1000001", "CMA-101", 45000))
    report = apply(world, content, name="roster.xlsx")
    assert [str(e) for e in report.errors] == [
        "row 3, completion_date: 45000 is not a date (write YYYY-MM-DD)"
    ]
    assert not TrainingRecord.objects.exists()


def test_the_officers_result_is_recomputed_once_the_roster_is_committed(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        apply(world, csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01")))
    run_worker()
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert (result.status, result.counted_hours) == ("deficient", Decimal("4.00"))


def test_a_provider_account_may_not_send_another_providers_roster(
    world: dict[str, Any], in_service: Any
) -> None:
    with pytest.raises(ServiceError, match="may not report completions"):
        import_apply(
            kind="roster",
            table=table_from_upload(GOOD, "r.csv"),
            actor=world["dave"],
            provider=in_service.provider,
        )


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_officers_and_other_agencies_may_not_send_a_providers_roster(
    world: dict[str, Any], persona: str
) -> None:
    with pytest.raises(ServiceError):
        import_preview(
            kind="roster",
            table=table_from_upload(GOOD, "r.csv"),
            actor=world[persona],
            provider=world["provider"],
        )


def test_a_roster_needs_its_provider_or_agency(world: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="provider or an agency"):
        import_apply(kind="roster", table=table_from_upload(GOOD, "r.csv"), actor=world["erin"])


def test_post_staff_may_send_any_providers_roster(world: dict[str, Any], bert: Officer) -> None:
    report = import_apply(
        kind="roster", table=table_from_upload(GOOD, "r.csv"), actor=world["erin"], provider=world["provider"]
    )
    assert report.applied
    assert set(TrainingRecord.objects.values_list("entered_by__username", flat=True)) == {"erin"}
