"""Officers, training records, results and the audit trail: read, searched and filtered in the
back office, never changed or deleted there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from clee.agencies.services import agency_update
from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.core.actions import AuditAction
from clee.core.models import AuditEvent
from clee.officers.models import LicenseStatusChange, Officer
from clee.training.models import TrainingRecord
from clee.training.services import RecordEntry, course_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(world: dict[str, Any]) -> TrainingRecord:
    course = world["course"]
    outcome = training_records_add(
        entries=[
            RecordEntry(
                officer_id=world["officer"].pk,
                course_id=course.pk,
                completed_on=dt.date(2023, 3, 1),
                hours=course.hours,
                source="course",
                credit_class="approved",
                delivery="live",
                lines=course_lines(course),
            )
        ],
        actor=world["dave"],
    )
    return outcome.added[0]


@pytest.fixture
def second_officer(world: dict[str, Any]) -> Officer:
    officer = Officer.objects.create(
        license_number="P2000002",
        first_name="Brent",
        last_name="Bishop",
        date_of_birth=dt.date(1979, 1, 9),
        licensed_on=dt.date(2001, 5, 1),
        license_status="inactive",
    )
    LicenseStatusChange.objects.create(
        officer=officer,
        from_status="active",
        to_status="inactive",
        effective_on=dt.date(2022, 4, 1),
        reason="grace",
    )
    return officer


def test_staff_find_an_officer_by_license_number_or_name(
    staff_client: Client, second_officer: Officer
) -> None:
    by_number = staff_client.get("/admin/officers/officer/", {"q": "P2000002"}).content.decode()
    assert "Bishop" in by_number
    assert "Avery" not in by_number
    by_name = staff_client.get("/admin/officers/officer/", {"q": "avery"}).content.decode()
    assert "P1000001" in by_name
    assert "P2000002" not in by_name


def test_staff_filter_officers_by_license_status(staff_client: Client, second_officer: Officer) -> None:
    inactive = staff_client.get(
        "/admin/officers/officer/", {"license_status__exact": "inactive"}
    ).content.decode()
    assert "P2000002" in inactive
    assert "P1000001" not in inactive


def test_an_officers_page_shows_commissions_license_history_and_results_read_only(
    staff_client: Client, world: dict[str, Any], second_officer: Officer, record: TrainingRecord
) -> None:
    compliance_recompute(period=world["period"])
    page = staff_client.get(f"/admin/officers/officer/{world['officer'].pk}/change/").content.decode()
    assert "Riverton Police Department" in page
    assert "Compliance results" in page
    assert "Deficient" in page
    assert f"/admin/training/trainingrecord/?officer__id__exact={world['officer'].pk}" in page
    assert 'name="_save"' not in page
    assert 'name="commissions-0-start"' not in page  # shown, not editable
    history = staff_client.get(f"/admin/officers/officer/{second_officer.pk}/change/").content.decode()
    assert "License history" in history
    assert "grace" in history


def test_officers_cannot_be_added_changed_or_deleted_here(
    staff_client: Client, world: dict[str, Any]
) -> None:
    officer = world["officer"]
    assert staff_client.get("/admin/officers/officer/add/").status_code == 403
    response = staff_client.post(
        f"/admin/officers/officer/{officer.pk}/change/", {"first_name": "Mallory", "last_name": "Avery"}
    )
    assert response.status_code == 403
    officer.refresh_from_db()
    assert officer.first_name == "Alice"
    assert staff_client.get(f"/admin/officers/officer/{officer.pk}/delete/").status_code == 403


def test_a_training_record_shows_its_credit_lines(staff_client: Client, record: TrainingRecord) -> None:
    page = staff_client.get(f"/admin/training/trainingrecord/{record.pk}/change/").content.decode()
    assert "Credit lines (what the rules engine counts)" in page
    assert "Legal Studies" in page
    assert "Interpersonal Perspectives" in page
    assert "de_escalation" in page
    assert 'name="_save"' not in page


def test_staff_search_and_filter_training_records(staff_client: Client, record: TrainingRecord) -> None:
    url = "/admin/training/trainingrecord/"
    assert "Legal update and de-escalation" in staff_client.get(url, {"q": "P1000001"}).content.decode()
    assert "Legal update and de-escalation" in staff_client.get(url, {"q": "CMA-101"}).content.decode()
    assert "Legal update and de-escalation" not in staff_client.get(url, {"q": "P9"}).content.decode()
    assert (
        "Legal update and de-escalation"
        in staff_client.get(url, {"source__exact": "course"}).content.decode()
    )
    assert (
        "Legal update and de-escalation"
        not in staff_client.get(url, {"status__exact": "rejected"}).content.decode()
    )


def test_training_records_cannot_be_deleted_or_changed(staff_client: Client, record: TrainingRecord) -> None:
    assert staff_client.get(f"/admin/training/trainingrecord/{record.pk}/delete/").status_code == 403
    assert "delete_selected" not in staff_client.get("/admin/training/trainingrecord/").content.decode()
    assert (
        staff_client.post(f"/admin/training/trainingrecord/{record.pk}/change/", {"hours": "40"}).status_code
        == 403
    )
    assert TrainingRecord.objects.get(pk=record.pk).hours == 4


def test_staff_search_the_audit_trail_and_filter_it_by_action_and_object_type(
    staff_client: Client, world: dict[str, Any], record: TrainingRecord, erin: Any
) -> None:
    agency_update(agency=world["agency_b"], data={"name": "Hollis County Sheriff"}, acting_user=erin)
    url = "/admin/core/auditevent/"

    def rows(**query: str) -> set[str]:
        """The actions listed, each shown by its label."""
        page = staff_client.get(url, query).content.decode()
        return {
            action.value
            for action in (AuditAction.TRAINING_RECORD_ADD, AuditAction.AGENCY_UPDATE)
            if f'"field-action">{action.label}<' in page
        }

    assert rows() == {"training.record_add", "agency.update"}
    assert rows(action="agency.update") == {"agency.update"}
    assert rows(object_type="training.trainingrecord") == {"training.record_add"}
    assert rows(q="dave") == {"training.record_add"}
    by_action = staff_client.get(url, {"action": "agency.update"}).content.decode()
    # The object column links to the object's own page.
    assert f'href="/admin/agencies/agency/{world["agency_b"].pk}/change/"' in by_action


def test_audit_events_cannot_be_added_changed_or_deleted(
    staff_client: Client, record: TrainingRecord
) -> None:
    event = AuditEvent.objects.get(action="training.record_add")
    assert staff_client.get("/admin/core/auditevent/add/").status_code == 403
    assert staff_client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    page = staff_client.get(f"/admin/core/auditevent/{event.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert (
        staff_client.post(f"/admin/core/auditevent/{event.pk}/change/", {"summary": "nothing"}).status_code
        == 403
    )
    assert "delete_selected" not in staff_client.get("/admin/core/auditevent/").content.decode()
    assert AuditEvent.objects.get(pk=event.pk).summary == "training record entered"


def test_staff_filter_stored_results_by_period_and_status(
    staff_client: Client, world: dict[str, Any], record: TrainingRecord
) -> None:
    compliance_recompute(period=world["period"])
    url = "/admin/compliance/complianceresult/"
    assert "P1000001" in staff_client.get(url, {"status__exact": "deficient"}).content.decode()
    assert "P1000001" not in staff_client.get(url, {"status__exact": "compliant"}).content.decode()
    assert "P1000001" in staff_client.get(url, {"period__id__exact": world["period"].pk}).content.decode()
