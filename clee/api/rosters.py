"""A roster in a request: JSON rows, a CSV body or an XLSX body, turned into the ``Table`` the
import service reads (JSON rows directly, their values as sent), with the fingerprint that tells
a retried request from another one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.request import Request

from clee.imports.roster import AGENCY_COLUMNS, PROVIDER_COLUMNS
from clee.imports.tables import MAX_BYTES, MAX_ROWS, Table, TableError, table_from_rows, table_from_upload

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A JSON row's keys are the roster's column names as docs/imports.md names them (a provider's and
# an agency's; a provider sending an agency's column is told so row by row, as in a file).
ROSTER_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys((*PROVIDER_COLUMNS.known, *AGENCY_COLUMNS.known)))


class _RawParser(BaseParser):
    """The body as bytes, for the import service to read (it tells CSV from XLSX by content)."""

    def parse(  # type: ignore[override]
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> bytes:
        if stream is None:
            return b""
        content: bytes = stream.read(MAX_BYTES + 1)
        return content


class CsvParser(_RawParser):
    media_type = CSV_TYPE


class XlsxParser(_RawParser):
    media_type = XLSX_TYPE


@dataclass(frozen=True)
class RosterBody:
    sha256: str  # of the request as understood: the same rows in other JSON spacing match
    extension: str
    # The roster's table, named; built only when needed (a replayed request is not read again).
    table: Callable[[str], Table]

    @property
    def is_file(self) -> bool:
        """A CSV or XLSX file as sent (JSON rows are made into a table by CLEE itself)."""
        return self.extension != "json"


def roster_body(request: Request) -> RosterBody:
    """The roster sent, or a 400 naming what is wrong with the request itself (the rows'
    values are checked by the import service)."""
    data = request.data
    # An empty file, or no body at all (DRF then has no stream, and gives empty data whatever the
    # content type says).
    if (isinstance(data, bytes) and not data.strip()) or request.stream is None:
        raise ValidationError({"body": ["the request has no roster: send JSON rows, a CSV or an XLSX file"]})
    if isinstance(data, bytes):
        extension = "xlsx" if request.content_type.startswith(XLSX_TYPE) else "csv"
        return RosterBody(
            hashlib.sha256(b"file\n" + data).hexdigest(), extension, partial(table_from_upload, data)
        )
    if not isinstance(data, dict) or set(data) != {"rows"}:
        raise ValidationError({"rows": ['send {"rows": [{column: value, ...}, ...]} and nothing else']})
    rows = data["rows"]
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"rows": ["a list of at least one row (an object per completion)"]})
    if len(rows) > MAX_ROWS:
        raise ValidationError({"rows": [f"at most {MAX_ROWS:,} rows in one request"]})
    columns: dict[str, None] = {}
    problems: dict[str, list[str]] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not row:
            problems[f"rows[{index}]"] = ["a row is an object of column names and values, at least one"]
            continue
        for name, value in row.items():
            if name not in ROSTER_COLUMNS:
                problems.setdefault(f"rows[{index}].{name[:64]}", []).append(
                    f"not a roster column; the columns are: {', '.join(ROSTER_COLUMNS)}"
                )
            if isinstance(value, bool) or not isinstance(value, (str, int, float)) or value == "":
                problems.setdefault(f"rows[{index}].{name[:64]}", []).append(
                    "a value is a non-empty string or a number (leave out a column with no value)"
                )
            elif isinstance(value, str) and "\x00" in value:
                problems.setdefault(f"rows[{index}].{name[:64]}", []).append("a value may not hold NUL")
            columns.setdefault(name)
        if len(problems) >= 100:
            break
    if problems:
        raise ValidationError(problems)
    canonical = json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return RosterBody(
        hashlib.sha256(b"json\n" + canonical.encode()).hexdigest(),
        "json",
        partial(_rows_table, list(columns), rows),
    )


def _rows_table(names: list[str], rows: list[dict[str, Any]], name: str) -> Table:
    """JSON rows as a table, their values as sent: JSON row i is the table's row i + 2 (the
    header is row 1), as docs/api.md says."""
    try:
        return table_from_rows(names, ([row.get(column) for column in names] for row in rows), name)
    except TableError as error:  # e.g. every value blank: refused as a file would be
        return Table("", (), (), tuple(error.errors), name, unreadable=True)
