"""Importing files: completion rosters and onboarding files (agencies, officers, commissions).

The one interface the command, the portals and the API use. Each reads a ``Table``
(clee.imports.tables), which its source built: a file's bytes (``table_from_upload``, CSV or
XLSX told apart by content), the API's JSON rows or a form's rows (``table_from_rows``).

- ``import_preview`` (a dry run) reads and checks every row and says what would be added,
  what is already on file, and every error, by row and column; it writes nothing.
- ``import_apply`` does the same checks and, only when no row has an error, writes the whole
  file in one transaction with an ``ImportBatch`` and audit rows naming the acting user. Any
  error: nothing is written. The same file sent again adds nothing.

Both return an ``ImportReport``. A request that cannot be served whatever the file holds (an
unknown kind, a roster without its provider or agency, an account that may not import for
them) raises ``ServiceError``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clee.agencies.models import Agency
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.imports.common import Plan, Scope
from clee.imports.onboarding import plan_agencies, plan_commissions, plan_officers
from clee.imports.report import ImportReport, RowError, RowOutcome
from clee.imports.roster import lock_keys, plan_roster
from clee.imports.tables import Table
from clee.providers.models import Provider
from clee.training.models import ImportBatch

__all__ = ["KINDS", "ImportReport", "RowError", "RowOutcome", "import_apply", "import_preview"]

Kind = ImportBatch.Kind
KINDS: tuple[str, ...] = tuple(Kind.values)

PLANNERS: dict[str, Callable[[Table, Scope], Plan]] = {
    Kind.ROSTER: plan_roster,
    Kind.AGENCIES: plan_agencies,
    Kind.OFFICERS: plan_officers,
    Kind.COMMISSIONS: plan_commissions,
}

# A concurrent writer outside the imports (a form, a credit request) can still insert the same
# completion between our check and our insert; the unique constraint refuses one of the two
# and the whole file is checked again against what is now on file.
ATTEMPTS = 3


def import_preview(
    *,
    kind: str,
    table: Table,
    actor: Any,
    provider: Provider | None = None,
    agency: Agency | None = None,
) -> ImportReport:
    """Check ``table`` and say what applying it would do; writes nothing."""
    scope = _scope(kind, actor, provider, agency)
    report = _report(kind, table)
    if not table.unreadable:
        _fill(report, PLANNERS[kind](table, scope))
    return report


def import_apply(
    *,
    kind: str,
    table: Table,
    actor: Any,
    provider: Provider | None = None,
    agency: Agency | None = None,
) -> ImportReport:
    """Check ``table`` and, when every row is valid, write all of it in one transaction.

    Returns the report; ``report.applied`` says whether anything was written. The affected
    officers' compliance is recomputed once the transaction commits.
    """
    scope = _scope(kind, actor, provider, agency)
    report = _report(kind, table)
    report.dry_run = False
    if table.unreadable:
        return report
    file_name = table.name
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                _lock(kind, scope)
                plan = PLANNERS[kind](table, scope)
                _fill(report, plan)
                if plan.errors:
                    return report
                batch = ImportBatch.objects.create(
                    kind=kind,
                    file_name=file_name[:255],
                    sha256=report.sha256,
                    submitted_by=actor,
                    provider=scope.provider,
                    agency=scope.agency,
                    rows=report.rows,
                )
                added, found_present = plan.write(batch=batch, actor=actor)
                batch.added = added
                batch.already_present = len(plan.already_present) + found_present
                batch.save(update_fields=["added", "already_present", "updated_at"])
                record_event(
                    actor=actor,
                    action=AuditAction(f"imports.{kind}_apply"),
                    target=batch,
                    summary=f"applied {file_name}: {added} added, {batch.already_present} already on file",
                    data={"rows": report.rows, "added": added, "already_present": batch.already_present},
                )
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            continue
        report.applied = True
        report.batch = batch
        return report
    raise AssertionError("unreachable")  # pragma: no cover


def _scope(kind: str, actor: Any, provider: Provider | None, agency: Agency | None) -> Scope:
    """Who imports what for whom; refuses what the actor may not do (``actor`` None: the
    operator at the command line, who may do anything)."""
    if kind not in PLANNERS:
        raise ServiceError(f"{kind!r} is not a kind of import ({', '.join(KINDS)})", field="kind")
    if provider is not None and agency is not None:
        raise ServiceError("name a provider or an agency, not both", field="provider")
    role = getattr(actor, "role", None)
    statewide = actor is None or bool(getattr(actor, "is_statewide", False))
    if kind == Kind.ROSTER:
        if provider is None and agency is None:
            raise ServiceError("a roster comes from a provider or an agency: name one", field="provider")
        if not statewide:
            own_provider = provider is not None and role == "provider" and actor.provider_id == provider.pk
            own_agency = role == "agency_admin" and actor.agency_id is not None
            own_agency = own_agency and (
                (agency is not None and actor.agency_id == agency.pk)
                or (provider is not None and provider.agency_id == actor.agency_id)
            )
            if not (own_provider or own_agency):
                raise ServiceError("this account may not report completions for them", field="provider")
    elif kind == Kind.COMMISSIONS:
        if provider is not None:
            raise ServiceError("commissions are an agency's, not a provider's", field="provider")
        if not statewide:
            if role != "agency_admin" or actor.agency_id is None:
                raise ServiceError("this account may not import commissions", field="kind")
            if agency is not None and agency.pk != actor.agency_id:
                raise ServiceError("this account may not import that agency's commissions", field="agency")
            agency = actor.agency
    else:
        if provider is not None or agency is not None:
            raise ServiceError(f"a file of {kind} is statewide: name no provider or agency", field="provider")
        if not statewide:
            raise ServiceError(f"only POST staff import {kind}", field="kind")
    return Scope(actor=actor, provider=provider, agency=agency, today=timezone.localdate())


def _report(kind: str, table: Table) -> ImportReport:
    report = ImportReport(kind=kind, file_name=table.name, sha256=table.sha256)
    earlier = ImportBatch.objects.filter(kind=kind, sha256=report.sha256).order_by("-created_at").first()
    if earlier is not None:
        report.earlier_batch_id, report.earlier_batch_at = earlier.pk, earlier.created_at
    if table.unreadable:
        report.errors = list(table.errors)
        report.unreadable = True
    else:
        report.rows = len(table.rows)
    return report


def _fill(report: ImportReport, plan: Plan) -> None:
    report.errors = sorted(plan.errors, key=lambda e: e.row or 0)
    report.to_add = plan.to_add
    report.already_present = plan.already_present


def _lock(kind: str, scope: Scope) -> None:
    """Make imports that could write the same rows wait for each other (PostgreSQL).

    Transaction-level advisory locks, taken in a fixed order, released at commit or
    rollback. The second import then sees the first one's rows as already on file. SQLite
    needs none: its transactions begin IMMEDIATE, one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    keys: Iterable[tuple[str, int]] = lock_keys(scope) if kind == Kind.ROSTER else [(f"onboarding-{kind}", 0)]
    with connection.cursor() as cursor:
        for name, number in sorted(keys):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s::int4, %s::int4)", [_lock_class(name), number % 2**31]
            )


def _lock_class(name: str) -> int:
    """A stable 32-bit signed number for a lock name (the first key of a two-key lock)."""
    return zlib.crc32(f"clee.imports.{name}".encode()) - 2**31
