"""Writes about providers, their courses (with the split of hours) and offerings.

Each ``*_save`` takes an instance carrying the wanted values (new or already stored), checks
it, stores it and writes one audit row naming the acting user with what changed. The
``*_validate`` checks are public so a form can show the same refusal before anything is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from clee.compliance.outbox import results_mark_stale
from clee.compliance.records import training_records_add
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.changes import changes, plain, refuse_invalid, snapshot
from clee.core.choices import CoreArea, ProviderCredit, Source, Subject, Topic
from clee.core.documents import document_store
from clee.core.errors import ServiceError
from clee.core.wording import day_text, ends_before
from clee.providers.models import (
    Course,
    CourseDocument,
    CoursePortion,
    Offering,
    OfferingInstructor,
    Provider,
    RecognizedCourse,
)
from clee.training.models import CreditLine, TrainingRecord
from clee.training.services import LineSpec, RecordEntry, course_lines

if TYPE_CHECKING:
    from clee.accounts.models import User

PROVIDER_FIELDS = (
    "number",
    "name",
    "kind",
    "credit_class",
    "agency",
    "state",
    "approved_from",
    "approved_until",
)
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
OFFERING_FIELDS = ("course", "starts_on", "ends_on", "location")

# The class of credit a provider's courses earn unless POST decides otherwise (15.030-15.060;
# seed 001: out-of-state and college credit count as Approved Provider credit, military as
# Licensed Provider credit).
DEFAULT_CREDIT_CLASS: dict[str, str] = {
    Provider.Kind.LICENSED: ProviderCredit.APPROVED,
    Provider.Kind.IN_SERVICE: ProviderCredit.LICENSED,
    Provider.Kind.OUT_OF_STATE: ProviderCredit.APPROVED,
    Provider.Kind.COLLEGE: ProviderCredit.APPROVED,
    Provider.Kind.MILITARY: ProviderCredit.LICENSED,
}


def hours_text(hours: Decimal | float) -> str:
    """Hours as people write them: ``4``, ``2.5``."""
    return str(plain(Decimal(str(hours))))


# The audit actions of adding and of changing each kind of row _audit_save writes.
SAVE_ACTIONS: dict[str, tuple[AuditAction, AuditAction]] = {
    "provider": (AuditAction.PROVIDER_CREATE, AuditAction.PROVIDER_UPDATE),
    "course": (AuditAction.COURSE_CREATE, AuditAction.COURSE_UPDATE),
    "offering": (AuditAction.OFFERING_CREATE, AuditAction.OFFERING_UPDATE),
    "recognized_course": (AuditAction.RECOGNIZED_COURSE_CREATE, AuditAction.RECOGNIZED_COURSE_UPDATE),
}


def _audit_save(
    *,
    target: Any,
    kind: str,
    created: bool,
    before: dict[str, Any],
    after: dict[str, Any],
    acting_user: User | None,
) -> None:
    added, updated = SAVE_ACTIONS[kind]
    if created:
        record_event(
            actor=acting_user,
            action=added,
            target=target,
            summary=f"added {kind} {target}",
            data={"values": after},
        )
        return
    changed = changes(before, after)
    if changed:
        record_event(
            actor=acting_user,
            action=updated,
            target=target,
            summary=f"changed {', '.join(changed)} of {kind} {target}",
            data={"changes": changed},
        )


# Providers ------------------------------------------------------------------------------


def provider_validate(provider: Provider) -> None:
    """Refuse a provider the program cannot use; the ServiceError names the field.

    The model's own checks (a taken number, field formats) are ``refuse_invalid``'s."""
    if provider.kind == Provider.Kind.IN_SERVICE and provider.agency_id is None:
        raise ServiceError("an agency in-service provider belongs to an agency: choose it", field="agency")
    if provider.kind == Provider.Kind.OUT_OF_STATE:
        if len(provider.state) != 2 or not provider.state.isalpha():
            raise ServiceError(
                "a recognized out-of-state source needs its state's two-letter code", field="state"
            )
        if provider.state == "MO":
            raise ServiceError("a Missouri provider is not an out-of-state source", field="state")
    if (
        provider.approved_from is not None
        and provider.approved_until is not None
        and provider.approved_until < provider.approved_from
    ):
        raise ServiceError(
            ends_before("approval", provider.approved_from, provider.approved_until),
            field="approved_until",
        )


@transaction.atomic
def provider_save(*, provider: Provider, acting_user: User | None) -> Provider:
    """Add or change a provider; its credit class defaults from its kind."""
    created = provider.pk is None
    before = (
        {} if created else snapshot(Provider.objects.select_for_update().get(pk=provider.pk), PROVIDER_FIELDS)
    )
    provider.number = provider.number.strip().upper()
    provider.name = provider.name.strip()
    provider.state = provider.state.strip().upper()
    if not provider.credit_class:
        provider.credit_class = DEFAULT_CREDIT_CLASS.get(provider.kind, ProviderCredit.LICENSED)
    provider_validate(provider)
    refuse_invalid(provider)
    after = snapshot(provider, PROVIDER_FIELDS)
    if created:
        provider.save()
    elif changes(before, after):
        provider.save(update_fields=[*changes(before, after), "updated_at"])
    _audit_save(
        target=provider, kind="provider", created=created, before=before, after=after, acting_user=acting_user
    )
    return provider


# Courses --------------------------------------------------------------------------------


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
    _audit_save(
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


# Offerings ------------------------------------------------------------------------------


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


@transaction.atomic
def offering_save(
    *, offering: Offering, instructors: Sequence[InstructorSpec] | None = None, acting_user: User | None
) -> Offering:
    """Add or change an offering, replacing its instructors when ``instructors`` is given.

    Once the offering has ended its instructors' credit is brought in line with what was saved
    (``offering_instructors_credit``): saving it again adds nothing, a change of hours taught
    corrects the credit, an instructor taken off loses it.
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
    _audit_save(
        target=offering,
        kind="offering",
        created=created,
        before=before,
        after=after,
        acting_user=acting_user,
    )
    offering_instructors_credit(offering=offering, acting_user=acting_user)
    return offering


# Instructors' credit ----------------------------------------------------------------------


@dataclass(frozen=True)
class InstructorCredit:
    """What bringing an offering's instruction credit in line changed, by count of records."""

    added: int = 0
    corrected: int = 0
    withdrawn: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.corrected or self.withdrawn)


def offering_ended(offering: Offering, today: dt.date | None = None) -> bool:
    """Whether the offering's last day has come (its instructors are then credited)."""
    return offering.ends_on <= (today or timezone.localdate())


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


# The catalog of recognized out-of-state courses -------------------------------------------------

RECOGNIZED_FIELDS = (
    "source",
    "provider_name",
    "number",
    "title",
    "hours",
    "delivery",
    "recommended_split",
    "recognized_from",
    "recognized_until",
    "notes",
)


def recognized_split(entry: RecognizedCourse) -> list[PortionSpec]:
    """A catalog entry's recommended split, as specs (what pre-fills a reviewer's decision)."""
    return [
        PortionSpec(
            core_area=part["core_area"],
            subject=part.get("subject", ""),
            hours=Decimal(str(part["hours"])),
            topics={topic: Decimal(str(hours)) for topic, hours in part.get("topics", {}).items()},
        )
        for part in entry.recommended_split
    ]


@transaction.atomic
def recognized_course_save(
    *, entry: RecognizedCourse, split: Sequence[PortionSpec], acting_user: User | None
) -> RecognizedCourse:
    """Add or change a catalog entry with its recommended split, which must account for every
    hour of the course."""
    created = entry.pk is None
    stored = None if created else RecognizedCourse.objects.select_for_update().get(pk=entry.pk)
    before = {} if stored is None else snapshot(stored, RECOGNIZED_FIELDS)
    entry.source = entry.source.strip().upper()
    entry.title = entry.title.strip()
    entry.provider_name = entry.provider_name.strip()
    entry.number = entry.number.strip().upper()
    if not entry.title:
        raise ServiceError("a course title is required", field="title")
    course_split_validate(hours=entry.hours, portions=split, approved=True)
    if entry.recognized_until is not None and entry.recognized_until < entry.recognized_from:
        raise ServiceError(
            ends_before("recognition", entry.recognized_from, entry.recognized_until),
            field="recognized_until",
        )
    entry.recommended_split = [p.as_dict() for p in split]
    refuse_invalid(entry)
    entry.save()
    _audit_save(
        target=entry,
        kind="recognized_course",
        created=created,
        before=before,
        after=snapshot(entry, RECOGNIZED_FIELDS),
        acting_user=acting_user,
    )
    return entry
