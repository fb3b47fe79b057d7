"""What every kind of import shares: the scope it runs in, its plan, and the header check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from clee.accounts.models import User
from clee.imports.report import RowError, RowOutcome
from clee.imports.tables import CellError, Row, Table

if TYPE_CHECKING:
    from clee.agencies.models import Agency
    from clee.providers.models import Provider
    from clee.training.models import ImportBatch

T = TypeVar("T")

# SQLite refuses statements with more than 32,766 parameters; stay well below it.
IN_CHUNK = 5000


@dataclass(frozen=True)
class Scope:
    """Who imports, for which provider or agency, and what "today" is (no date may be later)."""

    actor: User | None
    provider: Provider | None
    agency: Agency | None
    today: dt.date


@dataclass
class Plan:
    """The checked rows of a file: errors, rows to add, rows already on file, and how to write."""

    errors: list[RowError] = field(default_factory=list)
    to_add: list[RowOutcome] = field(default_factory=list)
    already_present: list[RowOutcome] = field(default_factory=list)

    def error(self, row: int | None, column: str, reason: str) -> None:
        self.errors.append(RowError(row, column, reason))

    def write(self, *, batch: ImportBatch, actor: User | None) -> tuple[int, int]:
        """Write the rows to add; returns (added, found already on file while writing)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Columns:
    """The columns a kind of file accepts. ``one_of`` groups need at least one column each."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        return (*self.required, *(c for group in self.one_of for c in group), *self.optional)


def check_header(table: Table, columns: Columns, plan: Plan) -> bool:
    """Report missing and unknown columns on row 1; True when the rows can be read."""
    errors_before = len(plan.errors)
    present = set(table.columns)
    for name in columns.required:
        if name not in present:
            plan.error(1, name, "required column is missing")
    for group in columns.one_of:
        if not present.intersection(group):
            plan.error(1, group[0], f"required column is missing (give {' or '.join(group)})")
    known = set(columns.known)
    for name in table.columns:
        if name not in known:
            plan.error(1, name, f"unknown column; the columns are: {', '.join(columns.known)}")
    return len(plan.errors) == errors_before


class RowReader:
    """Reads one row's cells, collecting each refused cell as a row error."""

    def __init__(self, row: Row, plan: Plan) -> None:
        self.row = row
        self.plan = plan
        self.failed = False

    def has(self, column: str) -> bool:
        return column in self.row.values

    def fail(self, column: str, reason: str) -> None:
        self.failed = True
        self.plan.error(self.row.number, column, reason)

    def required(self, column: str, parse: Callable[[Any], T]) -> T | None:
        if not self.has(column):
            self.fail(column, "a value is required")
            return None
        return self.optional(column, parse)

    def optional(self, column: str, parse: Callable[[Any], T]) -> T | None:
        value = self.row.values.get(column)
        if value is None:
            return None
        try:
            return parse(value)
        except CellError as error:
            self.fail(column, str(error))
            return None


def chunked(items: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def first_rows(keys: Sequence[tuple[int, Any]]) -> dict[Any, int]:
    """key -> the first row it appears on (to point a duplicate at its twin)."""
    first: dict[Any, int] = {}
    for row, key in keys:
        first.setdefault(key, row)
    return first
