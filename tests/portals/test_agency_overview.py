"""The agency's compliance overview: officers short in each requirement and hours completed
per month, as plain bars and the same numbers in tables, on a hand-built case."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clee.officers.models import Commission, Officer
from clee.training.models import TrainingRecord
from tests import factories
from tests.conftest import PASSWORD
from tests.portals.test_agency_roster import commissioned, stored_result

pytestmark = pytest.mark.django_db


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def record(officer: Officer, day: dt.date, hours: str, status: str = "accepted") -> TrainingRecord:
    return factories.training_record(
        officer=officer, description="Roll-call training", completed_on=day, hours=hours, status=status
    )


@pytest.fixture
def case(world: dict[str, Any]) -> None:
    """Agency A: alice short in total, firearms and implicit bias; Gale short in total and
    firearms; Hart compliant; Ivy exempt. Not counted: Jude (agency B, short in firearms) and
    Kim (agency A's commission ended, short in legal studies)."""
    period, agency_a = world["period"], world["agency_a"]
    alice = world["officer"]
    stored_result(alice, period, short={"total": 6.0, "firearms": 2.0, "implicit_bias": 1.0})
    stored_result(commissioned(agency_a, "P5000001", "Gale"), period, short={"total": 2.0, "firearms": 2.0})
    stored_result(commissioned(agency_a, "P5000002", "Hart"), period)
    stored_result(
        commissioned(agency_a, "P5000003", "Ivy"), period, status="exempt", exemption="licensed in 2023"
    )
    jude = commissioned(world["agency_b"], "P5000004", "Jude")
    stored_result(jude, period, short={"total": 2.0, "firearms": 2.0})
    kim = commissioned(agency_a, "P5000005", "Kim")
    stored_result(kim, period, short={"total": 2.0, "legal_studies": 2.0})
    Commission.objects.filter(officer=kim).update(end=dt.date(2023, 10, 1))
    # Hours: alice 4 + 2 in March and 1.5 in July count; a rejected record, a 2022 record,
    # Jude's and Kim's do not.
    record(alice, dt.date(2023, 3, 14), "4")
    record(alice, dt.date(2023, 3, 20), "2")
    record(alice, dt.date(2023, 7, 1), "1.5")
    record(alice, dt.date(2023, 3, 21), "3", status="rejected")
    record(alice, dt.date(2022, 3, 21), "8")
    record(jude, dt.date(2023, 3, 2), "5")
    record(kim, dt.date(2023, 3, 2), "5")


def test_the_overview_counts_officers_short_in_each_requirement(world: dict[str, Any], case: None) -> None:
    response = client_of("bob").get("/agency/overview/")
    assert response.status_code == 200
    short = {bar.label: bar.value for bar in response.context["by_requirement"]}
    assert short["Total hours"] == 2
    assert short["Skill Development – Firearms"] == 2
    assert short["Implicit bias"] == 1
    assert short["Legal Studies"] == 0
    assert sum(short.values()) == 5
    bars = {bar.label: bar.percent for bar in response.context["by_requirement"]}
    assert (bars["Total hours"], bars["Implicit bias"], bars["Legal Studies"]) == (100, 50, 0)


def test_the_overview_sums_hours_completed_per_month(world: dict[str, Any], case: None) -> None:
    response = client_of("bob").get("/agency/overview/")
    months = {bar.label: (bar.value, bar.count) for bar in response.context["by_month"]}
    assert len(months) == 12
    assert months["March"] == (Decimal(6), 2)
    assert months["July"] == (Decimal("1.5"), 1)
    assert months["January"] == (Decimal(0), 0)
    assert sum(value for value, _ in months.values()) == Decimal("7.5")


def test_the_overview_shows_bars_and_the_same_numbers_in_tables(world: dict[str, Any], case: None) -> None:
    page = client_of("bob").get("/agency/overview/").content.decode()
    assert page.count('<ul class="site-bars site-ag-chart" aria-hidden="true">') == 2
    assert '<span class="site-bars__bar site-w-100"></span>' in page
    assert '<caption id="requirement-caption">Officers short in each requirement, 2023</caption>' in page
    assert '<tr><th scope="row">March</th><td class="num">6</td><td class="num">2</td></tr>' in page
    assert '<tr><th scope="row">Implicit bias</th><td>at least 1 h</td><td class="num">1</td></tr>' in page
    figures = {
        figure.label: figure.count for figure in client_of("bob").get("/agency/overview/").context["figures"]
    }
    assert (figures["Commissioned now"], figures["Deficient"], figures["Exempt"]) == (4, 2, 1)


def test_another_agency_sees_only_its_own_numbers(world: dict[str, Any], case: None) -> None:
    response = client_of("carol").get("/agency/overview/")
    short = {bar.label: bar.value for bar in response.context["by_requirement"]}
    assert (short["Total hours"], short["Skill Development – Firearms"], short["Implicit bias"]) == (1, 1, 0)
    months = {bar.label: bar.value for bar in response.context["by_month"]}
    assert months["March"] == Decimal(5)
