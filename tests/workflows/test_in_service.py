"""The in-service services take a split as ``course_save`` does: rows of ``PortionSpec``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from clee.core.errors import ServiceError
from clee.providers.courses import PortionSpec
from clee.providers.models import Course
from clee.training.models import TrainingRecord
from clee.workflows.in_service import in_service_course_submit, in_service_session_report

pytestmark = pytest.mark.django_db

SPLIT = [
    PortionSpec(core_area="skill_development", subject="firearms", hours=Decimal(2)),
    PortionSpec(core_area="legal_studies", hours=Decimal(1), topics={"de_escalation": Decimal("0.5")}),
]


def submit(world: dict[str, Any], *, hours: str = "3", portions: list[PortionSpec] = SPLIT) -> Course:
    return in_service_course_submit(
        agency=world["agency_a"],
        number="RPD-20",
        title="Range day",
        hours=Decimal(hours),
        delivery="live",
        synopsis="Qualification and the law of deadly force.",
        learning_objectives="Qualify.",
        portions=portions,
        acting_user=world["bob"],
    )


def test_a_course_is_submitted_with_the_portions_as_given(world: dict[str, Any]) -> None:
    course = submit(world)
    assert [(p.core_area, p.subject, p.hours, p.topics) for p in course.portions.order_by("id")] == [
        ("skill_development", "firearms", Decimal(2), {}),
        ("legal_studies", "", Decimal(1), {"de_escalation": 0.5}),
    ]


@pytest.mark.parametrize(
    ("hours", "portions", "message"),
    [
        (
            "4",
            SPLIT,
            "the core-area hours add up to 3, not the course's 4: the split must account for every hour",
        ),
        ("3", [], "split the course's hours over the core areas: give each core area's hours on a row"),
        (
            "3",
            [PortionSpec(core_area="legal_studies", subject="firearms", hours=Decimal(3))],
            "portion 1: Firearms is a subject of Skill Development only",
        ),
    ],
)
def test_a_course_whose_split_is_wrong_is_refused_naming_the_portions(
    world: dict[str, Any], hours: str, portions: list[PortionSpec], message: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        submit(world, hours=hours, portions=portions)
    assert (refused.value.message, refused.value.field) == (message, "portions")
    assert not Course.objects.filter(provider__agency=world["agency_a"]).exists()


def report(world: dict[str, Any], **values: Any) -> Any:
    arguments: dict[str, Any] = {
        "agency": world["agency_a"],
        "license_numbers": ["P1000001"],
        "completed_on": dt.date(2023, 6, 1),
        "title": "Range day",
        "hours": Decimal(3),
        "portions": SPLIT,
        "acting_user": world["bob"],
        **values,
    }
    return in_service_session_report(**arguments)


def test_a_session_described_by_title_is_recorded_with_its_portions(world: dict[str, Any]) -> None:
    assert report(world).applied
    record = TrainingRecord.objects.get()
    # The roster holds each topic's hours in all and places them, Interpersonal Perspectives
    # first, then Legal Studies: here, where they were given.
    assert sorted((line.core_area, line.subject, line.hours, line.topics) for line in record.lines.all()) == [
        ("legal_studies", "", Decimal(1), {"de_escalation": 0.5}),
        ("skill_development", "firearms", Decimal(2), {}),
    ]


def test_a_session_of_an_approved_course_takes_the_courses_split(world: dict[str, Any]) -> None:
    course = submit(world)
    with pytest.raises(ServiceError) as refused:
        report(world, course=course, title="", hours=None)
    assert refused.value.field == "course"
    assert refused.value.message.startswith("choose an approved course or describe the training, not both")


def test_a_session_whose_split_misses_hours_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as refused:
        report(world, hours=Decimal(4))
    assert refused.value.field == "portions"
    assert refused.value.message.startswith("the core-area hours add up to 3, not the training's 4")
    assert not TrainingRecord.objects.exists()
