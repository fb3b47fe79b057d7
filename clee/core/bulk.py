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
from django.db import connection, connections, models


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


PASSTHROUGH = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.DecimalField,
    models.DateField,  # DateTimeField is a DateField
    models.ForeignKey,
)


def insert_objects(model: type[models.Model], objects: list[Any], *, batch_size: int = 5000) -> list[Any]:
    """Insert new model instances and return them with their primary keys set.

    On PostgreSQL the keys are drawn from the sequence and the rows COPYed; elsewhere
    ``bulk_create``. Instances must be new and have no many-to-many values yet.
    """
    if not objects:
        return objects
    if not uses_copy():
        return model._default_manager.bulk_create(objects, batch_size=batch_size)
    fields = list(model._meta.concrete_fields)
    database = connections[connection.alias]  # the wrapper itself: the proxy costs per access
    json_columns = {f.column for f in fields if isinstance(f, models.JSONField)}
    # psycopg adapts these fields' Python values exactly as Django would prepare them on
    # PostgreSQL (str, int, bool, Decimal, date, aware datetime): no per-value preparation.
    plain = tuple(isinstance(f, PASSTHROUGH) or f.column in json_columns for f in fields)
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    rows = []
    for obj, pk in zip(objects, next_ids(model, len(objects)), strict=True):
        obj.pk = pk
        for field in stamped:
            field.pre_save(obj, add=True)  # fills auto_now(_add) as save() would
        rows.append(
            [
                getattr(obj, field.attname)
                if passes
                else field.get_db_prep_save(getattr(obj, field.attname), database)
                for field, passes in zip(fields, plain, strict=True)
            ]
        )
    copy_rows(model._meta.db_table, [f.column for f in fields], rows, json_columns=json_columns)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


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
