"""Reads for the provider's pages: courses with their split in words, offerings with their
instructors' credit, completions recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from clee.core.choices import CoreArea, Source, Subject, Topic
from clee.core.models import AuditEvent
from clee.providers.models import Course, CoursePortion, Offering, Provider
from clee.providers.offerings import offering_ended
from clee.providers.services import hours_text
from clee.training.models import ImportBatch, TrainingRecord
from clee.workflows.instructor_credit import instruction_hours

STATUS_FILTERS: tuple[tuple[str, str], ...] = (
    ("", "All"),
    (Course.Status.PENDING, "Awaiting review"),
    (Course.Status.APPROVED, "Approved"),
    (Course.Status.DENIED, "Denied"),
    (Course.Status.WITHDRAWN, "Withdrawn"),
)


@dataclass(frozen=True)
class PortionRow:
    area: str
    subject: str
    hours: Decimal
    topics: list[tuple[str, str]]  # (topic label, hours as text)

    @property
    def text(self) -> str:
        """``Interpersonal Perspectives 2 h (De-escalation 1 h)``."""
        what = f"{self.area} – {self.subject}" if self.subject else self.area
        inside = (
            f" ({', '.join(f'{label} {hours} h' for label, hours in self.topics)})" if self.topics else ""
        )
        return f"{what} {hours_text(self.hours)} h{inside}"


def portion_rows(portions: list[CoursePortion]) -> list[PortionRow]:
    """A split in words, as people read it."""
    return [
        PortionRow(
            area=CoreArea(portion.core_area).label,
            subject=Subject(portion.subject).label if portion.subject else "",
            hours=portion.hours,
            topics=[
                (Topic(topic).label, hours_text(Decimal(str(hours))))
                for topic, hours in sorted(portion.topics.items())
                if topic in Topic.values
            ],
        )
        for portion in portions
    ]


def provider_courses(provider: Provider, *, status: str = "") -> QuerySet[Course]:
    """The provider's courses, awaiting review first, then by number."""
    courses = Course.objects.filter(provider=provider).prefetch_related("portions")
    if status:
        courses = courses.filter(status=status)
    return courses.order_by("number", "id")


def course_status_counts(provider: Provider) -> dict[str, int]:
    """How many of the provider's courses are in each status (and in all)."""
    totals = Course.objects.filter(provider=provider).aggregate(
        all=Count("id"), **{status: Count("id", filter=Q(status=status)) for status in Course.Status.values}
    )
    return {("" if key == "all" else key): value for key, value in totals.items()}


def approved_courses(provider: Provider) -> QuerySet[Course]:
    """The provider's approved courses (what can be offered), by number."""
    return Course.objects.filter(provider=provider, status=Course.Status.APPROVED).order_by("number", "id")


def history(target: Any, *, limit: int = 30) -> QuerySet[AuditEvent]:
    """The audit trail of ``target``, latest first."""
    return AuditEvent.objects.filter(object_type=target._meta.label_lower, object_id=str(target.pk)).order_by(
        "-created_at", "-id"
    )[:limit]


def provider_offerings(provider: Provider, *, course_id: int | None = None) -> QuerySet[Offering]:
    offerings = (
        Offering.objects.filter(course__provider=provider)
        .select_related("course")
        .annotate(instructor_count=Count("teaching"))
    )
    if course_id is not None:
        offerings = offerings.filter(course_id=course_id)
    return offerings


@dataclass(frozen=True)
class InstructorRow:
    license_number: str
    name: str
    hours_taught: Decimal
    credit: str
    credited: bool


def instructor_rows(offering: Offering, *, today: dt.date) -> list[InstructorRow]:
    """The offering's instructors, each with what their instruction credit is."""
    ended = offering_ended(offering, today)
    owed = instruction_hours(offering, today=today) if ended else {}
    records = {
        record.officer_id: record
        for record in TrainingRecord.objects.filter(
            offering=offering, source=Source.INSTRUCTION, status=TrainingRecord.Status.ACCEPTED
        )
    }
    rows = []
    for teaching in offering.teaching.select_related("officer").order_by(
        "officer__last_name", "officer__first_name"
    ):
        officer = teaching.officer
        record = records.get(officer.pk)
        if not ended:
            credit, credited = f"Credited after the last day ({offering.ends_on:%B %-d, %Y})", False
        elif record is not None:
            credit, credited = f"{hours_text(record.hours)} h credited", True
        elif officer.pk not in owed:
            credit = "No separate credit: recorded as a student of this course for the whole offering"
            credited = False
        else:
            credit, credited = "To be credited (the daily job will add it)", False
        rows.append(
            InstructorRow(
                license_number=officer.license_number,
                name=officer.full_name,
                hours_taught=teaching.hours_taught,
                credit=credit,
                credited=credited,
            )
        )
    return rows


def offering_completions(offering: Offering) -> QuerySet[TrainingRecord]:
    """The completions of the offering's course recorded within its dates."""
    return (
        TrainingRecord.objects.filter(
            course_id=offering.course_id,
            source=Source.COURSE,
            completed_on__gte=offering.starts_on,
            completed_on__lte=offering.ends_on,
        )
        .select_related("officer")
        .order_by("officer__last_name", "officer__first_name", "id")
    )


def roster_batches(provider: Provider) -> QuerySet[ImportBatch]:
    """The rosters the provider sent, latest first."""
    return (
        ImportBatch.objects.filter(provider=provider, kind=ImportBatch.Kind.ROSTER)
        .select_related("submitted_by")
        .order_by("-created_at", "-id")
    )


def batch_records(batch: ImportBatch) -> QuerySet[TrainingRecord]:
    """The completions a roster recorded, in the roster's order."""
    return (
        TrainingRecord.objects.filter(import_batch=batch).select_related("officer", "course").order_by("id")
    )
