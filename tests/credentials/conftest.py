"""Credential fixtures: a signing key in a folder of the test run, and the independent verifier
(Node.js, tests/credentials/verify_vc.mjs) run on a credential."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.credentials.verifier import independent_verify


@pytest.fixture
def keys_dir(settings: Any, tmp_path: Path) -> Path:
    """Private keys go to a folder of the test, never to var/."""
    settings.CLEE_CREDENTIAL_KEYS_DIR = tmp_path / "keys"
    return Path(settings.CLEE_CREDENTIAL_KEYS_DIR)


@pytest.fixture
def signing_key(keys_dir: Path, db: Any) -> Any:
    from clee.credentials.keys import signing_key_generate

    return signing_key_generate()


@pytest.fixture
def independent_verifier() -> Callable[[str], dict[str, Any]]:
    """``verify(credential_json)``: Digital Bazaar's verifier's answer, as a dict."""
    return independent_verify


@pytest.fixture
def compliant_year(world: dict[str, Any]) -> dict[str, Any]:
    """Alice's 2023: the world's 4-hour course on March 1 and a 20-hour course on April 5,
    which together meet every requirement (24 hours); her result computed."""
    import datetime as dt
    from decimal import Decimal

    from clee.compliance.models import ComplianceResult
    from clee.compliance.recompute import compliance_recompute
    from clee.compliance.records import training_records_add
    from clee.providers.courses import PortionSpec
    from clee.training.services import RecordEntry, course_lines
    from tests import factories

    annual = factories.course(
        provider=world["provider"],
        number="CMA-200",
        title="Annual in-service block",
        hours=20,
        split=[
            PortionSpec(core_area="legal_studies", hours=Decimal(10)),
            PortionSpec(core_area="technical_studies", hours=Decimal(4)),
            PortionSpec(
                core_area="interpersonal_perspectives",
                hours=Decimal(4),
                topics={"racial_profiling": Decimal(1), "implicit_bias": Decimal(1)},
            ),
            PortionSpec(core_area="skill_development", subject="firearms", hours=Decimal(2)),
        ],
    )
    entries = [
        RecordEntry(
            officer_id=world["officer"].pk,
            course_id=course.pk,
            completed_on=day,
            hours=course.hours,
            source="course",
            credit_class="approved",
            delivery="live",
            lines=course_lines(course),
        )
        for course, day in ((world["course"], dt.date(2023, 3, 1)), (annual, dt.date(2023, 4, 5)))
    ]
    outcome = training_records_add(entries=entries, actor=world["dave"])
    compliance_recompute(period=world["period"], officer_ids=[world["officer"].pk])
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert result.status == "compliant", result.shortfalls
    short, annual_record = outcome.added
    return {"short_record": short, "annual_record": annual_record, "result": result}
