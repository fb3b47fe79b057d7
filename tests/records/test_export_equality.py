"""Exporting any officer's period as a scenario file and running `clee check` on it gives the
stored result exactly — shown on a few hundred officers with randomized records."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clee.compliance.models import ComplianceResult, StaleResult
from clee.compliance.outbox import period_mark_stale, stale_results_recompute
from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.compliance.scenarios import officer_period_scenario
from clee.officers.models import Officer
from clee.training.services import LineSpec, RecordEntry

pytestmark = pytest.mark.django_db(transaction=True)

AREAS = ["legal_studies", "technical_studies", "interpersonal_perspectives", "skill_development"]
TOPICS = ["racial_profiling", "implicit_bias", "de_escalation"]


def random_entry(rng: random.Random, officer_id: int, year: int) -> RecordEntry:
    source = rng.choices(["course", "instruction", "college", "military", "out_of_state"], [70, 8, 8, 6, 8])[
        0
    ]
    lines = []
    for _ in range(rng.choice([1, 1, 2])):
        area = rng.choice(AREAS)
        hours = Decimal(rng.choice(["0.5", "1", "1.5", "2", "3", "4", "8"]))
        subject = "firearms" if area == "skill_development" and rng.random() < 0.5 else ""
        topics = {rng.choice(TOPICS): float(min(hours, Decimal(1)))} if rng.random() < 0.25 else {}
        lines.append(LineSpec(core_area=area, subject=subject, hours=hours, topics=topics))
    total = sum((line.hours for line in lines), Decimal(0))
    # Late December and early January dates test the period's edges.
    day = (
        rng.choice([dt.date(year, 1, 1), dt.date(year, 12, 31), dt.date(year + 1, 1, 2)])
        if rng.random() < 0.1
        else (dt.date(year, rng.randint(1, 12), rng.randint(1, 28)))
    )
    return RecordEntry(
        officer_id=officer_id,
        completed_on=day,
        hours=total,
        source=source,
        credit_class=rng.choice(["approved", "licensed"]),
        delivery="computer_based" if rng.random() < 0.35 else "live",
        lines=tuple(lines),
        description="synthetic training",
        state=rng.choice(["MN", "TX", "FL", "IADLEST"]) if source == "out_of_state" else "",
        semester_hours=total / 2 if source == "college" else None,
    )


def test_every_exported_officer_period_gives_the_stored_result_through_clee_check(
    world: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    rng = random.Random(20231231)
    officers = Officer.objects.bulk_create(
        [
            Officer(
                license_number=f"T{index:07d}",
                first_name="Test",
                last_name=f"Officer {index}",
                date_of_birth=dt.date(1980, 1, 1),
                licensed_on=dt.date(2023, 7, 1) if index % 25 == 0 else dt.date(2010, 1, 1),
            )
            for index in range(300)
        ]
    )
    entries = [random_entry(rng, o.id, 2023) for o in officers for _ in range(rng.randint(0, 30))]
    training_records_add(entries=entries, actor=world["erin"])
    compliance_recompute(period=world["period"])

    ids = [o.id for o in officers]
    scenarios = tmp_path / "officers.jsonl"
    scenarios.write_text("".join(json.dumps(officer_period_scenario(i, world["period"])) + "\n" for i in ids))
    run = subprocess.run(
        [str(Path(sys.executable).parent / "clee"), "check-batch", str(scenarios)],
        check=True,
        capture_output=True,
        text=True,
    )
    checked = [json.loads(line) for line in run.stdout.splitlines()]
    stored = {
        r.officer_id: r for r in ComplianceResult.objects.filter(period=world["period"], officer_id__in=ids)
    }
    assert len(checked) == len(ids) == len(stored)
    statuses = set()
    for officer_id, result in zip(ids, checked, strict=True):
        mine = stored[officer_id]
        statuses.add(mine.status)
        assert result["status"] == mine.status, officer_id
        assert result["counted_hours"] == float(mine.counted_hours), officer_id
        assert result["additional_hours_needed"] == float(mine.additional_hours_needed), officer_id
        assert result["shortfalls"] == mine.shortfalls, officer_id
        assert result["requirements"] == mine.requirements, officer_id
        if mine.status == "deficient":  # the breakdown, word for word
            assert result["still_needed"] == mine.still_needed, officer_id
    assert statuses == {"compliant", "deficient", "exempt"}
    assert any(r["solved_by"] != "sums" for r in checked), "no officer's cap bound: the sample is too easy"

    # The same period recomputed by the workers, batch by batch through the stale marks (small
    # batches: several claims), stores the same results.
    fields = (
        "officer_id",
        "status",
        "counted_hours",
        "additional_hours_needed",
        "shortfalls",
        "requirements",
    )
    before = sorted(ComplianceResult.objects.filter(period=world["period"]).values_list(*fields))
    ComplianceResult.objects.filter(period=world["period"]).delete()
    settings.CLEE_RECOMPUTE_BATCH = 7
    period_mark_stale(world["period"], reason="test")
    done = stale_results_recompute()
    assert (done["stored"], done["batches"]) == (Officer.objects.count(), -(-Officer.objects.count() // 7))
    assert sorted(ComplianceResult.objects.filter(period=world["period"]).values_list(*fields)) == before
    assert not StaleResult.objects.exists()
