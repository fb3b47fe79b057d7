"""The officer's dashboard: the current period's status, a progress bar per requirement, the
engine's "what you still need" sentence, the deadlines, extensions and exemptions; the same for
an officer no agency commissions; nothing for the other roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from clee.compliance.models import ComplianceResult, StaleResult
from clee.compliance.services import exemption_grant, extension_decide, extension_request
from clee.officers.models import Commission
from clee.portals.officer.selectors import deadlines
from clee.training.services import LineSpec
from tests.portals.test_officer_support import (
    COMPLIANT_LINES,
    NO_TECHNICAL_LINES,
    client_of,
    give_record,
    recompute,
)

pytestmark = pytest.mark.django_db


def test_a_short_officer_sees_status_hours_each_requirement_and_what_is_still_needed(
    world: dict[str, Any],
) -> None:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    page = client_of("alice").get("/officer/").content.decode()
    assert "<h1>Your continuing education</h1>" in page
    assert "Deficient" in page
    assert "<strong>22</strong> of 24 hours counted" in page
    assert result.still_needed["sentence"] in page
    assert "You need 2 more hours: 2 hours of Technical Studies." in page
    for requirement in result.requirements:
        assert requirement["label"] in page
    assert page.count("<progress") == len(result.requirements)
    assert 'max="2.0" value="0.0"' in page  # Technical Studies: 0 of 2
    assert "Find courses that close your gap" in page


def test_a_compliant_officer_is_told_so_and_pointed_to_the_certificate(world: dict[str, Any]) -> None:
    give_record(world["officer"], world["period"], COMPLIANT_LINES)
    page = client_of("alice").get("/officer/").content.decode()
    assert "<strong>24</strong> of 24 hours counted" in page
    assert "You meet the 2023 requirement" in page
    assert "compliance certificate" in page
    assert "What you still need" not in page


def test_fractional_hours_are_shown_as_people_write_them(world: dict[str, Any]) -> None:
    give_record(
        world["officer"], world["period"], [LineSpec(core_area="legal_studies", hours=Decimal("2.5"))]
    )
    page = client_of("alice").get("/officer/").content.decode()
    assert "<strong>2.5</strong> of 24 hours counted" in page


def test_the_deadlines_count_the_days_left_and_say_when_they_passed(world: dict[str, Any]) -> None:
    period = world["period"]
    during = deadlines(period, None, dt.date(2023, 12, 1))
    assert [(d.label, d.day, d.left_text) for d in during] == [
        ("End of the reporting period", dt.date(2023, 12, 31), "30 days left"),
        ("Grace deadline to show compliance", dt.date(2024, 3, 15), "105 days left"),
    ]
    in_grace = deadlines(period, dt.date(2024, 6, 30), dt.date(2024, 3, 15))
    assert [d.left_text for d in in_grace] == ["passed", "today", "107 days left"]
    assert in_grace[2].label == "Your extended deadline"
    # The fixture's 2023 period is long over: the page says so rather than counting down.
    page = client_of("alice").get("/officer/").content.decode()
    assert "December 31, 2023" in page
    assert "March 15, 2024" in page
    assert "Passed" in page


def test_a_granted_extension_shows_its_new_deadline(world: dict[str, Any]) -> None:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    extension = extension_request(
        officer=world["officer"],
        period=world["period"],
        kind="extension",
        reason="medical",
        explanation="surgery",
        acting_user=world["bob"],
    )
    page = client_of("alice").get("/officer/").content.decode()
    assert "Extension (medical leave)" in page
    assert "awaiting POST's decision" in page
    extension_decide(
        extension=extension, grant=True, new_deadline=dt.date(2024, 6, 30), acting_user=world["erin"]
    )
    recompute(world["officer"], world["period"])
    page = client_of("alice").get("/officer/").content.decode()
    assert "Your extended deadline" in page
    assert "granted until June 30, 2024" in page


def test_an_exempt_officer_sees_the_reason_and_no_shortfall(world: dict[str, Any]) -> None:
    exemption_grant(
        officer=world["officer"],
        period=world["period"],
        reason="Director's waiver",
        acting_user=world["erin"],
    )
    recompute(world["officer"], world["period"])
    page = client_of("alice").get("/officer/").content.decode()
    assert "Exempt for 2023" in page
    assert "Director&#x27;s waiver" in page
    assert "What you still need" not in page


def test_an_officer_no_agency_commissions_uses_the_dashboard_all_the_same(world: dict[str, Any]) -> None:
    Commission.objects.filter(officer=world["officer"]).update(end=dt.date(2023, 2, 1))
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    page = client_of("alice").get("/officer/").content.decode()
    assert "Not commissioned by an agency at present" in page
    assert "go straight to POST" in page
    assert "<strong>22</strong> of 24 hours counted" in page


def test_without_a_result_yet_the_dashboard_says_so(world: dict[str, Any]) -> None:
    # The period just opened: its results are marked for the workers, the page says so.
    page = client_of("alice").get("/officer/").content.decode()
    assert "Updating…" in page
    assert "has not been computed yet" not in page
    StaleResult.objects.all().delete()  # nothing pending, and no result
    page = client_of("alice").get("/officer/").content.decode()
    assert "has not been computed yet" in page
    assert "license <strong>P1000001</strong>" in page


def test_an_officer_account_not_linked_to_a_license_is_told_how_to_get_linked(world: dict[str, Any]) -> None:
    from clee.accounts.models import User
    from tests.conftest import PASSWORD

    User.objects.create_user(username="newcomer", password=PASSWORD, role="officer")
    for url in ("/officer/", "/officer/transcript/", "/officer/requests/", "/officer/courses/"):
        page = client_of("newcomer").get(url)
        assert page.status_code == 200, url
        assert "not linked to a license yet" in page.content.decode()
    assert client_of("newcomer").get("/officer/transcript/2023/pdf/").status_code == 404


@pytest.mark.parametrize("username", ["bob", "carol", "dave", "erin", "frank"])
def test_every_officer_page_is_hidden_from_the_other_roles(world: dict[str, Any], username: str) -> None:
    client = client_of(username)
    for url in (
        "/officer/",
        "/officer/transcript/",
        "/officer/transcript/2023/pdf/",
        "/officer/certificate/2023/pdf/",
        "/officer/requests/",
        "/officer/requests/new/?kind=college",
        "/officer/courses/",
    ):
        assert client.get(url).status_code == 404, (username, url)
    assert client.post("/officer/certificate/2023/").status_code == 404


def test_the_dashboard_reads_the_stored_result_in_a_few_queries(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    client = client_of("alice")
    with django_assert_max_num_queries(7):
        assert client.get("/officer/").status_code == 200
    assert timezone.localdate() > world["period"].grace_deadline


def test_after_the_deadline_a_short_officer_is_told_what_the_director_may_do(world: dict[str, Any]) -> None:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    warning = "The Director of Public Safety may make your license inactive"
    assert warning in client_of("alice").get("/officer/").content.decode()
    extension = extension_request(
        officer=world["officer"],
        period=world["period"],
        kind="extension",
        reason="military",
        explanation="deployed",
        acting_user=world["alice"],
    )
    later = timezone.localdate() + dt.timedelta(days=30)
    extension_decide(extension=extension, grant=True, new_deadline=later, acting_user=world["erin"])
    recompute(world["officer"], world["period"])
    page = client_of("alice").get("/officer/").content.decode()
    assert warning not in page
    assert "30 days left" in page
