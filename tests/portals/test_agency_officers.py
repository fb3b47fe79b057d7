"""An agency administrator's officers: the drill-down (only while the agency commissions the
officer), starting and ending commissions, and who gets a 404 on the agency's pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clee.accounts.models import User
from clee.compliance.models import StaleResult
from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.core.models import AuditEvent
from clee.officers.models import Commission, LicenseStatus, Officer
from clee.officers.services import license_status_change
from clee.training.models import TrainingRecord
from clee.training.services import RecordEntry, course_lines
from tests.conftest import PASSWORD
from tests.factories import audit_rows_after_setup
from tests.portals.test_agency_roster import commissioned

pytestmark = pytest.mark.django_db


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def bert(world: dict[str, Any]) -> Officer:
    """An officer of agency B (carol's), never commissioned by agency A."""
    return commissioned(world["agency_b"], "P1000002", "Brown", "Bert")


@pytest.fixture
def alices_course(world: dict[str, Any]) -> TrainingRecord:
    """Alice's 2023 completion of CMA-101 (4 hours), with her result computed."""
    course = world["course"]
    training_records_add(
        entries=[
            RecordEntry(
                officer_id=world["officer"].pk,
                completed_on=dt.date(2023, 3, 14),
                hours=course.hours,
                source="course",
                credit_class="approved",
                delivery="live",
                lines=course_lines(course),
                course_id=course.pk,
            )
        ],
        actor=world["dave"],
    )
    compliance_recompute(period=world["period"])
    return TrainingRecord.objects.get()


def test_the_drill_down_shows_profile_result_progress_and_records(
    world: dict[str, Any], alices_course: TrainingRecord
) -> None:
    response = client_of("bob").get(f"/agency/officers/{world['officer'].pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Alice Avery</h1>" in page
    assert "P1000001" in page
    assert "site-ag-license--active" in page
    assert "4 of 24 hours counted" in page
    assert "20 more hours</strong> would close every gap" in page
    assert response.context["result"].still_needed["sentence"] in page
    assert page.count("<progress") == len(response.context["result"].requirements)
    assert "Legal update and de-escalation" in page
    assert "Mar 14, 2023" in page
    assert "Legal Studies" in page


def test_the_drill_down_without_a_result_says_so(world: dict[str, Any]) -> None:
    page = client_of("bob").get(f"/agency/officers/{world['officer'].pk}/").content.decode()
    assert "Updating…" in page  # the period just opened: marked for the workers
    StaleResult.objects.all().delete()  # nothing pending, and no result
    page = client_of("bob").get(f"/agency/officers/{world['officer'].pk}/").content.decode()
    assert "No result has been computed for Alice yet" in page
    assert "No training is on file for Alice in 2023 yet" in page


def test_the_drill_down_is_not_found_for_another_agency(world: dict[str, Any], bert: Officer) -> None:
    assert client_of("carol").get(f"/agency/officers/{world['officer'].pk}/").status_code == 404
    assert client_of("bob").get(f"/agency/officers/{bert.pk}/").status_code == 404
    assert client_of("bob").get("/agency/officers/999999/").status_code == 404


def test_the_drill_down_is_not_found_once_the_commission_ended(
    world: dict[str, Any], alices_course: TrainingRecord
) -> None:
    Commission.objects.filter(officer=world["officer"]).update(end=dt.date(2023, 12, 31))
    assert client_of("bob").get(f"/agency/officers/{world['officer'].pk}/").status_code == 404


def test_an_officer_is_commissioned_by_license_number_last_name_and_date_of_birth(
    world: dict[str, Any], bert: Officer
) -> None:
    client = client_of("bob")
    response = client.post(
        "/agency/officers/commission/",
        {
            "license_number": " p1000002 ",
            "last_name": "brown",
            "date_of_birth": "1985-01-01",
            "start": "2024-02-01",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/agency/officers/{bert.pk}/"
    commission = Commission.objects.get(officer=bert, agency=world["agency_a"])
    assert (commission.start, commission.end) == (dt.date(2024, 2, 1), None)
    event = audit_rows_after_setup().get(action="commission.start")
    assert (event.actor, event.object_id) == (world["bob"], str(commission.pk))
    page = client.get(response["Location"]).content.decode()
    assert "Bert Brown is commissioned from February 1, 2024." in page


def test_a_wrong_last_name_birth_date_or_unknown_license_is_refused_alike(
    world: dict[str, Any], bert: Officer
) -> None:
    client = client_of("bob")
    for number, last_name, born in (
        ("P1000002", "Browne", "1985-01-01"),
        ("P9999999", "Brown", "1985-01-01"),
        ("P1000002", "Brown", "1985-01-02"),
    ):
        response = client.post(
            "/agency/officers/commission/",
            {"license_number": number, "last_name": last_name, "date_of_birth": born, "start": "2024-02-01"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["license_number"] == [
            "No officer on file has that license number, last name and date of birth: check all three "
            "against the officer's license and your personnel record."
        ]
    assert not Commission.objects.filter(agency=world["agency_a"], officer=bert).exists()


def test_an_inactive_license_is_refused_with_a_clear_message(world: dict[str, Any], bert: Officer) -> None:
    license_status_change(
        officer=bert,
        to_status=LicenseStatus.INACTIVE,
        reason="non-compliant after the grace deadline",
        effective_on=dt.date(2024, 4, 1),
        acting_user=world["frank"],
    )
    response = client_of("bob").post(
        "/agency/officers/commission/",
        {
            "license_number": "P1000002",
            "last_name": "Brown",
            "date_of_birth": "1985-01-01",
            "start": "2024-05-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["license_number"] == [
        "Bert Brown's license is inactive: it must be active before a commission."
    ]
    page = response.content.decode()
    assert "license is inactive" in page
    assert 'aria-invalid="true"' in page
    assert not Commission.objects.filter(agency=world["agency_a"], officer=bert).exists()


def test_a_second_open_commission_at_the_same_agency_is_refused(world: dict[str, Any]) -> None:
    response = client_of("bob").post(
        "/agency/officers/commission/",
        {
            "license_number": "P1000001",
            "last_name": "Avery",
            "date_of_birth": "1988-04-02",
            "start": "2024-05-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Alice Avery is already commissioned by Riverton Police Department."
    ]
    assert Commission.objects.filter(officer=world["officer"]).count() == 1


def test_a_commission_cannot_start_in_the_future_or_before_the_license(
    world: dict[str, Any], bert: Officer
) -> None:
    client = client_of("bob")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future = client.post(
        "/agency/officers/commission/",
        {
            "license_number": "P1000002",
            "last_name": "Brown",
            "date_of_birth": "1985-01-01",
            "start": tomorrow,
        },
    )
    assert future.context["form"].errors["start"] == [
        "The first day of the commission cannot be in the future."
    ]
    early = client.post(
        "/agency/officers/commission/",
        {
            "license_number": "P1000002",
            "last_name": "Brown",
            "date_of_birth": "1985-01-01",
            "start": "2009-12-31",
        },
    )
    assert early.context["form"].errors["start"] == [
        "The officer was licensed on January 1, 2010: a commission cannot start before the license."
    ]
    missing = client.post("/agency/officers/commission/", {})
    assert set(missing.context["form"].errors) == {"license_number", "last_name", "date_of_birth", "start"}
    assert not Commission.objects.filter(agency=world["agency_a"], officer=bert).exists()


def test_a_commission_ends_with_its_date_and_reason(world: dict[str, Any]) -> None:
    client = client_of("bob")
    url = f"/agency/officers/{world['officer'].pk}/end/"
    assert "End the commission of Alice Avery" in client.get(url).content.decode()
    response = client.post(
        url, {"end": "2024-01-31", "reason": "Transferred to another agency", "details": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == "/agency/"
    commission = Commission.objects.get(officer=world["officer"])
    assert commission.end == dt.date(2024, 1, 31)
    event = AuditEvent.objects.get(action="commission.end")
    assert event.actor == world["bob"]
    assert "Transferred to another agency" in event.summary
    # The officer has left the roster: their page is no longer the agency's.
    assert client.get(f"/agency/officers/{world['officer'].pk}/").status_code == 404
    assert client.get(url).status_code == 404


def test_ending_a_commission_checks_the_date_and_reason(world: dict[str, Any]) -> None:
    client = client_of("bob")
    url = f"/agency/officers/{world['officer'].pk}/end/"
    before = client.post(url, {"end": "2014-12-31", "reason": "Resigned"})
    assert before.context["form"].errors["end"] == [
        "The end date cannot come before the start (January 1, 2015)."
    ]
    other = client.post(url, {"end": "2024-01-31", "reason": "Other", "details": " "})
    assert other.context["form"].errors["details"] == ["Say why the commission ends."]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future = client.post(url, {"end": tomorrow, "reason": "Resigned"})
    assert future.context["form"].errors["end"] == ["The last day of the commission cannot be in the future."]
    assert Commission.objects.get(officer=world["officer"]).end is None


def test_another_agency_cannot_end_the_commission(world: dict[str, Any]) -> None:
    response = client_of("carol").post(
        f"/agency/officers/{world['officer'].pk}/end/", {"end": "2024-01-31", "reason": "Resigned"}
    )
    assert response.status_code == 404
    assert Commission.objects.get(officer=world["officer"]).end is None


AGENCY_PAGES = (
    "/agency/",
    "/agency/officers.csv",
    "/agency/officers.xlsx",
    "/agency/officers/commission/",
    "/agency/training/",
    "/agency/training/samples/in_service_roster.csv",
    "/agency/courses/",
    "/agency/courses/new/",
    "/agency/overview/",
)


@pytest.mark.parametrize("username", ["alice", "dave", "erin", "frank"])
def test_other_roles_get_404_on_every_agency_page(world: dict[str, Any], username: str) -> None:
    client = client_of(username)
    officer_pages = (
        f"/agency/officers/{world['officer'].pk}/",
        f"/agency/officers/{world['officer'].pk}/end/",
    )
    for url in (*AGENCY_PAGES, *officer_pages):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/agency/officers/{world['officer'].pk}/end/", {"end": "2024-01-31"}).status_code == 404
    )
    assert Commission.objects.get(officer=world["officer"]).end is None


def test_carol_gets_404_on_bobs_officer_and_her_own_pages_show_her_agency(world: dict[str, Any]) -> None:
    client = client_of("carol")
    assert client.get(f"/agency/officers/{world['officer'].pk}/").status_code == 404
    assert client.get(f"/agency/officers/{world['officer'].pk}/end/").status_code == 404
    for url in AGENCY_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        if not url.endswith(".xlsx"):
            assert "Avery" not in response.content.decode("utf-8-sig"), url


def test_an_agency_page_sends_a_visitor_to_sign_in(world: dict[str, Any]) -> None:
    response = Client().get(f"/agency/officers/{world['officer'].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_administrator_not_linked_to_an_agency_is_told_so_and_reaches_nothing_else(
    world: dict[str, Any],
) -> None:
    User.objects.create_user(username="gail", password=PASSWORD, role="agency_admin")
    client = client_of("gail")
    landing = client.get("/agency/")
    assert landing.status_code == 200
    assert "This account is not linked to an agency yet" in landing.content.decode()
    for url in AGENCY_PAGES[1:]:
        assert client.get(url).status_code == 404, url
