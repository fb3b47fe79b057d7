"""A provider's courses through the API: listed, read, submitted for approval with the same
checks as the portal's form (course_submit)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from clee.core.models import AuditEvent
from clee.demo.pdf import tiny_pdf
from clee.providers.models import Course, CourseDocument
from tests import factories
from tests.api.conftest import Api, error_of

PDF = tiny_pdf("A synthetic certificate", ["Completed: 4 hours"])


def document(kind: str) -> dict[str, str]:
    return {"kind": kind, "name": f"{kind}.pdf", "content_base64": base64.b64encode(PDF).decode()}


def submission(**changes: Any) -> dict[str, Any]:
    body = {
        "number": "cma-220",
        "title": "Crisis intervention refresher",
        "hours": "3",
        "delivery": "live",
        "synopsis": "Recognizing a mental-health crisis and answering it safely.",
        "learning_objectives": "Name the signs of crisis; practice de-escalation.",
        "portions": [
            {"core_area": "interpersonal_perspectives", "hours": "2", "topics": {"de_escalation": "1"}},
            {"core_area": "legal_studies", "hours": "1"},
        ],
        "documents": [document("instructor_record"), document("sample_certificate")],
    }
    return {**body, **changes}


def test_a_provider_submits_a_course_for_approval(world: dict[str, Any], provider_api: Api) -> None:
    response = provider_api.post("/api/v1/courses/", submission())
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["status"], body["hours"]) == ("CMA-220", "pending", "3.00")
    assert [(p["core_area"], p["hours"], p["topics"]) for p in body["portions"]] == [
        ("interpersonal_perspectives", "2.00", {"de_escalation": "1.00"}),
        ("legal_studies", "1.00", {}),
    ]
    course = Course.objects.get(number="CMA-220")
    assert (course.provider, course.submitted_by) == (world["provider"], world["dave"])
    assert sorted(CourseDocument.objects.filter(course=course).values_list("kind", flat=True)) == [
        "instructor_record",
        "sample_certificate",
    ]
    events = AuditEvent.objects.filter(object_id=str(course.pk), object_type="providers.course")
    assert {(e.action, e.actor) for e in events} >= {("api.course_submit", world["dave"])}
    assert any(e.actor == world["dave"] and e.action != "api.course_submit" for e in events)
    token = events.get(action="api.course_submit").data["token"]
    assert token.startswith("clee_")
    assert provider_api.get(f"/api/v1/courses/{course.pk}/").json() == body


def test_a_split_that_does_not_account_for_every_hour_is_refused_like_in_the_portal(
    world: dict[str, Any], provider_api: Api
) -> None:
    response = provider_api.post("/api/v1/courses/", submission(hours="5"))
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "refused"
    assert "must account for every hour" in error["fields"]["portions"][0]
    assert not Course.objects.filter(number="CMA-220").exists()


def test_a_course_without_its_sample_certificate_is_refused(world: dict[str, Any], provider_api: Api) -> None:
    response = provider_api.post("/api/v1/courses/", submission(documents=[document("instructor_record")]))
    assert response.status_code == 422
    assert "sample certificate" in error_of(response)["fields"]["documents"][0]


def test_a_number_already_used_is_refused(world: dict[str, Any], provider_api: Api) -> None:
    response = provider_api.post("/api/v1/courses/", submission(number="CMA-101"))
    assert response.status_code == 422
    assert "already has a course numbered CMA-101" in error_of(response)["message"]


def test_malformed_fields_are_a_400_naming_each_field(world: dict[str, Any], provider_api: Api) -> None:
    body = submission(hours="lots", delivery="by carrier pigeon")
    body["documents"] = [{"kind": "sample_certificate", "name": "x.pdf", "content_base64": "not base64!"}]
    response = provider_api.post("/api/v1/courses/", body)
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    assert {"hours", "delivery", "documents"} <= set(fields)


def test_courses_are_filtered_by_status_and_offerings_by_course(
    world: dict[str, Any], provider_api: Api
) -> None:
    provider_api.post("/api/v1/courses/", submission())
    pending = provider_api.get("/api/v1/courses/", {"status": "pending"}).json()
    assert [c["number"] for c in pending["results"]] == ["CMA-220"]
    factories.offering(
        course=world["course"],
        starts_on=dt.date(2023, 4, 1),
        ends_on=dt.date(2023, 4, 2),
        location="Riverton",
    )
    offerings = provider_api.get("/api/v1/offerings/", {"course": world["course"].pk}).json()
    assert [(o["course_number"], o["starts_on"]) for o in offerings["results"]] == [("CMA-101", "2023-04-01")]
    assert provider_api.get("/api/v1/offerings/", {"course": 987654}).json()["count"] == 0
