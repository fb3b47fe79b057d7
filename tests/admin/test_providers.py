"""Providers and offerings in the back office: offerings written through the provider services,
providers only looked at (POST staff write them on their own pages)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clee.core.models import AuditEvent
from clee.providers.models import Offering, Provider
from tests.admin.conftest import form_data
from tests.factories import audit_rows_after_setup

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


def test_providers_are_read_only_here_and_link_to_the_staff_portal(
    staff_client: Client, world: dict[str, Any]
) -> None:
    """One back office writes providers: POST staff's pages (/staff/providers/), through the
    same service (tests/portals/test_staff_providers.py)."""
    provider = world["provider"]
    url = f"/admin/providers/provider/{provider.pk}/change/"
    assert staff_client.get(ADD_PROVIDER).status_code == 403
    page = staff_client.get(url)
    assert page.status_code == 200
    assert f'href="/staff/providers/{provider.pk}/"' in page.content.decode()
    assert 'name="approved_until"' not in page.content.decode()  # nothing to type into
    data = {
        "number": provider.number,
        "name": "Renamed",
        "kind": provider.kind,
        "approved_from": "2020-01-01",
    }
    assert staff_client.post(url, data).status_code == 403
    assert staff_client.post(ADD_PROVIDER, {**data, "number": "MIL-7"}).status_code == 403
    provider.refresh_from_db()
    assert provider.name != "Renamed"
    assert not Provider.objects.filter(number="MIL-7").exists()
    assert not audit_rows_after_setup().filter(object_type="providers.provider").exists()


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
    assert "Course CMA-101 is not approved on May 2, 2019: only approved courses are offered." in page
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
