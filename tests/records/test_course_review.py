"""POST staff decide on submitted courses, and keep the catalog of recognized out-of-state
courses whose recommended split pre-fills a decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.providers.catalog import recognized_course_save, recognized_split
from clee.providers.courses import PortionSpec, course_decide, course_save
from clee.providers.models import Course, RecognizedCourse

pytestmark = pytest.mark.django_db


def submitted(world: dict[str, Any]) -> Course:
    course = Course(provider=world["provider"], number="cma-220", title="Report writing", hours=Decimal(3))
    return course_save(course=course, acting_user=world["dave"])


def test_staff_approve_a_submitted_course_with_its_split_and_window(world: dict[str, Any]) -> None:
    course = course_decide(
        course=submitted(world),
        approve=True,
        reason="",
        approved_from=dt.date(2023, 1, 1),
        approved_until=dt.date(2025, 12, 31),
        portions=[PortionSpec("technical_studies", Decimal(2)), PortionSpec("legal_studies", Decimal(1))],
        acting_user=world["erin"],
    )
    course.refresh_from_db()
    assert (course.status, course.decided_by, course.approved_from) == (
        "approved",
        world["erin"],
        dt.date(2023, 1, 1),
    )
    assert course.approved_on(dt.date(2024, 6, 1))
    assert sorted(p.core_area for p in course.portions.all()) == ["legal_studies", "technical_studies"]
    assert AuditEvent.objects.filter(
        action="course.update", object_id=str(course.pk), actor=world["erin"]
    ).exists()


def test_an_approval_without_a_complete_split_or_a_start_is_refused(world: dict[str, Any]) -> None:
    course = submitted(world)
    with pytest.raises(ServiceError, match="portions add up to 2 hours but the course is 3"):
        course_decide(
            course=course,
            approve=True,
            reason="",
            approved_from=dt.date(2023, 1, 1),
            portions=[PortionSpec("technical_studies", Decimal(2))],
            acting_user=world["erin"],
        )
    with pytest.raises(ServiceError, match="first day of the approval"):
        course_decide(course=course, approve=True, reason="", acting_user=world["erin"])
    course.refresh_from_db()
    assert course.status == "pending"


def test_a_denial_needs_a_reason_and_a_decided_course_is_not_decided_again(world: dict[str, Any]) -> None:
    course = submitted(world)
    with pytest.raises(ServiceError, match="reason is required"):
        course_decide(course=course, approve=False, reason="  ", acting_user=world["erin"])
    course_decide(course=course, approve=False, reason="No learning objectives", acting_user=world["erin"])
    course.refresh_from_db()
    assert (course.status, course.decision_reason) == ("denied", "No learning objectives")
    with pytest.raises(ServiceError, match="already denied"):
        course_decide(course=course, approve=False, reason="again", acting_user=world["erin"])


def test_a_catalog_entry_keeps_its_recommended_split(world: dict[str, Any]) -> None:
    split = [
        PortionSpec("interpersonal_perspectives", Decimal("4"), topics={"implicit_bias": Decimal(1)}),
        PortionSpec("technical_studies", Decimal("4")),
    ]
    entry = recognized_course_save(
        entry=RecognizedCourse(
            source="mn",
            provider_name="Midwest Counterdrug Training Center",
            title="Interview and interrogation",
            hours=Decimal(8),
            recognized_from=dt.date(2021, 1, 1),
            recognized_until=dt.date(2023, 12, 31),
        ),
        split=split,
        acting_user=world["erin"],
    )
    entry.refresh_from_db()
    assert entry.source == "MN"
    assert recognized_split(entry) == split
    with pytest.raises(ServiceError, match="portions add up to 4 hours but the course is 8"):
        recognized_course_save(entry=entry, split=split[:1], acting_user=world["erin"])
