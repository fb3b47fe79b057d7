"""Builders shared by the officer portal's tests (this module holds no tests of its own):
signed-in clients, tiny documents, records that make alice compliant or short, courses with
upcoming offerings, and a second officer who must never see alice's things."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from clee.accounts.models import User
from clee.compliance.models import ReportingPeriod
from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.demo.pdf import tiny_pdf
from clee.officers.models import Officer
from clee.providers.courses import PortionSpec
from clee.providers.models import Course, Offering, Provider
from clee.training.services import LineSpec, RecordEntry
from tests import factories
from tests.conftest import PASSWORD


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    """A real PNG image (a scanned page stand-in)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


PDF = tiny_pdf("A synthetic certificate", ["Completed: 4 hours"])
PNG = png_bytes()
NOT_A_DOCUMENT = b"MZ\x90\x00 this is an executable, whatever its name says"

# 24 approved, live hours meeting every 2023 minimum.
COMPLIANT_LINES = (
    LineSpec(core_area="legal_studies", hours=Decimal(6)),
    LineSpec(core_area="technical_studies", hours=Decimal(6)),
    LineSpec(
        core_area="interpersonal_perspectives",
        hours=Decimal(6),
        topics={"racial_profiling": 1, "implicit_bias": 1, "de_escalation": 1},
    ),
    LineSpec(core_area="skill_development", subject="firearms", hours=Decimal(6)),
)

# 22 hours with no Technical Studies: 2 hours short, both of them technical.
NO_TECHNICAL_LINES = (
    LineSpec(core_area="legal_studies", hours=Decimal(8)),
    LineSpec(
        core_area="interpersonal_perspectives",
        hours=Decimal(8),
        topics={"racial_profiling": 1, "implicit_bias": 1, "de_escalation": 1},
    ),
    LineSpec(core_area="skill_development", subject="firearms", hours=Decimal(6)),
)


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def give_record(
    officer: Officer,
    period: ReportingPeriod,
    lines: Sequence[LineSpec],
    *,
    description: str = "Annual in-service block",
    completed_on: dt.date | None = None,
    actor: Any = None,
    **entry: Any,
) -> int:
    """One accepted record of ``lines`` for ``officer``, and the period recomputed; its id."""
    outcome = training_records_add(
        entries=[
            RecordEntry(
                officer_id=officer.pk,
                completed_on=completed_on or dt.date(period.year, 6, 1),
                hours=sum((line.hours for line in lines), Decimal(0)),
                source=entry.pop("source", "course"),
                credit_class=entry.pop("credit_class", "approved"),
                delivery=entry.pop("delivery", "live"),
                lines=tuple(lines),
                description=description,
                **entry,
            )
        ],
        actor=actor,
    )
    compliance_recompute(period=period, officer_ids=[officer.pk])
    return outcome.record_ids[0]


def recompute(officer: Officer, period: ReportingPeriod) -> None:
    compliance_recompute(period=period, officer_ids=[officer.pk])


def second_officer() -> tuple[Officer, User]:
    """Olga, another licensed officer with her own account."""
    olga = factories.officer(
        license_number="P1000002",
        first_name="Olga",
        last_name="Oduya",
        date_of_birth=dt.date(1990, 1, 5),
        licensed_on=dt.date(2014, 3, 1),
    )
    return olga, factories.account("olga", "officer", officer=olga)


def course_with_offering(
    provider: Provider,
    number: str,
    title: str,
    portions: Sequence[tuple[str, str, Decimal, dict[str, float]]],
    *,
    days_ahead: int = 10,
    delivery: str = "live",
    status: str = Course.Status.APPROVED,
) -> Offering:
    """An approved course split over ``portions`` (area, subject, hours, topics) and one
    offering of it ``days_ahead`` days from today."""
    hours = sum((hours for _, _, hours, _ in portions), Decimal(0))
    split = [
        PortionSpec(
            core_area=area,
            subject=subject,
            hours=portion_hours,
            topics={topic: Decimal(str(h)) for topic, h in topics.items()},
        )
        for area, subject, portion_hours, topics in portions
    ]
    course = factories.course(
        provider=provider,
        number=number,
        title=title,
        hours=hours,
        split=split,
        delivery=delivery,
        status=status,
    )
    return offering_of(course, days_ahead=days_ahead)


def offering_of(course: Course, *, days_ahead: int, location: str = "Riverton Training Center") -> Offering:
    """A one-day offering of ``course`` ``days_ahead`` days from today. The services offer only
    approved courses: an offering of any other (which the officer's pages must still leave
    out) is written with the ORM."""
    starts = timezone.localdate() + dt.timedelta(days=days_ahead)
    if course.status == Course.Status.APPROVED:
        return factories.offering(course=course, starts_on=starts, location=location)
    return Offering.objects.create(course=course, starts_on=starts, ends_on=starts, location=location)
