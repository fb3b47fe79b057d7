"""Helpers of the provider portal's tests: signed-in clients, synthetic files, a second
provider with its own course, offering and roster, and an officer who teaches."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from clee.accounts.models import User
from clee.demo.pdf import tiny_pdf
from clee.officers.models import Officer
from clee.providers.models import Course, CoursePortion, Offering
from clee.training.models import ImportBatch
from tests import factories
from tests.conftest import PASSWORD
from tests.portals.test_officer_support import png_bytes

PDF = tiny_pdf("A synthetic certificate", ["Completed: 4 hours"])
PNG = png_bytes()
ROSTER_HEADER = "License Number,Last Name,Course Number,Completion Date,Hours"


def client_of(user: User | str) -> Client:
    client = Client()
    username = user if isinstance(user, str) else user.username
    assert client.login(username=username, password=PASSWORD)
    return client


def text(response: Any) -> str:
    """A page's text as a person reads it (entities such as ``&#x27;`` decoded)."""
    return html.unescape(response.content.decode())


def upload(name: str, content: bytes = PDF, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def split_rows(*rows: dict[str, str], blank: int = 1) -> dict[str, str]:
    """The posted values of a course's split: these rows, then ``blank`` empty ones."""
    data = {
        "portions-TOTAL_FORMS": str(len(rows) + blank),
        "portions-INITIAL_FORMS": "0",
        "portions-MIN_NUM_FORMS": "0",
        "portions-MAX_NUM_FORMS": "12",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"portions-{index}-{name}"] = value
    return data


def course_data(**overrides: Any) -> dict[str, Any]:
    """A complete course submission: 4 hours, 2 Legal Studies and 2 Interpersonal Perspectives
    of which 1 implicit bias, with an instructor record and a sample certificate."""
    data: dict[str, Any] = {
        "title": "Report writing and implicit bias",
        "number": "CMA-210",
        "hours": "4",
        "delivery": "live",
        "synopsis": "Writing reports that hold up in court; recognizing implicit bias in them.",
        "learning_objectives": "Write a clear narrative.\nName three forms of implicit bias.",
        **split_rows(
            {"core_area": "legal_studies", "hours": "2"},
            {"core_area": "interpersonal_perspectives", "hours": "2", "implicit_bias_hours": "1"},
        ),
        "instructor_record": upload("instructors.pdf"),
        "sample_certificate": upload("certificate.png", PNG, "image/png"),
    }
    if any(key.startswith("portions-") for key in overrides):
        data = {key: value for key, value in data.items() if not key.startswith("portions-")}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def instructor_rows(*rows: tuple[str, str], blank: int = 1) -> dict[str, str]:
    """The posted values of an offering's instructors: (license number, hours taught) rows."""
    data = {
        "instructors-TOTAL_FORMS": str(len(rows) + blank),
        "instructors-INITIAL_FORMS": "0",
        "instructors-MIN_NUM_FORMS": "0",
        "instructors-MAX_NUM_FORMS": "40",
    }
    for index, (number, hours) in enumerate(rows):
        data[f"instructors-{index}-license_number"] = number
        data[f"instructors-{index}-hours_taught"] = hours
    return data


def offering_data(
    *rows: tuple[str, str], starts: str = "2023-05-01", ends: str = "2023-05-02", course: Course | None = None
) -> dict[str, str]:
    data = {"starts_on": starts, "ends_on": ends, "location": "Academy range, 12 Elm Street, Riverton"}
    if course is not None:
        data["course"] = str(course.pk)
    data.update(instructor_rows(*rows))
    return data


def roster(*rows: str) -> bytes:
    return "\n".join([ROSTER_HEADER, *rows]).encode() + b"\n"


@pytest.fixture
def instructor(world: dict[str, Any]) -> Officer:
    """An officer who teaches at the academy (not alice)."""
    return factories.officer(
        license_number="P2000002",
        first_name="Grace",
        last_name="Brooks",
        date_of_birth=dt.date(1980, 6, 9),
        licensed_on=dt.date(2005, 3, 1),
    )


@pytest.fixture
def elsewhere(world: dict[str, Any]) -> dict[str, Any]:
    """A second provider with its own account (paula), course, offering and roster."""
    provider = factories.provider(
        number="LP-0077", name="Ozark Regional Training Center", credit_class="approved"
    )
    # A course awaiting review with an offering: the services offer approved courses only, so
    # these rows (which the access tests need only as another provider's) come from the ORM.
    course = Course.objects.create(
        provider=provider,
        number="ORT-5",
        title="Defensive tactics",
        hours=Decimal(2),
        status=Course.Status.PENDING,
    )
    CoursePortion.objects.create(course=course, core_area="skill_development", hours=Decimal(2))
    offering = Offering.objects.create(
        course=course, starts_on=dt.date(2023, 3, 1), ends_on=dt.date(2023, 3, 1), location="Ozark gym"
    )
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.ROSTER, file_name="ozark.csv", sha256="0" * 64, provider=provider, rows=1
    )
    paula = factories.account("paula", "provider", provider=provider)
    return {"provider": provider, "course": course, "offering": offering, "batch": batch, "paula": paula}
