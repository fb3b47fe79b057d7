"""Two imports of the same file at the same time (PostgreSQL): nothing is recorded twice.

SQLite runs one writing transaction at a time (``BEGIN IMMEDIATE``), so the question only
arises on PostgreSQL; these tests are skipped on SQLite.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from clee.compliance.records import training_records_add
from clee.imports.services import ImportReport, import_apply
from clee.imports.tables import table_from_upload
from clee.officers.models import Officer
from clee.training.models import ImportBatch, TrainingRecord
from clee.training.services import RecordEntry, course_lines
from tests.imports.files import ROSTER, csv_file
from tests.threads import WAIT, backend_pid, in_thread, result

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


def roster_of(days: int) -> bytes:
    first = dt.date(2023, 1, 1)
    return csv_file(
        ROSTER,
        *[
            (number, "CMA-101", (first + dt.timedelta(days=day)).isoformat())
            for day in range(days)
            for number in ("P1000001", "P1000002")
        ],
    )


def pid_of(holder: dict[str, int]) -> int:
    """The backend pid another thread puts in ``holder``, once it has."""
    deadline = time.monotonic() + WAIT
    while "pid" not in holder and time.monotonic() < deadline:
        time.sleep(0.01)
    return holder["pid"]


def wait_until_blocked(pid: int) -> None:
    """Return once the backend ``pid`` waits for a lock (then it has done its checks)."""
    deadline = time.monotonic() + WAIT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second import never waited for the first")


def apply_roster(world: dict[str, Any], content: bytes) -> ImportReport:
    return import_apply(
        kind="roster",
        table=table_from_upload(content, "roster.csv"),
        actor=world["dave"],
        provider=world["provider"],
    )


def test_two_imports_of_the_same_roster_at_once_record_each_completion_once(
    world: dict[str, Any], bert: Officer
) -> None:
    content = roster_of(150)
    start = threading.Barrier(2)

    def send() -> ImportReport:
        start.wait(WAIT)
        return apply_roster(world, content)

    runs = [in_thread(send), in_thread(send)]
    reports = [result(*run) for run in runs]
    assert all(report.applied for report in reports)
    assert sorted(len(report.to_add) for report in reports) == [0, 300]
    assert sorted(len(report.already_present) for report in reports) == [0, 300]
    assert TrainingRecord.objects.count() == 300
    assert sorted(ImportBatch.objects.values_list("added", flat=True)) == [0, 300]


def test_an_import_waits_for_one_in_progress_and_then_finds_its_rows_on_file(
    world: dict[str, Any], bert: Officer
) -> None:
    content = roster_of(20)
    first_written, second_pid = threading.Event(), dict[str, int]()

    def first() -> ImportReport:
        with transaction.atomic():
            report = apply_roster(world, content)
            first_written.set()
            wait_until_blocked(pid_of(second_pid))
        return report

    def second() -> ImportReport:
        second_pid["pid"] = backend_pid()
        first_written.wait(WAIT)
        return apply_roster(world, content)

    first_run = in_thread(first)
    second_run = in_thread(second)
    first_report, second_report = result(*first_run), result(*second_run)
    assert (len(first_report.to_add), len(first_report.already_present)) == (40, 0)
    assert (len(second_report.to_add), len(second_report.already_present)) == (0, 40)
    assert TrainingRecord.objects.count() == 40


def test_a_completion_committed_by_another_writer_meanwhile_is_counted_not_duplicated(
    world: dict[str, Any], bert: Officer
) -> None:
    """A form (not an import) records one of the roster's completions while the roster is
    being applied: the unique constraint stops the second insert, the import checks the file
    again and counts that completion as already on file."""
    course = world["course"]
    content = csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01"), ("P1000002", "CMA-101", "2023-03-01"))
    other_written, import_pid = threading.Event(), dict[str, int]()

    def other_writer() -> None:
        with transaction.atomic():
            training_records_add(
                entries=[
                    RecordEntry(
                        officer_id=world["officer"].pk,
                        course_id=course.pk,
                        completed_on=dt.date(2023, 3, 1),
                        hours=course.hours,
                        source="course",
                        credit_class="approved",
                        delivery=course.delivery,
                        lines=course_lines(course),
                    )
                ],
                actor=world["erin"],
            )
            other_written.set()
            # Commit only once the import is stuck on our uncommitted row.
            wait_until_blocked(pid_of(import_pid))

    def importer() -> ImportReport:
        import_pid["pid"] = backend_pid()
        other_written.wait(WAIT)
        return apply_roster(world, content)

    writer_run = in_thread(other_writer)
    import_run = in_thread(importer)
    result(*writer_run)
    report = result(*import_run)
    assert report.applied
    assert ([o.row for o in report.to_add], [o.row for o in report.already_present]) == ([3], [2])
    assert TrainingRecord.objects.count() == 2
    assert report.batch is not None
    assert (report.batch.added, report.batch.already_present) == (1, 1)


def test_two_imports_of_the_same_officers_file_at_once_add_each_officer_once(world: dict[str, Any]) -> None:
    content = csv_file(
        ("license_number", "first_name", "last_name", "date_of_birth", "licensed_on"),
        *[(f"P3{n:06d}", "Test", f"Officer{n}", "1990-01-01", "2015-01-01") for n in range(200)],
    )
    start = threading.Barrier(2)

    def send() -> ImportReport:
        start.wait(WAIT)
        return import_apply(
            kind="officers", table=table_from_upload(content, "officers.csv"), actor=world["erin"]
        )

    reports = [result(*run) for run in [in_thread(send), in_thread(send)]]
    assert sorted(len(report.to_add) for report in reports) == [0, 200]
    assert Officer.objects.filter(license_number__startswith="P3").count() == 200


def test_an_agencys_ad_hoc_roster_sent_twice_at_once_is_recorded_once(world: dict[str, Any]) -> None:
    """Ad-hoc in-service rows have no course, so no unique constraint to fall back on: the
    second import must wait for the first and then find its rows on file."""
    content = csv_file(
        ("license_number", "title", "completion_date", "hours", "legal_studies"),
        *[("P1000001", f"Roll-call briefing {n}", "2023-06-01", "1", "1") for n in range(30)],
    )
    first_written, second_pid = threading.Event(), dict[str, int]()

    def apply_in_service() -> ImportReport:
        return import_apply(
            kind="roster",
            table=table_from_upload(content, "in-service.csv"),
            actor=world["bob"],
            agency=world["agency_a"],
        )

    def first() -> ImportReport:
        with transaction.atomic():
            report = apply_in_service()
            first_written.set()
            wait_until_blocked(pid_of(second_pid))
        return report

    def second() -> ImportReport:
        second_pid["pid"] = backend_pid()
        first_written.wait(WAIT)
        return apply_in_service()

    first_run, second_run = in_thread(first), in_thread(second)
    first_report, second_report = result(*first_run), result(*second_run)
    assert (len(first_report.to_add), len(second_report.to_add), len(second_report.already_present)) == (
        30,
        0,
        30,
    )
    assert TrainingRecord.objects.count() == 30
