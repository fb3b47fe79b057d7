"""Writes about courses: the split of their hours over core areas, their documents, their
submission by a provider and POST's review (``course_save`` and the checks a form shares)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.changes import refuse_invalid, snapshot
from clee.core.choices import CoreArea, Subject, Topic
from clee.core.documents import document_store
from clee.core.errors import ServiceError
from clee.core.wording import ends_before
from clee.providers.models import Course, CourseDocument, CoursePortion
from clee.providers.services import audit_save, hours_text

if TYPE_CHECKING:
    from clee.accounts.models import User

COURSE_FIELDS = (
    "provider",
    "number",
    "title",
    "hours",
    "delivery",
    "synopsis",
    "learning_objectives",
    "status",
    "approved_from",
    "approved_until",
    "decision_reason",
)


@dataclass(frozen=True)
class PortionSpec:
    """Hours of a course in one core area (and subject), with the topic hours inside them."""

    core_area: str
    hours: Decimal
    subject: str = ""
    topics: Mapping[str, Decimal] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The portion in plain values (``2`` and ``2.00`` hours written alike)."""
        return {
            "core_area": self.core_area,
            "subject": self.subject,
            "hours": hours_text(self.hours),
            "topics": {topic: hours_text(hours) for topic, hours in sorted(self.topics.items())},
        }


@dataclass(frozen=True)
class DocumentUpload:
    """A file sent with a course (synopsis, instructor record, sample certificate, ...)."""

    kind: str
    name: str
    content: bytes


def portion_validate(portion: PortionSpec, *, number: int | None = None) -> None:
    """Refuse a portion whose area, subject or topic hours cannot be a credit line."""
    where = f"portion {number}: " if number is not None else ""
    if portion.core_area not in CoreArea.values:
        raise ServiceError(f"{where}{portion.core_area!r} is not a core area", field="portions")
    if portion.subject and portion.subject not in Subject.values:
        raise ServiceError(f"{where}{portion.subject!r} is not a subject", field="portions")
    # Firearms is a designated subject inside Skill Development (11 CSR 75-15.020).
    if portion.subject == Subject.FIREARMS and portion.core_area != CoreArea.SKILL_DEVELOPMENT:
        raise ServiceError(f"{where}Firearms is a subject of Skill Development only", field="portions")
    if portion.hours <= 0:
        raise ServiceError(f"{where}the hours must be more than 0", field="portions")
    for topic, topic_hours in portion.topics.items():
        if topic not in Topic.values:
            raise ServiceError(f"{where}{topic!r} is not a topic", field="portions")
        if topic_hours <= 0:
            raise ServiceError(f"{where}{Topic(topic).label} hours must be more than 0", field="portions")
    topic_total = sum(portion.topics.values(), Decimal(0))
    # Topic hours are a part of the portion's hours, not extra hours (seed 001).
    if topic_total > portion.hours:
        raise ServiceError(
            f"{where}the topic hours ({hours_text(topic_total)}) are more than the portion's "
            f"{hours_text(portion.hours)} hours: topic hours are part of a portion's hours, not extra",
            field="portions",
        )


def course_split_validate(*, hours: Decimal | None, portions: Sequence[PortionSpec], approved: bool) -> None:
    """Refuse a split of a course's hours over core areas that does not account for every hour.

    A course awaiting review may have no split yet (POST assigns the core areas); an approved
    course must have one, since each portion becomes a credit line of every completion.
    """
    for number, portion in enumerate(portions, start=1):
        portion_validate(portion, number=number)
    if not portions:
        if approved:
            raise ServiceError(
                "an approved course needs the split of its hours over core areas: add its portions",
                field="portions",
            )
        return
    total = sum((p.hours for p in portions), Decimal(0))
    if hours is not None and total != hours:
        raise ServiceError(
            f"the portions add up to {hours_text(total)} hours but the course is {hours_text(hours)} "
            "hours: the split over core areas must account for every hour of the course",
            field="portions",
        )


def course_details_validate(course: Course) -> None:
    """Refuse a course whose own fields are wrong (its approval window, its number)."""
    if course.status == Course.Status.APPROVED and course.approved_from is None:
        raise ServiceError("an approved course needs the first day of its approval", field="approved_from")
    if (
        course.approved_from is not None
        and course.approved_until is not None
        and course.approved_until < course.approved_from
    ):
        raise ServiceError(
            ends_before("approval", course.approved_from, course.approved_until),
            field="approved_until",
        )


def course_validate(course: Course, portions: Sequence[PortionSpec]) -> None:
    """Refuse a course whose fields or split of hours are wrong."""
    course_details_validate(course)
    course_split_validate(
        hours=course.hours, portions=portions, approved=course.status == Course.Status.APPROVED
    )


def course_portions(course: Course) -> list[PortionSpec]:
    """A stored course's split, as specs."""
    return [
        PortionSpec(
            core_area=p.core_area,
            subject=p.subject,
            hours=p.hours,
            topics={topic: Decimal(str(hours)) for topic, hours in p.topics.items()},
        )
        for p in course.portions.all()
    ]


@transaction.atomic
def course_save(
    *,
    course: Course,
    portions: Sequence[PortionSpec] | None = None,
    documents: Sequence[DocumentUpload] = (),
    acting_user: User | None,
) -> Course:
    """Add or change a course, replacing its split of hours when ``portions`` is given and
    adding ``documents``. A change of status to a decision records who decided and when.

    Completions already recorded keep the credit lines they were given.
    """
    created = course.pk is None
    stored = None if created else Course.objects.select_for_update().get(pk=course.pk)
    before = {} if stored is None else snapshot(stored, COURSE_FIELDS)
    old_split = [] if stored is None else course_portions(stored)
    new_split = old_split if portions is None else list(portions)
    course.number = course.number.strip().upper()
    course.title = course.title.strip()
    course_validate(course, new_split)
    refuse_invalid(course)
    now = timezone.now()
    if created:
        course.submitted_by = course.submitted_by or acting_user
        course.submitted_at = course.submitted_at or now
    if course.status != Course.Status.PENDING and (stored is None or stored.status != course.status):
        course.decided_by, course.decided_at = acting_user, now
    after = snapshot(course, COURSE_FIELDS)
    course.save()
    split_changed = [p.as_dict() for p in new_split] != [p.as_dict() for p in old_split]
    if split_changed:
        course.portions.all().delete()
        CoursePortion.objects.bulk_create(
            [
                CoursePortion(
                    course=course,
                    core_area=p.core_area,
                    subject=p.subject,
                    hours=p.hours,
                    topics={topic: float(hours) for topic, hours in p.topics.items()},
                )
                for p in new_split
            ]
        )
    for upload in documents:
        if upload.kind not in CourseDocument.Kind.values:
            raise ServiceError(f"{upload.kind!r} is not a kind of course document", field="documents")
        document = document_store(content=upload.content, original_name=upload.name, actor=acting_user)
        CourseDocument.objects.create(course=course, kind=upload.kind, document=document)
    if split_changed:
        before["portions"] = [p.as_dict() for p in old_split]
        after["portions"] = [p.as_dict() for p in new_split]
    if documents:
        after["documents_added"] = [f"{upload.kind}: {upload.name}" for upload in documents]
    audit_save(
        target=course, kind="course", created=created, before=before, after=after, acting_user=acting_user
    )
    return course


# Documents a provider sends with a course submitted for approval, besides its synopsis and
# learning objectives (seed 001: "the instructor's record, learning objectives, sample certificate").
SUBMISSION_DOCUMENTS = (CourseDocument.Kind.INSTRUCTOR_RECORD, CourseDocument.Kind.SAMPLE_CERTIFICATE)


@transaction.atomic
def course_submit(
    *,
    course: Course,
    portions: Sequence[PortionSpec],
    documents: Sequence[DocumentUpload] = (),
    acting_user: User | None,
) -> Course:
    """A provider's course submitted for POST's approval, or corrected while it awaits review;
    returns the course, awaiting review, with its proposed split and documents.

    Beyond ``course_save``'s checks: a synopsis, learning objectives, a proposed split, an
    instructor record and a sample certificate (sent now or before), a number the provider has
    not used, and a provider approved today.
    """
    if course.pk is not None:
        stored = Course.objects.select_for_update().get(pk=course.pk)
        if stored.status != Course.Status.PENDING:
            raise ServiceError(
                f"only a course awaiting review can be corrected; this one is "
                f"{stored.get_status_display().lower()}"
            )
        if stored.provider_id != course.provider_id:
            raise ServiceError("a course stays with the provider that submitted it", field="provider")
    provider = course.provider
    today = timezone.localdate()
    if not provider.approved_on(today):
        raise ServiceError(f"{provider.name} is not an approved provider today: it cannot submit courses")
    course.status = Course.Status.PENDING
    course.approved_from = course.approved_until = None
    course.decision_reason = ""
    course.synopsis = course.synopsis.strip()
    course.learning_objectives = course.learning_objectives.strip()
    if not course.synopsis:
        raise ServiceError("give a detailed synopsis of the course", field="synopsis")
    if not course.learning_objectives:
        raise ServiceError("give the course's learning objectives", field="learning_objectives")
    if not portions:
        raise ServiceError(
            "propose how the course's hours split over the core areas: fill in at least one row",
            field="portions",
        )
    number = course.number.strip().upper()
    taken = Course.objects.filter(provider_id=course.provider_id, number__iexact=number)
    if course.pk is not None:
        taken = taken.exclude(pk=course.pk)
    if number and taken.exists():
        raise ServiceError(f"{provider.name} already has a course numbered {number}", field="number")
    sent = {upload.kind for upload in documents}
    if course.pk is not None:
        sent.update(CourseDocument.objects.filter(course_id=course.pk).values_list("kind", flat=True))
    missing = [CourseDocument.Kind(kind).label.lower() for kind in SUBMISSION_DOCUMENTS if kind not in sent]
    if missing:
        raise ServiceError(f"attach the {' and the '.join(missing)}", field="documents")
    return course_save(course=course, portions=portions, documents=documents, acting_user=acting_user)


@transaction.atomic
def course_withdraw(*, course: Course, acting_user: User | None) -> Course:
    """Withdraw a course awaiting review (the provider no longer asks for its approval);
    returns it, withdrawn."""
    stored = Course.objects.select_for_update().get(pk=course.pk)
    if stored.status != Course.Status.PENDING:
        raise ServiceError(
            "only a course awaiting review can be withdrawn; this one is "
            f"{stored.get_status_display().lower()}"
        )
    stored.status = Course.Status.WITHDRAWN
    stored.save(update_fields=["status", "updated_at"])
    record_event(
        actor=acting_user,
        action=AuditAction.COURSE_WITHDRAW,
        target=stored,
        summary=f"withdrew course {stored} before review",
        data={"changes": {"status": [Course.Status.PENDING, Course.Status.WITHDRAWN]}},
    )
    return stored


# Review of submitted courses (POST staff) ---------------------------------------------------


@transaction.atomic
def course_decide(
    *,
    course: Course,
    approve: bool,
    reason: str,
    approved_from: dt.date | None = None,
    approved_until: dt.date | None = None,
    portions: Sequence[PortionSpec] | None = None,
    acting_user: User | None,
) -> Course:
    """Approve a course awaiting review (with its approval window and the split of its hours
    POST settles) or deny it with a reason the provider sees."""
    stored = Course.objects.select_for_update().get(pk=course.pk)
    if stored.status != Course.Status.PENDING:
        raise ServiceError(f"this course was already {stored.get_status_display().lower()}")
    reason = reason.strip()
    if not approve and not reason:
        raise ServiceError("a reason is required to deny a course", field="reason")
    if approve and approved_from is None:
        raise ServiceError("the first day of the approval is required", field="approved_from")
    stored.status = Course.Status.APPROVED if approve else Course.Status.DENIED
    stored.approved_from = approved_from if approve else None
    stored.approved_until = approved_until if approve else None
    stored.decision_reason = reason
    return course_save(course=stored, portions=portions, acting_user=acting_user)


@transaction.atomic
def course_window_change(
    *,
    course: Course,
    approved_from: dt.date | None,
    approved_until: dt.date | None,
    reason: str,
    acting_user: User | None,
) -> Course:
    """Move an approved course's approval window (end an approval, or extend it), with the
    reason the provider sees; audited as a change of the course."""
    stored = Course.objects.select_for_update().get(pk=course.pk)
    if stored.status != Course.Status.APPROVED:
        status = stored.get_status_display().lower()
        raise ServiceError(f"only an approved course has an approval window; this one is {status}")
    reason = reason.strip()
    if not reason:
        raise ServiceError("say why the approval window changes: the provider sees it", field="reason")
    if approved_from is None:
        raise ServiceError("the first day of the approval is required", field="approved_from")
    if (approved_from, approved_until) == (stored.approved_from, stored.approved_until):
        raise ServiceError("the approval window is already this one", field="approved_from")
    stored.approved_from = approved_from
    stored.approved_until = approved_until
    stored.decision_reason = reason
    return course_save(course=stored, acting_user=acting_user)
