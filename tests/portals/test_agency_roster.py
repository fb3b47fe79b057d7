"""The agency administrator's roster: the officers the agency commissions now, with their
stored result; search, filters, sorts, pages, htmx, and the CSV and XLSX exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clee.agencies.models import Agency
from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.compliance.rulebooks import period_pack
from clee.officers.models import Commission, Officer
from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def commissioned(
    agency: Agency, license_number: str, last_name: str, first_name: str = "Pat", **fields: Any
) -> Officer:
    """A new officer commissioned by ``agency`` since 2015."""
    return factories.officer(
        license_number=license_number,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=dt.date(1985, 1, 1),
        agency=agency,
        commissioned_on=dt.date(2015, 1, 1),
        **fields,
    )


def stored_result(
    officer: Officer,
    period: ReportingPeriod,
    *,
    short: dict[str, float] | None = None,
    status: str | None = None,
    extended_until: dt.date | None = None,
    exemption: str = "",
) -> ComplianceResult:
    """A stored result as the engine writes it: every requirement of the period's pack met but
    those in ``short`` (requirement key -> hours short)."""
    short = short or {}
    requirements = [
        {
            "key": r.key,
            "label": r.label,
            "required": r.minimum.value,
            "counted": r.minimum.value - short.get(r.key, 0.0),
            "short": short.get(r.key, 0.0),
        }
        for r in period_pack(period).requirements
    ]
    total = next(r for r in requirements if r["key"] == "total")
    status = status or ("deficient" if short else "compliant")
    needed = max(short.values(), default=0.0) if status == "deficient" else 0.0
    return ComplianceResult.objects.create(
        officer=officer,
        period=period,
        status=status,
        counted_hours=Decimal(str(total["counted"])),
        additional_hours_needed=Decimal(str(needed)),
        shortfalls=short if status == "deficient" else {},
        requirements=requirements,
        still_needed={"sentence": "More hours are needed."} if status == "deficient" else {},
        exemption=exemption,
        extended_until=extended_until,
        pack="MO/2023",
        computed_at=timezone.now(),
    )


@pytest.fixture
def roster(world: dict[str, Any]) -> dict[str, Officer]:
    """Agency A's officers, one of each kind of result (alice: no result yet)."""
    agency, period = world["agency_a"], world["period"]
    officers = {
        "far": commissioned(agency, "P2000001", "Baker", "Blair"),
        "near": commissioned(agency, "P2000002", "Cruz", "Casey"),
        "done": commissioned(agency, "P2000003", "Diaz", "Dana"),
        "exempt": commissioned(agency, "P2000004", "Ellis", "Eden"),
        "extended": commissioned(agency, "P2000005", "Frank", "Fern"),
    }
    stored_result(officers["far"], period, short={"total": 10.0, "firearms": 2.0, "implicit_bias": 1.0})
    stored_result(officers["near"], period, short={"total": 3.0})
    stored_result(officers["done"], period)
    stored_result(officers["exempt"], period, status="exempt", exemption="licensed during the period")
    stored_result(
        officers["extended"],
        period,
        short={"total": 6.0, "legal_studies": 2.0},
        extended_until=dt.date(2024, 6, 30),
    )
    return officers


def names(response: Any) -> list[str]:
    return [row.name for row in response.context["rows"]]


def test_the_roster_shows_each_officer_with_status_hours_and_what_they_lack(
    world: dict[str, Any], roster: dict[str, Officer]
) -> None:
    response = client_of("bob").get("/agency/")
    assert response.status_code == 200
    assert names(response) == [
        "Avery, Alice",
        "Baker, Blair",
        "Cruz, Casey",
        "Diaz, Dana",
        "Ellis, Eden",
        "Frank, Fern",
    ]
    baker = response.context["rows"][1]
    assert (baker.status, baker.counted_hours, baker.required_hours, baker.hours_needed) == (
        "deficient",
        Decimal("14"),
        Decimal("24"),
        Decimal("10"),
    )
    page = response.content.decode()
    assert '<span class="usa-tag site-status--deficient">Deficient</span>' in page
    assert baker.lacks == "Total hours 10 h; Skill Development – Firearms 2 h; Implicit bias 1 h"
    assert '<li>Skill Development – Firearms <span class="site-ag-of">2 h</span></li>' in page
    assert '14 <span class="site-ag-of">of 24</span>' in page
    assert f'<a href="{reverse("agency:officer", args=[roster["far"].pk])}">Baker, Blair</a>' in page
    assert "No result yet" in page  # alice
    assert "licensed during the period" in page
    assert "extended to Jun 30, 2024" in page
    figures = {figure.label: figure.count for figure in response.context["figures"]}
    assert figures["Commissioned now"] == 6
    assert figures["Deficient"] == 3
    assert figures["No result yet"] == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("deficient", ["Baker, Blair", "Cruz, Casey", "Frank, Fern"]),
        ("nearly", ["Cruz, Casey"]),
        ("compliant", ["Diaz, Dana"]),
        ("exempt", ["Ellis, Eden"]),
        ("extended", ["Frank, Fern"]),
        ("none", ["Avery, Alice"]),
    ],
)
def test_each_filter_shows_only_its_officers(
    world: dict[str, Any], roster: dict[str, Officer], status: str, expected: list[str]
) -> None:
    response = client_of("bob").get("/agency/", {"status": status})
    assert names(response) == expected


def test_nearly_there_is_four_hours_or_fewer_short_inclusive(world: dict[str, Any]) -> None:
    edge = commissioned(world["agency_a"], "P2000009", "Gale", "Gus")
    stored_result(edge, world["period"], short={"total": 4.0})
    beyond = commissioned(world["agency_a"], "P2000010", "Hart", "Hal")
    stored_result(beyond, world["period"], short={"total": 4.25})
    assert names(client_of("bob").get("/agency/", {"status": "nearly"})) == ["Gale, Gus"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cruz", ["Cruz, Casey"]),
        ("P2000003", ["Diaz, Dana"]),
        ("p20000", ["Baker, Blair", "Cruz, Casey", "Diaz, Dana", "Ellis, Eden", "Frank, Fern"]),
        ("fern frank", ["Frank, Fern"]),
        ("nobody", []),
    ],
)
def test_search_finds_officers_by_name_or_license_number(
    world: dict[str, Any], roster: dict[str, Officer], query: str, expected: list[str]
) -> None:
    assert names(client_of("bob").get("/agency/", {"q": query})) == expected


def test_search_and_filter_combine(world: dict[str, Any], roster: dict[str, Officer]) -> None:
    assert names(client_of("bob").get("/agency/", {"q": "p20000", "status": "compliant"})) == ["Diaz, Dana"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Avery", "Baker", "Cruz", "Diaz", "Ellis", "Frank"]),
        ("-name", ["Frank", "Ellis", "Diaz", "Cruz", "Baker", "Avery"]),
        # Hours counted: 14 (Baker), 18 (Frank), 21 (Cruz), then 24 (Diaz, Ellis); no result last.
        ("hours", ["Baker", "Frank", "Cruz", "Diaz", "Ellis", "Avery"]),
        ("-hours", ["Diaz", "Ellis", "Cruz", "Frank", "Baker", "Avery"]),
        ("-needed", ["Baker", "Frank", "Cruz", "Diaz", "Ellis", "Avery"]),
        ("needed", ["Diaz", "Ellis", "Cruz", "Frank", "Baker", "Avery"]),
        ("status", ["Baker", "Cruz", "Frank", "Avery", "Diaz", "Ellis"]),
        ("-status", ["Ellis", "Diaz", "Avery", "Baker", "Cruz", "Frank"]),
    ],
)
def test_each_sort_orders_the_officers(
    world: dict[str, Any], roster: dict[str, Officer], sort: str, expected: list[str]
) -> None:
    response = client_of("bob").get("/agency/", {"sort": sort})
    assert [row.last_name for row in response.context["rows"]] == expected


def test_a_column_header_sorts_by_it_and_reverses_when_sorted_already(
    world: dict[str, Any], roster: dict[str, Officer]
) -> None:
    response = client_of("bob").get("/agency/", {"status": "deficient", "sort": "needed", "page": "1"})
    headers = response.context["headers"]
    assert headers["needed"] == {"url": "?status=deficient&sort=-needed", "aria": "ascending"}
    assert headers["name"] == {"url": "?status=deficient&sort=name", "aria": ""}
    assert 'aria-sort="ascending"' in response.content.decode()


def test_an_unknown_filter_or_sort_shows_every_officer_by_name(
    world: dict[str, Any], roster: dict[str, Officer]
) -> None:
    response = client_of("bob").get("/agency/", {"status": "<script>", "sort": "password"})
    assert response.status_code == 200
    assert names(response)[0] == "Avery, Alice"
    assert len(names(response)) == 6


def many_officers(agency: Agency, count: int, period: ReportingPeriod) -> None:
    """``count`` more officers, every one deficient by 1 to 9 hours, written in bulk."""
    officers = Officer.objects.bulk_create(
        Officer(
            license_number=f"P3{number:06d}",
            first_name="Officer",
            last_name=f"Zed{number:04d}",
            date_of_birth=dt.date(1980, 1, 1),
            licensed_on=dt.date(2005, 1, 1),
        )
        for number in range(count)
    )
    Commission.objects.bulk_create(
        Commission(officer=o, agency=agency, start=dt.date(2015, 1, 1)) for o in officers
    )
    template = stored_result(officers[0], period, short={"total": 1.0})
    ComplianceResult.objects.bulk_create(
        ComplianceResult(
            officer=officer,
            period=period,
            status="deficient",
            counted_hours=Decimal(23 - number % 9),
            additional_hours_needed=Decimal(1 + number % 9),
            shortfalls={"total": float(1 + number % 9)},
            requirements=template.requirements,
            pack="MO/2023",
            computed_at=template.computed_at,
        )
        for number, officer in enumerate(officers[1:], start=1)
    )


def test_the_roster_pages_by_fifty_and_keeps_the_filters_in_page_links(world: dict[str, Any]) -> None:
    many_officers(world["agency_a"], 120, world["period"])
    client = client_of("bob")
    first = client.get("/agency/", {"status": "deficient"})
    assert len(first.context["rows"]) == 50
    assert first.context["paginator"].num_pages == 3
    assert 'href="?status=deficient&amp;page=2"' in first.content.decode()
    last = client.get("/agency/", {"status": "deficient", "page": "3"})
    assert len(last.context["rows"]) == 20
    assert last.context["rows"][-1].last_name == "Zed0119"
    beyond = client.get("/agency/", {"page": "99"})
    assert beyond.context["page_obj"].number == 3


def test_the_roster_costs_the_same_queries_for_5_or_200_officers(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    many_officers(world["agency_a"], 5, world["period"])
    client = client_of("bob")
    client.get("/agency/")  # the session and the user, read once
    # Five for the page (the periods of its picker among them), two for its fingerprint
    # (clee.portals.pagecache), read before and after.
    with django_assert_max_num_queries(9) as small:
        client.get("/agency/", {"sort": "status"})
    officers = Officer.objects.bulk_create(
        Officer(
            license_number=f"P4{number:06d}",
            first_name="Extra",
            last_name=f"Young{number:04d}",
            date_of_birth=dt.date(1980, 1, 1),
            licensed_on=dt.date(2005, 1, 1),
        )
        for number in range(200)
    )
    Commission.objects.bulk_create(
        Commission(officer=o, agency=world["agency_a"], start=dt.date(2015, 1, 1)) for o in officers
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/agency/", {"sort": "status"})
    assert len(response.context["rows"]) == 50


def test_an_htmx_request_gets_only_the_results(world: dict[str, Any], roster: dict[str, Officer]) -> None:
    response = client_of("bob").get("/agency/", {"status": "exempt"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="roster-results">')
    assert "<html" not in page
    assert "Ellis, Eden" in page
    assert "HX-Request" in response["Vary"]


def test_the_filter_form_works_without_javascript(world: dict[str, Any], roster: dict[str, Officer]) -> None:
    page = client_of("bob").get("/agency/").content.decode()
    assert '<form method="get" action="/agency/"' in page
    assert 'hx-get="/agency/"' in page
    assert '<button type="submit" class="usa-button usa-button--outline">Apply</button>' in page


def test_another_agency_sees_none_of_these_officers(
    world: dict[str, Any], roster: dict[str, Officer]
) -> None:
    response = client_of("carol").get("/agency/")
    assert names(response) == []
    assert "Avery" not in response.content.decode()
    export = client_of("carol").get("/agency/officers.csv")
    assert "Avery" not in export.content.decode("utf-8-sig")


def test_an_ended_commission_leaves_the_roster(world: dict[str, Any], roster: dict[str, Officer]) -> None:
    Commission.objects.filter(officer=roster["far"]).update(end=dt.date(2023, 12, 1))
    assert "Baker, Blair" not in names(client_of("bob").get("/agency/"))


def parse_csv(response: Any) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_export_holds_the_filtered_list_in_the_sort_asked(
    world: dict[str, Any], roster: dict[str, Officer]
) -> None:
    response = client_of("bob").get("/agency/officers.csv", {"status": "deficient", "sort": "-needed"})
    assert response["Content-Disposition"].startswith('attachment; filename="officers-MO0950000-')
    rows = parse_csv(response)
    assert [row["Last name"] for row in rows] == ["Baker", "Frank", "Cruz"]
    baker = rows[0]
    assert baker["License number"] == "P2000001"
    assert baker["Status"] == "Deficient"
    assert (baker["Hours counted"], baker["Hours required"], baker["Additional hours needed"]) == (
        "14.0",
        "24.0",
        "10.0",
    )
    assert baker["Short in"] == "Total hours 10 h; Skill Development – Firearms 2 h; Implicit bias 1 h"
    assert rows[1]["Extended until"] == "2024-06-30"


def test_the_csv_export_holds_every_page(world: dict[str, Any]) -> None:
    many_officers(world["agency_a"], 120, world["period"])
    rows = parse_csv(client_of("bob").get("/agency/officers.csv"))
    assert len(rows) == 121  # alice too


def test_the_xlsx_export_opens_with_the_same_rows(world: dict[str, Any], roster: dict[str, Officer]) -> None:
    response = client_of("bob").get("/agency/officers.xlsx", {"q": "p20000", "sort": "name"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Officers"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:5] == ["License number", "Last name", "First name", "Commissioned since", "Status"]
    assert [row[1] for row in values[1:]] == ["Baker", "Cruz", "Diaz", "Ellis", "Frank"]
    assert values[1][5] == 14  # hours counted is a number, not text
    assert values[1][3].date() == dt.date(2015, 1, 1)


def test_an_export_never_carries_a_formula(world: dict[str, Any]) -> None:
    commissioned(world["agency_a"], "P2000099", '=HYPERLINK("http://evil.example","x")', "@SUM(A1)")
    client = client_of("bob")
    rows = parse_csv(client.get("/agency/officers.csv", {"q": "P2000099"}))
    assert rows[0]["Last name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0]["First name"] == "'@SUM(A1)"
    book = load_workbook(io.BytesIO(client.get("/agency/officers.xlsx", {"q": "P2000099"}).content))
    cells = next(book["Officers"].iter_rows(min_row=2, values_only=True))
    assert cells[1] == '\'=HYPERLINK("http://evil.example","x")'
    assert book["Officers"]["B2"].data_type == "s"


def test_an_export_in_another_format_is_not_found(world: dict[str, Any]) -> None:
    assert client_of("bob").get("/agency/officers.pdf").status_code == 404
