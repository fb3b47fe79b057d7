"""What an import says back: every row error, what would be (or was) added, what was on file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clee.training.models import ImportBatch


@dataclass(frozen=True, order=True)
class RowError:
    """A refused value: ``row`` as the spreadsheet numbers it (header = 1; None: the whole file)."""

    row: int | None
    field: str
    reason: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.field}: {self.reason}"
        return f"row {self.row}, {self.field}: {self.reason}"


@dataclass(frozen=True)
class RowOutcome:
    """One accepted row: added (or to be added), or already on file."""

    row: int
    summary: str


@dataclass
class ImportReport:
    """The preview of an import, or its outcome once applied.

    ``applied`` is True only when every row was valid and the file was written; otherwise
    nothing was written and ``errors`` lists every problem found, in row order.
    """

    kind: str
    file_name: str
    sha256: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    to_add: list[RowOutcome] = field(default_factory=list)
    already_present: list[RowOutcome] = field(default_factory=list)
    dry_run: bool = True
    applied: bool = False
    # The file could not be read as a table at all (``errors`` say why, with no row): not a
    # CSV or XLSX, damaged, or beyond the limits of clee.imports.tables.
    unreadable: bool = False
    batch: ImportBatch | None = None
    # The same bytes were applied before (a re-sent file): when, and as which batch.
    earlier_batch_id: int | None = None
    earlier_batch_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def headline(self) -> str:
        """One line: the counts, in the words an operator reads."""
        verb = "would add" if not self.applied else "added"
        if self.errors:
            verb = "would add" if self.dry_run else "refused, nothing written; would add"
        return (
            f"{self.file_name}: {self.rows} row{'s' if self.rows != 1 else ''}; {verb} {len(self.to_add)}; "
            f"{len(self.already_present)} already on file; {len(self.errors)} error"
            f"{'s' if len(self.errors) != 1 else ''}"
        )
