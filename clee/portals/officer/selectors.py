"""Reads behind the officer's pages: the dashboard's period, deadlines and requests, and the
transcript of a period (records with the credit lines they earned and, from the rules engine,
why an accepted record does not count)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Window
from django.utils import timezone

from clee.compliance.models import ComplianceResult, Extension, ReportingPeriod, StaleResult
from clee.compliance.preview import line_counting
from clee.compliance.selectors import result_is_stale
from clee.core.choices import CoreArea, Subject, Topic
from clee.officers.models import Commission, Officer
from clee.training.models import CreditRequest, TrainingRecord


def hours_shown(value: Decimal | float | int | str | None) -> str:
    """Hours as people write them: ``24``, ``1.5``, ``0.25`` (no trailing zeros)."""
    if value is None:
        return ""
    number = Decimal(str(value)).quantize(Decimal("0.01")).normalize()
    return f"{number:f}"


def day_shown(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


# The dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A date the officer works toward, and how many days are left (negative once passed)."""

    label: str
    day: dt.date
    days_left: int

    @property
    def passed(self) -> bool:
        return self.days_left < 0

    @property
    def day_text(self) -> str:
        return day_shown(self.day)

    @property
    def left_text(self) -> str:
        if self.days_left < 0:
            return "passed"
        if self.days_left == 0:
            return "today"
        return f"{self.days_left:,} day{'' if self.days_left == 1 else 's'} left"


def deadlines(period: ReportingPeriod, extended_until: dt.date | None, today: dt.date) -> list[Deadline]:
    """The period's end, its grace deadline (March 15 next year, 11 CSR 75-15.080) and, when
    POST granted one, the extended deadline."""
    found = [
        Deadline("End of the reporting period", period.ends, (period.ends - today).days),
        Deadline(
            "Grace deadline to show compliance", period.grace_deadline, (period.grace_deadline - today).days
        ),
    ]
    if extended_until is not None:
        found.append(Deadline("Your extended deadline", extended_until, (extended_until - today).days))
    return found


def dashboard(officer: Officer, period: ReportingPeriod | None) -> dict[str, Any]:
    """Everything the dashboard shows of ``officer`` in ``period`` (the current one)."""
    today = timezone.localdate()
    context: dict[str, Any] = {
        "commissioned_by": list(
            Commission.objects.filter(officer=officer, end__isnull=True).values_list(
                "agency__name", flat=True
            )
        ),
        # The latest three requests, each carrying the count of all the officer's requests
        # awaiting review: a window over every request is computed before the slice, so one
        # query gives both.
        "recent_requests": list(
            CreditRequest.objects.filter(officer=officer)
            .annotate(waiting=Window(Count("id", filter=Q(status=CreditRequest.Status.SUBMITTED))))
            .only("title", "status")
            .order_by("-created_at", "-id")[:3]
        ),
    }
    context["requests_waiting"] = context["recent_requests"][0].waiting if context["recent_requests"] else 0
    if period is None:
        return context
    # This period's result and the previous one's, in one read (the previous period may still be
    # in its grace window).
    results = {
        r.period_id: r
        for r in ComplianceResult.objects.filter(
            officer=officer,
            period__jurisdiction=period.jurisdiction,
            period__year__in=[period.year, period.year - 1],
        )
        .annotate(
            stale=Exists(
                StaleResult.objects.filter(officer_id=OuterRef("officer_id"), period_id=OuterRef("period_id"))
            )
        )
        .select_related("period")
    }
    result = results.pop(period.pk, None)
    extensions = list(Extension.objects.filter(officer=officer, period=period).order_by("-created_at", "-id"))
    granted = next((e for e in extensions if e.status == Extension.Status.GRANTED and e.new_deadline), None)
    extended_until = result.extended_until if result and result.extended_until else None
    if extended_until is None and granted is not None:
        extended_until = granted.new_deadline
    total = None
    if result is not None:
        total = next((r for r in result.requirements if r["key"] == "total"), None)
    context.update(
        # A result being recomputed is not shown as current (read with it; without a result,
        # one more look).
        updating=result.stale if result is not None else result_is_stale(officer.pk, period),
        result=result,
        hours_counted=hours_shown(result.counted_hours) if result else "",
        hours_required=hours_shown(total["required"]) if total else "",
        requirements=result.requirements if result else [],
        deadlines=deadlines(period, extended_until, today),
        # 11 CSR 75-15.080: after the grace deadline (or an extension's) the Director may act.
        deadline_missed=today > max(period.grace_deadline, extended_until or period.grace_deadline),
        extensions=extensions,
        previous=_previous_in_grace(next(iter(results.values()), None), today),
    )
    return context


@dataclass(frozen=True)
class PreviousShort:
    """The previous period, in its grace window, in which the officer is still short."""

    period: ReportingPeriod
    result: ComplianceResult
    deadline: Deadline


def _previous_in_grace(result: ComplianceResult | None, today: dt.date) -> PreviousShort | None:
    """From January 1 to March 15 the period that just ended is in its grace window: training
    completed now may still make it up (11 CSR 75-15.080(2)). Shown while the officer is short
    (``result``: the officer's result of the previous period)."""
    if result is None or result.status != ComplianceResult.Status.DEFICIENT:
        return None
    previous = result.period
    if previous.phase_on(today) != ReportingPeriod.Phase.GRACE:
        return None
    days = (previous.grace_deadline - today).days
    return PreviousShort(previous, result, Deadline("Grace deadline", previous.grace_deadline, days))


# The transcript ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptLine:
    """Hours of a record in one core area (and subject), with topic hours inside them."""

    area: str
    hours: str
    topics: list[str]


@dataclass
class TranscriptRow:
    record: TrainingRecord
    title: str
    provider: str
    hours: str
    source: str
    lines: list[TranscriptLine] = field(default_factory=list)
    not_counted: list[str] = field(default_factory=list)
    # A cap (computer-based hours, college credit) the officer's hours exceed: some of this
    # record's hours may not count.
    held_back: list[str] = field(default_factory=list)
    status_label: str = ""  # never a plain "Accepted" for training that does not count
    request_id: int | None = None
    # Make-up training: applied to this period from a later date, or away to an earlier period.
    applied_here: bool = False
    applied_away: bool = False


def transcript_line(core_area: str, subject: str, hours: Decimal, topics: dict[str, Any]) -> TranscriptLine:
    area = CoreArea(core_area).label if core_area in CoreArea.values else core_area
    if subject:
        area += f" – {Subject(subject).label if subject in Subject.values else subject}"
    return TranscriptLine(
        area=area,
        hours=hours_shown(hours),
        topics=[
            f"{hours_shown(value)} h {(Topic(topic).label if topic in Topic.values else topic).lower()}"
            for topic, value in sorted(topics.items())
        ],
    )


def _provider(record: TrainingRecord, request: CreditRequest | None) -> str:
    if record.course is not None:
        return record.course.provider.name
    if request is not None and request.provider_name:
        return request.provider_name + (f" ({request.state})" if request.state else "")
    return record.state


def transcript_rows(officer: Officer, period: ReportingPeriod) -> list[TranscriptRow]:
    """Every record of ``officer`` completed in ``period`` or applied to it as make-up training,
    whatever its status, in date order."""
    records = (
        TrainingRecord.objects.filter(officer=officer)
        .filter(
            Q(completed_on__gte=period.starts, completed_on__lte=period.ends) | Q(applied_to_year=period.year)
        )
        .select_related("course__provider", "credit_request", "reversal")
        .prefetch_related("lines")
        .order_by("completed_on", "id")
    )
    counting = line_counting(officer.pk, period)
    reasons = counting.not_counted
    rows = []
    for record in records:
        request: CreditRequest | None = getattr(record, "credit_request", None)
        title = record.description
        if record.course is not None:
            title = f"{record.course.title} ({record.course.number})"
        lines = list(record.lines.all())
        applied_away = record.applied_to_year is not None and record.applied_to_year != period.year
        not_counted = sorted({reason for line in lines for reason in reasons.get(line.pk, [])})
        held_back = sorted({reason for line in lines for reason in counting.held_back.get(line.pk, [])})
        if applied_away:
            not_counted = [
                f"POST applied it to the {record.applied_to_year} period as make-up training: "
                "it counts there, not here"
            ]
        rows.append(
            TranscriptRow(
                record=record,
                title=title,
                provider=_provider(record, request),
                hours=hours_shown(record.hours),
                source=record.get_source_display(),
                lines=[
                    transcript_line(line.core_area, line.subject, line.hours, line.topics) for line in lines
                ],
                not_counted=not_counted,
                held_back=held_back,
                status_label=(
                    f"{record.get_status_display()}, counts in {record.applied_to_year}"
                    if applied_away
                    else counting.label(record, [line.pk for line in lines])
                ),
                request_id=None if request is None else request.pk,
                applied_here=record.applied_to_year == period.year,
                applied_away=applied_away,
            )
        )
    return rows


def transcript_totals(rows: list[TranscriptRow]) -> dict[str, str]:
    """Hours on file by record status, and (``not_counting``) accepted hours that do not count."""
    totals = {status: Decimal(0) for status in TrainingRecord.Status.values}
    not_counting = Decimal(0)  # accepted hours the rules do not count in the period
    for row in rows:
        if not row.applied_away:
            totals[row.record.status] += row.record.hours
            if row.record.status == TrainingRecord.Status.ACCEPTED and row.status_label.endswith(
                "does not count"
            ):
                not_counting += row.record.hours
    shown = {status: hours_shown(hours) for status, hours in totals.items()}
    shown["not_counting"] = hours_shown(not_counting)
    return shown
