"""An agency's in-service training (11 CSR 75-15.060): its in-service provider, the courses it
submits to POST for pre-approval, and the sessions it reports.

A session reported on a form is written through the same roster import as an uploaded file
(one row per officer), so a form and a file are checked alike, row by row, and applied all or
nothing; the same session sent twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Min, QuerySet
from django.utils import timezone

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.compliance.models import ReportingPeriod
from clee.compliance.outbox import results_mark_stale
from clee.compliance.preview import Effect, effect_now, preview_officers, results_now
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.choices import Delivery
from clee.core.errors import ServiceError
from clee.core.wording import day_text
from clee.imports.report import ImportReport
from clee.imports.roster import SPLIT_COLUMNS, TOPIC_COLUMNS
from clee.imports.services import import_apply
from clee.imports.tables import Table, table_from_rows
from clee.providers.courses import DocumentUpload, PortionSpec, course_save, portion_validate
from clee.providers.models import Course, Provider
from clee.providers.services import hours_text, provider_save
from clee.training.models import TrainingRecord

ZERO = Decimal(0)
# A session described here is written as a roster's ad-hoc row: its split over these columns.
SPLIT_NAMES: tuple[str, ...] = tuple(name for name, _, _ in SPLIT_COLUMNS)
TOPIC_NAMES: tuple[str, ...] = TOPIC_COLUMNS


def in_service_courses(agency: Agency) -> QuerySet[Course]:
    """The courses of the agency's in-service provider(s), newest submission first."""
    return (
        Course.objects.filter(provider__agency=agency, provider__kind=Provider.Kind.IN_SERVICE)
        .select_related("provider")
        .prefetch_related("portions", "documents__document")
        .order_by("-submitted_at", "-id")
    )


def approved_in_service_courses(agency: Agency, day: dt.date) -> QuerySet[Course]:
    """The agency's in-service courses approved on ``day``, by number."""
    return (
        in_service_courses(agency)
        .filter(status=Course.Status.APPROVED, approved_from__lte=day)
        .exclude(approved_until__lt=day)
        .order_by("number")
    )


def in_service_provider(*, agency: Agency, acting_user: User | None) -> Provider:
    """The agency's in-service provider, added (with its audit row) on first use."""
    # The agency's row is locked so two first submissions cannot add two providers: a roster
    # naming a course number would then be ambiguous.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    existing = Provider.objects.filter(agency=agency, kind=Provider.Kind.IN_SERVICE).order_by("id").first()
    if existing is not None:
        return existing
    # Each course's approval (POST's decision, possibly back-dated) decides which completions
    # count; the provider's own window must not shut out any period on file, so it opens with
    # the earliest one.
    earliest = ReportingPeriod.objects.order_by("starts").values_list("starts", flat=True).first()
    provider = Provider(
        number=f"IS-{agency.ori}",
        name=f"{agency.name} in-service training",
        kind=Provider.Kind.IN_SERVICE,
        agency=agency,
        approved_from=earliest or dt.date(timezone.localdate().year, 1, 1),
    )
    return provider_save(provider=provider, acting_user=acting_user)


def _check_split(*, hours: Decimal, portions: Sequence[PortionSpec], what: str) -> None:
    """Refuse a split of the ``what``'s ``hours`` (a course, a training) that is missing, has a
    portion that cannot be a credit line, or does not account for every hour. The refusals name
    ``portions``, the rows of the split."""
    if not portions:
        raise ServiceError(
            f"split the {what}'s hours over the core areas: give each core area's hours on a row",
            field="portions",
        )
    for number, portion in enumerate(portions, start=1):
        portion_validate(portion, number=number)
    split_total = sum((portion.hours for portion in portions), ZERO)
    if split_total != hours:
        raise ServiceError(
            f"the core-area hours add up to {hours_text(split_total)}, not the {what}'s "
            f"{hours_text(hours)}: the split must account for every hour",
            field="portions",
        )


@transaction.atomic
def in_service_course_submit(
    *,
    agency: Agency,
    number: str,
    title: str,
    hours: Decimal,
    delivery: str,
    synopsis: str,
    learning_objectives: str,
    portions: Sequence[PortionSpec],
    documents: Sequence[DocumentUpload] = (),
    acting_user: User | None,
) -> Course:
    """Submit an in-service course to POST for pre-approval (status: awaiting review), with
    the split of its hours the agency proposes (``portions``, as ``course_save`` takes them).

    Returns the stored course; refused (ServiceError naming the field) for a number the agency
    already uses, a split that is missing or does not add up to the hours, or a document of the
    wrong kind.
    """
    _check_split(hours=hours, portions=portions, what="course")
    provider = in_service_provider(agency=agency, acting_user=acting_user)
    number = number.strip().upper()
    if Course.objects.filter(provider=provider, number__iexact=number).exists():
        raise ServiceError(f"your agency already has a course numbered {number}", field="number")
    course = Course(
        provider=provider,
        number=number,
        title=title,
        hours=hours,
        delivery=delivery,
        synopsis=synopsis.strip(),
        learning_objectives=learning_objectives.strip(),
        status=Course.Status.PENDING,
    )
    return course_save(course=course, portions=portions, documents=documents, acting_user=acting_user)


# Columns of a session written as a roster (one row per officer).
COURSE_ROW = ("license_number", "course_number", "completion_date", "hours")
AD_HOC_ROW = ("license_number", "title", "completion_date", "hours", *SPLIT_NAMES, *TOPIC_NAMES, "delivery")


def _session_rows(
    *,
    license_numbers: Sequence[str],
    completed_on: dt.date,
    course: Course | None,
    title: str,
    hours: Decimal | None,
    portions: Sequence[PortionSpec],
    delivery: str,
    name: str,
) -> Table:
    """The session as a roster's rows: one per officer."""
    shown = "" if hours is None else hours_text(hours)
    if course is not None:
        return table_from_rows(
            COURSE_ROW,
            [(number, course.number, completed_on.isoformat(), shown) for number in license_numbers],
            name,
        )
    split, topics = _roster_split(portions)
    parts = [hours_text(split[n]) if split.get(n) else "" for n in SPLIT_NAMES]
    topic_parts = [hours_text(topics[n]) if topics.get(n) else "" for n in TOPIC_NAMES]
    return table_from_rows(
        AD_HOC_ROW,
        [
            (number, title, completed_on.isoformat(), shown, *parts, *topic_parts, delivery)
            for number in license_numbers
        ],
        name,
    )


def _roster_split(portions: Sequence[PortionSpec]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """A split as a roster's ad-hoc columns: the hours of each area column (a subject has its
    own column: firearms), and each topic's hours in all. The roster places topic hours itself,
    on Interpersonal Perspectives first (``imports.roster.TOPIC_PLACEMENT``)."""
    column_of = {(str(area), str(subject)): name for name, area, subject in SPLIT_COLUMNS}
    split: dict[str, Decimal] = {}
    topics: dict[str, Decimal] = {}
    for portion in portions:
        column = column_of[(portion.core_area, portion.subject)]
        split[column] = split.get(column, ZERO) + portion.hours
        for topic, topic_hours in portion.topics.items():
            topics[topic] = topics.get(topic, ZERO) + topic_hours
    return split, topics


@transaction.atomic
def in_service_session_report(
    *,
    agency: Agency,
    license_numbers: Sequence[str],
    completed_on: dt.date,
    course: Course | None = None,
    title: str = "",
    hours: Decimal | None = None,
    portions: Sequence[PortionSpec] = (),
    delivery: str = Delivery.LIVE,
    acting_user: User | None,
) -> ImportReport:
    """Record one training session for the officers named by license number.

    Either ``course`` (one of the agency's approved in-service courses, whose split the session
    takes: officers of any agency may attend it) or an ad-hoc course described by ``title``,
    ``hours`` and the split of those hours (``portions``, as ``course_save`` takes them; officers
    the agency commissioned that day). The session is written as a roster's rows, whose columns
    hold each area's hours and each topic's hours in all: the roster places topic hours on
    Interpersonal Perspectives first, whichever portion they were given on.
    Returns the roster import's report: ``applied`` when written; otherwise every error, by
    row (one row per license number, in the order given), and nothing was written.
    """
    if not license_numbers:
        raise ServiceError("name at least one officer by license number", field="license_numbers")
    if course is not None:
        if course.provider.agency_id != agency.pk or course.provider.kind != Provider.Kind.IN_SERVICE:
            raise ServiceError("choose one of your agency's in-service courses", field="course")
        if title or portions:
            raise ServiceError(
                "choose an approved course or describe the training, not both: its split is the course's",
                field="course",
            )
    elif not title.strip():
        raise ServiceError("give the training's title, or choose one of your approved courses", field="title")
    elif hours is None:
        raise ServiceError("give the training's hours", field="hours")
    else:
        _check_split(hours=hours, portions=portions, what="training")
    what = course.number if course is not None else title.strip()
    table = _session_rows(
        license_numbers=license_numbers,
        completed_on=completed_on,
        course=course,
        title=title.strip(),
        hours=hours,
        portions=portions,
        delivery=delivery,
        name=f"session form: {what}, {completed_on.isoformat()}"[:255],
    )
    report = import_apply(
        kind="roster",
        table=table,
        actor=acting_user,
        provider=course.provider if course is not None else None,
        agency=None if course is not None else agency,
    )
    if report.applied and report.batch is not None:
        record_event(
            actor=acting_user,
            action=AuditAction.AGENCY_TRAINING_SESSION,
            target=report.batch,
            summary=(
                f"{agency.name} reported {what} on {completed_on.isoformat()} for "
                f"{len(license_numbers)} officer{'s' if len(license_numbers) != 1 else ''}"
            ),
            data={"added": len(report.to_add), "already_present": len(report.already_present)},
        )
    return report


# Training an agency reported without an approved course: held for POST's review -------------


def held_sessions() -> QuerySet[TrainingRecord]:
    """One record per session of agency training held for POST's review (reported by title,
    without an approved in-service course), oldest first: what staff decide."""
    held = TrainingRecord.objects.filter(
        status=TrainingRecord.Status.PENDING, course__isnull=True, import_batch__agency__isnull=False
    )
    firsts = (
        held.values("import_batch_id", "description", "completed_on", "hours", "delivery")
        .annotate(first=Min("id"))
        .values("first")
    )
    return (
        TrainingRecord.objects.filter(pk__in=firsts)
        .select_related("import_batch__agency", "import_batch__submitted_by")
        .order_by("import_batch__created_at", "id")
    )


def held_in_batch(batch: Any) -> int:
    """How many records of an applied roster are held for POST's review."""
    return TrainingRecord.objects.filter(import_batch=batch, status=TrainingRecord.Status.PENDING).count()


def held_session(record: TrainingRecord) -> QuerySet[TrainingRecord]:
    """The records of ``record``'s session still held for review: the same report, title,
    date, hours and delivery."""
    return (
        TrainingRecord.objects.filter(
            status=TrainingRecord.Status.PENDING,
            course__isnull=True,
            import_batch_id=record.import_batch_id,
            description=record.description,
            completed_on=record.completed_on,
            hours=record.hours,
            delivery=record.delivery,
        )
        .select_related("officer")
        .prefetch_related("lines")
        .order_by("officer__last_name", "officer__first_name", "id")
    )


def held_session_preview(*, record: TrainingRecord, acting_user: User | None) -> dict[int, Effect]:
    """What approving the session does to each officer's period (nothing kept)."""
    officers = list(held_session(record).values_list("officer_id", flat=True))
    return preview_officers(
        officer_ids=officers,
        years=[record.completed_on.year],
        change=lambda: [r.pk for r in _approve_session(record, "", acting_user)],
    )


@transaction.atomic
def held_training_decide(
    *, record: TrainingRecord, approve: bool, reason: str, acting_user: User | None
) -> list[TrainingRecord]:
    """Decide a session of agency training held for review (POST staff only).

    Approving makes it count the only way agency training counts (11 CSR 75-15.060): POST
    approves it as one of the agency's in-service courses, for that day, with the session's
    split, and the records become that course's completions. Approving training that still
    would not count for an officer needs a reason. Refusing needs a reason, which the officers
    and the agency see. Returns the records decided."""
    if getattr(acting_user, "role", None) != User.Role.POST_STAFF:
        raise ServiceError("only POST staff decide agency training held for review")
    reason = " ".join(reason.split())
    if len(reason) > 500:
        raise ServiceError(
            f"the reason must be at most 500 characters (it has {len(reason)})", field="reason"
        )
    records = list(held_session(record).select_for_update(of=("self",)))
    if not records:
        raise ServiceError("this training is no longer waiting for a decision")
    officers = {r.officer_id for r in records}
    years = {record.completed_on.year}
    if not approve:
        if not reason:
            raise ServiceError(
                "give the reason for refusing it: the officers and the agency see it", field="reason"
            )
        TrainingRecord.objects.filter(pk__in=[r.pk for r in records]).update(
            status=TrainingRecord.Status.REJECTED, review_note=reason, updated_at=timezone.now()
        )
        for held in records:
            record_event(
                actor=acting_user,
                action=AuditAction.TRAINING_HELD_REFUSE,
                target=held,
                summary=f"agency training {held} refused: {reason}",
            )
        results_mark_stale(officers, years, reason="in-service training decided")
        return records
    before = {officer: results_now(officer, years) for officer in officers}
    decided = _approve_session(record, reason, acting_user)
    not_counting = []
    for officer in sorted(officers):
        mine = [r.pk for r in decided if r.officer_id == officer]
        effect = effect_now(officer, before[officer], mine)
        if not effect.counts_fully:
            not_counting.append(effect.staff_note)
            # The officer is told plainly why it does not count, beside the record.
            TrainingRecord.objects.filter(pk__in=mine).update(review_note=effect.not_counting()[:500])
    if not_counting and not reason:
        raise ServiceError(
            f"{not_counting[0]} Give the reason for approving it anyway: the officers see it", field="reason"
        )
    results_mark_stale(officers, years, reason="in-service training decided")
    return decided


def _approve_session(record: TrainingRecord, reason: str, acting_user: User | None) -> list[TrainingRecord]:
    """Approve the session as an in-service course of its agency for its day; its records
    become the course's completions. Returns them."""
    records = list(held_session(record))
    if not records:
        raise ServiceError("this training is no longer waiting for a decision")
    batch = record.import_batch
    if batch is None or batch.agency is None:
        raise ServiceError("only training an agency reported is held for review")
    provider = in_service_provider(agency=batch.agency, acting_user=acting_user)
    portions = [
        PortionSpec(
            core_area=line.core_area,
            subject=line.subject,
            hours=line.hours,
            topics={topic: Decimal(str(hours)) for topic, hours in line.topics.items()},
        )
        for line in records[0].lines.all()
    ]
    course = course_save(
        course=Course(
            provider=provider,
            number=f"AH-{records[0].pk}",
            title=record.description or "Agency training",
            hours=record.hours,
            delivery=record.delivery,
            synopsis="Reported by the agency without pre-approval; approved by POST after review, "
            f"for the session of {day_text(record.completed_on)} only.",
            status=Course.Status.APPROVED,
            approved_from=record.completed_on,
            approved_until=record.completed_on,
            decision_reason=reason,
        ),
        portions=portions,
        acting_user=acting_user,
    )
    TrainingRecord.objects.filter(pk__in=[r.pk for r in records]).update(
        course=course, status=TrainingRecord.Status.ACCEPTED, review_note="", updated_at=timezone.now()
    )
    for held in records:
        record_event(
            actor=acting_user,
            action=AuditAction.TRAINING_HELD_APPROVE,
            target=held,
            summary=f"agency training {held} approved as in-service course {course.number}"
            + (f": {reason}" if reason else ""),
        )
    return records
