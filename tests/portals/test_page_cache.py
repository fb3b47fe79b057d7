"""The officer dashboard and the agency roster are served again from the page cache while what
they show is unchanged, and rendered anew after any change of it (``clee.portals.pagecache``):
a stale "deficient" must never be shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clee.agencies.services import agency_update
from clee.compliance.services import ensure_period, extension_decide, extension_request
from clee.officers.models import Commission, Officer
from clee.officers.services import commission_end, commission_start
from clee.training.services import LineSpec
from clee.workflows.credit_requests import RequestUpload, credit_request_submit
from tests import factories
from tests.portals.test_officer_support import (
    COMPLIANT_LINES,
    NO_TECHNICAL_LINES,
    PDF,
    client_of,
    give_record,
)

pytestmark = pytest.mark.django_db

# A served page costs the session, the user and its fingerprint; the page itself reads more.
SERVED_FROM_CACHE = 3


def with_csrf_cookie(client: Client, path: str) -> Client:
    """A browser keeps the CSRF cookie its first page set: only then is a page kept."""
    client.get(path)
    assert "csrftoken" in client.cookies
    return client


def queries_of(client: Client, path: str, **params: Any) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


@pytest.fixture
def alice(world: dict[str, Any]) -> Client:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    return with_csrf_cookie(client_of("alice"), "/officer/")


def test_an_unchanged_dashboard_is_served_again_as_it_was(world: dict[str, Any], alice: Client) -> None:
    first_count, first = queries_of(alice, "/officer/")
    again_count, again = queries_of(alice, "/officer/")
    assert again == first
    assert again_count == SERVED_FROM_CACHE < first_count
    assert "Deficient" in first


def test_new_training_shows_at_once(world: dict[str, Any], alice: Client) -> None:
    _, before = queries_of(alice, "/officer/")
    give_record(world["officer"], world["period"], [LineSpec("technical_studies", Decimal(4))])
    count, after = queries_of(alice, "/officer/")
    assert count > SERVED_FROM_CACHE
    assert "Deficient" in before
    assert "Deficient" not in after


def test_a_credit_request_an_extension_and_a_commission_each_show_at_once(
    world: dict[str, Any], alice: Client
) -> None:
    officer = world["officer"]
    credit_request_submit(
        officer=officer,
        kind="college",
        title="Criminal procedure seminar",
        completed_on=dt.date(2023, 5, 1),
        semester_hours=Decimal(3),
        provider_name="State College",
        uploads=[
            RequestUpload(kind=kind, name=f"{kind}.pdf", content=PDF) for kind in ("transcript", "agenda")
        ],
        acting_user=world["alice"],
    )
    assert "Criminal procedure seminar" in queries_of(alice, "/officer/")[1]
    queries_of(alice, "/officer/")
    extension = extension_request(
        officer=officer,
        period=world["period"],
        kind="extension",
        reason="medical",
        explanation="surgery",
        acting_user=world["alice"],
    )
    assert "awaiting POST's decision" in queries_of(alice, "/officer/")[1]
    later = timezone.localdate() + dt.timedelta(days=40)
    extension_decide(extension=extension, grant=True, new_deadline=later, acting_user=world["erin"])
    assert f"granted until {later:%B} {later.day}, {later.year}" in queries_of(alice, "/officer/")[1]
    commission_start(
        officer=officer, agency=world["agency_b"], start=timezone.localdate(), acting_user=world["carol"]
    )
    assert "Hollis County Sheriff&#x27;s Office" in queries_of(alice, "/officer/")[1]
    agency_update(
        agency=world["agency_b"], data={"name": "Hollis County Sheriff Department"}, acting_user=world["erin"]
    )
    page = queries_of(alice, "/officer/")[1]
    assert "Hollis County Sheriff&#x27;s Office" not in page
    assert "Hollis County Sheriff Department" in page


def test_a_changed_officer_record_shows_at_once(world: dict[str, Any], alice: Client) -> None:
    assert "Avery" in queries_of(alice, "/officer/")[1]
    officer = Officer.objects.get(pk=world["officer"].pk)
    officer.last_name = "Avery-Lund"
    officer.save()
    assert "Avery-Lund" in queries_of(alice, "/officer/")[1]


def test_a_new_day_and_a_new_current_period_show_at_once(world: dict[str, Any], alice: Client) -> None:
    # Ten minutes before a local midnight (earlier than the session's sign-in: it stays open).
    evening = timezone.localtime().replace(hour=23, minute=50) - dt.timedelta(days=10)
    with time_machine.travel(evening, tick=False) as traveller:
        queries_of(alice, "/officer/")
        assert queries_of(alice, "/officer/")[0] == SERVED_FROM_CACHE
        traveller.shift(dt.timedelta(minutes=20))
        assert queries_of(alice, "/officer/")[0] > SERVED_FROM_CACHE  # "days left" count from today
    _, before = queries_of(alice, "/officer/")
    # The period containing today is current: 2024 opens (as on January 1) and shows at once.
    ensure_period(2024)
    _, after = queries_of(alice, "/officer/")
    assert "2023 reporting period" in before
    assert "2024 reporting period" in after


def test_pages_are_kept_per_session_and_not_with_messages(world: dict[str, Any], alice: Client) -> None:
    queries_of(alice, "/officer/")
    other = with_csrf_cookie(client_of("alice"), "/officer/")  # a second browser
    count, _ = queries_of(other, "/officer/")
    assert count > SERVED_FROM_CACHE
    # A request sent from the page comes back to the dashboard with its message.
    response = alice.post(
        "/officer/extension/",
        {"kind": "extension", "reason": "medical", "explanation": "surgery"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/officer/"
    page = response.content.decode()
    assert "Your request for 2023 was sent to POST." in page
    assert "awaiting POST's decision" in page


def test_the_page_cache_can_be_turned_off(world: dict[str, Any], alice: Client, settings: Any) -> None:
    settings.CLEE_PAGE_CACHE = False
    queries_of(alice, "/officer/")
    count, _ = queries_of(alice, "/officer/")
    assert count > SERVED_FROM_CACHE


# The agency roster ------------------------------------------------------------------------


@pytest.fixture
def bob(world: dict[str, Any]) -> Client:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    return with_csrf_cookie(client_of("bob"), "/agency/")


def test_an_unchanged_roster_is_served_again_and_each_query_string_apart(
    world: dict[str, Any], bob: Client
) -> None:
    first_count, first = queries_of(bob, "/agency/")
    again_count, again = queries_of(bob, "/agency/")
    assert again == first
    assert again_count == SERVED_FROM_CACHE < first_count
    count, filtered = queries_of(bob, "/agency/", status="compliant")
    assert count > SERVED_FROM_CACHE
    assert "No commissioned officer matches" in filtered
    fragment = bob.get("/agency/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert "<html" in bob.get("/agency/").content.decode()


def test_a_recomputed_result_and_a_changed_roster_show_at_once(world: dict[str, Any], bob: Client) -> None:
    assert "Deficient" in queries_of(bob, "/agency/")[1]
    give_record(world["officer"], world["period"], COMPLIANT_LINES)
    page = queries_of(bob, "/agency/")[1]
    assert "Compliant" in page
    newcomer = factories.officer(
        license_number="P7000001",
        first_name="Nina",
        last_name="Newcomer",
        date_of_birth=dt.date(1990, 1, 1),
        licensed_on=dt.date(2015, 1, 1),
    )
    commission_start(
        officer=newcomer, agency=world["agency_a"], start=timezone.localdate(), acting_user=world["bob"]
    )
    assert "Newcomer, Nina" in queries_of(bob, "/agency/")[1]
    newcomer.last_name = "Newman"
    newcomer.save()
    assert "Newman, Nina" in queries_of(bob, "/agency/")[1]
    commission = Commission.objects.get(officer=newcomer)
    commission_end(commission=commission, end=timezone.localdate(), reason="Moved", acting_user=world["bob"])
    assert "Newman, Nina" not in queries_of(bob, "/agency/")[1]
