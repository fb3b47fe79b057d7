"""The agency administrator in a browser: filters the roster to deficient officers and exports
it, opens an officer, starts and ends a commission, reports training and looks at every page,
accessibly, on a desktop and on a phone."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from clee.officers.models import Commission
from clee.providers.models import Course, CoursePortion, Provider
from tests.browser.conftest import htmx_quiet
from tests.imports.files import csv_file
from tests.portals.test_agency_roster import commissioned, stored_result

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def roster(world: dict[str, Any]) -> dict[str, Any]:
    """Agency A's officers with every kind of result, an officer of agency B to commission,
    and an approved in-service course."""
    agency, period = world["agency_a"], world["period"]
    stored_result(world["officer"], period, short={"total": 10.0, "firearms": 2.0, "implicit_bias": 1.0})
    stored_result(commissioned(agency, "P2000002", "Cruz", "Casey"), period, short={"total": 3.0})
    stored_result(commissioned(agency, "P2000003", "Diaz", "Dana"), period)
    stored_result(
        commissioned(agency, "P2000004", "Ellis", "Eden"),
        period,
        status="exempt",
        exemption="licensed in 2023",
    )
    commissioned(agency, "P2000005", "Frank", "Fern")
    newcomer = commissioned(world["agency_b"], "P2000006", "Gale", "Gus")
    Commission.objects.filter(officer=newcomer).update(end=dt.date(2022, 12, 31))
    provider = Provider.objects.create(
        number="IS-MO0950000",
        name="Riverton Police Department in-service training",
        kind=Provider.Kind.IN_SERVICE,
        credit_class="licensed",
        agency=agency,
        approved_from=dt.date(2018, 1, 1),
    )
    course = Course.objects.create(
        provider=provider,
        number="IS-7",
        title="Firearms qualification",
        hours=Decimal(2),
        status=Course.Status.APPROVED,
        approved_from=dt.date(2018, 1, 1),
        submitted_at=dt.datetime(2022, 11, 2, tzinfo=dt.UTC),
    )
    CoursePortion.objects.create(
        course=course, core_area="skill_development", subject="firearms", hours=Decimal(2)
    )
    Course.objects.create(
        provider=provider,
        number="IS-8",
        title="Report writing refresher",
        hours=Decimal(1),
        status=Course.Status.DENIED,
        decision_reason="The synopsis does not say what is taught.",
        submitted_at=dt.datetime(2023, 2, 6, tzinfo=dt.UTC),
    )
    return {"newcomer": newcomer}


def test_bob_filters_deficient_officers_and_exports_them(
    world: dict[str, Any], roster: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["bob"])
    assert page.get_by_role("heading", level=1).inner_text() == "Riverton Police Department"
    look(page, "agency-roster")
    page.get_by_label("Show").select_option("deficient")
    page.wait_for_url("**/agency/?*status=deficient*")
    expect(page.get_by_role("status").first).to_contain_text("match")
    table = page.get_by_role("table")
    table.get_by_role("link", name="Cruz, Casey").wait_for()
    assert table.get_by_role("link", name="Diaz, Dana").count() == 0
    assert page.get_by_role("status").inner_text().startswith("2 officers match")
    look(page, "agency-roster-deficient")
    htmx_quiet(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(row["Last name"], row["Status"]) for row in rows] == [
        ("Avery", "Deficient"),
        ("Cruz", "Deficient"),
    ]
    assert download.value.suggested_filename.startswith("officers-MO0950000-")


def test_bob_searches_sorts_and_opens_an_officer(
    world: dict[str, Any], roster: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["bob"])
    page.get_by_label("Search by name or license number").fill("P200000")
    page.wait_for_url("**q=P200000*")
    # The filtered list has replaced the whole one (its count says "match") before a link in it is pressed.
    expect(page.get_by_role("status").first).to_contain_text("match")
    assert page.get_by_role("table").get_by_role("link", name="Avery, Alice").count() == 0
    htmx_quiet(page)
    # Leaving the search box searches nothing again (a second search's pushState would cancel
    # the click on a link that left it).
    searches: list[str] = []
    page.on("request", lambda request: searches.append(request.url) if "/agency/?" in request.url else None)
    page.get_by_label("Search by name or license number").press("Tab")
    htmx_quiet(page)
    assert searches == []
    page.get_by_role("link", name="Hours needed").click()
    page.wait_for_url("**sort=needed*")
    page.get_by_role("link", name="Cruz, Casey").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Casey Cruz"
    look(page, "agency-officer")


def test_bob_commissions_an_officer_and_ends_the_commission(
    world: dict[str, Any], roster: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["bob"])
    page.get_by_role("link", name="Commission an officer").click()
    page.get_by_label("License number").fill("P2000006")
    page.get_by_label("Last name").fill("Gale")
    page.get_by_label("Date of birth").fill(roster["newcomer"].date_of_birth.isoformat())
    page.get_by_label("First day of the commission").fill("2024-02-01")
    look(page, "agency-commission-start")
    page.get_by_role("button", name="Commission the officer").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Gus Gale"
    assert "Gus Gale is commissioned from February 1, 2024." in page.get_by_role("status").first.inner_text()
    page.get_by_role("link", name="End this commission").click()
    page.get_by_label("Last day of the commission").fill("2024-03-31")
    page.get_by_label("Reason").select_option("Resigned")
    look(page, "agency-commission-end")
    page.get_by_role("button", name="End the commission").click()
    assert page.url.endswith("/agency/")
    assert (
        "The commission of Gus Gale ended on March 31, 2024." in page.get_by_role("status").first.inner_text()
    )
    assert page.get_by_role("link", name="Gale, Gus").count() == 0
    assert Commission.objects.get(officer=roster["newcomer"], agency=world["agency_a"]).end == dt.date(
        2024, 3, 31
    )


def test_a_refused_commission_is_explained_next_to_the_field(
    world: dict[str, Any], roster: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["bob"])
    page.goto("/agency/officers/commission/")
    page.get_by_label("License number").fill("P1000001")
    page.get_by_label("Last name").fill("Avery")
    page.get_by_label("Date of birth").fill("1988-04-02")
    page.get_by_role("button", name="Commission the officer").click()
    assert (
        "Alice Avery is already commissioned by Riverton Police Department"
        in page.get_by_role("alert").inner_text()
    )
    look(page, "agency-commission-refused")


def test_bob_reports_training_and_checks_a_roster(
    world: dict[str, Any],
    roster: dict[str, Any],
    signed_in: Callable[..., Any],
    look: Callable[..., None],
    tmp_path: Path,
) -> None:
    page = signed_in(world["bob"])
    page.get_by_role("link", name="Report training").click()
    look(page, "agency-training")
    page.get_by_label("Date of the session").fill("2023-06-01")
    page.get_by_label("Officers who attended").fill("P1000001\nP2000002")
    page.get_by_label("Title of the training").fill("Roll-call: report writing")
    page.locator("#id_hours").fill("1")
    first = page.locator("#split-row-1")
    first.get_by_label("Core area").select_option("legal_studies")
    first.get_by_label("Hours", exact=True).fill("1")
    # Another split row, through htmx (the agency's own endpoint): it comes, blank, and is left out.
    rows = page.locator("#split-rows > fieldset")
    before = rows.count()
    page.get_by_role("button", name="Add a row").click()
    expect(rows).to_have_count(before + 1)
    assert page.locator("#id_portions-TOTAL_FORMS").input_value() == str(before + 1)
    page.get_by_role("button", name="Record the session").click()
    assert "The session is recorded: 2 records added." in page.get_by_role("status").first.inner_text()
    roster_file = tmp_path / "june.csv"
    roster_file.write_bytes(
        csv_file(
            ("license_number", "title", "completion_date", "hours", "legal_studies"),
            ("P1000001", "Search and seizure update", "2023-06-02", "2", "2"),
            ("P9999999", "Search and seizure update", "2023-06-02", "2", "2"),
        )
    )
    page.locator("input[name=file]").set_input_files(str(roster_file))
    page.get_by_role("button", name="Check the file").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check the roster"
    assert "No officer has license number P9999999" in page.get_by_role("table").first.inner_text()
    look(page, "agency-roster-preview-errors")


def test_every_other_agency_page_is_accessible(
    world: dict[str, Any], roster: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["bob"])
    page.get_by_role("link", name="In-service courses").click()
    assert page.get_by_role("heading", level=1).inner_text() == "In-service courses"
    look(page, "agency-courses")
    page.get_by_role("link", name="Submit a course").click()
    page.get_by_role("button", name="Submit to POST").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    look(page, "agency-course-new-errors")
    page.get_by_role("link", name="Overview").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Compliance overview"
    look(page, "agency-overview")


def test_the_roster_and_an_officer_work_on_a_phone(
    world: dict[str, Any], roster: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["bob"], phone=True)
    look(page, "agency-roster-phone")
    page.get_by_role("link", name="Avery, Alice").click()
    look(page, "agency-officer-phone")
    page.goto("/agency/overview/")
    look(page, "agency-overview-phone")
