"""The table an import reads, whatever its source, and the parsers of its cells.

A ``Table`` is a header and data rows of cell values as read. Every source builds one:
``table_from_csv`` and ``table_from_xlsx`` (a file's bytes, within the limits below),
``read_table`` (bytes of either, told apart by content), ``table_from_upload`` (the same for a
file a person or a caller sent: a file that is no table becomes an unreadable ``Table`` whose
errors say why), and ``table_from_rows`` (rows already in hand: the API's JSON, a form, an
attendance list; their values are kept as given, never written out and parsed again).

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is
row 2; blank rows are skipped but keep their numbers. Every parser returns a value or raises
``CellError`` with the reason to show for that cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import posixpath
import re
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, cast
from xml.etree.ElementTree import XMLPullParser

from django.conf import settings

from clee.core.documents import sniff_kind
from clee.imports.report import RowError

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
# Bounds on the work a file may cost, whatever it declares about itself: the columns a row may
# use, the cells read in all (blank ones too), and the seconds spent reading
# (``CLEE_IMPORT_READ_SECONDS``). A roster has a dozen columns; 100,000 rows of them fit.
MAX_COLUMNS = 100
MAX_CELLS = 1_500_000
READ_SECONDS = 20
CLOCK_EVERY = 4096  # cells between two looks at the clock
# An XLSX is a zip of XML parts: how many parts, and how large they may inflate (a 100,000-row
# roster's sheet inflates to about 30 MB).
MAX_PARTS = 1000
MAX_SHEET_BYTES = 150 * 1024 * 1024
MAX_PART_BYTES = 16 * 1024 * 1024  # any other part: shared strings, styles ...
MAX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_XML_DEPTH = 24
MAX_RECORD_ELEMENTS = 200  # elements inside one cell or shared string (rich text runs)
XML_CHUNK = 64 * 1024
# A DTD, in the encodings an XML part may use.
_DOCTYPE_MARKS = tuple("<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))

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
    format: str  # "csv", "xlsx" or "rows" (built from rows in hand); "" when unreadable
    columns: tuple[str, ...]  # the header's names, normalized (``normalize_header``)
    rows: tuple[Row, ...]
    errors: tuple[RowError, ...] = ()  # rows that could not be split into cells
    name: str = ""  # the source's name as shown to people (a file's name)
    sha256: str = ""  # the source's fingerprint: a file's bytes, or the rows as given
    # The source could not be read as a table at all (``errors`` say why, with no row).
    unreadable: bool = False


def normalize_header(raw: Any) -> str:
    """'License Number', ' license-number ' and 'LICENSE_NUMBER' all name ``license_number``."""
    text = "" if raw is None else str(raw)
    return re.sub(r"[\s\-]+", "_", text.replace("\ufeff", "").strip().lower()).strip("_")


def read_table(content: bytes, name: str = "") -> Table:
    """Parse ``content`` as XLSX (a zip) or CSV (anything else that is text).

    Raises ``TableError`` when it is neither, empty, too large, has no usable header, or
    cannot be read within the limits above (whatever its parts claim about themselves).
    """
    _check_file(content)
    if content.startswith(ZIP_SIGNATURE):
        return _xlsx_table(content, name)
    if content.startswith(OLE2_SIGNATURE):
        raise TableError(
            [RowError(None, "file", "this is an old Excel (.xls) file: save it as .xlsx or CSV")]
        )
    if b"\x00" in content[:8192]:
        raise TableError([RowError(None, "file", "this is not a CSV or XLSX file")])
    return _csv_table(content, name)


def table_from_upload(content: bytes, name: str) -> Table:
    """The table of a file sent (``read_table``); a file that is no table gives an unreadable
    ``Table`` whose errors say why, for the import's report to show."""
    try:
        return read_table(content, name)
    except TableError as error:
        return Table("", (), (), tuple(error.errors), name, _file_sha256(content), unreadable=True)


def table_from_csv(content: bytes, name: str = "") -> Table:
    """A CSV file's table (``TableError`` as ``read_table``)."""
    _check_file(content)
    return _csv_table(content, name)


def table_from_xlsx(content: bytes, name: str = "") -> Table:
    """An XLSX workbook's first sheet as a table (``TableError`` as ``read_table``)."""
    _check_file(content)
    if not content.startswith(ZIP_SIGNATURE):
        raise _file_error("this is not a readable XLSX workbook (the zip is damaged)")
    return _xlsx_table(content, name)


def table_from_rows(header: Sequence[Any], rows: Iterable[Sequence[Any]], name: str = "") -> Table:
    """The table of rows in hand: ``header`` names the columns, each row holds its cells in the
    header's order (None or a blank string: no value). Values are kept as given (a string stays
    the same string, a number a number), with the checks a file gets: header row 1, the first
    row numbered 2, at most ``MAX_COLUMNS`` columns and ``MAX_ROWS`` rows (``TableError``)."""
    header = list(header)
    if len(header) > MAX_COLUMNS:
        raise _file_error(f"a table has at most {MAX_COLUMNS} columns", 1)
    given = [list(row) for row in rows]
    if len(given) > MAX_ROWS:
        raise _file_error(f"a table holds at most {MAX_ROWS:,} rows", MAX_ROWS + 2)
    fingerprint = json.dumps([header, given], default=str, ensure_ascii=False, separators=(",", ":"))
    sha256 = hashlib.sha256(b"rows\n" + fingerprint.encode()).hexdigest()
    numbered = enumerate([header, *given], start=1)
    return replace(_table("rows", numbered, _Budget()), name=name, sha256=sha256)


def _check_file(content: bytes) -> None:
    if not content.strip():
        raise TableError([RowError(None, "file", "the file is empty")])
    if len(content) > MAX_BYTES:
        raise TableError(
            [RowError(None, "file", f"the file is over the {MAX_BYTES // (1024 * 1024)} MB limit")]
        )
    document = sniff_kind(content)
    if document is not None:
        raise TableError([RowError(None, "file", f"this is a {document.label}, not a CSV or XLSX file")])


def _csv_table(content: bytes, name: str) -> Table:
    budget = _Budget()
    table = _table("csv", _csv_rows(content, budget), budget)
    return replace(table, name=name, sha256=_file_sha256(content))


def _xlsx_table(content: bytes, name: str) -> Table:
    budget = _Budget()
    table = _table("xlsx", _xlsx_rows(content, budget), budget)
    return replace(table, name=name, sha256=_file_sha256(content))


def _file_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _file_error(reason: str, row: int | None = None) -> TableError:
    return TableError([RowError(row, "file", reason)])


class _Budget:
    """The work one file may cost: cells read (blank ones too) and seconds spent reading."""

    def __init__(self) -> None:
        self.cells = 0
        self.seconds = int(getattr(settings, "CLEE_IMPORT_READ_SECONDS", READ_SECONDS))
        self.deadline = time.monotonic() + self.seconds

    def spend(self, cells: int) -> None:
        before = self.cells
        self.cells += cells
        if self.cells > MAX_CELLS:
            raise _file_error(f"the file holds more than {MAX_CELLS:,} cells: split it into smaller files")
        if before // CLOCK_EVERY != self.cells // CLOCK_EVERY and time.monotonic() > self.deadline:
            raise _file_error(
                f"the file takes more than {self.seconds} seconds to read: split it into smaller files"
            )


def _csv_rows(content: bytes, budget: _Budget) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the Windows code page; it decodes any byte but five.
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise _file_error("the file is not text in UTF-8 (save the CSV as UTF-8)") from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        for number, values in enumerate(reader, start=1):
            budget.spend(len(values) + 1)
            if len(values) > MAX_COLUMNS:
                if any(not _blank(v) for v in values[MAX_COLUMNS:]):
                    raise _file_error(f"a file has at most {MAX_COLUMNS} columns", number)
                del values[MAX_COLUMNS:]
            yield number, values
    except csv.Error as error:
        raise _file_error(f"the CSV cannot be read: {error}") from None


def _xlsx_rows(content: bytes, budget: _Budget) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet's rows that are in the file, each as (row number, values by column).

    Every part is read element by element within the file's budget: the sheet's declared
    dimension is never trusted (a 5 KB file may declare a million rows of 16,384 columns),
    rows missing from the file are never made up, XML declaring entities or a DTD is refused,
    and any failure of the file's structure is a ``TableError``.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        _check_parts(archive)
        book = _Workbook(archive, budget)
        yield from book.rows()
    except TableError:
        raise
    except Exception as error:  # zipfile, expat and openpyxl's cell reading raise many kinds
        logger.info("unreadable XLSX: %r", error)
        raise _file_error(_xlsx_reason(error)) from None


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose parts would inflate beyond what a roster needs (their sizes as the zip
    declares them: zipfile never inflates a part beyond its declared size)."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise _file_error(f"the workbook has {len(parts):,} parts; an XLSX roster has a few dozen")
    total = 0
    for part in parts:
        total += part.file_size
        limit = MAX_SHEET_BYTES if part.filename.startswith("xl/worksheets/") else MAX_PART_BYTES
        if part.file_size > limit or total > MAX_INFLATED_BYTES:
            raise _file_error(
                f"the workbook unpacks to more than {min(limit, MAX_INFLATED_BYTES) // 2**20} MB in one "
                "part or in all: save it again from your spreadsheet program, or send a CSV"
            )


def _xlsx_reason(error: BaseException) -> str:
    """What to tell the person about a workbook that failed to read (by the error or its cause)."""
    chain: list[BaseException] = [error]
    while len(chain) < 10 and (chain[-1].__cause__ or chain[-1].__context__) is not None:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)  # type: ignore[arg-type]
    for cause in chain:
        if isinstance(cause, SyntaxError):  # xml.etree's ParseError: malformed XML
            return f"the workbook cannot be read: its XML is malformed ({cause})"[:300]
        if isinstance(cause, zipfile.BadZipFile):
            return "this is not a readable XLSX workbook (the zip is damaged)"
        if isinstance(cause, KeyError):
            return "this is not a readable XLSX workbook (is it another kind of zip?)"
    return "this is not a readable XLSX workbook: its parts do not fit together"


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class _Workbook:
    """The few parts of an XLSX a table needs, read within ``budget``: the first sheet, the
    shared strings, and which cell styles are dates (openpyxl reads each cell's value)."""

    def __init__(self, archive: zipfile.ZipFile, budget: _Budget) -> None:
        self.archive = archive
        self.budget = budget
        book = next(
            (t for _, kind, t in self._relationships("_rels/.rels") if kind.endswith("/officeDocument")), ""
        )
        if not book:
            raise _file_error("this is not a readable XLSX workbook (is it another kind of zip?)")
        self.book_path = book.lstrip("/")
        folder, name = posixpath.split(self.book_path)
        self.book_parts = self._relationships(posixpath.join(folder, "_rels", f"{name}.rels"))
        self.first_sheet_id, self.date1904 = self._workbook()

    def _relationships(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, target) of each relationship in ``part``, targets as paths in the zip."""
        folder = posixpath.dirname(posixpath.dirname(part))
        found = []
        for event, element in _xml_elements(self.archive, part, self.budget, frozenset()):
            if event == "end" and element.tag == f"{_PACKAGE}Relationship":
                target = element.get("Target", "")
                if element.get("TargetMode") == "External" or not target:
                    continue
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                found.append((element.get("Id", ""), element.get("Type", ""), posixpath.normpath(path)))
        return found

    def _workbook(self) -> tuple[str, bool]:
        first_sheet, date1904 = None, False
        for event, element in _xml_elements(self.archive, self.book_path, self.budget, frozenset()):
            if event != "end":
                continue
            if element.tag == f"{_MAIN}workbookPr":
                date1904 = element.get("date1904", "").lower() in ("1", "true")
            elif element.tag == f"{_MAIN}sheet" and first_sheet is None:
                first_sheet = element.get(_RELATIONSHIP_ID)
        if first_sheet is None:
            raise _file_error("the workbook has no sheet")
        return first_sheet, date1904

    def _part_of_type(self, suffix: str) -> str | None:
        return next((path for _, kind, path in self.book_parts if kind.endswith(suffix)), None)

    def _shared_strings(self) -> list[str]:
        part = self._part_of_type("/sharedStrings")
        if part is None:
            return []
        strings = []
        records = frozenset({f"{_MAIN}si"})
        for event, element in _xml_elements(self.archive, part, self.budget, records):
            if event == "end" and element.tag == f"{_MAIN}si":
                strings.append(_text(element))
        return strings

    def _date_styles(self) -> tuple[set[int], set[int]]:
        """The cell styles (by index) whose number format is a date, and those of a duration."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

        part = self._part_of_type("/styles")
        if part is None:
            return set(), set()
        formats: dict[int, str] = {}
        cell_formats: list[int] = []
        in_cell_formats = False
        records = frozenset({f"{_MAIN}numFmt", f"{_MAIN}xf"})
        for event, element in _xml_elements(self.archive, part, self.budget, records):
            if element.tag == f"{_MAIN}cellXfs":
                in_cell_formats = event == "start"
            elif event == "end" and element.tag == f"{_MAIN}numFmt":
                formats[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
            elif event == "end" and element.tag == f"{_MAIN}xf" and in_cell_formats:
                cell_formats.append(int(element.get("numFmtId", "0")))
        dates, durations = set(), set()
        for index, format_id in enumerate(cell_formats):
            code = formats.get(format_id) or BUILTIN_FORMATS.get(format_id, "")
            if code and is_date_format(code):
                dates.add(index)
            if code and is_timedelta_format(code):
                durations.add(index)
        return dates, durations

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        target = next((path for key, _, path in self.book_parts if key == self.first_sheet_id), None)
        if target is None:
            raise _file_error("the workbook's first sheet is missing")
        dates, durations = self._date_styles()
        values = _CellValues(
            self._shared_strings(),
            dates,
            durations,
            CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900,
        )
        number, column = 0, 0
        row: dict[int, Any] = {}
        cell_tag, row_tag = f"{_MAIN}c", f"{_MAIN}row"
        for event, element in _xml_elements(self.archive, target, self.budget, frozenset({cell_tag})):
            if element.tag == row_tag:
                if event == "start":
                    number, column, row = _row_number(element.get("r"), number), 0, {}
                else:
                    yield number, [row.get(c) for c in range(1, max(row, default=0) + 1)]
            elif element.tag == cell_tag and event == "end":
                reference = element.get("r")
                column = _column_number(reference) if reference else column + 1
                value = values.of(element)
                if not _blank(value):
                    if column > MAX_COLUMNS:
                        raise _file_error(
                            f"a value in column {column:,}: a file has at most {MAX_COLUMNS} columns", number
                        )
                    row[column] = value


def _text(element: Any) -> str:
    """The text of a shared string or an inline string: its plain text, or its runs' text
    (phonetic guides left out), as Excel shows it."""
    parts = []
    for child in element:
        if child.tag == f"{_MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{_MAIN}r":
            parts.append(child.findtext(f"{_MAIN}t") or "")
    return "".join(parts).replace("_x005F_", "_")


def _column_number(reference: str) -> int:
    """``"AB12"`` -> 28."""
    number = 0
    for character in reference:
        if "A" <= character <= "Z":
            number = number * 26 + ord(character) - 64
        elif "a" <= character <= "z":
            number = number * 26 + ord(character) - 96
        else:
            break
        if number > 16_384:
            break
    if number == 0:
        raise _file_error(f"the sheet names a cell {reference[:20]!r}")
    return number


class _CellValues:
    """A cell's value as the spreadsheet shows it: text, a number, a date or a yes/no (the value
    last calculated for a formula: formulas are never evaluated)."""

    def __init__(self, strings: list[str], dates: set[int], durations: set[int], epoch: dt.datetime) -> None:
        self.strings, self.dates, self.durations, self.epoch = strings, dates, durations, epoch

    def of(self, element: Any) -> Any:
        from openpyxl.utils.datetime import from_excel, from_ISO8601

        kind = element.get("t", "n")
        if kind == "inlineStr":
            inline = element.find(f"{_MAIN}is")
            return None if inline is None else _text(inline)
        raw = element.findtext(f"{_MAIN}v")
        if raw is None or raw == "":
            return None
        if kind == "s":
            return self.strings[int(raw)]
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            return from_ISO8601(raw)
        number = float(raw) if any(mark in raw for mark in ".eE") else int(raw)
        style = int(element.get("s", "0") or 0)
        if style in self.dates:
            try:
                return from_excel(number, self.epoch, timedelta=style in self.durations)
            except (OverflowError, ValueError):
                raise _file_error(f"the date serial {raw[:20]} is outside the calendar") from None
        return number


def _xml_elements(
    archive: zipfile.ZipFile, part: str, budget: _Budget, records: frozenset[str]
) -> Iterator[tuple[str, Any]]:
    """The elements of XML part ``part`` as ("start" | "end", element), keeping memory flat.

    An element whose tag is in ``records`` comes whole at its end, with what it holds (at most
    ``MAX_RECORD_ELEMENTS`` elements); the elements inside it come not at all. Every other element
    comes at its start (its attributes) and at its end, and is then dropped. Each end spends one
    cell of ``budget``. A DTD (the only place entities are declared) and nesting deeper than
    ``MAX_XML_DEPTH`` are refused.
    """
    parser: XMLPullParser[Any] = XMLPullParser(events=("start", "end"))
    parents: list[Any] = []
    record_depth = 0  # the depth of the record being read, 0 when none
    inside = 0
    prolog: bytes | None = b""  # what comes before the root element, where a DTD would be
    with archive.open(part) as source:
        while chunk := source.read(XML_CHUNK):
            if prolog is not None:
                prolog += chunk
                if any(mark in prolog for mark in _DOCTYPE_MARKS):
                    raise _file_error(
                        "the workbook's XML declares a DTD (where entities are declared), which no "
                        "spreadsheet needs: it is refused"
                    )
                if len(prolog) > XML_CHUNK * 4:
                    raise _file_error("a part of the workbook does not begin like a spreadsheet's XML")
            parser.feed(chunk)
            for event, element in cast(Iterator[tuple[str, Any]], parser.read_events()):
                prolog = None
                if event == "start":
                    parents.append(element)
                    if len(parents) > MAX_XML_DEPTH:
                        raise _file_error("the workbook's XML is nested too deeply to be a spreadsheet")
                    if record_depth:
                        inside += 1
                        if inside > MAX_RECORD_ELEMENTS:
                            raise _file_error("a cell of the workbook holds more than plain text or a number")
                        continue
                    if element.tag in records:
                        record_depth, inside = len(parents), 0
                    yield event, element
                    continue
                depth = len(parents)
                parents.pop()
                if record_depth and depth > record_depth:
                    continue  # inside a record: comes with it
                record_depth = 0
                budget.spend(1)
                yield event, element
                element.clear()
                if parents:
                    del parents[-1][:]  # the parser keeps each element under its parent: drop it
        parser.close()


def _row_number(raw: str | None, previous: int) -> int:
    if raw is None:
        number = previous + 1
    else:
        try:
            number = int(float(raw))
        except (ValueError, OverflowError):
            raise _file_error(f"the sheet names a row {raw[:20]!r}") from None
    if number <= previous:
        raise _file_error(f"the sheet's rows are out of order (row {number} after row {previous})")
    return number


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(file_format: str, raw_rows: Iterable[tuple[int, list[Any]]], budget: _Budget) -> Table:
    iterator = iter(raw_rows)
    header: list[Any] | None = None
    header_number = 0
    for header_number, values in iterator:  # noqa: B007
        if not all(_blank(v) for v in values):
            header = values
            break
    if header is None:
        raise _file_error("the file has no header row")
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
    for number, values in iterator:
        # Blank rows count toward the limit too: a file cannot make its reader walk a million
        # empty rows (or skip to row 1,048,576) below the limit.
        if number > MAX_ROWS + 1:
            raise _file_error(f"a file holds at most {MAX_ROWS:,} rows (blank rows included)", number)
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
        if overflow:
            message = f"the row has {len(values)} values but the header {width} columns"
            errors.append(RowError(number, "file", message))
            continue
        for position in unnamed:
            errors.append(RowError(number, f"column {position}", "a value under a column with no name"))
        rows.append(Row(number, cells))
    if not rows and not errors:
        raise _file_error("the file has a header row but no rows under it")
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
    # Before the hundredth: quantizing 1e27 to the hundredth is beyond decimal's precision.
    if amount >= 10_000:
        raise CellError(f"{_shown(value)} hours is not a plausible number of hours")
    if amount != amount.quantize(HUNDREDTH):
        raise CellError(f"{_shown(value)}: hours are given to the hundredth at most")
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
