"""Uploaded documents are served only to those allowed: the officer whose request it is, the
agency that commissions them, the provider whose course it is, POST staff and the Director.
Anyone else gets the same 404 as for a document that does not exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clee.core.documents import document_check, document_store
from clee.demo.pdf import tiny_pdf
from clee.providers.models import CourseDocument
from clee.workflows.credit_requests import credit_request_submit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PDF = tiny_pdf("A synthetic certificate", ["Completed: 4 hours"])
PERSONAS = ("alice", "bob", "carol", "dave", "erin", "frank")


def status_for(username: str, url: str) -> int:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client.get(url).status_code


def test_a_credit_request_document_is_seen_by_its_officer_their_agency_and_post(
    world: dict[str, Any],
) -> None:
    documents = [
        (kind, document_store(content=PDF, original_name=f"{kind}.pdf", actor=world["alice"]))
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
    url = f"/documents/{documents[0][1].pk}/"
    allowed = {"alice", "bob", "erin", "frank"}
    for username in PERSONAS:
        assert status_for(username, url) == (200 if username in allowed else 404), username


def test_a_course_document_is_seen_by_its_provider_and_post_only(world: dict[str, Any]) -> None:
    document = document_store(content=PDF, original_name="synopsis.pdf", actor=world["dave"])
    CourseDocument.objects.create(course=world["course"], kind="synopsis", document=document)
    url = f"/documents/{document.pk}/"
    allowed = {"dave", "erin", "frank"}
    for username in PERSONAS:
        assert status_for(username, url) == (200 if username in allowed else 404), username


def test_a_document_is_an_attachment_unless_asked_inline_and_never_sniffed(world: dict[str, Any]) -> None:
    document = document_store(content=PDF, original_name="synopsis.pdf", actor=world["dave"])
    CourseDocument.objects.create(course=world["course"], kind="synopsis", document=document)
    client = Client()
    client.login(username="erin", password=PASSWORD)
    response = client.get(f"/documents/{document.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == document_check(PDF, "x.pdf").content  # type: ignore[attr-defined]
    inline = client.get(f"/documents/{document.pk}/?inline=1")
    assert inline["Content-Disposition"].startswith("inline")


def test_a_missing_document_and_a_visitor_not_signed_in(world: dict[str, Any]) -> None:
    assert status_for("erin", "/documents/999999/") == 404
    response = Client().get("/documents/1/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_in_service_course_document_is_seen_by_its_agency(world: dict[str, Any]) -> None:
    from clee.providers.models import Course, Provider

    in_service = Provider.objects.create(
        number="IS-MO0950000",
        name="Riverton Police Department in-service",
        kind=Provider.Kind.IN_SERVICE,
        credit_class="licensed",
        agency=world["agency_a"],
        approved_from=dt.date(2020, 1, 1),
    )
    course = Course.objects.create(provider=in_service, number="RPD-1", title="Roll call", hours=Decimal(1))
    document = document_store(content=PDF, original_name="agenda.pdf", actor=world["bob"])
    CourseDocument.objects.create(course=course, kind="synopsis", document=document)
    url = f"/documents/{document.pk}/"
    allowed = {"bob", "erin", "frank"}
    for username in PERSONAS:
        assert status_for(username, url) == (200 if username in allowed else 404), username
