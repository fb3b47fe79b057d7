"""How long each hostile spreadsheet takes to be refused, and an honest large roster to be read.

    .venv/bin/python bench/hostile_files_bench.py [--repeat 3]

The files are those of the security review (issue 13) and their kin, built at full size by
``tests/imports/hostile.py``: a 5 KB XLSX declaring A1:XFD1048576 with one far row (it pinned a
gunicorn worker until the 120 s timeout), 20,000 rows with a value in column XFD (47 s of CPU
per preview), 150,000 blank rows, a row of 4,000,000 empty cells (the cell budget), XML that does
not parse or declares entities, a sheet inflating to 320 MB. Each is read by
``clee.imports.tables.read_table`` as every import path reads it (portals, stored previews, the
API, the command); the time is the CPU time of the reading process, the best of ``--repeat``
runs, next to the wall time. For scale, a valid 20,000-row and 100,000-row workbook are read too.
Needs no database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clee.config.settings")


def valid_workbook(rows: int) -> bytes:
    """A valid roster of ``rows`` rows as Excel writes it (shared strings, a date style)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["license_number", "course_number", "completion_date", "hours", "last_name"])
    for number in range(rows):
        sheet.append([f"P{1_000_000 + number}", "CMA-101", dt.date(2023, 3, 1), 4, "Avery"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per file; the best is reported")
    arguments = parser.parse_args()

    import django

    django.setup()
    from clee.imports.tables import TableError, read_table
    from tests.imports.hostile import HOSTILE, declared_huge_many_rows

    files = {name: (build, reason) for name, (build, reason) in HOSTILE.items()}
    files["declared huge, 20,000 ordinary rows (read)"] = (declared_huge_many_rows, "")
    files["valid roster, 20,000 rows"] = (lambda: valid_workbook(20_000), "")
    files["valid roster, 100,000 rows"] = (lambda: valid_workbook(100_000), "")
    print(f"{'file':58} {'size':>9} {'cpu s':>7} {'wall s':>7}  outcome")
    worst = ("", 0.0)
    for name, (build, reason) in files.items():
        content = build()
        best_cpu, best_wall, outcome = float("inf"), float("inf"), ""
        for _ in range(arguments.repeat):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                table = read_table(content)
                outcome = f"read: {len(table.rows):,} rows"
            except TableError as error:
                outcome = f"refused: {error.errors[0].reason}"
            best_cpu = min(best_cpu, time.process_time() - cpu)
            best_wall = min(best_wall, time.perf_counter() - wall)
        if reason and reason not in outcome:
            outcome = f"UNEXPECTED ({reason!r} wanted) {outcome}"
        print(f"{name:58} {len(content):>9,} {best_cpu:>7.2f} {best_wall:>7.2f}  {outcome[:90]}")
        if reason and best_cpu > worst[1]:
            worst = (name, best_cpu)
    print(f"\nworst hostile file: {worst[0]}: {worst[1]:.2f} s of CPU (was: a worker pinned for 120 s)")


if __name__ == "__main__":
    main()
