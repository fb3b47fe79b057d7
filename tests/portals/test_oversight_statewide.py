"""The statewide overview (compliance by agency and by requirement) and the list of officers
non-compliant after the grace deadline, with their exports, on a hand-built state.

The state (``state`` fixture, used by the other oversight and Director tests too), for the
2023 period, records entered through the training service and results computed by the engine:

| officer | agencies now | 2023 record | result |
| --- | --- | --- | --- |
| Alice (world) | A | 24 h, firearms 2 | compliant |
| Ben | A | 24 h, firearms 3 | compliant |
| Cara | A | 24 h, firearms 4 | compliant |
| Dan | A | 10 h, no firearms, no de-escalation | deficient, 14 h |
| Ivy | A | 22 h, every minimum | deficient, 2 h (nearly) |
| Hana | A and B | 24 h, firearms 6 | compliant |
| Mo | A | (onboarded after the recompute) | no result |
| Eve | B | 24 h, firearms 6 | compliant |
| Finn | B | none, licensed in 2023 | exempt |
| Jon | B | 20 h, every minimum, extension running | deficient, 4 h (nearly), extended |
| Kai | B | 10 h, every minimum, extension ended 2024 | deficient, 14 h, extended |
| Gus | none | 24 h, firearms 2 | compliant |
| Pat | none (A's commission ended) | 24 h, firearms 6 | compliant |
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from clee.compliance.models import ComplianceResult, Extension, LicenseDecision, ReportingPeriod
from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.officers.models import Officer
from clee.training.services import LineSpec, RecordEntry
from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PERSONAS = ("alice", "bob", "carol", "dave", "erin", "frank")
DAY = dt.date(2023, 6, 1)


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def new_officer(number: int, first: str, last: str, *, licensed_on: dt.date = dt.date(2010, 5, 1)) -> Officer:
    return factories.officer(
        license_number=f"P20000{number:02d}",
        first_name=first,
        last_name=last,
        date_of_birth=dt.date(1985, 3, 3),
        licensed_on=licensed_on,
    )


def lines(*, total: float, firearms: float = 2, de_escalation: bool = True) -> tuple[LineSpec, ...]:
    """Credit lines of ``total`` approved live hours: every minimum met (firearms as given),
    the rest in Legal Studies. Without ``de_escalation`` that topic hour is missing."""
    topics = {"racial_profiling": 1.0, "implicit_bias": 1.0}
    if de_escalation:
        topics["de_escalation"] = 1.0
    specs = [
        LineSpec("technical_studies", Decimal(2)),
        LineSpec("interpersonal_perspectives", Decimal(3), topics=topics),
    ]
    if firearms:
        specs.append(LineSpec("skill_development", Decimal(str(firearms)), subject="firearms"))
    legal = Decimal(str(total)) - sum((s.hours for s in specs), Decimal(0))
    assert legal >= 2
    return (LineSpec("legal_studies", legal), *specs)


def record(officer: Officer, specs: tuple[LineSpec, ...], day: dt.date = DAY) -> RecordEntry:
    return RecordEntry(
        officer_id=officer.pk,
        completed_on=day,
        hours=sum((s.hours for s in specs), Decimal(0)),
        source="course",
        credit_class="approved",
        delivery="live",
        lines=specs,
        description="In-service training day",
    )


@pytest.fixture
def state(world: dict[str, Any]) -> dict[str, Any]:
    return build_state(world)


def build_state(world: dict[str, Any]) -> dict[str, Any]:
    """The hand-built state of the module docstring, on top of ``world``; returns ``world``
    with each officer by first name (lower case), ``people`` and ``today``."""
    period, agency_a, agency_b = world["period"], world["agency_a"], world["agency_b"]
    today = timezone.localdate()
    people = {"alice": world["officer"]}
    for number, (key, first, last) in enumerate(
        [
            ("ben", "Ben", "Boyd"),
            ("cara", "Cara", "Cole"),
            ("dan", "Dan", "Dorsey"),
            ("ivy", "Ivy", "Irwin"),
            ("hana", "Hana", "Hale"),
            ("eve", "Eve", "Ellis"),
            ("jon", "Jon", "Judd"),
            ("kai", "Kai", "Kemp"),
            ("gus", "Gus", "Gray"),
            ("pat", "Pat", "Pruitt"),
        ],
        start=1,
    ):
        people[key] = new_officer(number, first, last)
    people["finn"] = new_officer(20, "Finn", "Foster", licensed_on=dt.date(2023, 5, 1))
    for key in ("ben", "cara", "dan", "ivy", "hana"):
        factories.commission(officer=people[key], agency=agency_a, start=dt.date(2016, 1, 1))
    for key in ("hana", "eve", "finn", "jon", "kai"):
        factories.commission(officer=people[key], agency=agency_b, start=dt.date(2016, 1, 1))
    factories.commission(
        officer=people["pat"], agency=agency_a, start=dt.date(2016, 1, 1), end=dt.date(2022, 12, 31)
    )
    training_records_add(
        entries=[
            record(people["alice"], lines(total=24, firearms=2)),
            record(people["ben"], lines(total=24, firearms=3)),
            record(people["cara"], lines(total=24, firearms=4)),
            record(people["dan"], lines(total=10, firearms=0, de_escalation=False)),
            record(people["ivy"], lines(total=22)),
            record(people["hana"], lines(total=24, firearms=6)),
            record(people["eve"], lines(total=24, firearms=6)),
            record(people["jon"], lines(total=20)),
            record(people["kai"], lines(total=10)),
            record(people["gus"], lines(total=24, firearms=2)),
            record(people["pat"], lines(total=24, firearms=6)),
        ],
        actor=world["erin"],
    )
    for key, deadline in (("jon", today + dt.timedelta(days=90)), ("kai", dt.date(2024, 6, 1))):
        Extension.objects.create(
            officer=people[key],
            period=period,
            reason=Extension.Reason.MEDICAL,
            status=Extension.Status.GRANTED,
            new_deadline=deadline,
            requested_by=world["bob"],
        )
    compliance_recompute(period=period)
    people["mo"] = new_officer(30, "Mo", "Moss")
    factories.commission(officer=people["mo"], agency=agency_a, start=dt.date(2024, 2, 1))
    return {**world, **people, "people": people, "today": today}


def result_of(state: dict[str, Any], key: str) -> ComplianceResult:
    return ComplianceResult.objects.get(officer=state[key], period=state["period"])


def test_the_state_is_what_the_docstring_says(state: dict[str, Any]) -> None:
    statuses = {key: result_of(state, key).status for key in state["people"] if key != "mo"}
    assert statuses == {
        "alice": "compliant",
        "ben": "compliant",
        "cara": "compliant",
        "dan": "deficient",
        "ivy": "deficient",
        "hana": "compliant",
        "eve": "compliant",
        "finn": "exempt",
        "jon": "deficient",
        "kai": "deficient",
        "gus": "compliant",
        "pat": "compliant",
    }
    assert result_of(state, "jon").extended_until == state["today"] + dt.timedelta(days=90)
    assert result_of(state, "ivy").additional_hours_needed == Decimal(2)


# Compliance by agency ----------------------------------------------------------------------


def agency_rows(response: Any) -> dict[str, dict[str, int]]:
    return {
        row["name"]: {
            key: row[key]
            for key in ("officers", "compliant", "deficient", "nearly", "extended", "exempt", "no_result")
        }
        for row in response.context["page_obj"]
    }


def test_the_statewide_page_counts_each_agencys_officers_by_result(state: dict[str, Any]) -> None:
    response = client_of("erin").get("/state/compliance/")
    assert response.status_code == 200
    assert response.context["period"] == state["period"]
    assert agency_rows(response) == {
        "Riverton Police Department": {
            "officers": 7,
            "compliant": 4,
            "deficient": 2,
            "nearly": 1,
            "extended": 0,
            "exempt": 0,
            "no_result": 1,
        },
        "Hollis County Sheriff's Office": {
            "officers": 5,
            "compliant": 2,
            "deficient": 2,
            "nearly": 1,
            "extended": 2,
            "exempt": 1,
            "no_result": 0,
        },
    }
    page = response.content.decode()
    assert "<h1>Statewide compliance</h1>" in page
    assert "Riverton Police Department" in page


def test_statewide_it_counts_the_officers_short_of_each_requirement(state: dict[str, Any]) -> None:
    response = client_of("frank").get("/state/compliance/")
    short = {row.key: row.officers_short for row in response.context["requirements"]}
    assert short == {
        "total": 4,  # Dan, Ivy, Jon, Kai
        "approved_provider": 0,
        "legal_studies": 0,
        "technical_studies": 0,
        "interpersonal_perspectives": 0,
        "firearms": 1,  # Dan
        "racial_profiling": 0,
        "implicit_bias": 0,
        "de_escalation": 1,  # Dan
    }
    assert response.context["with_result"] == 12
    assert "Skill Development – Firearms" in response.content.decode()


def test_the_agency_table_sorts_by_a_column_and_finds_an_agency_by_name(state: dict[str, Any]) -> None:
    client = client_of("erin")
    by_officers = client.get("/state/compliance/", {"sort": "-officers"})
    assert next(r["name"] for r in by_officers.context["page_obj"]) == "Riverton Police Department"
    by_exempt = client.get("/state/compliance/", {"sort": "-exempt"})
    assert next(r["name"] for r in by_exempt.context["page_obj"]) == "Hollis County Sheriff's Office"
    assert 'aria-sort="descending"' in by_exempt.content.decode()
    found = client.get("/state/compliance/", {"q": "hollis"})
    assert list(agency_rows(found)) == ["Hollis County Sheriff's Office"]
    unknown_sort = client.get("/state/compliance/", {"sort": "password"})
    assert [r["name"] for r in unknown_sort.context["page_obj"]] == [
        "Hollis County Sheriff's Office",
        "Riverton Police Department",
    ]


def test_the_agency_table_is_paginated(state: dict[str, Any]) -> None:
    for number in range(60):
        factories.agency(ori=f"MO1{number:06d}", name=f"Town {number:02d} Police Department")
    client = client_of("erin")
    first = client.get("/state/compliance/")
    assert first.context["paginator"].count == 62
    assert len(first.context["page_obj"]) == 50
    second = client.get("/state/compliance/", {"page": 2})
    assert len(second.context["page_obj"]) == 12
    assert "Town 59 Police Department" in second.content.decode()


def test_the_statewide_page_takes_the_same_queries_for_two_agencies_or_forty(state: dict[str, Any]) -> None:
    client = client_of("erin")
    client.get("/state/compliance/")  # sessions and caches warm

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/state/compliance/").status_code == 200
        return len(captured)

    few = queries()
    for number in range(38):
        agency = factories.agency(ori=f"MO2{number:06d}", name=f"County {number:02d} Sheriff")
        officer = new_officer(40 + number, "Extra", f"Officer {number}")
        factories.commission(officer=officer, agency=agency, start=dt.date(2020, 1, 1))
    assert queries() == few


def test_the_statewide_page_shows_a_chosen_period(state: dict[str, Any]) -> None:
    factories.period(2022)
    response = client_of("erin").get("/state/compliance/", {"period": "2022"})
    assert response.context["period"].year == 2022
    riverton = agency_rows(response)["Riverton Police Department"]
    assert (riverton["officers"], riverton["compliant"], riverton["no_result"]) == (7, 0, 7)
    unknown = client_of("erin").get("/state/compliance/", {"period": "1999"})
    assert unknown.context["period"] == state["period"]
    assert "Select a valid choice" in unknown.content.decode()


def test_the_agency_export_gives_every_row_in_csv_and_xlsx_with_formulas_made_inert(
    state: dict[str, Any],
) -> None:
    factories.agency(ori="MO9990000", name='=HYPERLINK("http://x.test")')
    client = client_of("erin")
    response = client.get("/state/compliance/agencies.csv", {"period": "2023"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="compliance-by-agency-2023.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Agency", "ORI", "Officers commissioned"]
    assert ["Riverton Police Department", "MO0950000", "7", "4", "2", "1", "0", "0", "1"] in rows
    assert rows[1][0] == '\'=HYPERLINK("http://x.test")'
    workbook = load_workbook(io.BytesIO(client.get("/state/compliance/agencies.xlsx").content))
    values = list(workbook.active.iter_rows(values_only=True))
    assert ("Hollis County Sheriff's Office", "MO0960000", 5, 2, 2, 1, 2, 1, 0) in values
    assert client.get("/state/compliance/agencies.pdf").status_code == 404


# Non-compliant after the grace deadline ----------------------------------------------------


def test_the_noncompliant_list_shows_deficient_officers_leaving_out_running_extensions(
    state: dict[str, Any],
) -> None:
    response = client_of("erin").get("/state/compliance/noncompliant/", {"period": "2023"})
    assert response.status_code == 200
    rows = {row.officer.first_name: row for row in response.context["rows"]}
    assert sorted(rows) == ["Dan", "Ivy", "Kai"]  # Jon's extension still runs
    assert rows["Dan"].agency_names == "Riverton Police Department"
    assert rows["Dan"].hours_needed == Decimal(14)
    assert "Skill Development – Firearms" in rows["Dan"].missing
    assert "de-escalation" in rows["Dan"].missing
    assert rows["Kai"].agency_names == "Hollis County Sheriff's Office"
    page = response.content.decode()
    assert "Extension ended June 1, 2024" in page
    assert "Awaiting the Director's decision" in page
    assert "Active" in page


def test_the_noncompliant_list_opens_only_after_the_grace_deadline(state: dict[str, Any]) -> None:
    period = state["period"]
    period.grace_deadline = state["today"]  # the deadline day itself: training may still be shown
    period.save(update_fields=["grace_deadline"])
    client = client_of("erin")
    response = client.get("/state/compliance/noncompliant/", {"period": "2023"})
    assert response.status_code == 200
    assert "rows" not in response.context
    assert "The grace deadline has not passed yet" in response.content.decode()
    assert client.get("/state/compliance/noncompliant.csv", {"period": "2023"}).status_code == 404
    period.grace_deadline = state["today"] - dt.timedelta(days=1)
    period.save(update_fields=["grace_deadline"])
    assert len(client.get("/state/compliance/noncompliant/", {"period": "2023"}).context["rows"]) == 3


def test_the_noncompliant_list_filters_by_agency_and_officer(state: dict[str, Any]) -> None:
    client = client_of("frank")
    by_agency = client.get(
        "/state/compliance/noncompliant/", {"period": "2023", "agency": state["agency_b"].pk}
    )
    assert [row.officer.first_name for row in by_agency.context["rows"]] == ["Kai"]
    by_name = client.get("/state/compliance/noncompliant/", {"period": "2023", "q": "irwin"})
    assert [row.officer.first_name for row in by_name.context["rows"]] == ["Ivy"]
    by_license = client.get(
        "/state/compliance/noncompliant/", {"period": "2023", "q": state["dan"].license_number}
    )
    assert [row.officer.first_name for row in by_license.context["rows"]] == ["Dan"]


def test_the_noncompliant_list_shows_the_directors_decision(state: dict[str, Any]) -> None:
    LicenseDecision.objects.create(
        officer=state["ivy"],
        period=state["period"],
        decision=LicenseDecision.Decision.KEEP,
        reason="Training completed in early April",
        hours_short=Decimal(2),
        decided_by=state["frank"],
        decided_at=timezone.now(),
    )
    response = client_of("erin").get("/state/compliance/noncompliant/", {"period": "2023"})
    ivy = next(row for row in response.context["rows"] if row.officer.first_name == "Ivy")
    assert ivy.decision_shown.startswith("Kept active")
    assert "Training completed in early April" in response.content.decode()


def test_the_noncompliant_exports_give_every_row_in_csv_and_xlsx(state: dict[str, Any]) -> None:
    state["dan"].last_name = "+Dorsey"  # a name a spreadsheet would read as a formula
    state["dan"].save(update_fields=["last_name"])
    client = client_of("erin")
    response = client.get("/state/compliance/noncompliant.csv", {"period": "2023"})
    assert response["Content-Disposition"] == 'attachment; filename="noncompliant-after-grace-2023.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "License number",
        "Last name",
        "First name",
        "Agencies commissioning now",
        "Hours needed",
        "What is missing",
        "Extension ended",
        "License status",
        "Director's decision",
        "Decided on",
        "Reason",
    ]
    assert [r[2] for r in rows[1:]] == ["Dan", "Ivy", "Kai"]
    assert rows[1][1] == "'+Dorsey"
    assert rows[3][6] == "2024-06-01"
    assert rows[1][8] == "Awaiting the Director's decision"
    workbook = load_workbook(
        io.BytesIO(client.get("/state/compliance/noncompliant.xlsx", {"period": "2023"}).content)
    )
    values = list(workbook.active.iter_rows(values_only=True))
    assert len(values) == 4
    assert values[2][:5] == (state["ivy"].license_number, "Irwin", "Ivy", "Riverton Police Department", 2)


def test_the_noncompliant_list_defaults_to_the_latest_period_past_its_grace_deadline(
    state: dict[str, Any],
) -> None:
    ReportingPeriod.objects.create(
        year=2025,
        starts=dt.date(2025, 1, 1),
        ends=dt.date(2025, 12, 31),
        grace_deadline=state["today"] + dt.timedelta(days=30),
    )
    response = client_of("erin").get("/state/compliance/noncompliant/")
    assert response.context["period"] == state["period"]


# Who may see these pages --------------------------------------------------------------------


OVERSIGHT_PAGES = (
    "/state/",
    "/state/compliance/",
    "/state/compliance/agencies.csv",
    "/state/compliance/agencies.xlsx",
    "/state/compliance/noncompliant/",
    "/state/compliance/noncompliant.csv",
    "/state/compliance/noncompliant.xlsx",
    "/state/packs/",
    "/state/packs/2023/",
    "/state/packs/impact/",
)


@pytest.mark.parametrize("url", OVERSIGHT_PAGES)
def test_oversight_pages_answer_post_staff_and_the_director_and_hide_from_everyone_else(
    state: dict[str, Any], url: str
) -> None:
    for username in PERSONAS:
        status = client_of(username).get(url).status_code
        if username in ("erin", "frank"):
            assert status in (200, 302), (username, url, status)
        else:
            assert status == 404, (username, url, status)


def test_a_visitor_not_signed_in_is_sent_to_sign_in(world: dict[str, Any]) -> None:
    response = Client().get("/state/compliance/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/state/compliance/"


def test_the_navigation_of_post_staff_and_the_director_leads_to_the_statewide_pages(
    world: dict[str, Any],
) -> None:
    for username in ("erin", "frank"):
        page = client_of(username).get("/state/compliance/").content.decode()
        assert 'href="/state/compliance/"' in page
        assert 'href="/state/packs/"' in page
