"""Instructors' credit: one hour of credit per hour taught (seed 001), as training records of
the instructors, kept in line with each offering's instructors and hours taught.

An offering saved (``offering_save_and_credit``), a provider's roster applied
(``clee.workflows.provider_rosters``) and the daily job (``instructors_credit_due``) all bring
an offering's instruction records in line here and mark the results they change stale: in the
transaction of the save or the roster, one transaction per offering for the job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from clee.compliance.outbox import results_mark_stale
from clee.compliance.records import training_records_add
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.choices import Source
from clee.providers.models import Course, Offering
from clee.providers.offerings import InstructorSpec, offering_ended, offering_save
from clee.providers.services import hours_text
from clee.training.models import CreditLine, TrainingRecord
from clee.training.services import LineSpec, RecordEntry, course_lines

if TYPE_CHECKING:
    from clee.accounts.models import User


@transaction.atomic
def offering_save_and_credit(
    *, offering: Offering, instructors: Sequence[InstructorSpec] | None = None, acting_user: User | None
) -> Offering:
    """Add or change an offering (``offering_save``), replacing its instructors when
    ``instructors`` is given; returns it.

    Once the offering has ended its instructors' credit is brought in line with what was saved
    (``offering_instructors_credit``): saving it again adds nothing, a change of hours taught
    corrects the credit, an instructor taken off loses it.
    """
    offering = offering_save(offering=offering, instructors=instructors, acting_user=acting_user)
    offering_instructors_credit(offering=offering, acting_user=acting_user)
    return offering


@dataclass(frozen=True)
class InstructorCredit:
    """What bringing an offering's instruction credit in line changed, by count of records."""

    added: int = 0
    corrected: int = 0
    withdrawn: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.corrected or self.withdrawn)


def instruction_hours(offering: Offering, *, today: dt.date | None = None) -> dict[int, Decimal]:
    """officer id -> the hours of instruction credit each instructor of ``offering`` is owed now.

    One hour per hour taught (seed 001), once the offering has ended. An instructor the
    offering's course is also recorded for as a student (an accepted completion of that course
    within the offering's dates) is owed only what the course's hours leave over: nobody earns
    more hours from one offering than it has, so the same hours never count twice.
    """
    if not offering_ended(offering, today):
        return {}
    course = offering.course
    taught = {t.officer_id: t.hours_taught for t in offering.teaching.all()}
    attended = dict(
        TrainingRecord.objects.filter(
            officer_id__in=list(taught),
            course_id=course.pk,
            source=Source.COURSE,
            status=TrainingRecord.Status.ACCEPTED,
            completed_on__gte=offering.starts_on,
            completed_on__lte=offering.ends_on,
        )
        .values("officer_id")
        .annotate(hours=Sum("hours"))
        .values_list("officer_id", "hours")
    )
    owed = {}
    for officer_id, hours_taught in taught.items():
        hours = min(hours_taught, course.hours - attended.get(officer_id, Decimal(0)))
        if hours > 0:
            owed[officer_id] = hours
    return owed


def instruction_lines(course: Course, hours: Decimal) -> tuple[LineSpec, ...]:
    """The credit lines of ``hours`` of teaching ``course``: its split scaled to those hours,
    the rounding to the hundredth given to the largest line so the lines add up exactly."""
    lines = list(course_lines(course, hours))
    difference = hours - sum((line.hours for line in lines), Decimal(0))
    if difference and lines:
        largest = max(range(len(lines)), key=lambda index: lines[index].hours)
        line = lines[largest]
        lines[largest] = LineSpec(
            core_area=line.core_area, subject=line.subject, hours=line.hours + difference, topics=line.topics
        )
    return tuple(lines)


@transaction.atomic
def offering_instructors_credit(
    *, offering: Offering, acting_user: User | None, today: dt.date | None = None
) -> InstructorCredit:
    """Bring the instruction credit of ``offering``'s instructors in line with who taught it
    and for how many hours; returns what changed (nothing, when run again).

    Each instructor holds at most one instruction record for an offering (found by offering,
    officer and the source "instruction", under a lock on the offering): it is added once the
    offering has ended, corrected when the hours owed or the offering's last day change, and
    withdrawn (rejected, kept on file) when the instructor is taken off the offering or the
    hours are already counted as a student's. Safe to run any number of times (a daily job).
    """
    offering = Offering.objects.select_for_update().select_related("course__provider").get(pk=offering.pk)
    course = offering.course
    owed = instruction_hours(offering, today=today)
    records: dict[int, TrainingRecord] = {}
    extra: list[TrainingRecord] = []
    for record in TrainingRecord.objects.filter(offering=offering, source=Source.INSTRUCTION).order_by("id"):
        if record.officer_id in records:
            extra.append(record)
        else:
            records[record.officer_id] = record
    what = f"teaching {course.number} {course.title}"
    entries: list[RecordEntry] = []
    corrected = withdrawn = 0
    touched: set[int] = set()
    years: set[int] = set()
    for officer_id, hours in sorted(owed.items()):
        kept = records.get(officer_id)
        if kept is None:
            entries.append(
                RecordEntry(
                    officer_id=officer_id,
                    completed_on=offering.ends_on,
                    hours=hours,
                    source=Source.INSTRUCTION,
                    credit_class=course.provider.credit_class,
                    delivery=course.delivery,
                    lines=instruction_lines(course, hours),
                    offering_id=offering.pk,
                    description=f"Taught {course.number} {course.title}"[:200],
                )
            )
            continue
        year_before = kept.completed_on.year
        if _instruction_record_correct(
            kept, hours=hours, completed_on=offering.ends_on, course=course, acting_user=acting_user
        ):
            corrected += 1
            touched.add(officer_id)
            years.add(year_before)
    for record in [*extra, *(r for officer_id, r in records.items() if officer_id not in owed)]:
        if record.status == TrainingRecord.Status.REJECTED:
            continue
        record.status = TrainingRecord.Status.REJECTED
        record.save(update_fields=["status", "updated_at"])
        record_event(
            actor=acting_user,
            action=AuditAction.TRAINING_RECORD_WITHDRAW,
            target=record,
            summary=f"instruction credit withdrawn ({what}, offering {offering.pk}): no longer owed",
            data={"offering": offering.pk, "hours": hours_text(record.hours)},
        )
        withdrawn += 1
        touched.add(record.officer_id)
        years.add(record.completed_on.year)
    if entries:
        training_records_add(
            entries=entries, actor=acting_user, summary=f"instruction credit: {what} (offering {offering.pk})"
        )
    outcome = InstructorCredit(added=len(entries), corrected=corrected, withdrawn=withdrawn)
    if outcome.changed:
        record_event(
            actor=acting_user,
            action=AuditAction.OFFERING_INSTRUCTORS_CREDIT,
            target=offering,
            summary=(
                f"instruction credit of offering {offering.pk}: {outcome.added} added, "
                f"{outcome.corrected} corrected, {outcome.withdrawn} withdrawn"
            ),
            data={"owed": {str(officer_id): hours_text(hours) for officer_id, hours in owed.items()}},
        )
    # training_records_add recomputes the officers it added for; the others are ours to.
    results_mark_stale(touched, years | {offering.ends_on.year}, reason="instructors credited")
    return outcome


def _instruction_record_correct(
    record: TrainingRecord, *, hours: Decimal, completed_on: dt.date, course: Course, acting_user: User | None
) -> bool:
    """Correct one instructor's record to ``hours`` on ``completed_on`` (accepted); returns
    whether anything changed. The credit lines follow the hours."""
    changed: dict[str, list[Any]] = {}
    if record.hours != hours:
        changed["hours"] = [hours_text(record.hours), hours_text(hours)]
    if record.completed_on != completed_on:
        changed["completed_on"] = [record.completed_on.isoformat(), completed_on.isoformat()]
    if record.status != TrainingRecord.Status.ACCEPTED:
        changed["status"] = [str(record.status), str(TrainingRecord.Status.ACCEPTED)]
    if not changed:
        return False
    if "hours" in changed or "status" in changed:
        record.lines.all().delete()
        CreditLine.objects.bulk_create(
            [
                CreditLine(
                    record=record,
                    core_area=line.core_area,
                    subject=line.subject,
                    hours=line.hours,
                    topics=line.topics,
                )
                for line in instruction_lines(course, hours)
            ]
        )
    record.hours, record.completed_on = hours, completed_on
    record.status = TrainingRecord.Status.ACCEPTED
    record.save(update_fields=["hours", "completed_on", "status", "updated_at"])
    record_event(
        actor=acting_user,
        action=AuditAction.TRAINING_RECORD_CORRECT,
        target=record,
        summary=f"instruction credit corrected: {', '.join(changed)}",
        data={"changes": changed, "offering": record.offering_id},
    )
    return True


def instructors_credit_due(*, today: dt.date | None = None, acting_user: User | None = None) -> int:
    """The daily job: bring the instruction credit of every offering with instructors that
    ended since the start of last year up to date; returns how many offerings changed.

    Catches offerings that ended after they were last saved, and completions recorded later
    by another path (an agency's roster) for an instructor of the same offering.
    """
    today = today or timezone.localdate()
    offering_ids = list(
        Offering.objects.filter(ends_on__gte=dt.date(today.year - 1, 1, 1), ends_on__lte=today)
        .filter(teaching__isnull=False)
        .distinct()
        .order_by("ends_on", "id")
        .values_list("id", flat=True)
    )
    changed = 0
    # One transaction per offering: a failure leaves the others credited, and a rerun finishes.
    for offering_id in offering_ids:
        offering = Offering(pk=offering_id)
        if offering_instructors_credit(offering=offering, acting_user=acting_user, today=today).changed:
            changed += 1
    return changed
