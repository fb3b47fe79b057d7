"""Reporting periods come from their rule packs; the packs themselves are read-only pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.core.models import AuditEvent
from clee.rules import available_packs
from clee.rules.pack import PACKS_DIR
from tests.admin.conftest import form_data

pytestmark = pytest.mark.django_db

ADD = "/admin/compliance/reportingperiod/add/"


def test_a_period_is_added_with_its_packs_dates_and_an_audit_row(staff_client: Client, erin: Any) -> None:
    data = form_data(staff_client.get(ADD))
    assert data["jurisdiction"] == "MO"
    data.update({"year": "2024"})
    response = staff_client.post(ADD, data, follow=True)
    assert "recompute_compliance --year 2024" in response.content.decode()
    period = ReportingPeriod.objects.get(year=2024)
    assert (period.starts, period.ends, period.grace_deadline, period.pack_version) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
        dt.date(2025, 3, 15),
        1,
    )
    event = AuditEvent.objects.get(object_type="compliance.reportingperiod", object_id=str(period.pk))
    assert (event.actor, event.action) == (erin, "period.create")


def test_a_year_without_a_rule_pack_is_refused_naming_the_packs_that_exist(staff_client: Client) -> None:
    data = form_data(staff_client.get(ADD))
    data.update({"year": "2031"})
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "no rule pack for MO 2031: packs exist for MO 2017" in page
    assert "clee/rules/packs/mo/2031.yaml" in page
    assert not ReportingPeriod.objects.filter(year=2031).exists()


def test_a_second_period_for_the_same_year_is_refused(staff_client: Client) -> None:
    data = form_data(staff_client.get(ADD))
    data.update({"year": "2023"})
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    assert "Reporting period with this Jurisdiction and Year already exists." in response.content.decode()
    assert ReportingPeriod.objects.filter(year=2023).count() == 1


def test_making_a_period_current_ends_the_previous_ones_turn(
    staff_client: Client, world: dict[str, Any]
) -> None:
    data = form_data(staff_client.get(ADD))
    data.update({"year": "2024", "is_current": "on"})
    assert staff_client.post(ADD, data).status_code == 302
    assert list(ReportingPeriod.objects.filter(is_current=True).values_list("year", flat=True)) == [2024]


def test_a_grace_deadline_inside_the_period_is_refused(staff_client: Client, world: dict[str, Any]) -> None:
    url = f"/admin/compliance/reportingperiod/{world['period'].pk}/change/"
    data = form_data(staff_client.get(url))
    data["grace_deadline"] = "2023-06-30"
    page = staff_client.post(url, data).content.decode()
    assert "the grace deadline must fall after the period ends (December 31, 2023)" in page
    world["period"].refresh_from_db()
    assert world["period"].grace_deadline == dt.date(2024, 3, 15)


def test_the_recompute_action_writes_a_result_for_every_officer(
    staff_client: Client, world: dict[str, Any]
) -> None:
    response = staff_client.post(
        "/admin/compliance/reportingperiod/",
        {"action": "recompute", "_selected_action": [str(world["period"].pk)]},
        follow=True,
    )
    assert "MO 2023: results written for 1 officers" in response.content.decode()
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert result.status == "deficient"


def test_the_director_is_not_offered_the_recompute_action(director_client: Client) -> None:
    page = director_client.get("/admin/compliance/reportingperiod/").content.decode()
    assert "recompute" not in page


def test_the_packs_page_lists_every_installed_pack_with_its_values(
    staff_client: Client, world: dict[str, Any]
) -> None:
    response = staff_client.get("/admin/compliance/packs/")
    assert response.status_code == 200
    page = response.content.decode()
    for jurisdiction, period in available_packs():
        assert f'href="/admin/compliance/packs/{jurisdiction}/{period}/"' in page
    assert "Total hours 24" in page
    assert "Computer-based hours ≤ 22" in page
    assert (
        f'href="/admin/compliance/reportingperiod/{world["period"].pk}/change/">MO 2023</a> (current)' in page
    )
    assert "not created yet" in page


def test_a_packs_page_shows_each_value_with_its_dates_and_reference(staff_client: Client) -> None:
    page = staff_client.get("/admin/compliance/packs/MO/2023/").content.decode()
    assert "Skill Development – Firearms" in page
    assert "core area: Skill Development; delivery: live; subject: firearms" in page
    assert "11 CSR 75-15.020; seed 001 (2 hours in Legal Studies)" in page
    assert "seed 001 (22 of the 24 hours may be computer-based; the 2 firearms hours must be live)" in page
    assert "AR, CA, CT, GA, IADLEST, IL" in page
    assert "11 CSR 75-15.010(3)" in page


def test_a_malformed_pack_file_is_shown_as_unusable_with_its_reason(
    staff_client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    (tmp_path / "mo").mkdir()
    (tmp_path / "mo" / "2023.yaml").write_text((PACKS_DIR / "mo" / "2023.yaml").read_text())
    (tmp_path / "mo" / "2026.yaml").write_text("jurisdiction: MO\nperiod: '2026'\nversion: 1\n")
    monkeypatch.setattr("clee.rules.pack.PACKS_DIR", tmp_path)
    listing = staff_client.get("/admin/compliance/packs/")
    assert listing.status_code == 200
    assert "This pack cannot be used:" in listing.content.decode()
    assert "mo/2026.yaml: starts: is missing" in listing.content.decode()
    detail = staff_client.get("/admin/compliance/packs/MO/2026/")
    assert detail.status_code == 200
    assert "mo/2026.yaml: starts: is missing" in detail.content.decode()


def test_an_unknown_pack_is_not_found(staff_client: Client) -> None:
    assert staff_client.get("/admin/compliance/packs/MO/2099/").status_code == 404
    assert staff_client.get("/admin/compliance/packs/ZZ/2023/").status_code == 404
