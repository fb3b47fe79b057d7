"""Bulk writes that stay fast on PostgreSQL: COPY instead of multi-row INSERT.

Django's bulk insert on PostgreSQL sends each column as an array literal quoted client-side,
value by value; for tens of thousands of rows (a roster, a state's results) that quoting costs
more than the database's work. COPY streams rows in psycopg's C encoder. On other databases
these helpers fall back to ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from django.db import connection, models


def uses_copy() -> bool:
    return connection.vendor == "postgresql"


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys from the table's sequence (PostgreSQL)."""
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(
    table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, json_columns: set[str]
) -> None:
    """COPY ``rows`` into ``table`` (PostgreSQL); JSON columns are given as Python values."""
    json_at = [index for index, column in enumerate(columns) if column in json_columns]
    # Django's wrapper has no copy(): use psycopg's cursor, translating its errors as Django
    # does (a duplicate key is an IntegrityError the caller can handle).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for index in json_at:
                        row[index] = orjson.dumps(row[index]).decode()
                copy.write_row(row)


def insert_rows_returning_ids(
    model: type[models.Model], columns: Sequence[str], rows: list[Sequence[Any]]
) -> list[int]:
    """Insert plain rows (as ``insert_rows``) and return their new primary keys, in row order,
    without building a model instance per row: on PostgreSQL the keys are drawn from the
    table's sequence and COPYed with the rows."""
    if not rows:
        return []
    if not uses_copy():
        created = model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=5000
        )
        return [obj.pk for obj in created]
    ids = next_ids(model, len(rows))
    pk = model._meta.pk.attname
    insert_rows(model, (pk, *columns), [(key, *row) for key, row in zip(ids, rows, strict=True)])
    return ids


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: list[Sequence[Any]]) -> None:
    """Insert plain rows (values for ``columns``, attribute names such as ``record_id``) when
    nobody needs the new instances: COPY on PostgreSQL, ``bulk_create`` elsewhere. The table's
    primary keys come from its default; JSON columns take Python values."""
    if not rows:
        return
    if not uses_copy():
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=5000
        )
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    json_columns = {fields[c].column for c in columns if isinstance(fields[c], models.JSONField)}
    copy_rows(model._meta.db_table, [fields[c].column for c in columns], rows, json_columns=json_columns)
