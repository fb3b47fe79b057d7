"""Writing training records: one bulk path used by forms, rosters, credit requests and the demo.

Every record is written with its credit lines and an audit row, in one transaction; a
completion already on file (same officer, course and date) is not added again; the officers
concerned are recomputed once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from clee.compliance.services import recompute_after_commit
from clee.core.audit import record_events
from clee.core.errors import ServiceError
from clee.providers.models import Course
from clee.training.models import CreditLine, ImportBatch, TrainingRecord


@dataclass(frozen=True)
class LineSpec:
    core_area: str
    hours: Decimal
    subject: str = ""
    topics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordEntry:
    """One completion to record. ``lines`` default to the course's portions."""

    officer_id: int
    completed_on: dt.date
    hours: Decimal
    source: str
    credit_class: str
    delivery: str
    lines: tuple[LineSpec, ...]
    course_id: int | None = None
    offering_id: int | None = None
    description: str = ""
    state: str = ""
    semester_hours: Decimal | None = None
    status: str = TrainingRecord.Status.ACCEPTED


@dataclass
class AddOutcome:
    added: list[TrainingRecord]
    already_present: int


def course_lines(course: Course, hours: Decimal | None = None) -> tuple[LineSpec, ...]:
    """The credit lines of ``hours`` of ``course`` (all of it by default), scaled by portion."""
    portions = list(course.portions.all())
    if not portions:
        raise ServiceError(f"course {course.number} has no split of its hours over core areas")
    scale = Decimal(1) if hours is None or hours == course.hours else hours / course.hours
    return tuple(
        LineSpec(
            core_area=p.core_area,
            subject=p.subject,
            hours=(p.hours * scale).quantize(Decimal("0.01")),
            topics={k: float(Decimal(str(v)) * scale) for k, v in p.topics.items()},
        )
        for p in portions
    )


@transaction.atomic
def training_records_add(
    *, entries: Sequence[RecordEntry], actor: Any, import_batch: ImportBatch | None = None, summary: str = ""
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
    records = TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                officer_id=e.officer_id,
                course_id=e.course_id,
                offering_id=e.offering_id,
                description=e.description,
                completed_on=e.completed_on,
                hours=e.hours,
                semester_hours=e.semester_hours,
                source=e.source,
                credit_class=e.credit_class,
                delivery=e.delivery,
                state=e.state,
                status=e.status,
                entered_by=actor,
                import_batch=import_batch,
            )
            for e in fresh
        ],
        batch_size=2000,
    )
    CreditLine.objects.bulk_create(
        [
            CreditLine(
                record=record,
                core_area=line.core_area,
                subject=line.subject,
                hours=line.hours,
                topics=line.topics,
            )
            for record, entry in zip(records, fresh, strict=True)
            for line in entry.lines
        ],
        batch_size=5000,
    )
    record_events(
        actor=actor,
        action="training.record_add",
        targets=list(records),
        summary=summary or "training record entered",
    )
    recompute_after_commit({e.officer_id for e in fresh}, {e.completed_on.year for e in fresh})
    return AddOutcome(added=records, already_present=len(entries) - len(fresh))
