"""Reporting periods come from their rule packs; the packs themselves are read-only pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.core.models import AuditEvent
from tests.admin.conftest import form_data

pytestmark = pytest.mark.django_db

ADD = "/admin/compliance/reportingperiod/add/"


def test_a_past_period_is_opened_with_its_rules_dates_and_an_audit_row(
    staff_client: Client, erin: Any
) -> None:
    data = form_data(staff_client.get(ADD))
    data.update({"year": "2024"})
    response = staff_client.post(ADD, data, follow=True)
    assert "MO 2024 is open; a worker computes its results now." in response.content.decode()
    period = ReportingPeriod.objects.get(year=2024)
    assert (period.starts, period.ends, period.grace_deadline, period.pack_version) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
        dt.date(2025, 3, 15),
        1,
    )
    event = AuditEvent.objects.get(object_type="compliance.reportingperiod", object_id=str(period.pk))
    assert (event.actor, event.action) == (erin, "period.open")
    assert "under MO-2024-v1" in event.summary


def test_a_year_the_rules_do_not_have_is_refused_naming_the_periods_they_do(staff_client: Client) -> None:
    data = form_data(staff_client.get(ADD))
    data.update({"year": "2016"})
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No rule pack for MO 2016: MO has a reporting period each calendar year from 2017 on." in page
    assert not ReportingPeriod.objects.filter(year=2016).exists()


def test_a_second_period_for_the_same_year_is_refused(staff_client: Client, world: dict[str, Any]) -> None:
    data = form_data(staff_client.get(ADD))
    data.update({"year": "2023"})
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    assert "The 2023 reporting period is already open." in response.content.decode()
    assert ReportingPeriod.objects.filter(year=2023).count() == 1


def test_a_periods_dates_are_its_rules_and_are_not_changed_here(
    staff_client: Client, world: dict[str, Any]
) -> None:
    url = f"/admin/compliance/reportingperiod/{world['period'].pk}/change/"
    page = staff_client.get(url).content.decode()
    assert 'name="grace_deadline"' not in page
    data = {"grace_deadline": "2023-06-30"}
    assert staff_client.post(url, data).status_code == 403
    world["period"].refresh_from_db()
    assert world["period"].grace_deadline == dt.date(2024, 3, 15)


def test_the_recompute_action_queues_a_result_for_every_officer_for_the_workers(
    staff_client: Client, world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/compliance/reportingperiod/",
            {"action": "recompute", "_selected_action": [str(world["period"].pk)]},
            follow=True,
        )
    assert "MO 2023: the results of 1 officers are queued for the workers" in response.content.decode()
    assert not ComplianceResult.objects.exists()
    run_worker()
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert result.status == "deficient"


def test_the_director_is_not_offered_the_recompute_action(director_client: Client) -> None:
    page = director_client.get("/admin/compliance/reportingperiod/").content.decode()
    assert "recompute" not in page


def test_the_packs_page_lists_the_periods_on_record_and_next_year(
    staff_client: Client, world: dict[str, Any]
) -> None:
    response = staff_client.get("/admin/compliance/packs/")
    assert response.status_code == 200
    page = response.content.decode()
    next_year = timezone.localdate().year + 1
    for year in (2023, next_year):
        assert f'href="/admin/compliance/packs/MO/{year}/"' in page
    assert "Total hours 24" in page
    assert "Computer-based hours ≤ 22" in page
    assert f'href="/admin/compliance/reportingperiod/{world["period"].pk}/change/">MO 2023</a>' in page
    assert "opens January 1" in page


def test_a_packs_page_shows_each_value_with_its_dates_and_reference(staff_client: Client) -> None:
    page = staff_client.get("/admin/compliance/packs/MO/2023/").content.decode()
    assert "Skill Development – Firearms" in page
    assert "core area: Skill Development; delivery: live; subject: firearms" in page
    assert "11 CSR 75-15.020; seed 001 (2 hours in Legal Studies)" in page
    assert "seed 001 (22 of the 24 hours may be computer-based; the 2 firearms hours must be live)" in page
    assert "AR, CA, CT, GA, IADLEST, IL" in page
    assert "11 CSR 75-15.010(3)" in page


def test_an_unknown_pack_is_not_found(staff_client: Client) -> None:
    assert staff_client.get("/admin/compliance/packs/MO/2016/").status_code == 404
    assert staff_client.get("/admin/compliance/packs/ZZ/2023/").status_code == 404
    assert staff_client.get("/admin/compliance/packs/MO/twenty/").status_code == 404
