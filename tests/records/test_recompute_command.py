"""``manage.py recompute_compliance``: a whole period queued for the workers, or recomputed here
(``--here``) with progress on stderr."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper

from clee.compliance.management.commands.recompute_compliance import ProgressBar
from clee.compliance.models import ComplianceResult, ReportingPeriod, StaleResult
from clee.compliance.recompute import CHUNK
from clee.compliance.records import training_records_add
from clee.compliance.services import ensure_period
from clee.core.models import AuditEvent
from clee.officers.models import Officer
from clee.training.services import RecordEntry, course_lines

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add_officers(count: int) -> None:
    Officer.objects.bulk_create(
        Officer(
            license_number=f"B{number:07d}",
            first_name="Test",
            last_name=f"Officer {number}",
            date_of_birth=dt.date(1985, 1, 1),
            licensed_on=dt.date(2010, 1, 1),
        )
        for number in range(count)
    )


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("recompute_compliance", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_writes_a_result_for_every_officer_and_shows_progress_per_chunk(world: dict[str, Any]) -> None:
    add_officers(CHUNK + 500)
    total = Officer.objects.count()
    out, err = run("--here", "--year", "2023")
    assert ComplianceResult.objects.filter(period=world["period"]).count() == total
    assert f"Recomputing MO 2023 for {total:,} officers" in err
    assert f"] {CHUNK:,}/{total:,} officers" in err
    assert f"[{'#' * 30}] {total:,}/{total:,} officers 100%" in err
    assert re.fullmatch(rf"MO 2023: results written for {total:,} officers in \d+\.\d\d s\n", out)


def test_the_results_are_the_engines(world: dict[str, Any]) -> None:
    course = world["course"]
    training_records_add(
        entries=[
            RecordEntry(
                officer_id=world["officer"].pk,
                course_id=course.pk,
                completed_on=dt.date(2023, 2, 1),
                hours=course.hours,
                source="course",
                credit_class="approved",
                delivery="live",
                lines=course_lines(course),
            )
        ],
        actor=world["erin"],
    )
    ComplianceResult.objects.all().delete()
    run("--here")
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert (result.status, result.counted_hours, result.additional_hours_needed) == ("deficient", 4, 20)


def test_running_it_twice_replaces_the_results_without_adding_any(world: dict[str, Any]) -> None:
    add_officers(3)
    run("--here")
    first = set(ComplianceResult.objects.values_list("officer_id", "status", "counted_hours"))
    run("--here")
    assert set(ComplianceResult.objects.values_list("officer_id", "status", "counted_hours")) == first
    assert ComplianceResult.objects.count() == Officer.objects.count()


def test_without_a_year_it_recomputes_the_current_period(world: dict[str, Any]) -> None:
    # No period contains today here: the latest one begun is current.
    ensure_period(2024)
    out, _ = run("--here")
    assert out.startswith("MO 2024: ")
    assert not ComplianceResult.objects.filter(period__year=2023).exists()


def test_by_default_it_marks_the_period_stale_and_the_workers_recompute_it(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    add_officers(5)
    StaleResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run("--year", "2023")
    total = Officer.objects.count()
    assert out == (
        f"MO 2023: results of {total:,} officers marked stale; "
        "1 recompute jobs queued for the workers (manage.py db_worker)\n"
    )
    assert StaleResult.objects.filter(period=world["period"]).count() == total
    assert not ComplianceResult.objects.exists()  # nothing computed in the command itself
    assert AuditEvent.objects.filter(action="compliance.recompute_request").count() == 1
    run_worker()
    assert ComplianceResult.objects.filter(period=world["period"]).count() == total
    assert not StaleResult.objects.exists()


def test_a_year_without_a_period_is_refused_naming_the_periods_there_are(world: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match=r"there is no MO 2031 reporting period \(periods: 2023\)"):
        run("--year", "2031")


def test_with_no_period_at_all_it_says_so(db: Any) -> None:
    assert not ReportingPeriod.objects.exists()
    with pytest.raises(CommandError, match="there is no MO reporting period yet"):
        run()


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_redraws_in_place() -> None:
    stream = Terminal()
    bar = ProgressBar(OutputWrapper(stream), 4, width=4)
    bar.advance(2)
    bar.advance(2)
    bar.finish()
    assert stream.getvalue() == "\r[##..] 2/4 officers  50%\r[####] 4/4 officers 100%\n"
