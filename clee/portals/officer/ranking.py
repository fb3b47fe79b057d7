"""Courses that close my gap: upcoming offerings ranked by how many of the officer's missing
hours each would close, as the rules engine decides it (DESIGN §6).

Not a keyword match: a long course in an area the officer already has enough of closes
nothing, a short one carrying the missing topic hour may close the whole gap. For each
candidate course the officer's period is evaluated again with that course's credit lines
added, all candidates in one batch through ``evaluate_officers``, and the drop in the fewest
additional hours needed is what the course closes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from clee.compliance.models import ReportingPeriod
from clee.compliance.recompute import OfficerPeriod, period_inputs
from clee.compliance.rulebooks import period_pack
from clee.core.errors import ServiceError
from clee.officers.models import Officer
from clee.portals.officer.selectors import hours_shown
from clee.providers.models import Course, Offering
from clee.rules import Credit, compiled_for, evaluate_officers
from clee.training.services import course_lines

# Hours closed are compared to the hundredth: the engine's floats are rounded to 4 places.
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class RankedOffering:
    offering: Offering
    closes: Decimal  # how many of the missing hours this course would close

    @property
    def course(self) -> Course:
        return self.offering.course

    @property
    def closes_text(self) -> str:
        return hours_shown(self.closes)

    @property
    def hours_text(self) -> str:
        return hours_shown(self.offering.course.hours)


@dataclass(frozen=True)
class Ranking:
    missing: Decimal  # the fewest additional hours the officer needs now
    status: str  # the engine's status now: compliant, deficient or exempt
    offerings: list[RankedOffering]


def upcoming_offerings(today: dt.date) -> QuerySet[Offering]:
    """Offerings starting today or later of courses approved on their first day, with each
    course's provider and split of hours."""
    return (
        Offering.objects.filter(
            starts_on__gte=today,
            course__status=Course.Status.APPROVED,
            course__approved_from__lte=F("starts_on"),
        )
        .filter(Q(course__approved_until__isnull=True) | Q(course__approved_until__gte=F("starts_on")))
        .select_related("course__provider")
        .prefetch_related("course__portions")
        .order_by("starts_on", "id")
    )


def course_credits(course: Course, day: dt.date) -> list[Credit]:
    """The credits a completion of ``course`` on ``day`` would earn (one per portion), as the
    engine reads them; none for a course without a split of its hours."""
    try:
        lines = course_lines(course)
    except ServiceError:
        return []
    return [
        Credit(
            f"course-{course.pk}-{index}",
            day,
            float(line.hours),
            line.core_area,
            "course",
            course.provider.credit_class,
            course.delivery,
            line.subject or None,
            tuple((topic, float(hours)) for topic, hours in line.topics.items()),
        )
        for index, line in enumerate(lines)
    ]


def rank_offerings(
    officer: Officer, period: ReportingPeriod, offerings: Sequence[Offering]
) -> Ranking | None:
    """``offerings`` ranked by the hours of ``officer``'s gap in ``period`` each would close
    (ties: the earlier, then the shorter course first); None when the officer has no input.

    A course is evaluated once however many offerings it has, all courses in one batch. Its
    credits are dated inside the period, whatever the offering's date: the question is how
    much of this period's gap the course closes.
    """
    inputs: OfficerPeriod | None = next(iter(period_inputs(period, [officer.pk])), None)
    if inputs is None:
        return None
    courses: dict[int, Course] = {}
    for offering in offerings:
        courses.setdefault(offering.course_id, offering.course)
    day = min(max(timezone.localdate(), period.starts), period.ends)
    candidates = [(course_id, course_credits(course, day)) for course_id, course in courses.items()]
    scenarios = [(inputs.officer, inputs.credits)] + [
        (inputs.officer, [*inputs.credits, *credits]) for _, credits in candidates
    ]
    results = evaluate_officers(compiled_for(period_pack(period)), scenarios)
    base = results[0]
    missing = Decimal(str(base.additional_hours_needed)).quantize(HUNDREDTH)
    closes_by_course = {
        course_id: (missing - Decimal(str(result.additional_hours_needed)).quantize(HUNDREDTH)).max(
            Decimal(0)
        )
        for (course_id, _), result in zip(candidates, results[1:], strict=True)
    }
    ranked = [RankedOffering(offering, closes_by_course[offering.course_id]) for offering in offerings]
    ranked.sort(
        key=lambda r: (-r.closes, r.offering.starts_on, r.course.hours, r.course.title, r.offering.pk)
    )
    return Ranking(missing=missing, status=base.status, offerings=ranked)
