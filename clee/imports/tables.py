"""Reading an uploaded table (CSV or XLSX, told apart by content) and parsing its cells.

A table is a header row and data rows. Rows are numbered as a spreadsheet shows them: the
header is row 1, the first data row is row 2; blank rows are skipped but keep their numbers.
Every parser returns a value or raises ``CellError`` with the reason to show for that cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from clee.core.documents import sniff_kind
from clee.imports.report import RowError

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000

ZIP_SIGNATURE = b"PK\x03\x04"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc)
CSV_DELIMITERS = ",;\t"


class TableError(Exception):
    """The file cannot be read as a table at all; ``errors`` say why."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class CellError(ValueError):
    """One cell's value is refused; the message is the reason shown to the person."""


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, Any]  # column name -> non-blank cell (stripped str, number, date or bool)

    def get(self, column: str) -> Any:
        return self.values.get(column)


@dataclass(frozen=True)
class Table:
    format: str  # "csv" or "xlsx"
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    errors: tuple[RowError, ...] = ()  # rows that could not be split into cells


def normalize_header(raw: Any) -> str:
    """'License Number', ' license-number ' and 'LICENSE_NUMBER' all name ``license_number``."""
    text = "" if raw is None else str(raw)
    return re.sub(r"[\s\-]+", "_", text.replace("\ufeff", "").strip().lower()).strip("_")


def read_table(content: bytes) -> Table:
    """Parse ``content`` as XLSX (a zip) or CSV (anything else that is text).

    Raises ``TableError`` when it is neither, empty, too large, or has no usable header.
    """
    if not content.strip():
        raise TableError([RowError(None, "file", "the file is empty")])
    if len(content) > MAX_BYTES:
        raise TableError(
            [RowError(None, "file", f"the file is over the {MAX_BYTES // (1024 * 1024)} MB limit")]
        )
    document = sniff_kind(content)
    if document is not None:
        raise TableError([RowError(None, "file", f"this is a {document.label}, not a CSV or XLSX file")])
    if content.startswith(ZIP_SIGNATURE):
        return _table("xlsx", _xlsx_rows(content))
    if content.startswith(OLE2_SIGNATURE):
        raise TableError(
            [RowError(None, "file", "this is an old Excel (.xls) file: save it as .xlsx or CSV")]
        )
    if b"\x00" in content[:8192]:
        raise TableError([RowError(None, "file", "this is not a CSV or XLSX file")])
    return _table("csv", _csv_rows(content))


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the Windows code page; it decodes any byte but five.
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise TableError(
                [RowError(None, "file", "the file is not text in UTF-8 (save the CSV as UTF-8)")]
            ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    except csv.Error as error:
        raise TableError([RowError(None, "file", f"the CSV cannot be read: {error}")]) from None


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise TableError(
            [RowError(None, "file", "this is not a readable XLSX workbook (is it another kind of zip?)")]
        ) from None
    try:
        if not workbook.worksheets:
            raise TableError([RowError(None, "file", "the workbook has no sheet")])
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(file_format: str, raw_rows: Iterable[list[Any]]) -> Table:
    iterator = iter(raw_rows)
    header: list[Any] | None = None
    header_number = 0
    for header_number, values in enumerate(iterator, start=1):  # noqa: B007
        if not all(_blank(v) for v in values):
            header = values
            break
    if header is None:
        raise TableError([RowError(None, "file", "the file has no header row")])
    if header_number != 1:
        raise TableError(
            [RowError(header_number, "file", "the header must be on the first row, above any blank rows")]
        )
    columns = [normalize_header(h) for h in header]
    seen: dict[str, int] = {}
    for position, name in enumerate(columns, start=1):
        if name and name in seen:
            raise TableError(
                [RowError(1, name, f"the column appears twice (columns {seen[name]} and {position})")]
            )
        seen.setdefault(name, position)
    errors: list[RowError] = []
    rows: list[Row] = []
    width = len(columns)
    for number, values in enumerate(iterator, start=2):
        # Only the cells with a value are kept (strings stripped): a missing key is a blank cell.
        cells: dict[str, Any] = {}
        unnamed: list[int] = []
        for position, (name, value) in enumerate(zip(columns, values, strict=False), start=1):
            if isinstance(value, str):
                value = value.strip() or None
            if value is None:
                continue
            if name:
                cells[name] = value
            else:
                unnamed.append(position)
        overflow = len(values) > width and not all(_blank(v) for v in values[width:])
        if not cells and not unnamed and not overflow:
            continue  # a blank row
        if len(rows) >= MAX_ROWS:
            raise TableError([RowError(number, "file", f"a file holds at most {MAX_ROWS:,} rows")])
        if overflow:
            message = f"the row has {len(values)} values but the header {width} columns"
            errors.append(RowError(number, "file", message))
            continue
        for position in unnamed:
            errors.append(RowError(number, f"column {position}", "a value under a column with no name"))
        rows.append(Row(number, cells))
    if not rows and not errors:
        raise TableError([RowError(None, "file", "the file has a header row but no rows under it")])
    return Table(file_format, tuple(c for c in columns if c), tuple(rows), tuple(errors))


# --- cell parsers ------------------------------------------------------------------------------


def text(value: Any, *, max_length: int) -> str:
    """A cell as text, stripped; numbers from a spreadsheet lose a spurious '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    result = str(value).strip()
    if len(result) > max_length:
        raise CellError(f"at most {max_length} characters (this has {len(result)})")
    return result


_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})$")


def date(value: Any, *, today: dt.date) -> dt.date:
    """A date: a spreadsheet date cell, YYYY-MM-DD or MM/DD/YYYY; never later than ``today``."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        day = _date_text(value.strip())
    else:
        raise CellError(f"{_shown(value)} is not a date (write YYYY-MM-DD)")
    if day > today:
        raise CellError(f"{day.isoformat()} is in the future")
    if day.year < 1900:
        raise CellError(f"{day.isoformat()} is not a plausible date")
    return day


def _date_text(raw: str) -> dt.date:
    match = _US_DATE.match(raw)
    if match and len(match.group(3)) != 4:
        raise CellError(f"{raw!r}: write the year with four digits (YYYY-MM-DD)")
    try:
        if match:
            month, day, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            return dt.date.fromisoformat(raw)
    except ValueError:
        raise CellError(f"{raw!r} is not a date on the calendar") from None
    raise CellError(f"{raw!r} is not a date (write YYYY-MM-DD or MM/DD/YYYY)")


HUNDREDTH = Decimal("0.01")


def hours(value: Any) -> Decimal:
    """Hours: a number more than zero, to the hundredth at most."""
    if isinstance(value, bool):
        raise CellError(f"{_shown(value)} is not a number of hours")
    if isinstance(value, float):
        value = round(value, 6)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise CellError(f"{_shown(value)} is not a number of hours") from None
    if not amount.is_finite():
        raise CellError(f"{_shown(value)} is not a number of hours")
    if amount <= 0:
        raise CellError(f"{_shown(value)} hours: hours must be more than zero")
    if amount != amount.quantize(HUNDREDTH):
        raise CellError(f"{_shown(value)}: hours are given to the hundredth at most")
    if amount >= 10_000:
        raise CellError(f"{_shown(value)} hours is not a plausible number of hours")
    return amount.quantize(HUNDREDTH)


_LICENSE_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")


def license_number(value: Any) -> str:
    """A license number as issued: letters, digits and hyphens, kept in capitals (as
    ``officer_create`` keeps them)."""
    number = text(value, max_length=20).upper()
    if not _LICENSE_NUMBER.match(number):
        raise CellError(f"{number!r} is not a license number (letters, digits and hyphens)")
    return number


_TRUE = {"1", "true", "yes", "y", "active", "t"}
_FALSE = {"0", "false", "no", "n", "inactive", "f"}


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = text(value, max_length=20).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError(f"{_shown(value)} is not yes or no (write true or false)")


def choice(value: Any, choices: Sequence[tuple[str, str]]) -> str:
    """One of ``choices`` (value, label), given by its value or its label, in any case."""
    raw = text(value, max_length=100)
    wanted = normalize_header(raw)
    for stored, label in choices:
        if wanted in (normalize_header(stored), normalize_header(label)):
            return stored
    allowed = ", ".join(stored for stored, _ in choices)
    raise CellError(f"{raw!r} is not one of: {allowed}")


def _shown(value: Any) -> str:
    return repr(value.strip()) if isinstance(value, str) else repr(value)
