"""Stale results: the outbox that keeps stored compliance results current (DESIGN §8).

A write that can change an officer's result marks the officer-period stale in its own
transaction (``results_mark_stale``; ``period_mark_stale`` for every officer of a period), and
on commit queues jobs on the database-backed queue. Workers (``manage.py db_worker``, any
number, on any number of hosts) run ``recompute_stale`` jobs, each claiming batches of marks
until none is left:

1. **Claim** (a short transaction): ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (two
   workers never take the same marks; on SQLite the single writer serializes the claims), then
   the claim lease ``claimed_until``. A killed worker's marks are claimable again once their
   lease passes.
2. **Compute** outside any lock: the batch's officers read and evaluated by the engine.
3. **Store** (one transaction): the claimed marks are locked again and only those whose
   ``version`` is still the claimed one get their result stored and their mark deleted. A
   change committed during the computation bumped the version (and freed the claim): its mark
   stays, and its own job recomputes it from the newer record.

The scheduled sweep (``stale_results_sweep``, every minute) queues jobs for marks nobody is
working on: a lease that passed, or a job lost before it ran. Everything is safe to run twice:
a job that finds nothing to claim does nothing.

Web requests only mark: nothing here forks, starts a thread or evaluates in a request.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from clee.compliance.models import ReportingPeriod, StaleResult
from clee.compliance.recompute import period_inputs, result_rows, store_results
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.queue import Job, enqueue, enqueue_on_commit, job_task
from clee.officers.models import Officer

if TYPE_CHECKING:
    from clee.accounts.models import User

# Marks newer than this without a claim are not the sweep's: their own job is on its way.
SWEEP_GRACE = dt.timedelta(seconds=30)
# An IN list of at most this many officers per statement on SQLite.
SQLITE_CHUNK = 2000
# The recompute job (``clee.compliance.tasks.recompute_stale``), queued by its name.
RECOMPUTE_STALE = Job("compliance.recompute_stale")


def results_mark_stale(officer_ids: Iterable[int], years: Iterable[int], *, reason: str) -> int:
    """Mark these officers' results of these years (periods on record only) stale in the
    current transaction, and queue their recompute once it commits. Returns how many marks
    were written or renewed. One statement per period set, whatever the number of officers."""
    ids = sorted(set(officer_ids))
    period_ids = list(
        ReportingPeriod.objects.filter(jurisdiction=settings.CLEE_JURISDICTION, year__in=set(years))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids or not period_ids:
        return 0
    if connection.vendor == "postgresql":
        marked = _upsert("o.id = ANY(%s) AND p.id = ANY(%s)", [ids, period_ids], reason)
    else:
        marked = 0
        periods_in = ", ".join(["%s"] * len(period_ids))
        for start in range(0, len(ids), SQLITE_CHUNK):
            part = ids[start : start + SQLITE_CHUNK]
            marked += _upsert(
                f"o.id IN ({', '.join(['%s'] * len(part))}) AND p.id IN ({periods_in})",
                [*part, *period_ids],
                reason,
            )
    _enqueue_on_commit(marked)
    return marked


def period_mark_stale(period: ReportingPeriod, *, reason: str) -> int:
    """Mark every officer's result of ``period`` stale (one INSERT ... SELECT) in the current
    transaction and queue the recompute jobs (several: any number of workers share them) once
    it commits. Returns how many marks were written or renewed."""
    marked = _upsert("p.id = %s", [period.pk], reason)
    _enqueue_on_commit(marked)
    return marked


@transaction.atomic
def period_recompute_request(*, period: ReportingPeriod, acting_user: User | None, reason: str) -> int:
    """An operator's request to recompute every result of ``period`` (the back office, the
    ``recompute_compliance`` command): the marks, their jobs and the audit row. Returns how many
    officers' results are to be recomputed."""
    marked = period_mark_stale(period, reason=reason)
    record_event(
        actor=acting_user,
        action=AuditAction.COMPLIANCE_RECOMPUTE_REQUEST,
        target=period,
        summary=f"{period}: results of {marked:,} officers to be recomputed ({reason})",
        data={"marked": marked},
    )
    return marked


def _upsert(where: str, params: list[Any], reason: str) -> int:
    """Insert a mark for every (officer, period) the ``where`` selects, or renew the existing
    one: a new version, the latest reason, and no claim (the worker computing the old version
    will not store it; a new job takes the mark at once)."""
    table = connection.ops.quote_name(StaleResult._meta.db_table)
    officers = connection.ops.quote_name(Officer._meta.db_table)
    periods = connection.ops.quote_name(ReportingPeriod._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        f"INSERT INTO {table} (officer_id, period_id, reason, marked_at, version, claimed_until, claimed_by) "
        f"SELECT o.id, p.id, %s, %s, 1, NULL, '' FROM {officers} o CROSS JOIN {periods} p WHERE {where} "
        f"ON CONFLICT (officer_id, period_id) DO UPDATE SET reason = EXCLUDED.reason, "
        f"marked_at = EXCLUDED.marked_at, version = {table}.version + 1, "
        "claimed_until = NULL, claimed_by = ''"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [reason[:200], now, *params])
        return max(int(cursor.rowcount), 0)


def recompute_jobs_for(marks: int) -> int:
    """How many recompute jobs ``marks`` new marks are worth: one per batch, at most
    ``CLEE_RECOMPUTE_JOBS`` (each job takes batches until none is left)."""
    if marks <= 0:
        return 0
    batches = -(-marks // max(settings.CLEE_RECOMPUTE_BATCH, 1))
    return max(1, min(batches, settings.CLEE_RECOMPUTE_JOBS))


def _enqueue_on_commit(marks: int) -> None:
    for _ in range(recompute_jobs_for(marks)):
        enqueue_on_commit(RECOMPUTE_STALE)


def recompute_jobs_enqueue(*, jobs: int) -> None:
    """Queue ``jobs`` recompute jobs (django-tasks)."""
    for _ in range(jobs):
        enqueue(RECOMPUTE_STALE)


# Workers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    mark_id: int
    officer_id: int
    period_id: int
    version: int


def worker_name() -> str:
    """This process, as claims name it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:60]


def stale_batch_claim(
    *, size: int | None = None, worker: str = "", now: dt.datetime | None = None
) -> list[Claim]:
    """Claim up to ``size`` marks nobody holds (never claimed, or whose lease passed), in one
    short transaction; returns the claims, ordered by period and officer."""
    size = size or settings.CLEE_RECOMPUTE_BATCH
    now = now or timezone.now()
    token = f"{worker or worker_name()}/{uuid.uuid4().hex[:12]}"
    claimable = StaleResult.objects.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    with transaction.atomic():
        # SKIP LOCKED: a second worker takes the next batch instead of waiting for this one.
        ids = list(
            claimable.select_for_update(skip_locked=True)
            .order_by("period_id", "officer_id")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return []
        StaleResult.objects.filter(pk__in=ids).update(
            claimed_until=now + dt.timedelta(seconds=settings.CLEE_RECOMPUTE_LEASE), claimed_by=token
        )
        return [
            Claim(*row)
            for row in StaleResult.objects.filter(pk__in=ids, claimed_by=token)
            .order_by("period_id", "officer_id")
            .values_list("pk", "officer_id", "period_id", "version")
        ]


def stale_batch_recompute(claims: list[Claim]) -> int:
    """Compute the claimed officers' results, then store those whose mark is unchanged and
    delete their marks, in one transaction. Returns how many results were stored."""
    stored = 0
    by_period: dict[int, list[Claim]] = {}
    for claim in claims:
        by_period.setdefault(claim.period_id, []).append(claim)
    for period_id, part in by_period.items():
        period = ReportingPeriod.objects.filter(pk=period_id).first()
        if period is None:
            continue  # deleted with its marks
        with transaction.atomic():  # PostgreSQL streams the lines inside a transaction
            items = list(period_inputs(period, [claim.officer_id for claim in part]))
        rows = result_rows(period, items)
        with transaction.atomic():
            versions = dict(
                StaleResult.objects.select_for_update()
                .filter(pk__in=[claim.mark_id for claim in part])
                .values_list("pk", "version")
            )
            current = [claim for claim in part if versions.get(claim.mark_id) == claim.version]
            officers = {claim.officer_id for claim in current}
            kept = [row for row in rows if row[0] in officers]
            store_results(kept)
            StaleResult.objects.filter(pk__in=[claim.mark_id for claim in current]).delete()
        stored += len(kept)
    return stored


def stale_results_recompute(*, worker: str = "", max_batches: int | None = None) -> dict[str, Any]:
    """Claim and recompute batches until none is left (or ``max_batches`` were done); returns
    counts of what was done. Safe to run in any number of workers at once."""
    worker = worker or worker_name()
    batches = claimed = stored = 0
    while max_batches is None or batches < max_batches:
        claims = stale_batch_claim(worker=worker)
        if not claims:
            break
        batches += 1
        claimed += len(claims)
        stored += stale_batch_recompute(claims)
    return {"batches": batches, "claimed": claimed, "stored": stored, "worker": worker}


def stale_results_sweep(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Queue recompute jobs for marks nobody is working on: claims whose lease passed (a killed
    worker) and marks left unclaimed for a while (a job lost before it ran). Jobs already
    waiting in the queue count against those needed. Returns counts; safe to run twice."""
    now = now or timezone.now()
    orphaned = StaleResult.objects.filter(
        Q(claimed_until__lt=now) | Q(claimed_until__isnull=True, marked_at__lt=now - SWEEP_GRACE)
    ).count()
    # Jobs for every mark claimable now (the orphans' neighbours were often queued with them).
    claimable = StaleResult.objects.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    needed = recompute_jobs_for(claimable.count()) if orphaned else 0
    waiting = _recompute_jobs_waiting()
    enqueued = max(needed - waiting, 0)
    recompute_jobs_enqueue(jobs=enqueued)
    return {"orphaned_marks": orphaned, "jobs_waiting": waiting, "jobs_enqueued": enqueued}


def _recompute_jobs_waiting() -> int:
    """Recompute jobs queued and not yet started (database backend; 0 with any other)."""
    recompute_stale = job_task(RECOMPUTE_STALE)
    if not isinstance(recompute_stale.get_backend(), DatabaseBackend):
        return 0
    return DBTaskResult.objects.ready().filter(task_path=recompute_stale.module_path).count()
