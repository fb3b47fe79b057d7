"""Stored compliance results: kept current after commit, and equal to `clee check` on the export."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clee.compliance.models import ComplianceResult, StaleResult
from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.compliance.scenarios import officer_period_scenario
from clee.core.models import AuditEvent
from clee.training.services import RecordEntry, course_lines

pytestmark = pytest.mark.django_db(transaction=True)


def entry(world: dict[str, Any], day: dt.date) -> RecordEntry:
    course = world["course"]
    return RecordEntry(
        officer_id=world["officer"].id,
        course_id=course.id,
        completed_on=day,
        hours=course.hours,
        source="course",
        credit_class="approved",
        delivery=course.delivery,
        lines=course_lines(course),
    )


def test_it_recomputes_an_officers_result_when_a_record_is_committed(
    world: dict[str, Any], run_worker: Any
) -> None:
    training_records_add(entries=[entry(world, dt.date(2023, 3, 1))], actor=world["erin"])
    # Committed with its stale mark; a worker recomputes it.
    assert StaleResult.objects.filter(officer=world["officer"], period=world["period"]).exists()
    run_worker()
    assert not StaleResult.objects.exists()
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert result.status == "deficient"
    assert result.counted_hours == Decimal("4.00")
    assert result.shortfalls["total"] == 20.0
    assert "de_escalation" not in result.shortfalls
    assert result.still_needed["hours"] == 20.0


def test_it_writes_an_audit_row_with_who_for_every_record(world: dict[str, Any]) -> None:
    outcome = training_records_add(entries=[entry(world, dt.date(2023, 3, 1))], actor=world["erin"])
    event = AuditEvent.objects.get(object_type="training.trainingrecord", object_id=str(outcome.added[0].pk))
    assert (event.actor, event.action) == (world["erin"], "training.record_add")


def test_sending_the_same_completion_twice_adds_nothing(world: dict[str, Any]) -> None:
    first = training_records_add(entries=[entry(world, dt.date(2023, 3, 1))], actor=world["erin"])
    second = training_records_add(entries=[entry(world, dt.date(2023, 3, 1))], actor=world["erin"])
    assert (len(first.added), len(second.added), second.already_present) == (1, 0, 1)


def test_the_exported_scenario_gives_the_stored_result_through_clee_check(
    world: dict[str, Any], tmp_path: Path
) -> None:
    training_records_add(
        entries=[entry(world, dt.date(2023, 3, 1)), entry(world, dt.date(2023, 9, 9))], actor=world["erin"]
    )
    compliance_recompute(period=world["period"])
    stored = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    scenario = tmp_path / "officer.json"
    scenario.write_text(json.dumps(officer_period_scenario(world["officer"].id, world["period"])))
    checked = json.loads(
        subprocess.run(
            [str(Path(sys.executable).parent / "clee"), "check", str(scenario)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert checked["status"] == stored.status
    assert checked["counted_hours"] == float(stored.counted_hours)
    assert checked["additional_hours_needed"] == float(stored.additional_hours_needed)
    assert checked["shortfalls"] == stored.shortfalls
    assert checked["requirements"] == stored.requirements
