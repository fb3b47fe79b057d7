"""POST staff decide extension and waiver requests (grant with a new deadline, refuse with a
reason) and grant one directly for an officer found by license number."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from clee.compliance.models import ComplianceResult, Extension
from clee.compliance.recompute import compliance_recompute
from clee.compliance.services import extension_request
from clee.core.audit import events_for
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def staff(world: dict[str, Any]) -> Client:
    client = Client()
    assert client.login(username=world["erin"].username, password=PASSWORD)
    return client


def requested(world: dict[str, Any], *, reason: str = "medical") -> Extension:
    return extension_request(
        officer=world["officer"],
        period=world["period"],
        kind=Extension.Kind.EXTENSION,
        reason=reason,
        explanation="Surgery in November, cleared for duty in February.",
        acting_user=world["bob"],
    )


def test_the_page_lists_requests_awaiting_a_decision_with_a_form_each(world: dict[str, Any]) -> None:
    extension = requested(world)

    response = staff(world).get("/staff/extensions/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Alice Avery" in page
    assert "Surgery in November" in page
    assert f'action="/staff/extensions/{extension.pk}/decide/#extension-{extension.pk}-heading"' in page
    assert f'id="id_extension-{extension.pk}-new_deadline"' in page
    assert "Grant one directly" in page


def test_granting_sets_the_new_deadline_and_the_officers_result_shows_it(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    compliance_recompute(period=world["period"], officer_ids=[world["officer"].pk])
    extension = requested(world)
    prefix = f"extension-{extension.pk}"

    with django_capture_on_commit_callbacks(execute=True):
        response = staff(world).post(
            f"/staff/extensions/{extension.pk}/decide/",
            {f"{prefix}-decision": "grant", f"{prefix}-new_deadline": "2024-06-30"},
        )
    run_worker()

    assert response.status_code == 302
    extension.refresh_from_db()
    assert (extension.status, extension.new_deadline, extension.decided_by) == (
        "granted",
        dt.date(2024, 6, 30),
        world["erin"],
    )
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert result.extended_until == dt.date(2024, 6, 30)


def test_a_grant_needs_a_deadline_after_the_grace_deadline(world: dict[str, Any]) -> None:
    extension = requested(world)
    prefix = f"extension-{extension.pk}"
    client = staff(world)

    missing = client.post(f"/staff/extensions/{extension.pk}/decide/", {f"{prefix}-decision": "grant"})
    assert "Enter the new deadline." in missing.content.decode()

    early = client.post(
        f"/staff/extensions/{extension.pk}/decide/",
        {f"{prefix}-decision": "grant", f"{prefix}-new_deadline": "2024-03-01"},
    )
    assert early.status_code == 200
    assert "A granted extension needs a new deadline after March 15, 2024" in early.content.decode()
    extension.refresh_from_db()
    assert extension.status == Extension.Status.REQUESTED


def test_a_refusal_needs_a_reason_the_officer_sees(world: dict[str, Any]) -> None:
    extension = requested(world)
    prefix = f"extension-{extension.pk}"
    client = staff(world)

    no_reason = client.post(f"/staff/extensions/{extension.pk}/decide/", {f"{prefix}-decision": "refuse"})
    assert "Give the reason for the refusal." in no_reason.content.decode()

    refused = client.post(
        f"/staff/extensions/{extension.pk}/decide/",
        {f"{prefix}-decision": "refuse", f"{prefix}-refusal_reason": "No medical statement was sent."},
    )
    assert refused.status_code == 302
    extension.refresh_from_db()
    assert extension.status == Extension.Status.REFUSED
    event = events_for(extension).get(action="compliance.extension_decide")
    assert event.data["reason"] == "No medical statement was sent."
    assert event.actor == world["erin"]
    assert extension.decision_reason == "No medical statement was sent."
    alice = Client()
    alice.force_login(world["alice"])
    assert "refused: No medical statement was sent." in alice.get("/officer/").content.decode()

    again = client.post(
        f"/staff/extensions/{extension.pk}/decide/",
        {f"{prefix}-decision": "grant", f"{prefix}-new_deadline": "2024-06-30"},
    )
    assert "This request was already refused" in again.content.decode()


def test_staff_grant_a_waiver_directly_by_license_number(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = staff(world).post(
            "/staff/extensions/grant/",
            {
                "license_number": " p1000001 ",
                "period": world["period"].pk,
                "kind": "waiver",
                "reason": "military",
                "new_deadline": "2024-09-30",
                "explanation": "Deployment orders of August 2023.",
            },
        )
    run_worker()

    assert response.status_code == 302
    extension = Extension.objects.get(officer=world["officer"])
    assert (extension.kind, extension.reason, extension.status, extension.new_deadline) == (
        "waiver",
        "military",
        "granted",
        dt.date(2024, 9, 30),
    )
    assert events_for(extension).filter(action="compliance.extension_grant", actor=world["erin"]).exists()
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert result.extended_until == dt.date(2024, 9, 30)
    assert "Alice Avery" in staff(world).get("/staff/extensions/").content.decode()  # recently decided


def test_a_direct_grant_refuses_an_unknown_license_a_missing_reason_and_a_second_extension(
    world: dict[str, Any],
) -> None:
    client = staff(world)
    base = {
        "period": world["period"].pk,
        "kind": "extension",
        "reason": "medical",
        "new_deadline": "2024-06-30",
    }

    unknown = client.post("/staff/extensions/grant/", {**base, "license_number": "P9999999"})
    assert "No officer holds license P9999999." in unknown.content.decode()

    no_reason = client.post("/staff/extensions/grant/", {**base, "license_number": "P1000001", "reason": ""})
    assert "Choose the reason for the leave." in no_reason.content.decode()

    early = client.post(
        "/staff/extensions/grant/", {**base, "license_number": "P1000001", "new_deadline": "2024-01-31"}
    )
    assert "The new deadline must be after the grace deadline of 2023" in early.content.decode()
    assert not Extension.objects.exists()

    client.post("/staff/extensions/grant/", {**base, "license_number": "P1000001"})
    second = client.post("/staff/extensions/grant/", {**base, "license_number": "P1000001"})
    assert "Alice Avery already has an extension for 2023 until June 30, 2024" in second.content.decode()
    assert Extension.objects.count() == 1


def test_a_direct_grant_is_refused_while_a_request_awaits_a_decision(world: dict[str, Any]) -> None:
    requested(world)

    response = staff(world).post(
        "/staff/extensions/grant/",
        {
            "license_number": "P1000001",
            "period": world["period"].pk,
            "kind": "extension",
            "reason": "medical",
            "new_deadline": "2024-06-30",
        },
    )

    assert "has a request for 2023 awaiting a decision" in response.content.decode()
    assert Extension.objects.filter(status="granted").count() == 0
