"""The sample files of docs/imports.md import cleanly, in the documented order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clee.agencies.models import Agency
from clee.imports.services import ImportReport, import_apply
from clee.imports.tables import table_from_upload
from clee.officers.models import Commission, Officer
from clee.providers.models import Course, CoursePortion, Provider
from clee.training.models import TrainingRecord

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


@pytest.fixture
def academy(world: dict[str, Any]) -> Provider:
    """The provider and courses the sample roster names (docs/imports.md says so)."""
    provider = Provider.objects.create(
        number="LP-0107",
        name="Mid-Missouri Regional Police Academy",
        kind=Provider.Kind.LICENSED,
        credit_class="approved",
        approved_from=dt.date(2019, 1, 1),
    )
    legal = Course.objects.create(
        provider=provider,
        number="MRA-2101",
        title="Legal update and racial profiling",
        hours=Decimal(4),
        status="approved",
        approved_from=dt.date(2022, 1, 1),
    )
    CoursePortion.objects.create(course=legal, core_area="legal_studies", hours=Decimal(2))
    CoursePortion.objects.create(
        course=legal, core_area="interpersonal_perspectives", hours=Decimal(2), topics={"racial_profiling": 1}
    )
    firearms = Course.objects.create(
        provider=provider,
        number="MRA-2205",
        title="Firearms: judgment and qualification",
        hours=Decimal(8),
        status="approved",
        approved_from=dt.date(2022, 1, 1),
    )
    CoursePortion.objects.create(
        course=firearms, core_area="skill_development", subject="firearms", hours=Decimal(8)
    )
    return provider


def apply(world: dict[str, Any], kind: str, name: str, **scope: Any) -> ImportReport:
    report = import_apply(
        kind=kind, table=table_from_upload((SAMPLES / name).read_bytes(), name), actor=world["erin"], **scope
    )
    assert report.errors == []
    assert report.applied
    return report


def test_the_sample_files_import_in_order_and_the_xlsx_roster_matches_the_csv(
    world: dict[str, Any], academy: Provider
) -> None:
    assert len(apply(world, "agencies", "agencies.csv").to_add) == 3
    assert len(apply(world, "officers", "officers.csv").to_add) == 4
    assert len(apply(world, "commissions", "commissions.csv").to_add) == 5
    assert len(apply(world, "roster", "roster.csv", provider=academy).to_add) == 4
    cedar_falls = Agency.objects.get(ori="MO0480100")
    assert len(apply(world, "roster", "in_service_roster.csv", agency=cedar_falls).to_add) == 3

    assert Officer.objects.filter(license_number__startswith="P23").count() == 4
    assert Commission.objects.filter(agency__ori__startswith="MO048").count() == 5
    assert TrainingRecord.objects.filter(officer__license_number="P2300101").count() == 5

    xlsx = apply(world, "roster", "roster.xlsx", provider=academy)
    assert (len(xlsx.to_add), len(xlsx.already_present)) == (0, 4)
