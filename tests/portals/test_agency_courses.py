"""An agency's in-service courses: submitted to POST for pre-approval (the agency's in-service
provider added on first use), listed with their status and POST's decision; once approved,
reported for officers of any agency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from clee.core.models import AuditEvent
from clee.demo.pdf import tiny_pdf
from clee.imports.services import import_apply
from clee.imports.tables import table_from_upload
from clee.officers.models import Officer
from clee.providers.courses import PortionSpec, course_decide
from clee.providers.models import Course, CourseDocument, Provider
from clee.training.models import TrainingRecord
from tests.conftest import PASSWORD
from tests.imports.files import csv_file
from tests.portals.test_agency_roster import commissioned
from tests.portals.test_provider_support import split_rows, text

pytestmark = pytest.mark.django_db

PDF = tiny_pdf("A synthetic certificate", ["Completed: 4 hours"])


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def submission(**values: Any) -> dict[str, Any]:
    """A course's submission: 4 hours, 1 Legal Studies (of which 0.5 de-escalation) and 3
    Interpersonal Perspectives (of which 2 implicit bias and 1 de-escalation); split rows given
    in ``values`` (``split_rows``) replace these."""
    data: dict[str, Any] = {
        "number": "rpd-12",
        "title": "Fair and impartial policing",
        "hours": "4",
        "delivery": "live",
        "synopsis": "Recognising bias in stops; de-escalating tense encounters.",
        "learning_objectives": "Describe implicit bias.\nApply three de-escalation techniques.",
        **split_rows(
            {"core_area": "legal_studies", "hours": "1", "de_escalation_hours": "0.5"},
            {
                "core_area": "interpersonal_perspectives",
                "hours": "3",
                "implicit_bias_hours": "2",
                "de_escalation_hours": "1",
            },
        ),
    }
    if any(key.startswith("portions-") for key in values):
        data = {key: value for key, value in data.items() if not key.startswith("portions-")}
    data.update(values)
    return data


def test_a_course_is_submitted_for_pre_approval_with_its_split_and_documents(world: dict[str, Any]) -> None:
    client = client_of("bob")
    data = submission(
        doc_synopsis=SimpleUploadedFile("outline.pdf", PDF, content_type="application/pdf"),
        doc_sample_certificate=SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf"),
    )
    response = client.post("/agency/courses/new/", data, follow=True)
    assert response.redirect_chain == [("/agency/courses/", 302)]
    assert (
        "RPD-12 Fair and impartial policing is submitted to POST for pre-approval."
        in response.content.decode()
    )
    provider = Provider.objects.get(agency=world["agency_a"])
    assert (provider.kind, provider.number, provider.credit_class) == (
        "in_service",
        "IS-MO0950000",
        "licensed",
    )
    course = Course.objects.get(provider=provider)
    assert (course.number, course.status, course.hours, course.submitted_by) == (
        "RPD-12",
        "pending",
        Decimal(4),
        world["bob"],
    )
    assert course.learning_objectives.startswith("Describe implicit bias.")
    portions = [(p.core_area, p.hours, p.topics) for p in course.portions.order_by("id")]
    # Each row's topic hours stay on its row.
    assert portions == [
        ("legal_studies", Decimal(1), {"de_escalation": 0.5}),
        ("interpersonal_perspectives", Decimal(3), {"implicit_bias": 2.0, "de_escalation": 1.0}),
    ]
    assert sorted(CourseDocument.objects.filter(course=course).values_list("kind", flat=True)) == [
        "sample_certificate",
        "synopsis",
    ]
    actions = set(AuditEvent.objects.filter(actor=world["bob"]).values_list("action", flat=True))
    assert {"provider.create", "course.create", "document.store"} <= actions


def test_the_in_service_provider_is_added_once(world: dict[str, Any]) -> None:
    client = client_of("bob")
    client.post("/agency/courses/new/", submission())
    client.post("/agency/courses/new/", submission(number="RPD-13"))
    assert Provider.objects.filter(agency=world["agency_a"]).count() == 1
    assert Course.objects.filter(provider__agency=world["agency_a"]).count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"synopsis": ""}, "synopsis", "Synopsis is required."),
        ({"hours": "four"}, "hours", "Enter hours as a number, such as 2 or 1.5."),
        (
            {"doc_instructor_record": SimpleUploadedFile("cv.docx", b"PK\x03\x04not a pdf")},
            "doc_instructor_record",
            "Only PDF, PNG and JPEG documents are accepted.",
        ),
    ],
)
def test_a_submission_says_what_is_wrong_next_to_the_field(
    world: dict[str, Any], changes: dict[str, Any], field: str, message: str
) -> None:
    response = client_of("bob").post("/agency/courses/new/", submission(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors[0].startswith(message), errors
    assert "The course was not submitted" in response.content.decode()
    assert not Course.objects.filter(provider__agency=world["agency_a"]).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"hours": "5"},
            "The core-area hours add up to 4, not the course's 5: the split must account for every hour.",
        ),
        (
            split_rows(),
            "Split the course's hours over the core areas: give each core area's hours on a row.",
        ),
    ],
)
def test_a_split_that_does_not_account_for_the_hours_is_refused_atop_its_rows(
    world: dict[str, Any], changes: dict[str, Any], message: str
) -> None:
    response = client_of("bob").post("/agency/courses/new/", submission(**changes))
    assert response.status_code == 200
    assert response.context["split"].non_form_errors() == [message]
    page = text(response)
    assert "The course was not submitted" in page
    assert f'<a href="#split">{message}</a>' in page
    assert not Course.objects.filter(provider__agency=world["agency_a"]).exists()


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (
            {"core_area": "legal_studies", "hours": "1", "implicit_bias_hours": "1.5"},
            "hours",
            "The topic hours (1.5) are more than the portion's 1 hours: topic hours are part of a "
            "portion's hours, not extra.",
        ),
        (
            {"core_area": "technical_studies", "subject": "firearms", "hours": "1"},
            "subject",
            "Firearms is a subject of Skill Development only.",
        ),
        ({"hours": "1"}, "core_area", "Choose the core area of these hours."),
    ],
)
def test_a_split_row_that_cannot_be_a_credit_line_is_refused_next_to_its_field(
    world: dict[str, Any], row: dict[str, str], field: str, message: str
) -> None:
    rows = split_rows({"core_area": "interpersonal_perspectives", "hours": "3"}, row)
    response = client_of("bob").post("/agency/courses/new/", submission(**rows))
    assert response.status_code == 200
    second = response.context["split"].forms[1]
    assert second.errors[field] == [message]
    page = text(response)
    # The summary names the row, and the control says it is refused.
    assert (
        f'<a href="#id_portions-1-{field}">Split row 2, {second.fields[field].label}: {message}</a>' in page
    )
    assert f'id="id_portions-1-{field}_error"' in page
    assert not Course.objects.filter(provider__agency=world["agency_a"]).exists()


def test_another_split_row_comes_from_htmx_for_the_agency_only(world: dict[str, Any]) -> None:
    page = text(client_of("bob").get("/agency/split-row/?portions-TOTAL_FORMS=4"))
    assert 'name="portions-4-core_area"' in page
    assert "Row 5" in page
    assert 'name="portions-TOTAL_FORMS" value="5" id="id_portions-TOTAL_FORMS" hx-swap-oob="true"' in page
    assert client_of("bob").get("/agency/split-row/?portions-TOTAL_FORMS=12").status_code == 204
    for username in ("alice", "dave", "erin", "frank"):
        assert client_of(username).get("/agency/split-row/?portions-TOTAL_FORMS=4").status_code == 404


def test_another_split_row_without_javascript_keeps_what_was_typed(world: dict[str, Any]) -> None:
    response = client_of("bob").post("/agency/courses/new/", submission(add_row="1"))
    assert response.status_code == 200
    page = text(response)
    assert 'name="portions-TOTAL_FORMS" value="4"' in page
    assert 'name="portions-1-core_area"' in page
    assert 'value="Fair and impartial policing"' in page
    assert response.context["split"].forms[1].initial["implicit_bias_hours"] == "2"
    assert "Choose any files again" in page
    assert not Course.objects.filter(provider__agency=world["agency_a"]).exists()


def test_a_course_number_the_agency_already_uses_is_refused(world: dict[str, Any]) -> None:
    client = client_of("bob")
    client.post("/agency/courses/new/", submission())
    response = client.post("/agency/courses/new/", submission(number=" Rpd-12 "))
    assert response.context["form"].errors["number"] == ["Your agency already has a course numbered RPD-12."]
    assert Course.objects.filter(provider__agency=world["agency_a"]).count() == 1


def test_the_list_shows_each_courses_status_and_posts_decision(world: dict[str, Any]) -> None:
    client = client_of("bob")
    client.post("/agency/courses/new/", submission())
    client.post("/agency/courses/new/", submission(number="RPD-13", title="Report writing"))
    denied = Course.objects.get(number="RPD-13")
    course_decide(
        course=denied,
        approve=False,
        reason="No learning objectives can be measured",
        acting_user=world["erin"],
    )
    page = client.get("/agency/courses/").content.decode()
    assert '<span class="usa-tag site-status--pending">Awaiting review</span>' in page
    assert '<span class="usa-tag site-status--denied">Denied</span>' in page
    assert "No learning objectives can be measured" in page
    assert "officers of any agency may attend them" in page
    assert "Fair and impartial policing" not in client_of("carol").get("/agency/courses/").content.decode()


def test_once_approved_the_course_is_reported_for_officers_of_any_agency(world: dict[str, Any]) -> None:
    client_of("bob").post("/agency/courses/new/", submission())
    course = Course.objects.get(number="RPD-12")
    course_decide(
        course=course,
        approve=True,
        reason="",
        approved_from=dt.date(2023, 1, 1),
        portions=[PortionSpec(core_area="interpersonal_perspectives", hours=Decimal(4))],
        acting_user=world["erin"],
    )
    bert: Officer = commissioned(world["agency_b"], "P1000002", "Brown", "Bert")
    # The session form offers it, and accepts an officer of agency B.
    form = client_of("bob").get("/agency/training/").context["session_form"]
    assert list(form.fields["course"].queryset) == [course]
    response = client_of("bob").post(
        "/agency/training/",
        {
            "course": course.pk,
            "completed_on": "2023-09-01",
            "license_numbers": "P1000002",
            "delivery": "live",
            **split_rows(),
        },
    )
    assert response.status_code == 302
    assert TrainingRecord.objects.get().officer == bert
    # So does a roster of the course sent through the import service.
    report = import_apply(
        kind="roster",
        table=table_from_upload(
            csv_file(
                ("license_number", "course_number", "completion_date"), ("P1000001", "RPD-12", "2023-09-02")
            ),
            "r.csv",
        ),
        actor=world["bob"],
        provider=course.provider,
    )
    assert report.applied
    assert TrainingRecord.objects.count() == 2
    page = client_of("bob").get("/agency/courses/").content.decode()
    assert "Approved from Jan 1, 2023" in page
