"""Hostile spreadsheets, written part by part so that each says what an attacker would make it
say: a declared size it does not have, rows far below the last, XML that does not parse or
expands, more cells than a roster holds. Used by the tests and by bench/hostile_files_bench.py."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'

CONTENT_TYPES = (
    f"{DECLARATION}"
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELATIONSHIPS = (
    f'{DECLARATION}<Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'{DECLARATION}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
    '<sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELATIONSHIPS = (
    f'{DECLARATION}<Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
HUGE_DIMENSION = "A1:XFD1048576"
HEADER = ("license_number", "course_number", "completion_date")
ROW = ("P1000001", "CMA-101", "2023-03-01")


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell(column: int, row: int, text: str) -> str:
    return f'<c r="{column_letters(column)}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def row_xml(number: int, values: Iterable[str], first_column: int = 1) -> str:
    cells = "".join(cell(first_column + i, number, value) for i, value in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows: Iterable[str], *, dimension: str = HUGE_DIMENSION, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>{"".join(rows)}</sheetData></worksheet>'
    )


SHARED_STRINGS = f'{DECLARATION}<sst xmlns="{MAIN}" count="0" uniqueCount="0"/>'


def workbook(sheet: str | bytes, *, shared_strings: str = SHARED_STRINGS) -> bytes:
    """An XLSX file (a zip) with ``sheet`` as its only worksheet's XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELATIONSHIPS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


# --- the files -----------------------------------------------------------------------------


def declared_huge_one_far_row() -> bytes:
    """The review's 5 KB file: A1:XFD1048576 declared, a header and one row at the very bottom."""
    return workbook(sheet_xml([row_xml(1, HEADER), row_xml(1_048_576, ROW)]))


def declared_huge_many_rows(rows: int = 20_000) -> bytes:
    """The review's slower variant: the huge declared dimension over ``rows`` ordinary rows."""
    return workbook(sheet_xml([row_xml(1, HEADER), *(row_xml(n, ROW) for n in range(2, rows + 2))]))


def value_in_last_column(rows: int = 20_000) -> bytes:
    """Ordinary rows, each with one more value in column XFD (16,384)."""
    body = [row_xml(1, HEADER)]
    body += [row_xml(n, ROW)[: -len("</row>")] + cell(16_384, n, "x") + "</row>" for n in range(2, rows + 2)]
    return workbook(sheet_xml(body))


def blank_rows_then_data(blank: int = 150_000) -> bytes:
    """A header, ``blank`` empty (styled) rows present in the file, then one row."""
    body = [row_xml(1, HEADER), *(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(2, blank + 2))]
    return workbook(sheet_xml([*body, row_xml(blank + 2, ROW)]))


def many_empty_cells(cells: int = 4_000_000) -> bytes:
    """One row of millions of empty cells: a few KB compressed."""
    return workbook(sheet_xml([row_xml(1, HEADER), "<row r='2'>" + "<c/>" * cells + "</row>"]))


def undefined_entity() -> bytes:
    return workbook(sheet_xml([row_xml(1, HEADER), row_xml(2, ("&nobody;", "CMA-101", "2023-03-01"))]))


def entity_expansion() -> bytes:
    """Nested entities (a 'billion laughs'), used in a cell."""
    entities = '<!ENTITY a0 "laugh">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    prolog = f"<!DOCTYPE worksheet [{entities}]>"
    return workbook(
        sheet_xml([row_xml(1, HEADER), row_xml(2, ("&a9;", "CMA-101", "2023-03-01"))], prolog=prolog)
    )


def external_entity() -> bytes:
    prolog = '<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    return workbook(
        sheet_xml([row_xml(1, HEADER), row_xml(2, ("&secret;", "CMA-101", "2023-03-01"))], prolog=prolog)
    )


def entity_in_shared_strings() -> bytes:
    """The workbook-level parts are refused the same way (here the shared strings)."""
    strings = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x "boom">]>'
        f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>&x;</t></si></sst>'
    )
    return workbook(sheet_xml([row_xml(1, HEADER)]), shared_strings=strings)


def truncated_xml() -> bytes:
    return workbook(sheet_xml([row_xml(1, HEADER), row_xml(2, ROW)])[:-40])


def deeply_nested_cell(depth: int = 5_000) -> bytes:
    inner = "<r>" * depth + "x" + "</r>" * depth
    return workbook(
        sheet_xml([row_xml(1, HEADER), f'<row r="2"><c r="A2" t="inlineStr"><is>{inner}</is></c></row>'])
    )


def shared_string_out_of_range() -> bytes:
    return workbook(sheet_xml([row_xml(1, HEADER), '<row r="2"><c r="A2" t="s"><v>99999</v></c></row>']))


def rows_out_of_order() -> bytes:
    return workbook(sheet_xml([row_xml(1, HEADER), row_xml(5, ROW), row_xml(3, ROW)]))


def zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


def damaged_zip() -> bytes:
    content = declared_huge_many_rows(50)
    return content[: len(content) // 2]


def inflates_too_far() -> bytes:
    """A sheet that inflates to 320 MB (a few hundred KB in the zip)."""
    filler = "<c/>" * (80 * 2**20)
    return workbook(sheet_xml([row_xml(1, HEADER), f'<row r="2">{filler}</row>']))


def csv_one_wide_row() -> bytes:
    """A CSV of almost 20 MB: a header, then one row of 20 million empty fields."""
    return b"license_number,course_number,completion_date\n" + b"," * (20 * 2**20 - 100) + b"\n"


def csv_blank_lines() -> bytes:
    """A CSV of almost 20 MB: a header, 20 million blank lines, then one row."""
    return (
        b"license_number,course_number,completion_date\n" + b"\n" * (20 * 2**20 - 100) + b"P1,C,2023-01-01\n"
    )


# name -> (builder, what a reader must say, in part)
HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "declared huge, one far row": (declared_huge_one_far_row, "at most 100,000 rows"),
    "declared huge, 20,000 rows with a value in column XFD": (value_in_last_column, "at most 100 columns"),
    "150,000 blank rows then data": (blank_rows_then_data, "at most 100,000 rows"),
    "a row of 4,000,000 empty cells": (many_empty_cells, "more than 1,500,000 cells"),
    "undefined entity": (undefined_entity, "malformed"),
    "entity expansion": (entity_expansion, "declares a DTD"),
    "external entity": (external_entity, "declares a DTD"),
    "entity in the shared strings": (entity_in_shared_strings, "declares a DTD"),
    "truncated XML": (truncated_xml, "malformed"),
    "deeply nested cell": (deeply_nested_cell, "nested too deeply"),
    "shared string out of range": (shared_string_out_of_range, "do not fit together"),
    "rows out of order": (rows_out_of_order, "out of order"),
    "zip without a workbook": (zip_without_workbook, "another kind of zip"),
    "damaged zip": (damaged_zip, "not a readable XLSX workbook"),
    "inflates to 320 MB": (inflates_too_far, "unpacks to more than"),
    "CSV: one row of 20 million fields": (csv_one_wide_row, "cells"),
    "CSV: 20 million blank lines": (csv_blank_lines, "at most 100,000 rows"),
}
