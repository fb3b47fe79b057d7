"""manage.py import_file: the preview or outcome, every row error as 'row N, field: reason',
and a non-zero exit (CommandError) when the file has an error."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clee.officers.models import Officer
from clee.training.models import ImportBatch, TrainingRecord
from tests.factories import audit_rows_after_setup
from tests.imports.files import ROSTER, csv_file, xlsx_file

pytestmark = pytest.mark.django_db


def run(*args: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_file", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def roster(tmp_path: Path, bert: Officer) -> Path:
    path = tmp_path / "march.csv"
    path.write_bytes(
        csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01"), ("P1000002", "CMA-101", "2023-03-02"))
    )
    return path


def test_a_dry_run_prints_the_preview_and_writes_nothing(world: dict[str, Any], roster: Path) -> None:
    out, err = run("roster", roster, "--provider", "LP-0042", "--dry-run", "-v", "2")
    assert "row 2: to add: P1000001: CMA-101 Legal update and de-escalation, 2023-03-01, 4.00 h" in out
    assert "dry run: march.csv: 2 rows; would add 2; 0 already on file; 0 errors" in out
    assert err == ""
    assert not TrainingRecord.objects.exists()


def test_applying_prints_the_outcome_and_audits_the_named_account(
    world: dict[str, Any], roster: Path
) -> None:
    out, _ = run("roster", roster, "--provider", "LP-0042", "--as", "erin")
    batch = ImportBatch.objects.get()
    assert "march.csv: 2 rows; added 2; 0 already on file; 0 errors" in out
    assert f"applied as import batch {batch.pk}" in out
    assert batch.submitted_by == world["erin"]
    assert {e.actor for e in audit_rows_after_setup()} == {world["erin"]}


def test_without_an_account_the_audit_trail_names_the_system(world: dict[str, Any], roster: Path) -> None:
    run("roster", roster, "--provider", "LP-0042")
    written = audit_rows_after_setup()
    assert set(written.values_list("actor_label", flat=True)) == {"system"}


def test_a_providers_account_needs_no_provider_option(world: dict[str, Any], roster: Path) -> None:
    run("roster", roster, "--as", "dave")
    assert ImportBatch.objects.get().provider == world["provider"]


def test_the_same_file_twice_is_noted_and_adds_nothing(world: dict[str, Any], roster: Path) -> None:
    run("roster", roster, "--provider", "LP-0042")
    out, _ = run("roster", roster, "--provider", "LP-0042")
    assert "note: this same file was applied on" in out
    assert "added 0; 2 already on file" in out
    assert TrainingRecord.objects.count() == 2


def test_every_row_error_is_printed_and_the_command_fails(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        xlsx_file(
            ROSTER,
            ("P9999999", "CMA-101", "2023-03-01"),
            ("P1000001", "CMA-101", "2023-03-01"),
            ("P1000001", "NOPE", "x"),
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"3 errors in bad\.xlsx; nothing was written"):
        call_command(
            "import_file", "roster", str(path), "--provider", "LP-0042", stdout=io.StringIO(), stderr=err
        )
    assert err.getvalue().splitlines() == [
        "row 2, license_number: no officer has license number P9999999",
        "row 4, completion_date: 'x' is not a date (write YYYY-MM-DD or MM/DD/YYYY)",
        "row 4, course_number: provider LP-0042 has no course numbered NOPE",
    ]
    assert not TrainingRecord.objects.exists()


def test_an_onboarding_file_is_imported_by_the_command(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "agencies.csv"
    path.write_bytes(csv_file(("ori", "name"), ("MO1010000", "Cedar Falls Police Department")))
    out, _ = run("agencies", path, "--as", "erin")
    assert "agencies.csv: 1 row; added 1; 0 already on file; 0 errors" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("--provider", "LP-9999"), "no provider numbered 'LP-9999'", id="an unknown provider"),
        pytest.param(("--agency", "MO0000001"), "no agency with ORI 'MO0000001'", id="an unknown agency"),
        pytest.param(("--as", "nobody"), "no active account named 'nobody'", id="an unknown account"),
        pytest.param(
            ("--as", "alice", "--provider", "LP-0042"), "may not report completions", id="a refused account"
        ),
        pytest.param((), "a roster comes from a provider or an agency", id="no provider or agency"),
    ],
)
def test_it_refuses_a_request_it_cannot_serve(
    world: dict[str, Any], roster: Path, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run("roster", roster, *args)


def test_it_refuses_a_file_it_cannot_read(world: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"missing\.csv: No such file"):
        run("roster", tmp_path / "missing.csv", "--provider", "LP-0042")
