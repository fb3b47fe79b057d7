"""POST staff record a license upgrade on the officer's page: it exempts the officer for the
period of the upgrade (11 CSR 75-15.010(3)), is audited, and the result is decided again by the
workers; a wrong date or a missing description is refused with its reason and writes nothing;
no one but POST staff can record one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from clee.compliance.models import ComplianceResult, StaleResult
from clee.core.actions import AuditAction
from clee.core.models import AuditEvent
from clee.officers.models import LicenseUpgrade

pytestmark = pytest.mark.django_db


def url(world: dict[str, Any]) -> str:
    return f"/staff/officers/{world['officer'].pk}/upgrades/add/"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_record_an_upgrade_and_the_officer_is_exempt_for_its_period(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    erin = signed_in(world["erin"])
    form = erin.get(url(world))
    assert form.status_code == 200
    assert "Record a license upgrade" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = erin.post(
            url(world), {"upgraded_on": "2023-06-01", "description": "  Class B  to Class A "}
        )
    assert response.status_code == 302
    assert response["Location"] == f"/staff/officers/{world['officer'].pk}/?year=2023"
    upgrade = LicenseUpgrade.objects.get(officer=world["officer"])
    assert (str(upgrade.upgraded_on), upgrade.description) == ("2023-06-01", "Class B to Class A")
    event = AuditEvent.objects.get(action=AuditAction.OFFICER_LICENSE_UPGRADE)
    assert event.actor == world["erin"]
    assert "2023-06-01: Class B to Class A" in event.summary
    assert StaleResult.objects.get(officer=world["officer"], period__year=2023).reason == "license upgrade"

    page = erin.get(response["Location"]).content.decode()
    assert "License upgrade recorded: Class B to Class A on June 1, 2023." in page
    assert "June 1, 2023: Class B to Class A" in page

    run_worker()
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert result.status == ComplianceResult.Status.EXEMPT


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        (
            {"upgraded_on": "2099-01-01", "description": "Class B to Class A"},
            "upgraded_on",
            "is still to come",
        ),
        (
            {"upgraded_on": "2010-01-01", "description": "Class B to Class A"},
            "upgraded_on",
            "Alice Avery was licensed on August 1, 2012: an upgrade comes after that.",
        ),
        ({"upgraded_on": "2023-06-01", "description": "   "}, "description", "Upgrade is required."),
        ({"upgraded_on": "June first", "description": "Class B to Class A"}, "upgraded_on", ""),
        ({"upgraded_on": "2023-06-01", "description": "x" * 201}, "description", "200"),
    ],
)
def test_a_wrong_date_or_description_is_refused_with_its_reason_and_writes_nothing(
    world: dict[str, Any], posted: dict[str, str], field: str, message: str
) -> None:
    response = signed_in(world["erin"]).post(url(world), posted)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert 'aria-invalid="true"' in response.content.decode()
    assert not LicenseUpgrade.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.OFFICER_LICENSE_UPGRADE).exists()
    assert not StaleResult.objects.filter(reason="license upgrade").exists()


def test_a_second_upgrade_on_the_same_day_is_refused(world: dict[str, Any]) -> None:
    erin = signed_in(world["erin"])
    erin.post(url(world), {"upgraded_on": "2023-06-01", "description": "Class B to Class A"})
    again = erin.post(url(world), {"upgraded_on": "2023-06-01", "description": "Class A to Class A-plus"})
    assert again.status_code == 400
    assert "An upgrade on June 1, 2023 is on file already." in again.content.decode()
    assert LicenseUpgrade.objects.count() == 1


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dave", "frank"])
def test_no_one_but_post_staff_records_an_upgrade(world: dict[str, Any], persona: str) -> None:
    client = signed_in(world[persona])
    assert client.get(url(world)).status_code in (403, 404)
    response = client.post(url(world), {"upgraded_on": "2023-06-01", "description": "Class B to Class A"})
    assert response.status_code in (403, 404)
    assert not LicenseUpgrade.objects.exists()


def test_an_officer_who_does_not_exist_is_a_404_for_staff(world: dict[str, Any]) -> None:
    assert signed_in(world["erin"]).get("/staff/officers/987654/upgrades/add/").status_code == 404


def test_across_new_year_an_upgrade_counts_for_the_period_of_its_date_in_the_programs_time_zone(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    """Late on December 31 in Missouri (already January 1 in UTC), January 1 is still to come; an
    upgrade made on December 31 and recorded after New Year exempts the old period only."""
    from zoneinfo import ZoneInfo

    import time_machine
    from django.conf import settings

    from tests import factories

    program = ZoneInfo(settings.TIME_ZONE)
    erin = signed_in(world["erin"])
    with time_machine.travel(dt.datetime(2023, 12, 31, 23, 30, tzinfo=program), tick=False):
        early = erin.post(url(world), {"upgraded_on": "2024-01-01", "description": "Class B to Class A"})
        assert early.status_code == 400
        assert "January 1, 2024 is still to come" in early.content.decode()
    with time_machine.travel(dt.datetime(2024, 1, 2, 9, 0, tzinfo=program), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            factories.period(2024)
        run_worker()
        assert not StaleResult.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            done = erin.post(url(world), {"upgraded_on": "2023-12-31", "description": "Class B to Class A"})
        assert done["Location"].endswith("?year=2023")
        assert StaleResult.objects.get(period__year=2023).reason == "license upgrade"
        assert not StaleResult.objects.filter(period__year=2024).exists()
        run_worker()
    results = dict(
        ComplianceResult.objects.filter(officer=world["officer"]).values_list("period__year", "status")
    )
    assert results[2023] == ComplianceResult.Status.EXEMPT
    assert results[2024] != ComplianceResult.Status.EXEMPT
