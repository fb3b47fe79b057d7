"""Credit requests: the list, the form of each kind with its documents, every refusal shown
next to its field with nothing written, the request's page with the reviewer's decision and
the record it created, and a 404 for anyone else's request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from clee.core.audit import events_for
from clee.core.models import Document
from clee.officers.models import Commission
from clee.training.models import CreditRequest, RequestDocument
from clee.training.services import LineSpec
from clee.workflows.credit_requests import credit_request_decide, credit_request_submit
from tests.portals.test_officer_support import NOT_A_DOCUMENT, PDF, PNG, client_of, second_officer

pytestmark = pytest.mark.django_db

NEW = "/officer/requests/new/"


def upload(name: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def out_of_state(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "kind": "out_of_state",
        "title": "Crisis intervention team basics",
        "provider_name": "Twin Lakes Regional Academy",
        "state": "MN",
        "completed_on": "2023-05-10",
        "hours": "8",
        "details": "Attended while on a task force.",
        "certificate": [upload("certificate.pdf")],
        "affirmation": [upload("affirmation.pdf")],
        "agenda": [upload("agenda-day1.pdf"), upload("agenda-day2.png", PNG)],
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def test_an_officer_sends_an_out_of_state_request_with_several_files_per_document(
    world: dict[str, Any],
) -> None:
    response = client_of("alice").post(NEW, out_of_state())
    request = CreditRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/officer/requests/{request.pk}/"
    assert (request.officer, request.kind, request.state, request.hours, request.status) == (
        world["officer"],
        "out_of_state",
        "MN",
        Decimal(8),
        "submitted",
    )
    assert request.submitted_by == world["alice"]
    kinds = sorted(RequestDocument.objects.filter(request=request).values_list("kind", flat=True))
    assert kinds == ["affirmation", "agenda", "agenda", "certificate"]
    assert Document.objects.get(original_name="agenda-day2.png").content_type == "image/png"
    event = events_for(request).get()
    assert event.action == "training.credit_request_submit"
    assert event.actor == world["alice"]
    page = client_of("alice").get(response["Location"]).content.decode()
    assert "Awaiting review" in page
    assert "agenda-day2.png" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"affirmation": None}, "affirmation", "Add the other state's affirmation"),
        (
            {"certificate": [upload("certificate.pdf", NOT_A_DOCUMENT)]},
            "certificate",
            "is not a PDF, PNG or JPEG",
        ),
        ({"agenda": [upload("empty.pdf", b"")]}, "agenda", "empty.pdf is empty"),
        ({"completed_on": "2099-01-01"}, "completed_on", "The completion date is in the future"),
        ({"state": "ZZ"}, "state", "Select a valid choice."),
        ({"hours": "0"}, "hours", "Hours must be more than 0."),
        ({"title": "  "}, "title", "Enter the course's title"),
        ({"completed_on": "2023-02-30"}, "completed_on", "Enter a real date"),
    ],
)
def test_a_refused_request_shows_why_beside_the_field_and_writes_nothing(
    world: dict[str, Any], changes: dict[str, Any], field: str, message: str
) -> None:
    response = client_of("alice").post(NEW, out_of_state(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    page = response.content.decode()
    assert 'id="form-errors"' in page
    assert f'id="id_{field}_error"' in page
    assert not CreditRequest.objects.exists()
    assert not Document.objects.exists()


def test_a_state_not_on_the_list_is_sent_to_staff_marked_never_refused(world: dict[str, Any]) -> None:
    """11 CSR 75-15.050: a person at POST decides a course from a source not on the list."""
    client = client_of("alice")
    response = client.post(NEW, out_of_state(state="KS"), follow=True)
    request = CreditRequest.objects.get()
    assert request.recognition_issue == (
        "KS is not on the recognized list for May 10, 2023 (recognized then: AR, CA, CT, GA, IL, IN, KY, "
        "MD, MN, NC, OK, TN, TX, VA and IADLEST-approved courses)"
    )
    page = response.content.decode()
    assert "KS is not on the recognized list for May 10, 2023" in page
    assert "POST staff see this with your request and decide whether the course counts" in page
    assert "IADLEST" in client.get(NEW + "?kind=out_of_state").content.decode()


def test_iadlest_courses_are_accepted_from_any_state(world: dict[str, Any]) -> None:
    assert client_of("alice").post(NEW, out_of_state(state="IADLEST")).status_code == 302
    assert CreditRequest.objects.get().state == "IADLEST"


def test_a_course_after_the_recognized_list_ended_goes_to_staff_with_the_reason(
    world: dict[str, Any],
) -> None:
    # The list of seed 000 ran from 2021 to the end of 2023; nothing has been added since.
    assert client_of("alice").post(NEW, out_of_state(completed_on="2024-02-01")).status_code == 302
    assert CreditRequest.objects.get().recognition_issue == (
        "MN is not on the recognized list for February 1, 2024: no out-of-state source was recognized "
        "on that day"
    )


def test_a_college_request_needs_semester_hours_a_transcript_and_a_description(world: dict[str, Any]) -> None:
    client = client_of("alice")
    form = client.get(NEW + "?kind=college").content.decode()
    assert "Semester hours" in form
    assert "College transcript" in form
    assert "Course description" in form
    assert 'name="hours"' not in form
    assert 'name="state"' not in form
    refused = client.post(NEW, {"kind": "college", "title": "Criminology 201", "completed_on": "2023-05-01"})
    errors = refused.context["form"].errors
    assert set(errors) == {"provider_name", "semester_hours", "transcript", "agenda"}
    sent = client.post(
        NEW,
        {
            "kind": "college",
            "title": "Criminology 201",
            "provider_name": "Riverton Community College",
            "completed_on": "2023-05-01",
            "semester_hours": "3",
            "transcript": [upload("transcript.pdf")],
            "agenda": [upload("catalog.pdf")],
        },
    )
    assert sent.status_code == 302
    request = CreditRequest.objects.get()
    assert (request.kind, request.semester_hours, request.hours) == ("college", Decimal(3), None)


def test_military_training_needs_the_certificate_and_a_statement(world: dict[str, Any]) -> None:
    def fields(**documents: Any) -> dict[str, Any]:
        return {
            "kind": "military",
            "title": "Military police investigations",
            "provider_name": "Army Military Police School",
            "completed_on": "2023-04-01",
            "hours": "40",
            "certificate": [upload("certificate.pdf")],
            **documents,
        }

    refused = client_of("alice").post(NEW, fields())
    assert refused.context["form"].errors["statement"] == ["Add the written statement"]
    page = refused.content.decode()
    assert "the Director of Public Safety (or designee) decides" in page
    assert client_of("alice").post(NEW, fields(statement=[upload("statement.pdf")])).status_code == 302


def test_courses_taught_need_no_document(world: dict[str, Any]) -> None:
    response = client_of("alice").post(
        NEW,
        {
            "kind": "instruction",
            "title": "Basic academy: report writing",
            "completed_on": "2023-03-03",
            "hours": "6",
        },
    )
    assert response.status_code == 302
    request = CreditRequest.objects.get()
    assert (request.kind, request.hours, request.provider_name) == ("instruction", Decimal(6), "")


def test_the_service_refuses_on_its_own_what_the_form_also_checks(world: dict[str, Any]) -> None:
    from clee.core.errors import ServiceError
    from clee.workflows.credit_requests import RequestUpload

    with pytest.raises(ServiceError, match="give the state's two-letter code") as state:
        credit_request_submit(
            officer=world["officer"],
            kind="out_of_state",
            title="Patrol tactics",
            completed_on=dt.date(2023, 6, 1),
            hours=Decimal(8),
            state="w4",
            uploads=[
                RequestUpload(kind=k, name=f"{k}.pdf", content=PDF)
                for k in ("certificate", "affirmation", "agenda")
            ],
            acting_user=world["alice"],
        )
    assert state.value.field == "state"
    with pytest.raises(ServiceError, match="the completion date is in the future"):
        credit_request_submit(
            officer=world["officer"],
            kind="instruction",
            title="Taught",
            completed_on=timezone.localdate() + dt.timedelta(days=1),
            hours=Decimal(2),
            acting_user=world["alice"],
        )

    with pytest.raises(ServiceError, match="missing documents: written statement") as refused:
        credit_request_submit(
            officer=world["officer"],
            kind="military",
            title="MP school",
            completed_on=dt.date(2023, 4, 1),
            hours=Decimal(8),
            uploads=[RequestUpload(kind="certificate", name="c.pdf", content=PDF)],
            acting_user=world["alice"],
        )
    assert refused.value.field == "documents"
    with pytest.raises(ServiceError, match="only PDF, PNG and JPEG") as bad_file:
        credit_request_submit(
            officer=world["officer"],
            kind="instruction",
            title="Taught",
            completed_on=dt.date(2023, 4, 1),
            hours=Decimal(2),
            uploads=[RequestUpload(kind="other", name="x.exe", content=NOT_A_DOCUMENT)],
            acting_user=world["alice"],
        )
    assert bad_file.value.field == "other"
    assert not CreditRequest.objects.exists()


def test_the_kinds_page_explains_each_kind_and_the_form_needs_a_known_kind(world: dict[str, Any]) -> None:
    client = client_of("alice")
    page = client.get(NEW).content.decode()
    for label in ("Out-of-state course", "College course", "Military training", "Courses taught"):
        assert label in page
    assert "2 hours of Approved Provider credit per semester hour" in page
    assert "Request credit" in client.get(NEW + "?kind=bogus").content.decode()


def test_an_officer_no_agency_commissions_is_told_requests_go_straight_to_post(world: dict[str, Any]) -> None:
    Commission.objects.filter(officer=world["officer"]).update(end=dt.date(2023, 2, 1))
    client = client_of("alice")
    assert "go straight to POST" in client.get("/officer/requests/").content.decode()
    assert "with or without a commissioning agency" in client.get(NEW + "?kind=college").content.decode()
    assert client.post(NEW, out_of_state()).status_code == 302


def test_the_list_shows_each_request_with_its_status(world: dict[str, Any]) -> None:
    for title in ("Taught firearms", "Taught legal update"):
        credit_request_submit(
            officer=world["officer"],
            kind="instruction",
            title=title,
            completed_on=dt.date(2023, 4, 1),
            hours=Decimal(2),
            acting_user=world["alice"],
        )
    denied = CreditRequest.objects.get(title="Taught legal update")
    credit_request_decide(
        request=denied, approve=False, reason="Already reported by the academy", acting_user=world["erin"]
    )
    page = client_of("alice").get("/officer/requests/").content.decode()
    assert "Taught firearms" in page
    assert "Awaiting review" in page
    assert "Taught legal update" in page
    assert "Denied" in page


def test_the_request_page_shows_the_decision_its_reason_and_the_record_it_created(
    world: dict[str, Any],
) -> None:
    client = client_of("alice")
    client.post(NEW, out_of_state())
    request = CreditRequest.objects.get()
    credit_request_decide(
        request=request,
        approve=True,
        reason="Matches the Minnesota catalog",
        lines=[
            LineSpec(core_area="interpersonal_perspectives", hours=Decimal(6), topics={"de_escalation": 2}),
            LineSpec(core_area="legal_studies", hours=Decimal(2)),
        ],
        acting_user=world["erin"],
    )
    response = client.get(f"/officer/requests/{request.pk}/")
    page = response.content.decode()
    assert "Approved" in page
    assert "Matches the Minnesota catalog" in page
    assert "Interpersonal Perspectives" in page
    assert "2 h de-escalation" in page
    assert "2023 transcript" in page
    assert response.context["record"].hours == Decimal(8)


def test_a_denied_request_shows_the_reason(world: dict[str, Any]) -> None:
    request = credit_request_submit(
        officer=world["officer"],
        kind="instruction",
        title="Taught firearms",
        completed_on=dt.date(2023, 4, 1),
        hours=Decimal(2),
        acting_user=world["alice"],
    )
    credit_request_decide(
        request=request, approve=False, reason="Not a basic or CLEE course", acting_user=world["erin"]
    )
    page = client_of("alice").get(f"/officer/requests/{request.pk}/").content.decode()
    assert "Denied" in page
    assert "Not a basic or CLEE course" in page


@pytest.mark.parametrize("username", ["olga", "bob", "carol", "dave", "erin", "frank"])
def test_nobody_else_sees_alices_request_in_the_officer_portal(world: dict[str, Any], username: str) -> None:
    second_officer()
    request = credit_request_submit(
        officer=world["officer"],
        kind="instruction",
        title="Taught firearms",
        completed_on=dt.date(2023, 4, 1),
        hours=Decimal(2),
        acting_user=world["alice"],
    )
    client = client_of(username)
    assert client.get(f"/officer/requests/{request.pk}/").status_code == 404
    assert client.get("/officer/requests/999999/").status_code == 404
    if username == "olga":
        assert "Taught firearms" not in client.get("/officer/requests/").content.decode()


def test_the_request_form_needs_its_csrf_token(world: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["alice"])
    assert client.post(NEW, out_of_state()).status_code == 403
    assert not CreditRequest.objects.exists()


def test_the_completion_date_may_be_today(world: dict[str, Any]) -> None:
    today = timezone.localdate()
    response = client_of("alice").post(
        NEW, {"kind": "instruction", "title": "Taught today", "completed_on": today.isoformat(), "hours": "1"}
    )
    assert response.status_code == 302
