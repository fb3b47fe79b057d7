"""Loading the demo state into a database of its own: determinism, `--once`, and refusals."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from clee.agencies.models import Agency
from clee.compliance.models import ComplianceResult, LicenseDecision, ReportingPeriod
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from clee.demo.plans import DemoSize
from clee.demo.services import demo_state_load, demo_state_loaded
from clee.officers.models import Officer
from clee.training.models import TrainingRecord
from tests.demo.conftest import TINY, TODAY, moment

pytestmark = pytest.mark.django_db


def fingerprint() -> tuple[list[Any], ...]:
    return (
        list(Agency.objects.order_by("ori").values_list("ori", "name", "agency_type")),
        list(
            Officer.objects.order_by("license_number").values_list(
                "license_number", "first_name", "last_name", "date_of_birth", "licensed_on", "license_status"
            )
        ),
        list(
            TrainingRecord.objects.order_by(
                "officer__license_number", "completed_on", "course__number"
            ).values_list(
                "officer__license_number",
                "course__number",
                "completed_on",
                "hours",
                "source",
                "applied_to_year",
            )
        ),
        list(
            ComplianceResult.objects.order_by("period__year", "officer__license_number").values_list(
                "period__year",
                "officer__license_number",
                "status",
                "counted_hours",
                "additional_hours_needed",
            )
        ),
        list(
            LicenseDecision.objects.order_by("period__year", "officer__license_number").values_list(
                "period__year", "officer__license_number", "decision", "decided_at"
            )
        ),
    )


def test_the_same_seed_and_day_give_the_same_state_and_another_seed_another(db: Any) -> None:
    with time_machine.travel(moment(TODAY), tick=False):
        with transaction.atomic():
            demo_state_load(seed=3, size=TINY, today=TODAY)
            first = fingerprint()
            transaction.set_rollback(True)
        with transaction.atomic():
            demo_state_load(seed=4, size=TINY, today=TODAY)
            other = fingerprint()
            transaction.set_rollback(True)
        demo_state_load(seed=3, size=TINY, today=TODAY)
    assert fingerprint() == first
    assert other[1] != first[1]


def test_the_command_loads_once_then_only_prints_the_accounts(db: Any) -> None:
    first, second = StringIO(), StringIO()
    call_command("demo_state", "--once", "--officers", "40", "--agencies", "5", stdout=first)
    counts = (Officer.objects.count(), TrainingRecord.objects.count(), AuditEvent.objects.count())
    call_command("demo_state", "--once", "--officers", "40", "--agencies", "5", stdout=second)
    assert (Officer.objects.count(), TrainingRecord.objects.count(), AuditEvent.objects.count()) == counts
    assert counts[0] == 40
    assert "Loaded in" in first.getvalue()
    assert "already loaded" in second.getvalue()
    for output in (first.getvalue(), second.getvalue()):
        for account in DEMO_ACCOUNTS:
            line = rf"{re.escape(account.username)}\s+{DEMO_PASSWORD}\s+{account.role_label}"
            assert re.search(line, output)
    loaded = demo_state_loaded()
    assert loaded is not None
    assert loaded.data["officers"] == 40
    assert ReportingPeriod.objects.get(year=loaded.data["year"]).is_current


def test_the_command_without_once_refuses_a_second_load(db: Any) -> None:
    call_command("demo_state", "--officers", "30", "--agencies", "5", stdout=StringIO())
    with pytest.raises(CommandError, match="already loaded"):
        call_command("demo_state", "--officers", "30", "--agencies", "5", stdout=StringIO())


def test_the_command_refuses_a_state_too_small_to_show_every_case(db: Any) -> None:
    with pytest.raises(CommandError, match="at least 20 officers"):
        call_command("demo_state", "--officers", "5", stdout=StringIO())
    assert not Officer.objects.exists()


def test_it_refuses_a_database_that_already_holds_officers(world: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="only into an empty database"):
        demo_state_load(seed=1, size=DemoSize(officers=30, agencies=5), today=TODAY)
    out, err = StringIO(), StringIO()
    call_command("demo_state", "--once", stdout=out, stderr=err)
    assert "The demo state is not loaded" in err.getvalue()
    assert Officer.objects.count() == 1
    assert demo_state_loaded() is None


def test_it_refuses_to_load_outside_demo_mode(db: Any, settings: Any) -> None:
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only in demo mode"):
        call_command("demo_state", "--officers", "30", "--agencies", "5", stdout=StringIO())
    assert not Officer.objects.exists()
