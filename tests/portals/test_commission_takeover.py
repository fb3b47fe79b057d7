"""Commission takeover (security review, issue 13): with a token's license lookup (which gave the
last name) and the commission form (license number, last name, a date), any agency could
commission any officer and at once read that officer's earlier documents and record; nobody was
told. Now the lookup names only officers the agency commissions, the form needs the officer's
date of birth too (tries limited and audited), the officer and the earlier agency are told by
email, and the new agency sees records and documents from its commission's start unless POST
staff open earlier ones (audited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from clee.compliance.records import training_records_add
from clee.core.documents import document_store
from clee.core.models import AuditEvent
from clee.demo.pdf import tiny_pdf
from clee.officers.models import Commission
from clee.training.services import RecordEntry, course_lines
from clee.workflows.credit_requests import credit_request_submit
from tests.api.conftest import Api, make_token
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

COMMISSION = "/agency/officers/commission/"
PDF = tiny_pdf("Out-of-state certificate", ["Crisis intervention, 8 hours"])


def client_of(username: str) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def commission_form(**changes: str) -> dict[str, str]:
    form = {
        "license_number": "P1000001",
        "last_name": "Avery",
        "date_of_birth": "1988-04-02",
        "start": "2024-03-01",
    }
    form.update(changes)
    return form


@pytest.fixture
def alices_history(world: dict[str, Any]) -> dict[str, Any]:
    """Alice's record before any new commission: a 2023 completion and a credit request with its
    certificate, both from her years at agency A."""
    training_records_add(
        entries=[
            RecordEntry(
                officer_id=world["officer"].pk,
                completed_on=dt.date(2023, 3, 14),
                hours=Decimal(4),
                source="course",
                credit_class="approved",
                delivery="live",
                lines=course_lines(world["course"]),
                course_id=world["course"].pk,
            )
        ],
        actor=world["dave"],
        summary="roster",
    )
    documents = [
        (kind, document_store(content=PDF, original_name=f"mn-{kind}.pdf", actor=world["alice"]))
        for kind in ("certificate", "affirmation", "agenda")
    ]
    credit_request_submit(
        officer=world["officer"],
        kind="out_of_state",
        title="Crisis intervention",
        completed_on=dt.date(2023, 5, 1),
        hours=Decimal(8),
        state="MN",
        documents=documents,
        acting_user=world["alice"],
    )
    return {"certificate": documents[0][1]}


def test_the_license_lookup_names_only_officers_the_agency_commissions(world: dict[str, Any]) -> None:
    own = Api(make_token(world["bob"])).get("/api/v1/licenses/", {"number": "P1000001"}).json()["results"][0]
    assert (own["first_initial"], own["last_name"]) == ("A", "Avery")
    stranger = Api(make_token(world["carol"])).get("/api/v1/licenses/", {"number": "P1000001"})
    assert stranger.json()["results"][0] == {
        "license_number": "P1000001",
        "found": True,
        "first_initial": None,
        "last_name": None,
        "active": True,
    }


def test_the_license_number_and_last_name_alone_no_longer_commission_an_officer(
    world: dict[str, Any],
) -> None:
    carol = client_of("carol")
    without_birth_date = carol.post(COMMISSION, commission_form(date_of_birth=""))
    assert without_birth_date.status_code == 200
    assert "date_of_birth" in without_birth_date.context["form"].errors
    guessed = carol.post(COMMISSION, commission_form(date_of_birth="1988-01-01"))
    assert guessed.status_code == 200
    assert guessed.context["form"].errors["license_number"] == [
        "No officer on file has that license number, last name and date of birth: check all three "
        "against the officer's license and your personnel record."
    ]
    assert not Commission.objects.filter(agency=world["agency_b"]).exists()
    refused = AuditEvent.objects.get(action="commission.identity_mismatch")
    assert (refused.actor, refused.object_type, refused.object_id) == (
        world["carol"],
        "agencies.agency",
        str(world["agency_b"].pk),
    )
    assert refused.ip == "127.0.0.1"


def test_an_agency_that_keeps_guessing_is_stopped_for_the_day(world: dict[str, Any]) -> None:
    with time_machine.travel(dt.datetime(2024, 3, 5, 15, 0, tzinfo=dt.UTC), tick=False) as clock:
        carol = client_of("carol")
        for day in range(1, 11):
            carol.post(COMMISSION, commission_form(date_of_birth=f"1988-01-{day:02d}"))
        right = carol.post(COMMISSION, commission_form())
        assert right.status_code == 200
        assert "10 commissions were refused today" in right.context["form"].errors["license_number"][0]
        assert not Commission.objects.filter(agency=world["agency_b"]).exists()
        clock.shift(dt.timedelta(days=1, minutes=1))
        assert client_of("carol").post(COMMISSION, commission_form()).status_code == 302


def test_a_commission_tells_the_officer_and_the_earlier_agency(
    world: dict[str, Any], smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world["bob"].email = "bob@riverton.example.test"
    world["bob"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of("carol").post(COMMISSION, commission_form())
    assert response.status_code == 302
    received = {message["To"]: message for message in smtp.mailbox.messages}
    assert set(received) == {"alice@example.test", "bob@riverton.example.test"}
    to_alice = received["alice@example.test"].get_content()
    assert "Hollis County Sheriff's Office (MO0960000) recorded in CLEE that it commissions you" in to_alice
    assert "If you do not work for Hollis County Sheriff's Office, tell the POST Program at once" in to_alice
    to_bob = received["bob@riverton.example.test"].get_content()
    assert "commissions Alice Avery (license P1000001) from March 1, 2024" in to_bob
    commission = Commission.objects.get(agency=world["agency_b"])
    sent = AuditEvent.objects.filter(action="commission.notice_sent", object_id=str(commission.pk))
    assert sent.count() == 2
    assert AuditEvent.objects.filter(
        action="commission.identity_confirmed", object_id=str(commission.pk)
    ).exists()


def test_a_mail_server_that_refuses_does_not_undo_the_commission_and_is_on_record(
    world: dict[str, Any], smtp_port: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert client_of("carol").post(COMMISSION, commission_form()).status_code == 302
    commission = Commission.objects.get(agency=world["agency_b"])
    failed = AuditEvent.objects.get(action="commission.notice_failed", object_id=str(commission.pk))
    assert "alice@example.test" in failed.summary


def test_the_new_agency_sees_records_and_documents_from_its_commission_only(
    world: dict[str, Any], alices_history: dict[str, Any]
) -> None:
    carol = client_of("carol")
    assert carol.post(COMMISSION, commission_form(start="2023-04-01")).status_code == 302
    page = carol.get(f"/agency/officers/{world['officer'].pk}/").content.decode()
    assert "Records completed before April 1, 2023 are not shown" in page
    assert "Legal update and de-escalation" not in page  # the March 2023 completion
    certificate = f"/documents/{alices_history['certificate'].pk}/"
    assert carol.get(certificate).status_code == 200  # the request of May 2023: after the start
    assert client_of("bob").get(certificate).status_code == 200  # her agency all along


def test_post_staff_open_earlier_records_with_a_reason_and_it_is_audited(
    world: dict[str, Any], alices_history: dict[str, Any]
) -> None:
    carol = client_of("carol")
    assert carol.post(COMMISSION, commission_form(start="2024-03-01")).status_code == 302
    certificate = f"/documents/{alices_history['certificate'].pk}/"
    assert carol.get(certificate).status_code == 404
    commission = Commission.objects.get(agency=world["agency_b"])
    page = f"/staff/commissions/{commission.pk}/"
    for username in ("alice", "bob", "carol", "dave", "frank"):
        assert client_of(username).get(page).status_code == 404, username
    erin = client_of("erin")
    listing = erin.get("/staff/commissions/?q=P1000001").content.decode()
    assert "Hollis County Sheriff&#x27;s Office" in listing
    no_reason = erin.post(page, {"visible_from": "2023-01-01", "reason": ""})
    assert no_reason.status_code == 400
    opened = erin.post(page, {"visible_from": "2023-01-01", "reason": "Officer asked, ticket 5120"})
    assert opened.status_code == 302
    assert carol.get(certificate).status_code == 200
    officer_page = carol.get(f"/agency/officers/{world['officer'].pk}/").content.decode()
    assert "Legal update and de-escalation" in officer_page
    grant = AuditEvent.objects.get(action="commission.history_grant")
    assert (grant.actor, grant.object_id) == (world["erin"], str(commission.pk))
    assert "ticket 5120" in grant.summary
    assert "ticket 5120" in erin.get(page).content.decode()
