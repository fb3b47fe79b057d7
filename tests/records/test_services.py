"""Write services: every write audited with who; bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from clee.compliance.models import ComplianceResult, Extension
from clee.compliance.services import exemption_grant, extension_decide, extension_request
from clee.core.audit import events_for
from clee.core.documents import document_store
from clee.core.errors import ServiceError
from clee.demo.pdf import tiny_pdf
from clee.officers.models import Commission, LicenseStatus, Officer
from clee.officers.services import commission_end, commission_start, license_status_change
from clee.training.models import CreditRequest, TrainingRecord
from clee.training.services import LineSpec
from clee.workflows.credit_requests import credit_request_decide, credit_request_submit
from clee.workflows.officers import officer_create

pytestmark = pytest.mark.django_db(transaction=True)
PDF = tiny_pdf("A synthetic certificate", ["Completed: 4 hours"])


def test_it_licenses_an_officer_with_history_and_an_audit_row(world: dict[str, Any], run_worker: Any) -> None:
    officer = officer_create(
        license_number="p2000002",
        first_name="Ben",
        last_name="Okafor",
        date_of_birth=dt.date(1995, 1, 2),
        licensed_on=dt.date(2023, 6, 1),
        acting_user=world["erin"],
    )
    assert officer.license_number == "P2000002"
    assert [c.to_status for c in officer.status_changes.all()] == ["active"]
    assert events_for(officer).get().actor == world["erin"]
    run_worker()
    result = ComplianceResult.objects.get(officer=officer, period=world["period"])
    assert result.status == "exempt"


def test_it_refuses_a_license_number_already_on_file(world: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="P1000001 is already on file"):
        officer_create(
            license_number="P1000001",
            first_name="X",
            last_name="Y",
            date_of_birth=dt.date(1990, 1, 1),
            licensed_on=dt.date(2020, 1, 1),
            acting_user=world["erin"],
        )
    assert Officer.objects.count() == 1


def test_an_inactive_license_cannot_be_commissioned(world: dict[str, Any]) -> None:
    officer = world["officer"]
    license_status_change(
        officer=officer,
        to_status=LicenseStatus.INACTIVE,
        reason="non-compliant after the grace deadline",
        effective_on=dt.date(2024, 4, 1),
        acting_user=world["frank"],
    )
    with pytest.raises(ServiceError, match="license is inactive"):
        commission_start(
            officer=officer, agency=world["agency_b"], start=dt.date(2024, 5, 1), acting_user=world["carol"]
        )
    assert not Commission.objects.filter(agency=world["agency_b"]).exists()
    history = officer.status_changes.order_by("id").last()
    assert history is not None
    assert (history.from_status, history.to_status, history.changed_by) == (
        "active",
        "inactive",
        world["frank"],
    )


def test_a_commission_ends_once_and_not_before_it_started(world: dict[str, Any]) -> None:
    commission = Commission.objects.get(officer=world["officer"])
    with pytest.raises(ServiceError, match="cannot come before the start"):
        commission_end(commission=commission, end=dt.date(2014, 1, 1), reason="", acting_user=world["bob"])
    commission_end(
        commission=commission, end=dt.date(2024, 1, 31), reason="resigned", acting_user=world["bob"]
    )
    with pytest.raises(ServiceError, match="already ended"):
        commission_end(commission=commission, end=dt.date(2024, 2, 1), reason="", acting_user=world["bob"])
    # The world's commission_start, then one end.
    assert [e.action for e in events_for(commission).order_by("pk")] == ["commission.start", "commission.end"]


def test_an_out_of_state_request_without_the_affirmation_is_refused(world: dict[str, Any]) -> None:
    certificate = document_store(content=PDF, original_name="certificate.pdf", actor=world["alice"])
    with pytest.raises(ServiceError, match="missing documents: other state's affirmation"):
        credit_request_submit(
            officer=world["officer"],
            kind="out_of_state",
            title="Crisis intervention",
            completed_on=dt.date(2023, 5, 10),
            hours=Decimal(8),
            state="MN",
            documents=[("certificate", certificate), ("agenda", certificate)],
            acting_user=world["alice"],
        )
    assert not CreditRequest.objects.exists()


def test_an_approved_request_becomes_a_record_and_closes_the_gap(
    world: dict[str, Any], run_worker: Any
) -> None:
    documents = [
        (kind, document_store(content=PDF, original_name=f"{kind}.pdf", actor=world["alice"]))
        for kind in ("certificate", "affirmation", "agenda")
    ]
    request = credit_request_submit(
        officer=world["officer"],
        kind="out_of_state",
        title="Crisis intervention",
        completed_on=dt.date(2023, 5, 10),
        hours=Decimal(8),
        state="mn",
        documents=documents,
        acting_user=world["alice"],
    )
    credit_request_decide(
        request=request,
        approve=True,
        reason="",
        lines=[
            LineSpec(core_area="interpersonal_perspectives", hours=Decimal(6), topics={"implicit_bias": 1}),
            LineSpec(core_area="skill_development", subject="firearms", hours=Decimal(2)),
        ],
        acting_user=world["erin"],
    )
    request.refresh_from_db()
    record = TrainingRecord.objects.get(pk=request.record_id)
    assert (record.source, record.credit_class, record.state, record.hours) == (
        "out_of_state",
        "approved",
        "MN",
        8,
    )
    run_worker()
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert "firearms" not in result.shortfalls
    assert "implicit_bias" not in result.shortfalls
    assert result.counted_hours == Decimal("8.00")


def test_a_denial_needs_a_reason_the_officer_will_see(world: dict[str, Any]) -> None:
    request = credit_request_submit(
        officer=world["officer"],
        kind="instruction",
        title="Taught defensive tactics",
        completed_on=dt.date(2023, 5, 10),
        hours=Decimal(4),
        documents=[],
        acting_user=world["alice"],
    )
    with pytest.raises(ServiceError, match="a reason is required"):
        credit_request_decide(request=request, approve=False, reason=" ", acting_user=world["erin"])
    credit_request_decide(
        request=request, approve=False, reason="Not a POST-approved course", acting_user=world["erin"]
    )
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == ("denied", "Not a POST-approved course")


def test_a_granted_exemption_makes_the_stored_result_exempt(world: dict[str, Any], run_worker: Any) -> None:
    exemption_grant(
        officer=world["officer"],
        period=world["period"],
        reason="Director's waiver",
        acting_user=world["erin"],
    )
    run_worker()
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert (result.status, result.exemption) == ("exempt", "Director's waiver")


def test_an_extension_is_granted_only_with_a_deadline_after_the_grace_deadline(
    world: dict[str, Any], run_worker: Any
) -> None:
    extension = extension_request(
        officer=world["officer"],
        period=world["period"],
        kind="extension",
        reason="medical",
        explanation="surgery in November",
        acting_user=world["bob"],
    )
    with pytest.raises(ServiceError, match="after March 15, 2024"):
        extension_decide(
            extension=extension, grant=True, new_deadline=dt.date(2024, 3, 1), acting_user=world["erin"]
        )
    extension_decide(
        extension=extension, grant=True, new_deadline=dt.date(2024, 6, 30), acting_user=world["erin"]
    )
    extension.refresh_from_db()
    assert extension.status == Extension.Status.GRANTED
    run_worker()
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert result.extended_until == dt.date(2024, 6, 30)
