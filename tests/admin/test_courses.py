"""Courses in the back office: looked at, searched and their documents downloaded by staff
only; providers propose them and POST staff decide them (and move an approved course's window)
on their own pages. ``course_save``, which every one of those pages calls, keeps the split of
hours over core areas accounting for every hour (topic hours inside their portion's) and
writes the course with its portions and documents in one audited step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clee.core.documents import document_check
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.demo.pdf import tiny_pdf
from clee.providers.courses import DocumentUpload, PortionSpec, course_save
from clee.providers.models import Course, CoursePortion
from tests.factories import audit_rows_after_setup

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


def new_course(world: dict[str, Any], **fields: Any) -> Course:
    values: dict[str, Any] = {
        "provider": world["provider"],
        "number": "cma-220",
        "title": "Use of force and de-escalation",
        "hours": Decimal(4),
        "delivery": "live",
        "status": Course.Status.APPROVED,
        "approved_from": dt.date(2023, 1, 1),
    }
    values.update(fields)
    return Course(**values)


def portion(area: str, hours: str, subject: str = "", **topics: str) -> PortionSpec:
    return PortionSpec(
        core_area=area,
        subject=subject,
        hours=Decimal(hours),
        topics={topic: Decimal(value) for topic, value in topics.items()},
    )


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


def test_courses_are_read_only_here_and_link_to_the_staff_portal(
    staff_client: Client, world: dict[str, Any]
) -> None:
    course = world["course"]
    assert staff_client.get(ADD).status_code == 403
    page = staff_client.get(change_url(course))
    assert page.status_code == 200
    text = page.content.decode()
    assert f'href="/staff/courses/{course.pk}/"' in text
    assert "De-escalation: 1" in text  # the split, with its topic hours
    assert 'name="hours"' not in text
    assert staff_client.post(change_url(course), {"hours": "6", "title": "Renamed"}).status_code == 403
    course.refresh_from_db()
    assert (course.hours, course.title) == (Decimal("4.00"), "Legal update and de-escalation")
    assert not audit_rows_after_setup().filter(action__startswith="course.").exists()


def test_a_course_whose_portions_add_up_is_saved_with_its_split_and_an_audit_row(
    world: dict[str, Any], erin: Any
) -> None:
    course = course_save(
        course=new_course(world),
        portions=[
            portion("legal_studies", "1.5"),
            portion("interpersonal_perspectives", "2.5", de_escalation="1", implicit_bias="0.5"),
        ],
        acting_user=erin,
    )
    assert course.number == "CMA-220"
    split = [(p.core_area, p.hours, p.topics) for p in course.portions.order_by("id")]
    assert split == [
        ("legal_studies", Decimal("1.50"), {}),
        ("interpersonal_perspectives", Decimal("2.50"), {"de_escalation": 1.0, "implicit_bias": 0.5}),
    ]
    assert (course.submitted_by, course.decided_by) == (erin, erin)
    event = AuditEvent.objects.get(object_type="providers.course", object_id=str(course.pk))
    assert (event.actor, event.action) == (erin, "course.create")
    assert len(event.data["values"]["portions"]) == 2


@pytest.mark.parametrize(
    ("fields", "portions", "message"),
    [
        (
            {},
            [portion("legal_studies", "2"), portion("technical_studies", "1")],
            "the portions add up to 3 hours but the course is 4 hours: the split over core areas must "
            "account for every hour of the course",
        ),
        (
            {"hours": Decimal(2)},
            [portion("interpersonal_perspectives", "2", racial_profiling="1.5", implicit_bias="1")],
            "the topic hours (2.5) are more than the portion's 2 hours",
        ),
        (
            {"hours": Decimal(2)},
            [portion("technical_studies", "2", subject="firearms")],
            "Firearms is a subject of Skill Development only",
        ),
        ({"approved_from": None}, [portion("legal_studies", "4")], "an approved course needs the first day"),
        ({}, [], "an approved course needs the split of its hours over core areas"),
    ],
    ids=["split-short", "topics-over", "firearms-elsewhere", "no-approval-date", "no-split"],
)
def test_a_course_that_cannot_be_is_refused_with_a_clear_message_and_nothing_saved(
    world: dict[str, Any], erin: Any, fields: dict[str, Any], portions: list[PortionSpec], message: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        course_save(course=new_course(world, **fields), portions=portions, acting_user=erin)
    assert message in refused.value.message
    assert not Course.objects.filter(number="CMA-220").exists()
    assert CoursePortion.objects.count() == 2  # the fixture course's, untouched
    assert not audit_rows_after_setup().filter(action__startswith="course.").exists()


def test_a_course_awaiting_review_may_wait_for_its_split(world: dict[str, Any], erin: Any) -> None:
    course = course_save(
        course=new_course(world, status=Course.Status.PENDING, approved_from=None),
        portions=[],
        acting_user=erin,
    )
    assert course.decided_by is None
    assert not course.portions.exists()


def test_changing_a_courses_hours_without_its_split_is_refused(world: dict[str, Any], erin: Any) -> None:
    course = world["course"]
    course.hours = Decimal(6)
    with pytest.raises(ServiceError, match="the portions add up to 4 hours but the course is 6 hours"):
        course_save(course=course, acting_user=erin)
    course.refresh_from_db()
    assert course.hours == Decimal("4.00")


def test_changing_a_courses_split_is_audited_with_before_and_after(world: dict[str, Any], erin: Any) -> None:
    course = world["course"]
    course_save(
        course=course,
        portions=[
            portion("legal_studies", "1"),
            portion("interpersonal_perspectives", "3", de_escalation="1"),
        ],
        acting_user=erin,
    )
    assert [p.hours for p in course.portions.order_by("id")] == [Decimal("1.00"), Decimal("3.00")]
    event = AuditEvent.objects.get(action="course.update")
    assert event.actor == erin
    assert [p["hours"] for p in event.data["changes"]["portions"][0]] == ["2", "2"]
    assert [p["hours"] for p in event.data["changes"]["portions"][1]] == ["1", "3"]


def test_saving_a_course_unchanged_writes_no_audit_row(world: dict[str, Any], erin: Any) -> None:
    course_save(course=world["course"], acting_user=erin)
    assert not AuditEvent.objects.filter(action="course.update").exists()


def test_a_pdf_kept_with_a_course_is_served_to_staff_only(
    staff_client: Client, world: dict[str, Any], erin: Any
) -> None:
    course = world["course"]
    course_save(course=course, documents=[DocumentUpload("synopsis", "synopsis.pdf", PDF)], acting_user=erin)
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
    world: dict[str, Any], erin: Any
) -> None:
    course = world["course"]
    with pytest.raises(ServiceError, match="only PDF, PNG and JPEG documents are accepted"):
        course_save(
            course=course,
            documents=[DocumentUpload("synopsis", "synopsis.pdf", b"MZ\x90\x00 not a pdf")],
            acting_user=erin,
        )
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
