"""Writes about offerings: a course given on given days, with its instructors and the hours
each taught. An offering's instructors are credited by ``clee.workflows.instructor_credit``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from clee.core.changes import refuse_invalid, snapshot
from clee.core.errors import ServiceError
from clee.core.wording import day_text, ends_before
from clee.providers.models import Course, Offering, OfferingInstructor
from clee.providers.services import audit_save, hours_text

if TYPE_CHECKING:
    from clee.accounts.models import User

OFFERING_FIELDS = ("course", "starts_on", "ends_on", "location")


@dataclass(frozen=True)
class InstructorSpec:
    officer_id: int
    hours_taught: Decimal


def instructors_validate(course: Course, instructors: Sequence[InstructorSpec]) -> None:
    """Refuse an instructor listed twice or credited more hours than the course has."""
    seen: set[int] = set()
    for instructor in instructors:
        if instructor.officer_id in seen:
            raise ServiceError("an instructor is listed twice", field="instructors")
        seen.add(instructor.officer_id)
        if instructor.hours_taught <= 0 or instructor.hours_taught > course.hours:
            raise ServiceError(
                f"hours taught must be more than 0 and at most the course's {hours_text(course.hours)} hours",
                field="instructors",
            )


def offering_validate(offering: Offering, instructors: Sequence[InstructorSpec]) -> None:
    """Refuse an offering outside its course's approval or with impossible teaching hours."""
    if offering.course_id is None:
        raise ServiceError("an offering is of a course: choose it", field="course")
    if offering.starts_on and offering.ends_on and offering.ends_on < offering.starts_on:
        raise ServiceError(
            ends_before("offering", offering.starts_on, offering.ends_on),
            field="ends_on",
        )
    course = offering.course
    if offering.starts_on and not course.approved_on(offering.starts_on):
        raise ServiceError(
            f"course {course.number} is not approved on {day_text(offering.starts_on)}: "
            "only approved courses are offered",
            field="course",
        )
    instructors_validate(course, instructors)


def offering_ended(offering: Offering, today: dt.date | None = None) -> bool:
    """Whether the offering's last day has come (its instructors are then credited)."""
    return offering.ends_on <= (today or timezone.localdate())


@transaction.atomic
def offering_save(
    *, offering: Offering, instructors: Sequence[InstructorSpec] | None = None, acting_user: User | None
) -> Offering:
    """Add or change an offering, replacing its instructors when ``instructors`` is given.

    The offering alone: pages and the back office save through
    ``clee.workflows.instructor_credit.offering_save_and_credit``, which also brings the
    instructors' credit in line with what was saved, in the same transaction.
    """
    created = offering.pk is None
    stored = None if created else Offering.objects.select_for_update().get(pk=offering.pk)
    before = {} if stored is None else snapshot(stored, OFFERING_FIELDS)
    stored_rows = {} if stored is None else {t.officer_id: t for t in stored.teaching.all()}
    old_teaching = sorted(
        (InstructorSpec(officer_id=t.officer_id, hours_taught=t.hours_taught) for t in stored_rows.values()),
        key=lambda i: i.officer_id,
    )
    new_teaching = old_teaching if instructors is None else sorted(instructors, key=lambda i: i.officer_id)
    offering.location = offering.location.strip()
    offering_validate(offering, new_teaching)
    refuse_invalid(offering)
    after = snapshot(offering, OFFERING_FIELDS)
    offering.save()
    if new_teaching != old_teaching:
        # Rows are changed in place, not replaced: an instructor kept on keeps their row.
        wanted = {i.officer_id: i.hours_taught for i in new_teaching}
        offering.teaching.exclude(officer_id__in=list(wanted)).delete()
        for officer_id, hours_taught in wanted.items():
            row = stored_rows.get(officer_id)
            if row is None:
                OfferingInstructor.objects.create(
                    offering=offering, officer_id=officer_id, hours_taught=hours_taught
                )
            elif row.hours_taught != hours_taught:
                row.hours_taught = hours_taught
                row.save(update_fields=["hours_taught"])
        before["instructors"] = {str(i.officer_id): hours_text(i.hours_taught) for i in old_teaching}
        after["instructors"] = {str(i.officer_id): hours_text(i.hours_taught) for i in new_teaching}
    audit_save(
        target=offering,
        kind="offering",
        created=created,
        before=before,
        after=after,
        acting_user=acting_user,
    )
    return offering
