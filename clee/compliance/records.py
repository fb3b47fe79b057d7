"""Writing training records: one bulk path used by forms, rosters, credit requests and the demo;
and POST staff's reversal of a credit.

Every record is written with its credit lines and an audit row, in one transaction; a
completion already on file (same officer, course and date) is not added again; the officers
concerned are recomputed once the transaction commits. These writes live here, not in
``clee.training``, because each one marks the compliance results it changes stale in its own
transaction (``clee.compliance.outbox``); the imports, workflows and pages above call them
(issue 15).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from clee.compliance.outbox import results_mark_stale
from clee.core.actions import AuditAction
from clee.core.audit import record_event, record_events_by_id
from clee.core.bulk import insert_rows, insert_rows_returning_ids
from clee.core.errors import ServiceError
from clee.training.models import CreditLine, ImportBatch, RecordReversal, TrainingRecord
from clee.training.services import RecordEntry

if TYPE_CHECKING:
    from clee.accounts.models import User

RECORD_COLUMNS = (
    "officer_id",
    "course_id",
    "offering_id",
    "description",
    "completed_on",
    "hours",
    "semester_hours",
    "source",
    "credit_class",
    "delivery",
    "state",
    "status",
    "review_note",
    "entered_by_id",
    "import_batch_id",
    "recognized_by",
    "created_at",
    "updated_at",
)


@dataclass
class AddOutcome:
    """The keys of the records added (in entry order) and how many were already on file."""

    record_ids: list[int]
    already_present: int

    @cached_property
    def added(self) -> list[TrainingRecord]:
        """The added records, read back when a caller needs instances."""
        by_id = TrainingRecord.objects.in_bulk(self.record_ids)
        return [by_id[pk] for pk in self.record_ids]


@transaction.atomic
def training_records_add(
    *,
    entries: Sequence[RecordEntry],
    actor: User | None,
    import_batch: ImportBatch | None = None,
    summary: str = "",
) -> AddOutcome:
    """Record completions in bulk; completions already on file are counted, not added."""
    for entry in entries:
        total = sum((line.hours for line in entry.lines), Decimal(0))
        if abs(total - entry.hours) > Decimal("0.011"):
            raise ServiceError(f"the credit lines add up to {total} hours, not {entry.hours}", field="hours")
    course_keys = {(e.officer_id, e.course_id, e.completed_on) for e in entries if e.course_id is not None}
    existing: set[tuple[int, int | None, dt.date]] = set()
    if course_keys:
        officer_ids = {k[0] for k in course_keys}
        existing = set(
            TrainingRecord.objects.filter(
                officer_id__in=officer_ids, course_id__in={k[1] for k in course_keys}
            ).values_list("officer_id", "course_id", "completed_on")
        )
    fresh: list[RecordEntry] = []
    seen: set[tuple[int, int | None, dt.date]] = set()
    for entry in entries:
        key = (entry.officer_id, entry.course_id, entry.completed_on)
        if entry.course_id is not None and (key in existing or key in seen):
            continue
        seen.add(key)
        fresh.append(entry)
    # Plain rows, not model instances: a 10,000-row roster would spend more time building
    # instances than the database spends storing them.
    now = timezone.now()
    actor_id = None if actor is None else actor.pk
    batch_id = None if import_batch is None else import_batch.pk
    record_ids = insert_rows_returning_ids(
        TrainingRecord,
        RECORD_COLUMNS,
        [
            (
                e.officer_id,
                e.course_id,
                e.offering_id,
                e.description,
                e.completed_on,
                e.hours,
                e.semester_hours,
                e.source,
                e.credit_class,
                e.delivery,
                e.state,
                e.status,
                e.review_note,
                actor_id,
                batch_id,
                e.recognized_by,
                now,
                now,
            )
            for e in fresh
        ],
    )
    insert_rows(
        CreditLine,
        ("record_id", "core_area", "subject", "hours", "topics"),
        [
            (record_id, line.core_area, line.subject, line.hours, line.topics)
            for record_id, entry in zip(record_ids, fresh, strict=True)
            for line in entry.lines
        ],
    )
    record_events_by_id(
        actor=actor,
        action=AuditAction.TRAINING_RECORD_ADD,
        model=TrainingRecord,
        ids=record_ids,
        summary=summary or "training record entered",
    )
    results_mark_stale(
        {e.officer_id for e in fresh}, {e.completed_on.year for e in fresh}, reason="training recorded"
    )
    return AddOutcome(record_ids=record_ids, already_present=len(entries) - len(fresh))


# Reversing a credit -------------------------------------------------------------------------


@transaction.atomic
def training_record_reverse(*, record: TrainingRecord, reason: str, acting_user: User) -> TrainingRecord:
    """POST staff take back an accepted record (entered in error, a roster corrected, fraud):
    it becomes rejected, with the reason the officer sees, and the officer's period is
    recomputed. Returns the record."""
    if getattr(acting_user, "role", None) != "post_staff":
        raise ServiceError("only POST staff reverse a credit")
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError("say why the credit is reversed: the officer sees the reason", field="reason")
    if len(reason) > 300:
        raise ServiceError(
            f"the reason must be at most 300 characters (it has {len(reason)})", field="reason"
        )
    record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != TrainingRecord.Status.ACCEPTED:
        raise ServiceError(
            f"this record is {record.get_status_display().lower()}: only an accepted credit is reversed"
        )
    record.status = TrainingRecord.Status.REJECTED
    record.save(update_fields=["status", "updated_at"])
    RecordReversal.objects.create(
        record=record, reason=reason, reversed_by=acting_user, reversed_at=timezone.now()
    )
    record_event(
        actor=acting_user,
        action=AuditAction.TRAINING_RECORD_REVERSE,
        target=record,
        summary=f"credit reversed ({record.hours} h on {record.completed_on}): {reason}",
        data={"officer_id": record.officer_id, "reason": reason},
    )
    year = record.completed_on.year if record.applied_to_year is None else record.applied_to_year
    results_mark_stale(
        {record.officer_id}, {year, record.completed_on.year}, reason="training record reversed"
    )
    return record
