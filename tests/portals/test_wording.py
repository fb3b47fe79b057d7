"""Sentences people read: hours and counts agree with their noun ("1 hour short"), a time ends
a sentence without a doubled full stop ("p.m.."), dates inside sentences are written as people
write them (never 2023-06-01), and a requirement short only because a cap forces a choice says so."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.training.services import LineSpec, RecordEntry
from tests.portals.test_agency_training import GOOD, upload
from tests.portals.test_oversight_statewide import client_of

pytestmark = pytest.mark.django_db


def give(
    world: dict[str, Any], *lines: LineSpec, source: str = "course", semester_hours: Decimal | None = None
) -> None:
    hours = sum((line.hours for line in lines), Decimal(0))
    training_records_add(
        entries=[
            RecordEntry(
                officer_id=world["officer"].pk,
                completed_on=dt.date(2023, 5, 1),
                hours=hours,
                source=source,
                credit_class="approved",
                delivery="live",
                lines=lines,
                semester_hours=semester_hours,
            )
        ],
        actor=world["erin"],
    )
    compliance_recompute(period=world["period"], officer_ids=[world["officer"].pk])


def test_a_requirement_one_hour_short_reads_one_hour_short(world: dict[str, Any]) -> None:
    give(world, LineSpec(core_area="legal_studies", hours=Decimal(1)))
    html = client_of("alice").get("/officer/").content.decode()
    assert "1 of 2 h · 1 hour short" in html
    assert "1 hours" not in html


def test_a_time_ends_a_sentence_without_a_doubled_full_stop(world: dict[str, Any]) -> None:
    client = client_of("bob")
    first = upload(client, GOOD)
    client.post("/agency/training/roster/preview/", {"sha256": first.context["draft"].sha256})
    page = upload(client, GOOD).content.decode()
    assert re.search(
        r"This very file was applied before \(on [A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d\d [ap]\.m\.\)", page
    )
    assert not re.search(r"[ap]\.m\.\.", page)


def test_a_requirement_short_only_because_a_cap_forces_a_choice_says_so_on_the_dashboard(
    world: dict[str, Any],
) -> None:
    # Six college courses of 2 hours (12, of which 8 count): legal, technical, interpersonal
    # and three on a topic each; each could count alone, not all of them at once.
    for area, topic in (
        ("legal_studies", None),
        ("technical_studies", None),
        ("interpersonal_perspectives", None),
        ("skill_development", "racial_profiling"),
        ("skill_development", "implicit_bias"),
        ("skill_development", "de_escalation"),
    ):
        topics = {topic: 1.0} if topic else {}
        give(
            world,
            LineSpec(core_area=area, hours=Decimal(2), topics=topics),
            source="college",
            semester_hours=Decimal(1),
        )
    give(
        world,
        LineSpec(core_area="skill_development", subject="firearms", hours=Decimal(2)),
        LineSpec(core_area="skill_development", hours=Decimal(14)),
    )
    html = client_of("alice").get("/officer/").content.decode()
    assert "(only together: a cap keeps your hours from counting toward every requirement at once)" in html
    assert "no more than 8 hours of college credit count" in html
