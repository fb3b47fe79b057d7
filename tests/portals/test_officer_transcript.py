"""The transcript of a period (records with their credit), its PDF, the compliance certificate
(only when compliant or exempt) and the public page that verifies a certificate's code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from weasyprint import HTML  # type: ignore[import-untyped]

from clee.compliance.certificates import certificate_issue
from clee.compliance.records import training_records_add
from clee.compliance.services import ensure_period, exemption_grant
from clee.core.audit import events_for
from clee.officers.models import LicenseStatus
from clee.training.models import Certificate, TrainingRecord
from clee.training.services import LineSpec, RecordEntry
from tests.portals.test_officer_support import (
    COMPLIANT_LINES,
    NO_TECHNICAL_LINES,
    client_of,
    give_record,
    recompute,
    second_officer,
)

pytestmark = pytest.mark.django_db


def test_the_transcript_lists_each_record_with_the_credit_it_earned(world: dict[str, Any]) -> None:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES, description="Spring in-service")
    training_records_add(
        entries=[
            RecordEntry(
                officer_id=world["officer"].pk,
                course_id=world["course"].pk,
                completed_on=dt.date(2023, 9, 12),
                hours=Decimal(4),
                source="course",
                credit_class="approved",
                delivery="live",
                lines=(
                    LineSpec(core_area="legal_studies", hours=Decimal(2)),
                    LineSpec(
                        core_area="interpersonal_perspectives", hours=Decimal(2), topics={"de_escalation": 1}
                    ),
                ),
                status=TrainingRecord.Status.PENDING,
            )
        ],
        actor=None,
    )
    response = client_of("alice").get("/officer/transcript/")
    page = response.content.decode()
    assert response.context["period"] == world["period"]
    assert [row.title for row in response.context["rows"]] == [
        "Spring in-service",
        "Legal update and de-escalation (CMA-101)",
    ]
    assert "Central Missouri Law Enforcement Academy" in page
    assert "Jun 1, 2023" in page
    assert "Sep 12, 2023" in page
    assert "Skill Development – Firearms: 6 h" in page
    assert "Interpersonal Perspectives: 8 h" in page
    assert "1 h de-escalation, 1 h implicit bias, 1 h racial profiling" in page
    assert "site-status--accepted" in page
    assert "site-status--pending" in page
    assert "22 hours accepted, 4 pending" in page


def test_the_period_picker_shows_another_year_and_refuses_an_unknown_one(world: dict[str, Any]) -> None:
    earlier = ensure_period(2022)
    give_record(world["officer"], earlier, COMPLIANT_LINES, description="Block of 2022")
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES, description="Block of 2023")
    client = client_of("alice")
    page = client.get("/officer/transcript/?year=2022").content.decode()
    assert "Block of 2022" in page
    assert "Block of 2023" not in page
    assert '<option value="2022" selected>' in page
    assert "Download compliance certificate" in page  # 2022 is compliant, 2023 is not
    assert "Download compliance certificate" not in client.get("/officer/transcript/").content.decode()
    assert client.get("/officer/transcript/?year=1999").status_code == 404
    assert client.get("/officer/transcript/?year=twenty").status_code == 404


def test_an_accepted_record_the_rules_do_not_count_says_why(world: dict[str, Any]) -> None:
    give_record(
        world["officer"],
        world["period"],
        [LineSpec(core_area="legal_studies", hours=Decimal(4))],
        description="Search and seizure (Kansas)",
        source="out_of_state",
        state="KS",
    )
    page = client_of("alice").get("/officer/transcript/").content.decode()
    assert "Does not count:" in page
    # A date inside a sentence reads as people write dates, never 2023-06-01.
    assert "KS was not a recognized out-of-state source on June 1, 2023." in page
    assert "2023-06-01" not in page
    # Never a plain "Accepted" for training the rules do not count; the hours are told apart.
    assert ">Accepted, does not count</span>" in page
    assert ">Accepted</span>" not in page
    assert "4 hours accepted (4 of them do not count toward 2023)" in page


def test_the_transcript_pdf_is_a_pdf_of_the_officers_own_records(world: dict[str, Any]) -> None:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES, description="Spring in-service")
    response = client_of("alice").get("/officer/transcript/2023/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="clee-transcript-2023-P1000001.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert response.context["officer"] == world["officer"]
    assert [row.title for row in response.context["rows"]] == ["Spring in-service"]


def test_another_officer_gets_only_their_own_transcript_and_never_alices_request(
    world: dict[str, Any],
) -> None:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES, description="Alice's block")
    olga, _ = second_officer()
    response = client_of("olga").get("/officer/transcript/2023/pdf/")
    assert response.context["officer"] == olga
    assert response.context["rows"] == []
    assert client_of("olga").get("/officer/transcript/2031/pdf/").status_code == 404


def test_a_compliant_officer_gets_a_certificate_with_a_code_and_an_audit_row(world: dict[str, Any]) -> None:
    give_record(world["officer"], world["period"], COMPLIANT_LINES)
    client = client_of("alice")
    issued = client.post("/officer/certificate/2023/")
    assert issued.status_code == 302
    assert issued["Location"] == "/officer/certificate/2023/pdf/"
    certificate = Certificate.objects.get(officer=world["officer"], period=world["period"])
    assert len(certificate.code) == 12
    assert (certificate.status, certificate.counted_hours) == ("compliant", Decimal(24))
    assert [e.action for e in events_for(certificate)] == ["training.certificate_issue"]
    response = client.get(issued["Location"])
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == 'attachment; filename="clee-certificate-2023-P1000001.pdf"'
    # One page, as a certificate should be.
    html = render_to_string("portals/officer/pdf/certificate.html", response.context.flatten())
    assert len(HTML(string=html).render().pages) == 1
    assert response.context["verify_url"] == f"http://testserver/verify/{certificate.shown_code}/"
    # Asking again gives the same certificate, not a second one.
    client.post("/officer/certificate/2023/")
    assert Certificate.objects.filter(officer=world["officer"]).count() == 1
    assert len(events_for(certificate)) == 1


def test_an_exempt_officer_gets_a_certificate_of_the_exemption(world: dict[str, Any]) -> None:
    exemption_grant(
        officer=world["officer"], period=world["period"], reason="Military leave", acting_user=world["erin"]
    )
    recompute(world["officer"], world["period"])
    client = client_of("alice")
    assert client.post("/officer/certificate/2023/").status_code == 302
    response = client.get("/officer/certificate/2023/pdf/")
    assert response.content.startswith(b"%PDF-")
    assert response.context["result"].status == "exempt"


def test_a_deficient_officer_gets_no_certificate(world: dict[str, Any]) -> None:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    client = client_of("alice")
    response = client.post("/officer/certificate/2023/", follow=True)
    assert (
        "A certificate is given only for a period you are compliant or exempt in" in response.content.decode()
    )
    assert not Certificate.objects.exists()
    assert client.get("/officer/certificate/2023/pdf/").status_code == 404


def test_a_certificate_is_not_printed_once_the_record_no_longer_shows_compliance(
    world: dict[str, Any],
) -> None:
    record_id = give_record(world["officer"], world["period"], COMPLIANT_LINES)
    certificate_issue(officer=world["officer"], period=world["period"], acting_user=world["alice"])
    TrainingRecord.objects.filter(pk=record_id).update(status=TrainingRecord.Status.REJECTED)
    recompute(world["officer"], world["period"])
    response = client_of("alice").get("/officer/certificate/2023/pdf/", follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "no longer shows compliance" in response.content.decode()


def test_the_certificate_is_posted_with_its_csrf_token(world: dict[str, Any]) -> None:
    give_record(world["officer"], world["period"], COMPLIANT_LINES)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["alice"])
    assert client.post("/officer/certificate/2023/").status_code == 403
    assert client.get("/officer/certificate/2023/").status_code == 405


def test_anyone_can_verify_a_certificate_and_sees_the_status_now(world: dict[str, Any]) -> None:
    record_id = give_record(world["officer"], world["period"], COMPLIANT_LINES)
    certificate = certificate_issue(
        officer=world["officer"], period=world["period"], acting_user=world["alice"]
    )
    visitor = Client()
    page = visitor.get(f"/verify/{certificate.shown_code}/")
    assert page.status_code == 200
    text = page.content.decode()
    for shown in ("Alice Avery", "P1000001", "2023", "Valid: compliant for 2023", "24 hours counted"):
        assert shown in text
    assert page["Cache-Control"] == "private, no-store"
    # Typed by hand: lower case, spaces instead of dashes.
    assert (
        visitor.get(f"/verify/{certificate.code.lower()[:6]} {certificate.code.lower()[6:]}/").status_code
        == 200
    )
    assert visitor.get(f"/verify/?code={certificate.code}")["Location"] == f"/verify/{certificate.code}/"
    # The record changes: the same code now says so.
    TrainingRecord.objects.filter(pk=record_id).update(status=TrainingRecord.Status.REJECTED)
    recompute(world["officer"], world["period"])
    world["officer"].license_status = LicenseStatus.INACTIVE
    world["officer"].save(update_fields=["license_status"])
    text = visitor.get(f"/verify/{certificate.code}/").content.decode()
    assert "No longer valid" in text
    assert "status now: deficient" in text
    assert "Inactive" in text


def test_an_unknown_code_is_a_plain_not_found(world: dict[str, Any]) -> None:
    response = Client().get("/verify/ABCD-EFGH-JKMN/")
    assert response.status_code == 404
    assert "No certificate has this code" in response.content.decode()
    form = Client().get("/verify/")
    assert form.status_code == 200
    assert 'name="code"' in form.content.decode()
