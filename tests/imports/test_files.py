"""Reading the file: CSV or XLSX told apart by content, forgiving headers, clear refusals."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from clee.imports.services import ImportReport, import_preview
from clee.imports.tables import table_from_upload
from tests.imports.files import ROSTER, csv_file, xlsx_file

pytestmark = pytest.mark.django_db


def preview(world: dict[str, Any], content: bytes, file_name: str = "roster.csv") -> ImportReport:
    return import_preview(
        kind="roster",
        table=table_from_upload(content, file_name),
        actor=world["dave"],
        provider=world["provider"],
    )


def errors(report: ImportReport) -> list[str]:
    return [str(e) for e in report.errors]


def test_headers_are_read_whatever_their_case_spacing_or_hyphens(world: dict[str, Any]) -> None:
    content = (
        "\ufeff LICENSE NUMBER ,Course-Number,completion  date\r\nP1000001,CMA-101,2023-03-01\r\n".encode()
    )
    report = preview(world, content)
    assert (errors(report), len(report.to_add)) == ([], 1)


def test_a_semicolon_separated_file_is_read(world: dict[str, Any]) -> None:
    report = preview(world, csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01"), delimiter=";"))
    assert (errors(report), len(report.to_add)) == ([], 1)


def test_a_csv_saved_in_the_windows_code_page_is_read(world: dict[str, Any]) -> None:
    content = "license_number,course_number,completion_date,notes\nP1000001,CMA-101,2023-03-01,Café\n"
    report = preview(world, content.encode("cp1252"))
    assert (errors(report), len(report.to_add)) == ([], 1)


def test_the_format_is_judged_by_content_not_by_the_file_name(world: dict[str, Any]) -> None:
    xlsx = xlsx_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01"))
    assert len(preview(world, xlsx, file_name="roster.csv").to_add) == 1
    assert len(preview(world, csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01")), "r.xlsx").to_add) == 1


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(world: dict[str, Any]) -> None:
    content = b"license_number,course_number,completion_date\n\n,,\nP1000001,CMA-101,someday\n"
    assert errors(preview(world, content)) == [
        "row 4, completion_date: 'someday' is not a date (write YYYY-MM-DD or MM/DD/YYYY)"
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"", "file: the file is empty", id="an empty file"),
        pytest.param(b"%PDF-1.7\n...", "file: this is a PDF, not a CSV or XLSX file", id="a PDF"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00", "file: this is a PNG image, not a CSV or XLSX file", id="a PNG"
        ),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
            "file: this is an old Excel (.xls) file: save it as .xlsx or CSV",
            id="an old xls workbook",
        ),
        pytest.param(
            b"\x01\x02\x00\x00binary", "file: this is not a CSV or XLSX file", id="other binary data"
        ),
        pytest.param(
            b"license_number,course_number,completion_date\n",
            "file: the file has a header row but no rows under it",
            id="a header and no rows",
        ),
        pytest.param(
            b"\n\nlicense_number,course_number,completion_date\nP1000001,CMA-101,2023-03-01\n",
            "row 3, file: the header must be on the first row, above any blank rows",
            id="a header below blank rows",
        ),
    ],
)
def test_it_refuses_a_file_that_is_not_a_table(world: dict[str, Any], content: bytes, reason: str) -> None:
    assert errors(preview(world, content)) == [reason]


def test_it_refuses_a_zip_that_is_not_a_workbook(world: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert errors(preview(world, buffer.getvalue())) == [
        "file: this is not a readable XLSX workbook (is it another kind of zip?)"
    ]


def test_it_names_a_missing_required_column(world: dict[str, Any]) -> None:
    content = csv_file(("license_number", "completion_date"), ("P1000001", "2023-03-01"))
    assert errors(preview(world, content)) == ["row 1, course_number: required column is missing"]


def test_it_names_an_unknown_column_so_a_misspelt_one_is_not_ignored(world: dict[str, Any]) -> None:
    content = csv_file((*ROSTER, "hour"), ("P1000001", "CMA-101", "2023-03-01", "2"))
    (error,) = preview(world, content).errors
    assert (error.row, error.field) == (1, "hour")
    assert error.reason.startswith(
        "unknown column; the columns are: license_number, completion_date, course_number"
    )


def test_it_refuses_a_column_given_twice(world: dict[str, Any]) -> None:
    content = csv_file((*ROSTER, "Hours", "hours"), ("P1000001", "CMA-101", "2023-03-01", "2", "3"))
    assert errors(preview(world, content)) == ["row 1, hours: the column appears twice (columns 4 and 5)"]


def test_it_refuses_a_row_with_more_values_than_columns(world: dict[str, Any]) -> None:
    content = csv_file(
        ROSTER, ("P1000001", "CMA-101", "2023-03-01", "extra"), ("P1000001", "CMA-101", "2023-04-01")
    )
    report = preview(world, content)
    assert errors(report) == ["row 2, file: the row has 4 values but the header 3 columns"]
    assert [o.row for o in report.to_add] == [3]


def test_informational_columns_are_accepted_and_not_checked(world: dict[str, Any]) -> None:
    content = csv_file(
        (*ROSTER, "first_name", "course_title", "notes"),
        ("P1000001", "CMA-101", "2023-03-01", "Ally", "Legal update", "sat at the back"),
    )
    assert (errors(preview(world, content)), len(preview(world, content).to_add)) == ([], 1)


def test_an_xlsx_license_number_typed_as_a_number_is_read_as_text(world: dict[str, Any]) -> None:
    from clee.officers.models import Officer

    Officer.objects.filter(pk=world["officer"].pk).update(license_number="1000001")
    content = xlsx_file(ROSTER, (1000001, "CMA-101", "2023-03-01"))
    assert (errors(preview(world, content)), len(preview(world, content).to_add)) == ([], 1)
