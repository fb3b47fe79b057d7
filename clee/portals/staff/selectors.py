"""Reads of the staff pages: the review queues (oldest first), their sizes and ages, and what
a reviewer's decision starts from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from clee.agencies.models import Agency
from clee.compliance.calendar import period_of_year, program_today
from clee.compliance.models import ComplianceResult, Extension, ReportingPeriod
from clee.compliance.rulebooks import book_in_force, period_pack
from clee.officers.models import Commission
from clee.providers.catalog import recognized_split
from clee.providers.courses import PortionSpec, course_portions
from clee.providers.models import Course, CourseDocument, Provider, RecognizedCourse
from clee.rules.pack import NoPackError, SourceRule
from clee.training.models import CreditLine, CreditRequest, RequestDocument
from clee.workflows.in_service import held_sessions

# An item of a review queue.
Queued = TypeVar("Queued", Course, CreditRequest)

CENT = Decimal("0.01")
# Seed 001: two hours of Approved Provider credit per semester hour, when a pack is missing.
COLLEGE_HOURS_PER_SEMESTER_HOUR = Decimal(2)


def age_in_days(when: dt.datetime | dt.date | None, *, today: dt.date | None = None) -> int | None:
    """Whole days from ``when`` (local date) to today; None when there is no date."""
    if when is None:
        return None
    day = timezone.localdate(when) if isinstance(when, dt.datetime) else when
    return ((today or timezone.localdate()) - day).days


# The queues ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueSummary:
    """One queue's size and how long its oldest item has waited."""

    label: str
    action: str
    url_name: str
    waiting: int
    oldest: dt.datetime | None

    @property
    def oldest_days(self) -> int | None:
        return age_in_days(self.oldest)


def queue_summaries() -> list[QueueSummary]:
    """The queues of POST staff: course submissions, credit requests, extension requests, and
    agency training reported without an approved course."""
    courses = Course.objects.filter(status=Course.Status.PENDING).aggregate(
        waiting=Count("id"), oldest=Min("submitted_at")
    )
    requests = CreditRequest.objects.filter(status=CreditRequest.Status.SUBMITTED).aggregate(
        waiting=Count("id"), oldest=Min("created_at")
    )
    extensions = Extension.objects.filter(status=Extension.Status.REQUESTED).aggregate(
        waiting=Count("id"), oldest=Min("created_at")
    )
    held = held_sessions()
    first_held = held.first()
    return [
        QueueSummary(
            "Course submissions", "Review courses", "staff:courses", courses["waiting"], courses["oldest"]
        ),
        QueueSummary(
            "Credit requests", "Review requests", "staff:requests", requests["waiting"], requests["oldest"]
        ),
        QueueSummary(
            "Extension and waiver requests",
            "Review extensions",
            "staff:extensions",
            extensions["waiting"],
            extensions["oldest"],
        ),
        QueueSummary(
            "Agency training held for review",
            "Review agency training",
            "staff:held",
            held.count(),
            first_held.created_at if first_held is not None else None,
        ),
    ]


def course_queue(
    *, status: str = Course.Status.PENDING, provider_id: int | None = None, provider_kind: str = ""
) -> QuerySet[Course]:
    """Courses of one status: awaiting review oldest first, decided ones latest first."""
    courses = (
        Course.objects.filter(status=status)
        .select_related("provider")
        .annotate(document_count=Count("documents"))
    )
    if provider_id is not None:
        courses = courses.filter(provider_id=provider_id)
    if provider_kind:
        courses = courses.filter(provider__kind=provider_kind)
    return _queue_order(courses, waiting=status == Course.Status.PENDING, submitted_at="submitted_at")


def providers_with_courses() -> QuerySet[Provider]:
    """Providers that have a course (the course queue's provider filter), by name."""
    return Provider.objects.filter(courses__isnull=False).distinct().order_by("name")


def request_queue(
    *, status: str = CreditRequest.Status.SUBMITTED, kind: str = "", state: str = ""
) -> QuerySet[CreditRequest]:
    """Credit requests of one status: awaiting review oldest first, decided ones latest first."""
    requests = (
        CreditRequest.objects.filter(status=status)
        .select_related("officer")
        .annotate(document_count=Count("documents"))
    )
    if kind:
        requests = requests.filter(kind=kind)
    if state:
        requests = requests.filter(state__iexact=state)
    return _queue_order(requests, waiting=status == CreditRequest.Status.SUBMITTED, submitted_at="created_at")


def _queue_order(items: QuerySet[Queued], *, waiting: bool, submitted_at: str) -> QuerySet[Queued]:
    """A review queue's order: items awaiting review oldest first, decided ones latest first."""
    if waiting:
        return items.order_by(submitted_at, "id")
    return items.order_by("-decided_at", "-id")


def extension_queue() -> QuerySet[Extension]:
    """Extension and waiver requests awaiting a decision, oldest first."""
    return (
        Extension.objects.filter(status=Extension.Status.REQUESTED)
        .select_related("officer", "period", "requested_by")
        .order_by("created_at", "id")
    )


def extensions_decided(limit: int = 20) -> QuerySet[Extension]:
    """The latest decided extensions and waivers (granted on request or directly, or refused)."""
    return (
        Extension.objects.exclude(status=Extension.Status.REQUESTED)
        .select_related("officer", "period", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


# What a decision starts from ------------------------------------------------------------------


def scaled_split(
    split: Sequence[PortionSpec], *, from_hours: Decimal, to_hours: Decimal
) -> list[PortionSpec]:
    """``split`` (adding up to ``from_hours``) scaled to add up to ``to_hours`` exactly: each
    portion and its topic hours in proportion, to the hundredth, the rounding left on the
    largest portion."""
    if not split or from_hours <= 0 or from_hours == to_hours:
        return list(split)
    factor = to_hours / from_hours
    hours = [(p.hours * factor).quantize(CENT, ROUND_HALF_UP) for p in split]
    largest = max(range(len(hours)), key=lambda i: hours[i])
    hours[largest] += to_hours - sum(hours, Decimal(0))
    scaled = []
    for portion, portion_hours in zip(split, hours, strict=True):
        if portion_hours <= 0:
            continue
        topics = {}
        for topic, topic_hours in portion.topics.items():
            value = min((topic_hours * factor).quantize(CENT, ROUND_HALF_UP), portion_hours)
            if value > 0:
                topics[topic] = value
        # Rounded topic hours may not exceed their portion's hours (they are a part of them).
        excess = sum(topics.values(), Decimal(0)) - portion_hours
        if excess > 0:
            biggest = max(topics, key=lambda t: topics[t])
            topics[biggest] -= excess
        scaled.append(
            PortionSpec(
                core_area=portion.core_area, subject=portion.subject, hours=portion_hours, topics=topics
            )
        )
    return scaled


def catalog_matches(request: CreditRequest) -> list[RecognizedCourse]:
    """Catalog entries of the request's state (or IADLEST) whose title contains the request's
    title or is contained in it (case-insensitive), recognized on the completion date."""
    if request.kind != CreditRequest.Kind.OUT_OF_STATE or not request.state:
        return []
    title = request.title.strip().casefold()
    if not title:
        return []
    entries = RecognizedCourse.objects.filter(
        Q(recognized_until__isnull=True) | Q(recognized_until__gte=request.completed_on),
        source__iexact=request.state,
        recognized_from__lte=request.completed_on,
    ).order_by("title", "id")
    return [e for e in entries if title in e.title.casefold() or e.title.casefold() in title]


def pack_source(year: int, source: str) -> SourceRule | None:
    """A credit source's rule in the pack of ``year`` (its period's, else the rules in force),
    if that pack and source exist."""
    period = period_of_year(year)
    try:
        if period is not None:
            pack = period_pack(period)
        else:
            pack = book_in_force(settings.CLEE_JURISDICTION, program_today()).pack(str(year))
    except NoPackError:
        return None
    return pack.sources.get(source)


def college_hours(request: CreditRequest) -> Decimal | None:
    """A college request's credit hours: its semester hours times the pack's ``hours_per_unit``
    (the engine caps college credit later)."""
    if request.semester_hours is None:
        return None
    rule = pack_source(request.completed_on.year, "college")
    rate = COLLEGE_HOURS_PER_SEMESTER_HOUR if rule is None else Decimal(str(rule.hours_per_unit.value))
    return (request.semester_hours * rate).quantize(CENT, ROUND_HALF_UP)


def request_prefill(request: CreditRequest, entry: RecognizedCourse | None) -> list[PortionSpec]:
    """The lines a request's decision form starts with: the catalog entry's split scaled to the
    request's hours; for a college course one line of its credit hours; else one line of the
    hours claimed. A line without a core area leaves it for the reviewer to choose."""
    if entry is not None:
        split = recognized_split(entry)
        if request.hours is None:
            return split
        return scaled_split(split, from_hours=entry.hours, to_hours=request.hours)
    hours = college_hours(request) if request.kind == CreditRequest.Kind.COLLEGE else request.hours
    if hours is None or hours <= 0:
        return []
    return [PortionSpec(core_area="", hours=hours)]


def course_prefill(course: Course) -> list[PortionSpec]:
    """The split a course's decision starts with: the one the provider proposed."""
    return course_portions(course)


def officer_result(officer_id: int, year: int) -> ComplianceResult | None:
    """The officer's stored result for the period of ``year``, if computed."""
    return (
        ComplianceResult.objects.filter(
            officer_id=officer_id, period__year=year, period__jurisdiction=settings.CLEE_JURISDICTION
        )
        .select_related("period")
        .first()
    )


def reporting_periods() -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.filter(jurisdiction=settings.CLEE_JURISDICTION).order_by("-year")


# What a review page shows ---------------------------------------------------------------------


def course_documents(course: Course) -> QuerySet[CourseDocument]:
    """A course's documents with their files, in the order they were sent."""
    return CourseDocument.objects.filter(course=course).select_related("document").order_by("id")


def request_documents(request: CreditRequest) -> QuerySet[RequestDocument]:
    """A credit request's documents with their files, in the order they were sent."""
    return RequestDocument.objects.filter(request=request).select_related("document").order_by("id")


def commissioning_agencies(officer_id: int) -> list[Agency]:
    """The agencies that commission the officer now, by name."""
    return [
        commission.agency
        for commission in Commission.objects.filter(officer_id=officer_id, end__isnull=True)
        .select_related("agency")
        .order_by("agency__name")
    ]


def record_split(record_id: int) -> list[PortionSpec]:
    """The credit lines of a training record, as portions."""
    return [
        PortionSpec(
            core_area=line.core_area,
            subject=line.subject,
            hours=line.hours,
            topics={topic: Decimal(str(hours)) for topic, hours in line.topics.items()},
        )
        for line in CreditLine.objects.filter(record_id=record_id).order_by("id")
    ]


# The reference lists --------------------------------------------------------------------------


def provider_list(*, search: str = "", kind: str = "") -> QuerySet[Provider]:
    """Providers matching a name or number search and a kind, by name, with their course counts."""
    providers = Provider.objects.select_related("agency").annotate(
        course_count=Count("courses"),
        pending_count=Count("courses", filter=Q(courses__status=Course.Status.PENDING)),
    )
    if search:
        providers = providers.filter(Q(name__icontains=search) | Q(number__icontains=search))
    if kind:
        providers = providers.filter(kind=kind)
    return providers.order_by("name", "number")


def provider_courses(provider: Provider) -> QuerySet[Course]:
    """Every course of a provider, by number."""
    return Course.objects.filter(provider=provider).order_by("number")


def catalog_sources() -> list[str]:
    """The sources (states, IADLEST) the catalog has entries of."""
    return list(RecognizedCourse.objects.order_by("source").values_list("source", flat=True).distinct())


def catalog_list(*, search: str = "", source: str = "") -> QuerySet[RecognizedCourse]:
    """Catalog entries matching a title, provider or number search and a source, by source and title."""
    entries = RecognizedCourse.objects.all()
    if search:
        entries = entries.filter(
            Q(title__icontains=search) | Q(provider_name__icontains=search) | Q(number__icontains=search)
        )
    if source:
        entries = entries.filter(source=source)
    return entries.order_by("source", "title", "id")
