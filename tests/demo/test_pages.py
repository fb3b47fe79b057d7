"""Signing in and each role's first page, as each demo account sees them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clee.accounts.models import User
from clee.compliance.models import ComplianceResult
from clee.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from clee.demo.plans import DemoSummary
from clee.officers.models import Commission
from tests.demo.conftest import TINY, TODAY, state_on

pytestmark = pytest.mark.django_db

tiny_state = state_on(TODAY, seed=5, size=TINY)
YEAR = TODAY.year

LOGIN = "/accounts/login/"


def signed_in(client: Client, username: str) -> Client:
    response = client.post(LOGIN, {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    return client


def test_the_login_page_lists_the_demo_accounts_in_demo_mode(
    client: Client, settings: Any, tiny_state: DemoSummary
) -> None:
    settings.DEMO_MODE = True
    page = client.get(LOGIN).content.decode()
    assert "Demo accounts" in page
    for account in DEMO_ACCOUNTS:
        assert account.username in page
        assert account.role_label in page
    assert DEMO_PASSWORD in page
    assert "csrfmiddlewaretoken" in page


def test_the_login_page_lists_no_accounts_when_demo_mode_is_off(
    client: Client, settings: Any, tiny_state: DemoSummary
) -> None:
    settings.DEMO_MODE = False
    page = client.get(LOGIN).content.decode()
    assert '<label class="usa-label" for="id_username">Username</label>' in page
    assert "Demo accounts" not in page
    assert DEMO_PASSWORD not in page
    assert "demo.officer" not in page


def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, tiny_state: DemoSummary) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"


def test_a_wrong_password_is_refused(client: Client, tiny_state: DemoSummary) -> None:
    response = client.post(LOGIN, {"username": "demo.officer", "password": "not-the-password"})
    assert response.status_code == 200
    assert "We could not sign you in" in response.content.decode()
    assert client.get("/").status_code == 302


def test_the_demo_officer_sees_their_stored_status_and_what_they_still_need(
    client: Client, tiny_state: DemoSummary
) -> None:
    officer = User.objects.get(username="demo.officer").officer
    assert officer is not None
    result = ComplianceResult.objects.get(officer=officer, period__year=YEAR)
    page = signed_in(client, "demo.officer").get("/", follow=True).content.decode()
    assert f"{YEAR} reporting period" in page
    assert officer.license_number in page
    assert result.get_status_display() in page
    assert f"<strong>{result.counted_hours.normalize():f}</strong> of 24 hours counted" in page
    assert result.still_needed["sentence"] in page
    for requirement in result.requirements:
        assert requirement["label"] in page
    assert "Skip to main content" in page


def test_the_agency_administrator_sees_counts_for_their_agency_only(
    client: Client, tiny_state: DemoSummary
) -> None:
    agency = User.objects.get(username="demo.agency").agency
    assert agency is not None
    commissioned = Commission.objects.filter(agency=agency, end__isnull=True)
    compliant = ComplianceResult.objects.filter(
        period__year=YEAR, status="compliant", officer_id__in=commissioned.values("officer_id")
    ).count()
    page = signed_in(client, "demo.agency").get("/", follow=True).content.decode()
    assert agency.name in page
    assert f"<div><dt>Commissioned now</dt><dd>{commissioned.count()}</dd></div>" in page
    assert f"<div><dt>Compliant</dt><dd>{compliant}</dd></div>" in page


def test_post_staff_see_statewide_counts_and_the_back_office_link(
    client: Client, tiny_state: DemoSummary
) -> None:
    page = signed_in(client, "demo.staff").get("/", follow=True).content.decode()
    assert "Statewide" in page
    assert f"<dd>{tiny_state.counts['credit requests awaiting review']}</dd>" in page
    assert reverse("admin:index") in page


def test_the_provider_sees_its_courses(client: Client, tiny_state: DemoSummary) -> None:
    provider = User.objects.get(username="demo.provider").provider
    assert provider is not None
    page = signed_in(client, "demo.provider").get("/", follow=True).content.decode()
    assert provider.name in page
    assert "Courses awaiting POST review" in page


def test_signing_out_takes_a_post(client: Client, tiny_state: DemoSummary) -> None:
    signed_in(client, "demo.director")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").headers["Location"] == "/director/"
    assert client.get("/director/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.get("/").status_code == 302


def test_the_login_form_refuses_a_post_without_its_csrf_token(tiny_state: DemoSummary) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "demo.officer", "password": DEMO_PASSWORD})
    assert response.status_code == 403
