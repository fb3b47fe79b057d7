"""A provider's courses: the list with each status, submitting a course for approval with its
proposed split and documents, correcting or withdrawing it before review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from clee.core.models import AuditEvent
from clee.providers.courses import course_decide
from clee.providers.models import Course, CourseDocument, CoursePortion
from tests.portals.test_provider_support import PDF, client_of, course_data, split_rows, text, upload

pytestmark = pytest.mark.django_db


def add_course(world: dict[str, Any], number: str, status: str, **fields: Any) -> Course:
    course = Course.objects.create(
        provider=world["provider"],
        number=number,
        title=f"Course {number}",
        hours=Decimal(2),
        status=status,
        submitted_at=timezone.now(),
        **fields,
    )
    CoursePortion.objects.create(course=course, core_area="technical_studies", hours=Decimal(2))
    return course


def test_the_course_list_shows_each_status_with_its_window_or_posts_reason(world: dict[str, Any]) -> None:
    add_course(world, "CMA-301", Course.Status.PENDING)
    add_course(world, "CMA-302", Course.Status.DENIED, decision_reason="The synopsis is a single line.")
    add_course(world, "CMA-303", Course.Status.WITHDRAWN)
    page = text(client_of("dave").get("/provider/"))
    assert "Central Missouri Law Enforcement Academy" in page
    assert "CMA-101" in page
    assert "From January 1, 2020, no end date" in page
    assert "Legal Studies 2 h" in page
    assert "Interpersonal Perspectives 2 h (De-escalation 1 h)" in page
    assert "Awaiting review" in page
    assert "CMA-301" in page
    assert "POST's reason: The synopsis is a single line." in page
    assert "Withdrawn before review" in page


def test_the_course_list_filters_by_status(world: dict[str, Any]) -> None:
    add_course(world, "CMA-301", Course.Status.PENDING)
    page = text(client_of("dave").get("/provider/?status=pending"))
    assert "CMA-301" in page
    assert "CMA-101" not in page
    assert 'aria-current="page">Awaiting review' in page


def test_a_provider_submits_a_course_with_its_split_and_documents(world: dict[str, Any]) -> None:
    response = client_of("dave").post("/provider/courses/new/", course_data())
    course = Course.objects.get(provider=world["provider"], number="CMA-210")
    assert response.status_code == 302
    assert response["Location"] == f"/provider/courses/{course.pk}/"
    assert course.status == Course.Status.PENDING
    assert course.submitted_by == world["dave"]
    assert course.hours == Decimal(4)
    portions = [(p.core_area, p.hours, p.topics) for p in course.portions.all()]
    assert portions == [
        ("legal_studies", Decimal(2), {}),
        ("interpersonal_perspectives", Decimal(2), {"implicit_bias": 1.0}),
    ]
    kinds = {d.kind: d.document.original_name for d in course.documents.select_related("document")}
    assert kinds == {"instructor_record": "instructors.pdf", "sample_certificate": "certificate.png"}
    event = AuditEvent.objects.get(action="course.create", object_id=str(course.pk))
    assert event.actor == world["dave"]


def test_the_course_page_shows_its_status_and_links_its_documents(world: dict[str, Any]) -> None:
    dave = client_of("dave")
    dave.post("/provider/courses/new/", course_data())
    course = Course.objects.get(number="CMA-210")
    page = text(dave.get(f"/provider/courses/{course.pk}/"))
    assert "Awaiting POST's review" in page
    assert "Implicit bias 1 h" in page
    for item in course.documents.all():
        link = f"/documents/{item.document_id}/"
        assert link in page
        assert dave.get(link).status_code == 200


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [{"core_area": "legal_studies", "hours": "3"}],
            "The portions add up to 3 hours but the course is 4 hours",
        ),
        (
            [
                {
                    "core_area": "interpersonal_perspectives",
                    "hours": "4",
                    "racial_profiling_hours": "3",
                    "de_escalation_hours": "2",
                }
            ],
            "The topic hours (5) are more than the portion's 4 hours",
        ),
        (
            [{"core_area": "legal_studies", "subject": "firearms", "hours": "4"}],
            "Firearms is a subject of Skill Development only",
        ),
        ([{"subject": "firearms", "hours": "4"}], "Choose the core area of these hours."),
        ([], "Propose how the course's hours split over the core areas"),
    ],
    ids=["split-short", "topics-over", "firearms-elsewhere", "no-area", "no-split"],
)
def test_it_refuses_a_split_that_cannot_be_a_courses_credit(
    world: dict[str, Any], rows: list[dict[str, str]], message: str
) -> None:
    response = client_of("dave").post("/provider/courses/new/", course_data(**split_rows(*rows)))
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert 'id="form-errors"' in page
    assert not Course.objects.filter(number="CMA-210").exists()


def test_it_shows_a_firearms_refusal_next_to_the_subject(world: dict[str, Any]) -> None:
    data = course_data(**split_rows({"core_area": "technical_studies", "subject": "firearms", "hours": "4"}))
    page = text(client_of("dave").post("/provider/courses/new/", data))
    assert 'id="id_portions-0-subject_error"' in page
    assert 'aria-describedby="id_portions-0-subject_error"' in page
    assert 'aria-invalid="true"' in page


def test_it_refuses_a_document_that_is_not_a_pdf_png_or_jpeg(world: dict[str, Any]) -> None:
    fake = upload("instructors.pdf", b"<html>not a pdf</html>", "application/pdf")
    response = client_of("dave").post("/provider/courses/new/", course_data(instructor_record=fake))
    assert response.status_code == 400
    assert "instructors.pdf is not a PDF, PNG or JPEG file: only those are accepted" in text(response)
    assert not Course.objects.filter(number="CMA-210").exists()


def test_it_requires_the_instructor_record_and_the_sample_certificate(world: dict[str, Any]) -> None:
    response = client_of("dave").post(
        "/provider/courses/new/", course_data(instructor_record=None, sample_certificate=None)
    )
    assert response.status_code == 400
    page = text(response)
    assert "attach the instructor record" in page
    assert "attach the sample certificate" in page


def test_it_refuses_a_number_the_provider_already_uses(world: dict[str, Any]) -> None:
    response = client_of("dave").post("/provider/courses/new/", course_data(number="cma-101"))
    assert response.status_code == 400
    assert "already has a course numbered CMA-101" in text(response)
    assert Course.objects.filter(provider=world["provider"]).count() == 1


def test_it_refuses_a_course_without_synopsis_or_objectives(world: dict[str, Any]) -> None:
    response = client_of("dave").post(
        "/provider/courses/new/", course_data(synopsis=" ", learning_objectives="")
    )
    assert response.status_code == 400
    assert 'id="id_synopsis_error"' in text(response)
    assert 'id="id_learning_objectives_error"' in text(response)


def test_a_pending_course_can_be_corrected_before_review(world: dict[str, Any]) -> None:
    dave = client_of("dave")
    dave.post("/provider/courses/new/", course_data())
    course = Course.objects.get(number="CMA-210")
    form = text(dave.get(f"/provider/courses/{course.pk}/correct/"))
    assert 'value="Report writing and implicit bias"' in form
    assert "Leave empty to keep the one sent." in form
    data = course_data(
        hours="6",
        instructor_record=None,
        sample_certificate=None,
        other_document=upload("agenda.pdf"),
        **split_rows(
            {"core_area": "legal_studies", "hours": "4"},
            {"core_area": "interpersonal_perspectives", "hours": "2", "implicit_bias_hours": "1"},
        ),
    )
    response = dave.post(f"/provider/courses/{course.pk}/correct/", data)
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.hours == Decimal(6)
    assert course.status == Course.Status.PENDING
    assert [p.hours for p in course.portions.all()] == [Decimal(4), Decimal(2)]
    assert course.documents.count() == 3
    event = AuditEvent.objects.get(action="course.update", object_id=str(course.pk))
    assert event.actor == world["dave"]
    assert event.data["changes"]["hours"] == ["4", "6"]


def test_a_decided_course_cannot_be_corrected(world: dict[str, Any]) -> None:
    course = world["course"]
    dave = client_of("dave")
    response = dave.get(f"/provider/courses/{course.pk}/correct/", follow=True)
    assert "CMA-101 is approved: it cannot be corrected." in text(response)
    dave.post(f"/provider/courses/{course.pk}/correct/", course_data(number="CMA-101", hours="9"))
    course.refresh_from_db()
    assert course.hours == Decimal(4)
    assert course.status == Course.Status.APPROVED


def test_a_pending_course_can_be_withdrawn(world: dict[str, Any]) -> None:
    course = add_course(world, "CMA-301", Course.Status.PENDING)
    dave = client_of("dave")
    assert "POST will not review this course" in text(dave.get(f"/provider/courses/{course.pk}/withdraw/"))
    response = dave.post(f"/provider/courses/{course.pk}/withdraw/", follow=True)
    course.refresh_from_db()
    assert course.status == Course.Status.WITHDRAWN
    assert "was withdrawn. POST will not review it." in text(response)
    event = AuditEvent.objects.get(action="course.withdraw", object_id=str(course.pk))
    assert event.actor == world["dave"]
    # Withdrawn, it can no longer be approved.
    with pytest.raises(Exception, match="already withdrawn"):
        course_decide(
            course=course,
            approve=True,
            reason="",
            approved_from=dt.date(2023, 1, 1),
            acting_user=world["erin"],
        )


def test_an_approved_course_cannot_be_withdrawn(world: dict[str, Any]) -> None:
    course = world["course"]
    response = client_of("dave").post(f"/provider/courses/{course.pk}/withdraw/", follow=True)
    course.refresh_from_db()
    assert course.status == Course.Status.APPROVED
    assert "only a course awaiting review can be withdrawn" in text(response)
    assert not AuditEvent.objects.filter(action="course.withdraw").exists()


def test_a_denied_course_shows_posts_reason_on_its_page(world: dict[str, Any]) -> None:
    course = add_course(world, "CMA-301", Course.Status.PENDING)
    course_decide(
        course=course,
        approve=False,
        reason="No instructor record for the firearms part.",
        acting_user=world["erin"],
    )
    page = text(client_of("dave").get(f"/provider/courses/{course.pk}/"))
    assert "Denied by POST" in page
    assert "No instructor record for the firearms part." in page


def test_another_row_comes_from_htmx_with_the_new_row_count(world: dict[str, Any]) -> None:
    page = text(client_of("dave").get("/provider/courses/split-row/?portions-TOTAL_FORMS=4"))
    assert 'name="portions-4-core_area"' in page
    assert "Row 5" in page
    assert 'name="portions-TOTAL_FORMS" value="5" id="id_portions-TOTAL_FORMS" hx-swap-oob="true"' in page


def test_another_row_without_javascript_keeps_what_was_typed(world: dict[str, Any]) -> None:
    data = course_data(add_row="1")
    response = client_of("dave").post("/provider/courses/new/", data)
    page = text(response)
    assert response.status_code == 200
    assert 'name="portions-TOTAL_FORMS" value="4"' in page
    assert 'value="Report writing and implicit bias"' in page
    assert "Choose any files again" in page
    assert not Course.objects.filter(number="CMA-210").exists()


def test_a_document_sent_with_a_course_is_stored_once_and_checked_by_content(world: dict[str, Any]) -> None:
    client_of("dave").post(
        "/provider/courses/new/", course_data(synopsis_document=upload("synopsis.pdf", PDF))
    )
    course = Course.objects.get(number="CMA-210")
    stored = CourseDocument.objects.get(course=course, kind="synopsis").document
    assert stored.content_type == "application/pdf"
    assert stored.uploaded_by == world["dave"]
