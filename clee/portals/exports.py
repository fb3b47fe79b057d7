"""CSV and XLSX downloads. A cell a spreadsheet would read as a formula (=, +, -, @, tab,
carriage return first) is prefixed with an apostrophe, so an exported name can never run
as a formula in the reader's spreadsheet (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """A text cell that starts like a formula, made inert; numbers and dates are kept."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (int, float, dt.date)):
        return value
    return neutralise(str(value))


def csv_response(file_name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(
            ["" if v is None else (v.isoformat() if isinstance(v, dt.date) else _plain(v)) for v in row]
        )
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}.csv"'
    return response


def xlsx_response(
    file_name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "Export"
) -> HttpResponse:
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet[:31])
    worksheet.append([neutralise(h) for h in header])
    widths = [len(h) for h in header]
    for row in rows:
        values = [_plain(v) for v in row]
        worksheet.append(values)
        widths = [max(w, len(str(v))) for w, v in zip(widths, values, strict=False)]
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name}.xlsx"'
    return response
