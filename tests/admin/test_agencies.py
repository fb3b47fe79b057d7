"""Agencies in the back office: listed, searched, filtered, added and changed through the
agency services, each write with an audit row naming the staff member."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from clee.agencies.models import Agency
from clee.agencies.services import agency_update
from clee.core.models import AuditEvent
from clee.officers.models import Commission
from tests.admin.conftest import form_data
from tests.factories import audit_rows_after_setup

pytestmark = pytest.mark.django_db

ADD = "/admin/agencies/agency/add/"


def change_url(agency: Agency) -> str:
    return f"/admin/agencies/agency/{agency.pk}/change/"


def test_staff_list_agencies_with_the_officers_each_commissions(staff_client: Client) -> None:
    page = staff_client.get("/admin/agencies/agency/").content.decode()
    assert "Riverton Police Department" in page
    assert "Hollis County Sheriff" in page
    assert "Officers commissioned" in page
    assert '<td class="field-officers_commissioned">1</td>' in page  # alice, at agency A


def test_staff_find_an_agency_by_its_ori(staff_client: Client) -> None:
    page = staff_client.get("/admin/agencies/agency/", {"q": "MO0960000"}).content.decode()
    assert "Hollis County Sheriff" in page
    assert "Riverton Police Department" not in page


def test_staff_filter_agencies_by_type(staff_client: Client) -> None:
    page = staff_client.get("/admin/agencies/agency/", {"agency_type__exact": "sheriff"}).content.decode()
    assert "Hollis County Sheriff" in page
    assert "Riverton Police Department" not in page


def test_adding_an_agency_writes_it_and_an_audit_row_naming_the_staff_member(
    staff_client: Client, erin: Any
) -> None:
    data = form_data(staff_client.get(ADD))
    data.update({"ori": "mo0970000", "name": "  Cedar Falls Police Department ", "agency_type": "police"})
    response = staff_client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    agency = Agency.objects.get(ori="MO0970000")
    assert agency.name == "Cedar Falls Police Department"
    event = AuditEvent.objects.get(object_type="agencies.agency", object_id=str(agency.pk))
    assert (event.actor, event.actor_label, event.action) == (erin, "erin", "agency.create")
    assert event.data["values"]["ori"] == "MO0970000"


def test_changing_an_agency_records_who_changed_what(
    staff_client: Client, erin: Any, world: dict[str, Any]
) -> None:
    agency = world["agency_b"]
    data = form_data(staff_client.get(change_url(agency)))
    data["name"] = "Hollis County Sheriff's Department"
    response = staff_client.post(change_url(agency), data)
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.name == "Hollis County Sheriff's Department"
    event = AuditEvent.objects.get(action="agency.update", object_id=str(agency.pk))
    assert event.actor == erin
    assert event.data["changes"] == {
        "name": ["Hollis County Sheriff's Office", "Hollis County Sheriff's Department"]
    }


def test_saving_an_agency_unchanged_writes_no_audit_row(staff_client: Client, world: dict[str, Any]) -> None:
    agency = world["agency_b"]
    response = staff_client.post(change_url(agency), form_data(staff_client.get(change_url(agency))))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="agency.update").exists()


def test_a_malformed_ori_is_refused_on_the_form_and_nothing_is_written(staff_client: Client) -> None:
    data = form_data(staff_client.get(ADD))
    data.update({"ori": "MO12", "name": "Nowhere PD"})
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    assert "An ORI is 2 letters and 7 letters or digits." in response.content.decode()
    assert not Agency.objects.filter(name="Nowhere PD").exists()
    assert not audit_rows_after_setup().filter(action="agency.create").exists()


def test_an_ori_already_on_file_is_refused(staff_client: Client) -> None:
    data = form_data(staff_client.get(ADD))
    data.update({"ori": "MO0950000", "name": "Second Riverton"})
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    assert "Agency with this ORI already exists." in response.content.decode()
    assert Agency.objects.filter(ori="MO0950000").count() == 1


def test_an_agency_that_still_commissions_officers_cannot_be_made_inactive(
    staff_client: Client, world: dict[str, Any]
) -> None:
    agency = world["agency_a"]
    data = form_data(staff_client.get(change_url(agency)))
    data.pop("active")
    response = staff_client.post(change_url(agency), data)
    assert response.status_code == 200
    assert "still commissions 1 officer: end those commissions" in response.content.decode()
    agency.refresh_from_db()
    assert agency.active


def test_an_agency_without_open_commissions_can_be_made_inactive(
    staff_client: Client, world: dict[str, Any]
) -> None:
    agency = world["agency_a"]
    agency.commissions.update(end=dt.date(2024, 1, 1))
    data = form_data(staff_client.get(change_url(agency)))
    data.pop("active")
    assert staff_client.post(change_url(agency), data).status_code == 302
    agency.refresh_from_db()
    assert not agency.active
    assert AuditEvent.objects.get(action="agency.update").data["changes"] == {"active": [True, False]}


def test_an_agencys_page_links_to_its_audit_trail(staff_client: Client, world: dict[str, Any]) -> None:
    agency = world["agency_b"]
    page = staff_client.get(change_url(agency)).content.decode()
    assert f"/admin/core/auditevent/?object_type=agencies.agency&amp;object_id={agency.pk}" in page


def test_a_refusal_that_only_the_service_sees_rolls_everything_back_and_says_why(
    staff_client: Client, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two staff members at once: the form's check passed, then someone commissioned an
    officer at the agency before the save; the service refuses and nothing is kept."""
    agency = world["agency_b"]
    real_update = agency_update

    def commissioned_meanwhile(**kwargs: Any) -> Agency:
        Commission.objects.create(officer=world["officer"], agency=agency, start=dt.date(2024, 2, 1))
        return real_update(**kwargs)

    monkeypatch.setattr("clee.agencies.admin.agency_update", commissioned_meanwhile)
    data = form_data(staff_client.get(change_url(agency)))
    data.pop("active")
    response = staff_client.post(change_url(agency), data, follow=True)
    assert "Nothing was saved: Hollis County Sheriff&#x27;s Office still commissions 1 officer" in (
        response.content.decode()
    )
    agency.refresh_from_db()
    assert agency.active
    assert not Commission.objects.filter(agency=agency).exists()
    assert not AuditEvent.objects.filter(action="agency.update").exists()
