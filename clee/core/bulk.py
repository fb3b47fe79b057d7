"""Bulk writes that stay fast: COPY on PostgreSQL, prepared statements on SQLite.

Django's bulk insert on PostgreSQL sends each column as an array literal quoted client-side,
value by value; for tens of thousands of rows (a roster, a state's results) that quoting costs
more than the database's work. COPY streams rows in psycopg's C encoder. On SQLite, Django's
bulk insert builds a model instance per row and compiles every value, 999 parameters a
statement; here plain rows go to one prepared statement (``executemany``), or to multi-row
``INSERT ... RETURNING`` statements when the new keys are wanted, with only the values SQLite
cannot take as they are (aware datetimes, JSON) adapted the way Django adapts them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
    if connection.vendor == "sqlite":
        return _sqlite_insert_returning_ids(model, columns, rows)
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
    if connection.vendor == "sqlite":
        table, names, adapted = _sqlite_rows(model, columns, rows)
        marks = ", ".join(["%s"] * len(names))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", adapted)
        return
    if not uses_copy():
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=5000
        )
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    json_columns = {fields[c].column for c in columns if isinstance(fields[c], models.JSONField)}
    copy_rows(model._meta.db_table, [fields[c].column for c in columns], rows, json_columns=json_columns)


# Fields whose Python values SQLite's driver stores exactly as Django would (Django registers
# the adapters for dates and decimals); every other field's values go through the field.
_SQLITE_AS_IS = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BooleanField,
    models.CharField,
    models.TextField,
    models.DecimalField,
    models.ForeignKey,
)
# Rows per multi-row INSERT ... RETURNING (SQLite's own limit on parameters is 32,766).
SQLITE_PARAMETERS = 30_000


def _sqlite_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> tuple[str, list[str], list[Sequence[Any]]]:
    """The quoted table, the quoted column names and the rows with their values adapted."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    adapters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(columns):
        field = fields[column]
        is_plain_date = isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
        if not (isinstance(field, _SQLITE_AS_IS) or is_plain_date):
            adapters.append((index, _field_adapter(field)))
    adapted: list[Sequence[Any]] = []
    for row in rows:
        if adapters:
            row = list(row)
            for index, adapt in adapters:
                row[index] = adapt(row[index])
        adapted.append(row)
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), [quote(fields[c].column) for c in columns], adapted


def _field_adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """The field's own adaptation, once per distinct value (a bulk write's timestamps are one
    value); JSON objects straight to Django's JSON adapter."""
    memo: dict[Any, Any] = {}
    encoder = getattr(field, "encoder", None)
    is_json = isinstance(field, models.JSONField)

    def adapt(value: Any) -> Any:
        if is_json and isinstance(value, dict | list):
            # Small objects repeat (a course's topic split on each of its records): by content.
            key = tuple(value.items()) if isinstance(value, dict) else None
            try:
                return memo[key] if key is not None else connection.ops.adapt_json_value(value, encoder)
            except KeyError:
                adapted = memo[key] = connection.ops.adapt_json_value(value, encoder)
                return adapted
            except TypeError:  # a nested object: not hashable
                return connection.ops.adapt_json_value(value, encoder)
        try:
            return memo[value]
        except KeyError:
            adapted = memo[value] = field.get_db_prep_save(value, connection)
            return adapted
        except TypeError:  # not hashable
            return field.get_db_prep_save(value, connection)

    return adapt


def _sqlite_insert_returning_ids(
    model: type[models.Model], columns: Sequence[str], rows: list[Sequence[Any]]
) -> list[int]:
    """Multi-row ``INSERT ... RETURNING`` (SQLite returns the keys in row order, as Django's
    own bulk insert relies on)."""
    table, names, adapted = _sqlite_rows(model, columns, rows)
    pk = connection.ops.quote_name(model._meta.pk.column)
    per_statement = max(1, SQLITE_PARAMETERS // len(names))
    row_marks = "(" + ", ".join(["%s"] * len(names)) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(adapted), per_statement):
            part = adapted[start : start + per_statement]
            sql = (
                f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                + ", ".join([row_marks] * len(part))
                + f" RETURNING {pk}"
            )
            cursor.execute(sql, [value for row in part for value in row])
            ids += [row[0] for row in cursor.fetchall()]
    return ids
