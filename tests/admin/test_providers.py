"""Providers and offerings in the back office, written through the provider services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clee.core.models import AuditEvent
from clee.providers.models import Offering, Provider
from tests.admin.conftest import form_data

pytestmark = pytest.mark.django_db

ADD_PROVIDER = "/admin/providers/provider/add/"
ADD_OFFERING = "/admin/providers/offering/add/"


def test_staff_list_search_and_filter_providers(staff_client: Client) -> None:
    assert "LP-0042" in staff_client.get("/admin/providers/provider/").content.decode()
    assert "LP-0042" in staff_client.get("/admin/providers/provider/", {"q": "academy"}).content.decode()
    assert (
        "LP-0042"
        in staff_client.get("/admin/providers/provider/", {"kind__exact": "licensed"}).content.decode()
    )
    assert (
        "LP-0042"
        not in staff_client.get("/admin/providers/provider/", {"kind__exact": "military"}).content.decode()
    )


def test_a_new_provider_gets_its_kinds_credit_class_and_an_audit_row(staff_client: Client, erin: Any) -> None:
    data = form_data(staff_client.get(ADD_PROVIDER))
    data.update(
        {
            "number": "mil-7",
            "name": "Missouri National Guard",
            "kind": "military",
            "approved_from": "2020-01-01",
        }
    )
    response = staff_client.post(ADD_PROVIDER, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    provider = Provider.objects.get(number="MIL-7")
    assert provider.credit_class == "licensed"
    event = AuditEvent.objects.get(object_type="providers.provider", object_id=str(provider.pk))
    assert (event.actor, event.action) == (erin, "provider.create")


def test_an_in_service_provider_without_its_agency_is_refused(staff_client: Client) -> None:
    data = form_data(staff_client.get(ADD_PROVIDER))
    data.update(
        {"number": "IS-1", "name": "Riverton in-service", "kind": "in_service", "approved_from": "2020-01-01"}
    )
    response = staff_client.post(ADD_PROVIDER, data)
    assert response.status_code == 200
    assert "an agency in-service provider belongs to an agency: choose it" in response.content.decode()
    assert not Provider.objects.filter(number="IS-1").exists()


def test_an_out_of_state_source_needs_another_states_code(staff_client: Client) -> None:
    data = form_data(staff_client.get(ADD_PROVIDER))
    data.update(
        {
            "number": "OS-1",
            "name": "Kansas academy",
            "kind": "out_of_state",
            "state": "mo",
            "approved_from": "2021-01-01",
        }
    )
    response = staff_client.post(ADD_PROVIDER, data)
    assert response.status_code == 200
    assert "a Missouri provider is not an out-of-state source" in response.content.decode()


def test_changing_a_providers_approval_records_the_change(
    staff_client: Client, world: dict[str, Any], erin: Any
) -> None:
    provider = world["provider"]
    url = f"/admin/providers/provider/{provider.pk}/change/"
    data = form_data(staff_client.get(url))
    data["approved_until"] = "2025-12-31"
    assert staff_client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="provider.update")
    assert event.actor == erin
    assert event.data["changes"] == {"approved_until": [None, "2025-12-31"]}


def test_an_offering_is_added_with_its_instructors(
    staff_client: Client, world: dict[str, Any], erin: Any
) -> None:
    data = form_data(staff_client.get(ADD_OFFERING))
    data.update(
        {
            "course": str(world["course"].pk),
            "starts_on": "2023-05-02",
            "ends_on": "2023-05-02",
            "location": "Jefferson City",
            "teaching-TOTAL_FORMS": "1",
            "teaching-0-officer": str(world["officer"].pk),
            "teaching-0-hours_taught": "4",
        }
    )
    response = staff_client.post(ADD_OFFERING, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    offering = Offering.objects.get(location="Jefferson City")
    assert [(t.officer, t.hours_taught) for t in offering.teaching.all()] == [
        (world["officer"], Decimal("4.00"))
    ]
    event = AuditEvent.objects.get(action="offering.create")
    assert event.actor == erin
    assert event.data["values"]["instructors"] == {str(world["officer"].pk): "4"}
    listing = staff_client.get("/admin/providers/offering/", {"q": "Jefferson"}).content.decode()
    assert "Jefferson City" in listing


def offering_data(client: Client, world: dict[str, Any], starts_on: str, hours_taught: str) -> dict[str, Any]:
    data = form_data(client.get(ADD_OFFERING))
    data.update(
        {
            "course": str(world["course"].pk),
            "starts_on": starts_on,
            "ends_on": starts_on,
            "location": "Jefferson City",
            "teaching-TOTAL_FORMS": "1",
            "teaching-0-officer": str(world["officer"].pk),
            "teaching-0-hours_taught": hours_taught,
        }
    )
    return data


def test_an_offering_before_its_courses_approval_is_refused(
    staff_client: Client, world: dict[str, Any]
) -> None:
    page = staff_client.post(
        ADD_OFFERING, offering_data(staff_client, world, "2019-05-02", "4")
    ).content.decode()
    assert "course CMA-101 is not approved on May 2, 2019: only approved courses are offered" in page
    assert not Offering.objects.exists()


def test_an_instructor_credited_more_hours_than_the_course_has_is_refused(
    staff_client: Client, world: dict[str, Any]
) -> None:
    page = staff_client.post(
        ADD_OFFERING, offering_data(staff_client, world, "2023-05-02", "9")
    ).content.decode()
    assert "hours taught must be more than 0 and at most the course&#x27;s 4 hours" in page
    assert not Offering.objects.exists()


@pytest.mark.parametrize(
    ("model_name", "field_name", "term", "expected"),
    [
        ("offeringinstructor", "officer", "avery", "Avery, Alice (P1000001)"),
        ("offering", "course", "cma", "CMA-101 Legal update and de-escalation"),
        ("course", "provider", "central", "Central Missouri Law Enforcement Academy (LP-0042)"),
        ("provider", "agency", "MO0950000", "Riverton Police Department (MO0950000)"),
    ],
)
def test_staff_pick_related_rows_by_typing_part_of_a_name(
    staff_client: Client, model_name: str, field_name: str, term: str, expected: str
) -> None:
    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "providers", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == [expected]
