"""In-service rule (seed 001, 11 CSR 75-15.060): an agency's training counts only through an
in-service course POST approved in advance. Training an agency reports by title is held for
POST's review, with the reason, and counts only once staff approve it as the agency's in-service
course for that day (after seeing what that does to each officer); refused, the officers and the
agency see why."""

from __future__ import annotations

from typing import Any

import pytest

from clee.compliance.models import ComplianceResult
from clee.core.audit import AuditEvent
from clee.providers.models import Course
from clee.training.models import TrainingRecord
from tests.portals.test_agency_training import session
from tests.portals.test_oversight_statewide import PERSONAS, client_of

pytestmark = pytest.mark.django_db


def held(world: dict[str, Any]) -> TrainingRecord:
    client_of("bob").post("/agency/training/", session())
    return TrainingRecord.objects.get(status="pending")


def test_staff_see_held_agency_training_in_their_queue_with_what_approving_does(
    world: dict[str, Any],
) -> None:
    record = held(world)
    client = client_of("erin")
    assert "Agency training held for review" in client.get("/staff/").content.decode()
    listing = client.get("/staff/agency-training/").content.decode()
    assert f'href="/staff/agency-training/{record.pk}/"' in listing
    page = client.get(f"/staff/agency-training/{record.pk}/")
    html = page.content.decode()
    assert "Roll-call: report writing and bias" in html
    assert "Counts toward 2023." in html
    assert "Deficient, 24 hours short" in html
    assert "Deficient, 22 hours short" in html  # once approved: 2 hours count
    assert TrainingRecord.objects.get(pk=record.pk).status == "pending"  # the preview kept nothing


def test_the_officer_sees_held_training_does_not_count_yet_and_why(world: dict[str, Any]) -> None:
    held(world)
    html = client_of("alice").get("/officer/transcript/").content.decode()
    assert "Not counted yet:</strong> Agency training counts only through an in-service course" in html
    assert ">Pending</span>" in html


def test_approving_held_training_makes_it_an_in_service_course_whose_completions_count(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    record = held(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of("erin").post(f"/staff/agency-training/{record.pk}/", {"decision": "approve"})
    run_worker()
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.review_note) == ("accepted", "")
    course = Course.objects.get(pk=record.course_id)
    assert (course.status, course.approved_from, course.approved_until) == (
        "approved",
        record.completed_on,
        record.completed_on,
    )
    assert course.provider.agency == world["agency_a"]
    assert course.provider.kind == "in_service"
    assert ComplianceResult.objects.get(officer=world["officer"], period=world["period"]).counted_hours == 2
    assert AuditEvent.objects.filter(action="training.held_approve", actor=world["erin"]).count() == 1


def test_refusing_held_training_needs_a_reason_which_the_officer_and_agency_see(
    world: dict[str, Any],
) -> None:
    record = held(world)
    client = client_of("erin")
    refused = client.post(f"/staff/agency-training/{record.pk}/", {"decision": "deny", "reason": ""})
    assert refused.status_code == 200
    assert "give the reason for refusing it" in refused.content.decode().lower()
    assert TrainingRecord.objects.get(pk=record.pk).status == "pending"
    client.post(
        f"/staff/agency-training/{record.pk}/",
        {"decision": "deny", "reason": "A roll-call briefing is not a CLEE course."},
    )
    record.refresh_from_db()
    assert (record.status, record.review_note) == ("rejected", "A roll-call briefing is not a CLEE course.")
    assert "Refused by POST:</strong> A roll-call briefing is not a CLEE course." in (
        client_of("alice").get("/officer/transcript/").content.decode()
    )
    assert "A roll-call briefing is not a CLEE course." in (
        client_of("bob").get(f"/agency/officers/{world['officer'].pk}/").content.decode()
    )


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "erin"])
def test_only_post_staff_open_held_agency_training(world: dict[str, Any], persona: str) -> None:
    record = held(world)
    client = client_of(persona)
    assert client.get("/staff/agency-training/").status_code in (302, 403, 404)
    assert client.get(f"/staff/agency-training/{record.pk}/").status_code in (302, 403, 404)
    response = client.post(f"/staff/agency-training/{record.pk}/", {"decision": "approve"})
    assert response.status_code in (302, 403, 404)
    assert TrainingRecord.objects.get(pk=record.pk).status == "pending"
