"""A table built from rows in hand (the API's JSON, a form, an attendance list): the same
header checks and row numbers as a file, its values kept exactly as given."""

from __future__ import annotations

import datetime as dt

import pytest

from clee.imports.tables import (
    MAX_COLUMNS,
    Row,
    TableError,
    table_from_csv,
    table_from_rows,
    table_from_upload,
    table_from_xlsx,
)
from tests.imports.files import csv_file, xlsx_file

HEADER = ("License Number", "course_number", "completion_date", "hours")


def test_rows_are_numbered_as_a_spreadsheet_shows_them_and_keep_their_values_as_given() -> None:
    tricky = 'CMA,"7"\nsecond line'
    table = table_from_rows(
        HEADER,
        [
            ("0012345", tricky, "2023-03-01", 4),
            ("P1000002", "CMA-101", dt.date(2023, 3, 2), 2.5),
        ],
        name="a form",
    )
    assert (table.format, table.name, table.unreadable, table.errors) == ("rows", "a form", False, ())
    assert table.columns == ("license_number", "course_number", "completion_date", "hours")
    assert table.rows == (
        Row(
            2,
            {
                "license_number": "0012345",
                "course_number": tricky,
                "completion_date": "2023-03-01",
                "hours": 4,
            },
        ),
        Row(
            3,
            {
                "license_number": "P1000002",
                "course_number": "CMA-101",
                "completion_date": dt.date(2023, 3, 2),
                "hours": 2.5,
            },
        ),
    )
    assert type(table.rows[0].get("hours")) is int


def test_blank_values_are_left_out_and_strings_stripped_as_in_a_file() -> None:
    rows = [
        ("P1000001", "  CMA-101 ", None, ""),
        (None, " ", None, None),
        ("P1000003", "CMA-101", "2023-03-01", "1"),
    ]
    table = table_from_rows(HEADER, rows)
    from_csv = table_from_csv(csv_file(HEADER, *[["" if v is None else v for v in row] for row in rows]))
    assert table.rows == from_csv.rows
    assert [row.number for row in table.rows] == [2, 4]  # the blank row keeps its number
    assert table.rows[0].values == {"license_number": "P1000001", "course_number": "CMA-101"}


def test_a_row_longer_than_the_header_is_a_row_error() -> None:
    table = table_from_rows(("license_number",), [("P1000001",), ("P1000002", "stray")])
    assert [row.number for row in table.rows] == [2]
    assert [str(error) for error in table.errors] == [
        "row 3, file: the row has 2 values but the header 1 columns"
    ]


def test_a_header_named_twice_too_wide_or_rows_without_values_are_refused() -> None:
    with pytest.raises(TableError, match=r"the column appears twice \(columns 1 and 2\)"):
        table_from_rows(("license_number", "License Number"), [("P1", "P2")])
    with pytest.raises(TableError, match=f"at most {MAX_COLUMNS} columns"):
        table_from_rows([f"c{n}" for n in range(MAX_COLUMNS + 1)], [])
    with pytest.raises(TableError, match="a header row but no rows"):
        table_from_rows(HEADER, [(None, " ", None, None)])


def test_the_fingerprint_follows_the_values() -> None:
    first = table_from_rows(HEADER, [("P1000001", "CMA-101", "2023-03-01", 4)])
    assert first.sha256 == table_from_rows(HEADER, [("P1000001", "CMA-101", "2023-03-01", 4)]).sha256
    assert first.sha256 != table_from_rows(HEADER, [("P1000001", "CMA-101", "2023-03-01", 5)]).sha256


def test_a_file_gives_the_same_table_whichever_reader_and_a_non_table_an_unreadable_one() -> None:
    as_csv = csv_file(HEADER, ("P1000001", "CMA-101", "2023-03-01", "4"))
    assert table_from_upload(as_csv, "r.csv") == table_from_csv(as_csv, "r.csv")
    as_xlsx = xlsx_file(HEADER, ("P1000001", "CMA-101", dt.date(2023, 3, 1), 4))
    assert table_from_upload(as_xlsx, "r.xlsx") == table_from_xlsx(as_xlsx, "r.xlsx")
    with pytest.raises(TableError, match="not a readable XLSX"):
        table_from_xlsx(as_csv)
    unreadable = table_from_upload(b"%PDF-1.7\n...", "scan.pdf")
    assert (unreadable.unreadable, unreadable.rows, unreadable.name) == (True, (), "scan.pdf")
    assert [error.field for error in unreadable.errors] == ["file"]
