"""Write roster.xlsx from roster.csv: the same rows, with real date and number cells.

.venv/bin/python docs/samples/make_xlsx.py
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def cell(column: str, value: str) -> object:
    """Dates as date cells and hours as numbers, as a spreadsheet program would keep them."""
    if not value:
        return None
    if column == "Completion Date":
        if "/" in value:
            month, day, year = (int(part) for part in value.split("/"))
            return dt.date(year, month, day)
        return dt.date.fromisoformat(value)
    if column == "Hours":
        return float(Decimal(value))
    return value


def main() -> None:
    with (HERE / "roster.csv").open(newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    header, body = rows[0], rows[1:]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Roster"
    sheet.append(header)
    for row in body:
        sheet.append([cell(column, value) for column, value in zip(header, row, strict=True)])
    for column in ("A", "B", "C", "D", "E"):
        sheet.column_dimensions[column].width = 18
    for (date_cell,) in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        date_cell.number_format = "yyyy-mm-dd"
    workbook.save(HERE / "roster.xlsx")


if __name__ == "__main__":
    main()
