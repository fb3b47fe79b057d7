"""Fixtures for imports, added to the shared ``world``: a second officer (commissioned by
agency B), agency A's in-service provider and course, and an offering of the world's course."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from clee.officers.models import Officer
from clee.providers.courses import PortionSpec
from clee.providers.models import Course, Offering, Provider
from tests import factories


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Any) -> None:
    """The world's six accounts are hashed for every test: a deliberately slow hash there
    would cost seconds per test and test nothing of imports."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bert(world: dict[str, Any]) -> Officer:
    return factories.officer(
        license_number="P1000002",
        first_name="Bert",
        last_name="Brown",
        date_of_birth=dt.date(1990, 6, 15),
        licensed_on=dt.date(2016, 5, 1),
        agency=world["agency_b"],
    )


@pytest.fixture
def in_service(world: dict[str, Any]) -> Course:
    """Agency A's in-service provider (licensed-provider credit) and its approved course IS-7."""
    provider = factories.provider(
        number="IS-0950",
        name="Riverton Police Department in-service training",
        kind=Provider.Kind.IN_SERVICE,
        credit_class="licensed",
        agency=world["agency_a"],
        approved_from=dt.date(2018, 1, 1),
    )
    return factories.course(
        provider=provider,
        number="IS-7",
        title="Firearms qualification",
        hours=2,
        split=[PortionSpec(core_area="skill_development", subject="firearms", hours=Decimal(2))],
        approved_from=dt.date(2018, 1, 1),
    )


@pytest.fixture
def offering(world: dict[str, Any]) -> Offering:
    return factories.offering(
        course=world["course"],
        starts_on=dt.date(2023, 3, 1),
        ends_on=dt.date(2023, 3, 2),
        location="Jefferson City",
    )
