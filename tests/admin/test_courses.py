"""Courses in the back office: the split of hours over core areas must account for every
hour (topic hours inside their portion's), written with its portions by ``course_save`` in one
audited step; documents are checked by content and served to staff only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from clee.core.documents import document_check
from clee.core.models import AuditEvent
from clee.demo.pdf import tiny_pdf
from clee.providers.courses import DocumentUpload, course_save
from clee.providers.models import Course, CoursePortion
from tests.admin.conftest import form_data

pytestmark = pytest.mark.django_db

ADD = "/admin/providers/course/add/"
PDF = tiny_pdf("A synthetic certificate", ["Completed: 4 hours"])


@pytest.fixture(autouse=True)
def private_documents(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }


def change_url(course: Course) -> str:
    return f"/admin/providers/course/{course.pk}/change/"


def portions(data: dict[str, Any], *rows: dict[str, Any], initial: int = 0) -> dict[str, Any]:
    """``data`` with the portion rows replaced by ``rows``."""
    data = {k: v for k, v in data.items() if not (k.startswith("portions-") and k[9:10].isdigit())}
    data["portions-TOTAL_FORMS"] = str(len(rows))
    data["portions-INITIAL_FORMS"] = str(initial)
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"portions-{index}-{key}"] = value
    return data


def new_course(client: Client, world: dict[str, Any], **fields: Any) -> dict[str, Any]:
    data = form_data(client.get(ADD))
    data.update(
        {
            "provider": str(world["provider"].pk),
            "number": "cma-220",
            "title": "Use of force and de-escalation",
            "hours": "4",
            "delivery": "live",
            "status": "approved",
            "approved_from": "2023-01-01",
        }
    )
    data.update(fields)
    return data


def test_staff_list_search_and_filter_courses(staff_client: Client, world: dict[str, Any]) -> None:
    listing = staff_client.get("/admin/providers/course/").content.decode()
    assert "CMA-101" in listing
    assert (
        "Legal update and de-escalation"
        in staff_client.get("/admin/providers/course/", {"q": "Central Missouri"}).content.decode()
    )
    assert (
        "CMA-101"
        not in staff_client.get("/admin/providers/course/", {"q": "nothing like it"}).content.decode()
    )
    assert (
        "CMA-101"
        in staff_client.get("/admin/providers/course/", {"status__exact": "approved"}).content.decode()
    )
    assert (
        "CMA-101"
        not in staff_client.get("/admin/providers/course/", {"status__exact": "pending"}).content.decode()
    )
    by_area = staff_client.get("/admin/providers/course/", {"portions__core_area__exact": "legal_studies"})
    assert "CMA-101" in by_area.content.decode()


def test_adding_a_course_whose_portions_add_up_saves_it_with_its_split_and_an_audit_row(
    staff_client: Client, world: dict[str, Any], erin: Any
) -> None:
    data = portions(
        new_course(staff_client, world),
        {"core_area": "legal_studies", "hours": "1.5"},
        {
            "core_area": "interpersonal_perspectives",
            "hours": "2.5",
            "de_escalation_hours": "1",
            "implicit_bias_hours": "0.5",
        },
    )
    response = staff_client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    course = Course.objects.get(number="CMA-220")
    split = [(p.core_area, p.hours, p.topics) for p in course.portions.order_by("id")]
    assert split == [
        ("legal_studies", Decimal("1.50"), {}),
        ("interpersonal_perspectives", Decimal("2.50"), {"de_escalation": 1.0, "implicit_bias": 0.5}),
    ]
    assert (course.submitted_by, course.decided_by) == (erin, erin)
    event = AuditEvent.objects.get(object_type="providers.course", object_id=str(course.pk))
    assert (event.actor, event.action) == (erin, "course.create")
    assert len(event.data["values"]["portions"]) == 2


def test_a_course_whose_portions_do_not_add_up_is_refused_with_a_clear_message_and_nothing_saved(
    staff_client: Client, world: dict[str, Any]
) -> None:
    data = portions(
        new_course(staff_client, world),
        {"core_area": "legal_studies", "hours": "2"},
        {"core_area": "technical_studies", "hours": "1"},
    )
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    assert (
        "the portions add up to 3 hours but the course is 4 hours: the split over core areas must "
        "account for every hour of the course"
    ) in response.content.decode()
    assert not Course.objects.filter(number="CMA-220").exists()
    assert CoursePortion.objects.count() == 2  # the fixture course's, untouched
    assert not AuditEvent.objects.filter(action__startswith="course.").exists()


def test_topic_hours_beyond_their_portions_hours_are_refused(
    staff_client: Client, world: dict[str, Any]
) -> None:
    data = portions(
        new_course(staff_client, world, hours="2"),
        {
            "core_area": "interpersonal_perspectives",
            "hours": "2",
            "racial_profiling_hours": "1.5",
            "implicit_bias_hours": "1",
        },
    )
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    assert "the topic hours (2.5) are more than the portion&#x27;s 2 hours" in response.content.decode()
    assert not Course.objects.filter(number="CMA-220").exists()


def test_firearms_outside_skill_development_is_refused(staff_client: Client, world: dict[str, Any]) -> None:
    data = portions(
        new_course(staff_client, world, hours="2"),
        {"core_area": "technical_studies", "subject": "firearms", "hours": "2"},
    )
    response = staff_client.post(ADD, data)
    assert response.status_code == 200
    assert "Firearms is a subject of Skill Development only" in response.content.decode()


def test_an_approved_course_needs_a_split_and_an_approval_date(
    staff_client: Client, world: dict[str, Any]
) -> None:
    data = portions(new_course(staff_client, world, approved_from=""))
    response = staff_client.post(ADD, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "an approved course needs the first day of its approval" in page
    assert "an approved course needs the split of its hours over core areas" in page
    assert not Course.objects.filter(number="CMA-220").exists()


def test_a_course_awaiting_review_may_wait_for_its_split(staff_client: Client, world: dict[str, Any]) -> None:
    data = portions(new_course(staff_client, world, status="pending", approved_from=""))
    assert staff_client.post(ADD, data).status_code == 302
    course = Course.objects.get(number="CMA-220")
    assert course.decided_by is None
    assert not course.portions.exists()


def test_changing_a_courses_hours_without_its_split_is_refused(
    staff_client: Client, world: dict[str, Any]
) -> None:
    course = world["course"]
    data = form_data(staff_client.get(change_url(course)))
    data["hours"] = "6"
    response = staff_client.post(change_url(course), data)
    assert response.status_code == 200
    assert "the portions add up to 4 hours but the course is 6 hours" in response.content.decode()
    course.refresh_from_db()
    assert course.hours == Decimal("4.00")


def test_changing_a_courses_split_is_audited_with_before_and_after(
    staff_client: Client, world: dict[str, Any], erin: Any
) -> None:
    course = world["course"]
    data = form_data(staff_client.get(change_url(course)))
    assert data["portions-1-de_escalation_hours"] == "1"  # the stored topic hours are shown
    data["portions-0-hours"] = "1"
    data["portions-1-hours"] = "3"
    response = staff_client.post(change_url(course), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert [p.hours for p in course.portions.order_by("id")] == [Decimal("1.00"), Decimal("3.00")]
    event = AuditEvent.objects.get(action="course.update")
    assert event.actor == erin
    assert [p["hours"] for p in event.data["changes"]["portions"][0]] == ["2", "2"]
    assert [p["hours"] for p in event.data["changes"]["portions"][1]] == ["1", "3"]


def test_saving_a_course_unchanged_writes_no_audit_row(staff_client: Client, world: dict[str, Any]) -> None:
    course = world["course"]
    response = staff_client.post(change_url(course), form_data(staff_client.get(change_url(course))))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="course.update").exists()


def test_a_pdf_uploaded_with_a_course_is_kept_and_served_to_staff_only(
    staff_client: Client, world: dict[str, Any]
) -> None:
    course = world["course"]
    data = form_data(staff_client.get(change_url(course)))
    data["documents-2-0-kind"] = "synopsis"
    data["documents-2-0-upload"] = SimpleUploadedFile("synopsis.pdf", PDF, content_type="application/pdf")
    response = staff_client.post(change_url(course), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    link = course.documents.get()
    assert (link.kind, link.document.original_name, link.document.content_type) == (
        "synopsis",
        "synopsis.pdf",
        "application/pdf",
    )
    url = f"/admin/providers/course/{course.pk}/documents/{link.document_id}/"
    assert url in staff_client.get(change_url(course)).content.decode()
    download = staff_client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == document_check(PDF, "x.pdf").content  # type: ignore[attr-defined]
    assert 'filename="synopsis.pdf"' in download["Content-Disposition"]
    assert Client().get(url).status_code == 302  # to the login page
    assert AuditEvent.objects.get(action="course.update").data["changes"]["documents_added"] == [
        None,
        ["synopsis: synopsis.pdf"],
    ]


def test_a_document_that_is_not_a_pdf_png_or_jpeg_is_refused_by_its_content(
    staff_client: Client, world: dict[str, Any]
) -> None:
    course = world["course"]
    data = form_data(staff_client.get(change_url(course)))
    data["documents-2-0-kind"] = "synopsis"
    data["documents-2-0-upload"] = SimpleUploadedFile("synopsis.pdf", b"MZ\x90\x00 not a pdf")
    response = staff_client.post(change_url(course), data)
    assert response.status_code == 200
    assert "only PDF, PNG and JPEG documents are accepted" in response.content.decode()
    assert not course.documents.exists()


def test_a_document_of_another_course_is_not_served_under_this_one(
    staff_client: Client, world: dict[str, Any], erin: Any
) -> None:
    other = Course.objects.create(
        provider=world["provider"], number="CMA-999", title="Other", hours=Decimal(1)
    )
    course_save(course=other, documents=[DocumentUpload("synopsis", "s.pdf", PDF)], acting_user=erin)
    document_id = other.documents.get().document_id
    assert (
        staff_client.get(f"/admin/providers/course/{world['course'].pk}/documents/{document_id}/").status_code
        == 404
    )
