"""Keeping stored compliance results current, through the rules engine's batch interface.

An officer's period is read from the database as the engine's plain data (``period_inputs``),
evaluated many officers at a time (``result_rows``) and written back in bulk
(``store_results``); ``compliance_recompute`` does it for a whole period or some of its
officers. The outbox (clee.compliance.outbox) calls it for the officer-periods marked stale."""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from clee.compliance.models import ComplianceResult, Exemption, Extension, ReportingPeriod, StaleResult
from clee.compliance.rulebooks import period_pack
from clee.core.bulk import copy_rows, uses_copy
from clee.officers.models import LicenseUpgrade
from clee.officers.models import Officer as OfficerRow
from clee.rules import Credit, Officer, Result, compiled_for, evaluate_officers
from clee.training.models import CreditLine, TrainingRecord

CHUNK = 2000


@dataclass
class OfficerPeriod:
    """One officer's period as the engine reads it, plus what only the database knows."""

    officer_id: int
    officer: Officer
    credits: list[Credit]
    extended_until: dt.date | None = None


# A record counts in the period containing its completion date, unless POST staff applied it
# (training completed in the grace window or later, 11 CSR 75-15.080(2)) to an earlier period:
# then it counts there, and only there. Both periods read it with its real date and the period
# it is applied to (the scenario contract's ``applied_to``): the engine counts it in that period
# and notes it as applied elsewhere in the other.
_LINES_SQL = """
    SELECT r.officer_id, l.id, {completed_on}, CAST(l.hours AS DOUBLE PRECISION), l.core_area,
           l.subject, l.topics, r.source, r.credit_class, r.delivery, r.state, r.applied_to_year,
           r.recognized_by
      FROM {lines} l JOIN {records} r ON r.id = l.record_id
     WHERE r.status = %s AND {in_period} {officers}
     ORDER BY r.officer_id, l.id
"""


_COMPLETED_IN = "r.completed_on >= %s AND r.completed_on <= %s"


_APPLIED_TO = "r.applied_to_year = %s"


FETCH = 20_000


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else _day_of_text(value)


@functools.lru_cache(maxsize=4096)
def _day_of_text(value: str) -> dt.date:
    # A period's lines fall on a few hundred days: each text is parsed once.
    return dt.date.fromisoformat(value)


def _topics(value: Any) -> tuple[tuple[str, float], ...]:
    if not value or value == "{}":
        return ()
    if isinstance(value, str):
        return _topics_of_text(value)
    return tuple((topic, float(hours)) for topic, hours in value.items())


@functools.lru_cache(maxsize=4096)
def _topics_of_text(value: str) -> tuple[tuple[str, float], ...]:
    # Topic splits repeat with the courses they come from: each text is decoded once.
    return tuple((topic, float(hours)) for topic, hours in json.loads(value).items())


def _line_rows(
    period: ReportingPeriod, officer_ids: list[int] | None, id_range: tuple[int, int] | None = None
) -> Iterator[tuple[Any, ...]]:
    """Accepted credit lines of the period, ordered by officer and line: those completed in it
    and those applied to it from a later date, merged."""
    completed = _line_query(period, officer_ids, id_range, _COMPLETED_IN, [period.starts, period.ends])
    # Applied records are few: read whole before the period's stream starts.
    applied = list(_line_query(period, officer_ids, id_range, _APPLIED_TO, [period.year]))
    return heapq.merge(completed, applied, key=lambda row: (row[0], row[1]))


def _line_query(
    period: ReportingPeriod,
    officer_ids: list[int] | None,
    id_range: tuple[int, int] | None,
    in_period: str,
    in_period_params: list[Any],
) -> Iterator[tuple[Any, ...]]:
    """One streamed query for a whole period, or a few ``IN`` queries for some officers. Plain
    SQL: the ORM's per-value Decimal and JSON conversion would cost more than evaluating the
    officers."""
    # SQLite's date converter parses every row with a regular expression; as text, each of the
    # period's few hundred days is parsed once (``_day``).
    completed_on = "r.completed_on" if connection.vendor == "postgresql" else "CAST(r.completed_on AS TEXT)"
    template = _LINES_SQL.format(
        lines=connection.ops.quote_name(CreditLine._meta.db_table),
        records=connection.ops.quote_name(TrainingRecord._meta.db_table),
        completed_on=completed_on,
        in_period=in_period,
        officers="{officers}",
    )
    base: list[Any] = [TrainingRecord.Status.ACCEPTED, *in_period_params]
    if officer_ids is None and id_range is not None:
        queries = [(template.format(officers="AND r.officer_id BETWEEN %s AND %s"), [*base, *id_range])]
    elif officer_ids is None:
        queries = [(template.format(officers=""), base)]
    elif connection.vendor == "postgresql":
        # One array parameter: thousands of placeholders cost more to send than to run.
        queries = [(template.format(officers="AND r.officer_id = ANY(%s)"), [*base, officer_ids])]
    else:
        queries = [
            (
                template.format(officers=f"AND r.officer_id IN ({', '.join(['%s'] * len(part))})"),
                [*base, *part],
            )
            for part in (officer_ids[i : i + CHUNK] for i in range(0, len(officer_ids), CHUNK))
        ]
    for sql, params in queries:
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(FETCH):
                yield from rows


def period_inputs(
    period: ReportingPeriod,
    officer_ids: Iterable[int] | None = None,
    *,
    id_range: tuple[int, int] | None = None,
) -> Iterator[OfficerPeriod]:
    """The engine's input for every officer (or those given, or those whose id is within
    ``id_range``) in ``period``, in officer order, streamed: memory stays bounded."""
    pack = period_pack(period)
    college_rate = pack.sources["college"].hours_per_unit.value if "college" in pack.sources else 2.0
    officers = OfficerRow.objects.order_by("id")
    wanted = None if officer_ids is None else sorted(set(officer_ids))
    if wanted is not None:
        # A range and a set test instead of an IN list of thousands of placeholders.
        officers = officers.filter(id__gte=wanted[0], id__lte=wanted[-1]) if wanted else officers.none()
    elif id_range is not None:
        officers = officers.filter(id__gte=id_range[0], id__lte=id_range[1])
    wanted_set = None if wanted is None else set(wanted)
    # Exemptions, extensions and upgrades of a period are few: read them whole.
    upgrades = dict(
        LicenseUpgrade.objects.filter(
            upgraded_on__gte=period.starts, upgraded_on__lte=period.ends
        ).values_list("officer_id", "upgraded_on")
    )
    exemptions = dict(Exemption.objects.filter(period=period).values_list("officer_id", "reason"))
    extensions = dict(
        Extension.objects.filter(period=period, status=Extension.Status.GRANTED).values_list(
            "officer_id", "new_deadline"
        )
    )
    lines = _line_rows(period, wanted, id_range)
    pending = next(lines, None)
    for officer_id, licensed_on, basic_training_on in officers.values_list(
        "id", "licensed_on", "basic_training_completed_on"
    ).iterator(chunk_size=CHUNK):
        if wanted_set is not None and officer_id not in wanted_set:
            continue
        while pending is not None and pending[0] < officer_id:
            pending = next(lines, None)  # lines of an officer no longer on file
        credits = []
        while pending is not None and pending[0] == officer_id:
            (
                _,
                line_id,
                day,
                hours,
                core_area,
                subject,
                topics,
                source,
                credit_class,
                delivery,
                state,
                applied_to,
                recognized_by,
            ) = pending
            credits.append(
                Credit(
                    f"line-{line_id}",
                    day if type(day) is dt.date else _day(day),
                    hours,
                    core_area,
                    source,
                    credit_class,
                    delivery,
                    subject or None,
                    () if topics == "{}" or not topics else _topics(topics),
                    state or None,
                    hours / college_rate if source == "college" else None,
                    None if applied_to is None else str(applied_to),
                    recognized_by or None,
                )
            )
            pending = next(lines, None)
        yield OfficerPeriod(
            officer_id=officer_id,
            officer=Officer(
                licensed_on, upgrades.get(officer_id), basic_training_on, exemptions.get(officer_id)
            ),
            credits=credits,
            extended_until=extensions.get(officer_id),
        )


def _stored(
    item: OfficerPeriod, result: Result, period: ReportingPeriod, now: dt.datetime
) -> tuple[Any, ...]:
    """A result as a row of ``_RESULT_COLUMNS``."""
    payload = result.to_dict()
    return (
        item.officer_id,
        period.pk,
        result.status,
        Decimal(str(result.counted_hours)),
        Decimal(str(result.additional_hours_needed)),
        result.shortfalls,
        payload["requirements"],
        payload["still_needed"] if result.status == ComplianceResult.Status.DEFICIENT else {},
        result.exemption or "",
        item.extended_until,
        result.pack,
        now,
    )


_RESULT_COLUMNS = (
    "officer_id",
    "period_id",
    "status",
    "counted_hours",
    "additional_hours_needed",
    "shortfalls",
    "requirements",
    "still_needed",
    "exemption",
    "extended_until",
    "pack",
    "computed_at",
)


_JSON_COLUMNS = {"shortfalls", "requirements", "still_needed"}


@transaction.atomic
def _store(rows: list[tuple[Any, ...]]) -> None:
    """Insert or replace results. On PostgreSQL through COPY into a staging table: Django's
    bulk insert quotes every JSON value client-side, which would dominate a state's recompute."""
    if not uses_copy():
        ComplianceResult.objects.bulk_create(
            [ComplianceResult(**dict(zip(_RESULT_COLUMNS, row, strict=True))) for row in rows],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["officer", "period"],
            update_fields=[c.removesuffix("_id") for c in _RESULT_COLUMNS[2:]],
        )
        return
    table = connection.ops.quote_name(ComplianceResult._meta.db_table)
    columns = ", ".join(_RESULT_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _RESULT_COLUMNS[2:])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS compliance_stage")
        cursor.execute(
            f"CREATE TEMP TABLE compliance_stage ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
    copy_rows(
        "compliance_stage",
        _RESULT_COLUMNS,
        rows,
        json_columns=_JSON_COLUMNS,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM compliance_stage "
            f"ON CONFLICT (officer_id, period_id) DO UPDATE SET {updates}"
        )


def compliance_recompute(
    *,
    period: ReportingPeriod,
    officer_ids: Iterable[int] | None = None,
    progress: Callable[[int], None] | None = None,
    id_range: tuple[int, int] | None = None,
) -> int:
    """Evaluate and store results for ``period`` (every officer, those given, or those whose id
    is within ``id_range``) here, in this process, on this connection.

    Web requests never call this: they mark results stale (``clee.compliance.outbox``) and the
    workers recompute them. Commands, the demo builder and the workers do.
    Returns how many results were written. Safe to run twice: results are replaced whole.
    """
    ids = None if officer_ids is None else sorted(set(officer_ids))
    # The stale marks this computation answers, read before the record is: a change committed
    # later renews its mark's version, and that mark stays for a worker.
    marks = StaleResult.objects.filter(period=period)
    if ids is not None:
        marks = (
            marks.filter(officer_id__in=ids)
            if len(ids) <= CHUNK
            else marks.filter(officer_id__gte=ids[0], officer_id__lte=ids[-1])
        )
    elif id_range is not None:
        marks = marks.filter(officer_id__gte=id_range[0], officer_id__lte=id_range[1])
    answered = dict(marks.values_list("pk", "version"))
    compiled = compiled_for(period_pack(period))
    written = 0
    batch: list[OfficerPeriod] = []

    def flush() -> None:
        nonlocal written
        rows = result_rows(period, batch, compiled=compiled)
        _store(rows)
        written += len(rows)
        if progress:
            progress(len(rows))
        batch.clear()

    # One transaction: the lines stream through a plain server-side cursor (outside a
    # transaction PostgreSQL would materialize a WITH HOLD cursor first), and a period's
    # results are replaced all at once.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")  # sort a state's lines in memory
        for item in period_inputs(period, ids, id_range=id_range):
            batch.append(item)
            if len(batch) >= CHUNK:
                flush()
        if batch:
            flush()
        if answered:
            wanted = None if ids is None else set(ids)
            current = [
                pk
                for pk, officer_id, version in marks.select_for_update().values_list(
                    "pk", "officer_id", "version"
                )
                if answered.get(pk) == version and (wanted is None or officer_id in wanted)
            ]
            for start in range(0, len(current), CHUNK):
                StaleResult.objects.filter(pk__in=current[start : start + CHUNK]).delete()
    return written


def result_rows(
    period: ReportingPeriod, items: list[OfficerPeriod], *, compiled: Any = None
) -> list[tuple[Any, ...]]:
    """The engine's results for ``items`` as rows for ``store_results``."""
    compiled = compiled if compiled is not None else compiled_for(period_pack(period))
    results = evaluate_officers(compiled, [(item.officer, item.credits) for item in items])
    now = timezone.now()
    return [_stored(item, result, period, now) for item, result in zip(items, results, strict=True)]


def store_results(rows: list[tuple[Any, ...]]) -> None:
    """Insert or replace the results in ``rows`` (from ``result_rows``)."""
    if rows:
        _store(rows)
