"""The staff portal in a browser: an officer's out-of-state request with its documents is
reviewed by POST staff (documents in place, core areas and hours set, approved), and the
officer's dashboard then counts the hours. Every staff page is checked for accessibility and
kept as a screenshot, on a desktop and, for the review page, on a phone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from clee.compliance.models import ComplianceResult, Extension
from clee.compliance.recompute import compliance_recompute
from clee.compliance.services import extension_request
from clee.core.documents import document_store
from clee.demo.pdf import tiny_pdf
from clee.providers.catalog import recognized_course_save
from clee.providers.courses import DocumentUpload, PortionSpec, course_save
from clee.providers.models import Course, RecognizedCourse
from clee.training.models import CreditRequest
from clee.workflows.credit_requests import credit_request_submit
from tests.portals.test_staff_requests import png

pytestmark = pytest.mark.django_db(transaction=True)

COUNTED = re.compile(r"([\d.]+)\s+of\s+24\s+hours counted")


def out_of_state_request(world: dict[str, Any]) -> CreditRequest:
    """alice's request for an 8-hour Minnesota course: certificate (an image), affirmation and
    agenda (PDFs), submitted through the service as the officer's form does."""

    def stored(kind: str, name: str, content: bytes) -> tuple[str, Any]:
        return kind, document_store(content=content, original_name=name, actor=world["alice"])

    return credit_request_submit(
        officer=world["officer"],
        kind="out_of_state",
        title="Crisis Intervention Team Training",
        completed_on=dt.date(2023, 5, 1),
        hours=Decimal(8),
        state="MN",
        provider_name="North Star Regional Academy",
        details="Two days of scenario training with mental-health professionals.",
        documents=[
            stored("certificate", "certificate.png", png()),
            stored(
                "affirmation",
                "mn-post-affirmation.pdf",
                tiny_pdf(
                    "Minnesota POST Board", ["Course NSRA-310 is approved for 8 continuing education hours."]
                ),
            ),
            stored(
                "agenda",
                "agenda.pdf",
                tiny_pdf(
                    "Crisis Intervention Team Training: agenda",
                    [
                        "Day 1: legal framework (2 h), crisis communication (2 h)",
                        "Day 2: de-escalation scenarios (4 h)",
                    ],
                ),
            ),
        ],
        acting_user=world["alice"],
    )


def counted_on_dashboard(page: Any) -> Decimal:
    page.goto("/officer/")
    found = COUNTED.search(page.locator("main").inner_text())
    assert found, "the dashboard shows the hours counted"
    return Decimal(found.group(1))


def test_staff_approve_an_out_of_state_request_and_the_officers_gap_closes(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    compliance_recompute(period=world["period"], officer_ids=[world["officer"].pk])
    officer_page = signed_in(world["alice"])
    assert counted_on_dashboard(officer_page) == 0
    before = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    request = out_of_state_request(world)

    page = signed_in(world["erin"])
    look(page, "staff-home")
    page.get_by_role("link", name="Review requests").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Credit requests"
    look(page, "staff-requests")

    page.get_by_role("link", name="Crisis Intervention Team Training").click()
    assert page.url.endswith(f"/staff/requests/{request.pk}/")
    # The documents in place: the PDFs framed, the certificate as an image that loaded.
    frames = page.locator("iframe.site-staff-document__frame")
    assert frames.count() == 2
    assert frames.first.get_attribute("title") == "Other state's affirmation: mn-post-affirmation.pdf"
    certificate = page.get_by_role("img", name="Certificate of completion: certificate.png")
    assert certificate.evaluate("image => image.complete && image.naturalWidth > 0")
    framed = page.request.get(frames.first.get_attribute("src"))
    assert framed.ok
    assert framed.headers["content-type"] == "application/pdf"
    assert (
        page.get_by_role("link", name="Download other state's affirmation, mn-post-affirmation.pdf").count()
        == 1
    )
    look(page, "staff-request-review")

    first, second = (
        page.locator("fieldset.site-staff-line").nth(0),
        page.locator("fieldset.site-staff-line").nth(1),
    )
    first.get_by_label("Core area").select_option(label="Interpersonal Perspectives")
    first.get_by_label("Hours", exact=True).fill("6")
    first.get_by_label("De-escalation").fill("4")
    second.get_by_label("Core area").select_option(label="Legal Studies")
    second.get_by_label("Hours", exact=True).fill("2")
    page.get_by_text("Approve with the lines above").click()
    page.get_by_label("Reason").fill("Agenda shows two hours of law and six of crisis communication.")
    page.get_by_role("button", name="Record the decision").click()

    # Nothing else waits: back to the queue, with the decision confirmed.
    assert page.url.endswith("/staff/requests/")
    assert page.get_by_role("status").first.inner_text().startswith("Approved 8 hours for Alice Avery")
    look(page, "staff-requests-empty")

    assert counted_on_dashboard(officer_page) == 8
    after = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert after.additional_hours_needed < before.additional_hours_needed
    look(officer_page, "staff-flow-officer-dashboard")


def test_a_review_page_on_a_phone(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    request = out_of_state_request(world)
    recognized_course_save(
        entry=RecognizedCourse(
            source="MN",
            provider_name="North Star Regional Academy",
            number="NSRA-310",
            title="Crisis Intervention Team Training",
            hours=Decimal(16),
            recognized_from=dt.date(2021, 1, 1),
            recognized_until=dt.date(2023, 12, 31),
        ),
        split=[
            PortionSpec(
                core_area="interpersonal_perspectives",
                hours=Decimal(12),
                topics={"de_escalation": Decimal(4)},
            ),
            PortionSpec(core_area="legal_studies", hours=Decimal(4)),
        ],
        acting_user=world["erin"],
    )

    page = signed_in(world["erin"], phone=True)
    page.goto(f"/staff/requests/{request.pk}/")
    first = page.locator("fieldset.site-staff-line").first
    assert first.get_by_label("Core area").input_value() == "interpersonal_perspectives"
    assert first.get_by_label("Hours", exact=True).input_value() == "6"
    look(page, "staff-request-review-phone")
    page.goto("/staff/requests/")
    look(page, "staff-requests-phone")


def test_every_other_staff_page(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    course = course_save(
        course=Course(
            provider=world["provider"],
            number="CMA-201",
            title="Patrol Rifle Qualification",
            hours=Decimal(4),
            synopsis="Qualification course of fire with the patrol rifle, day and low light.",
            learning_objectives="Pass the state qualification.\nClear malfunctions under stress.",
        ),
        portions=[PortionSpec(core_area="skill_development", subject="firearms", hours=Decimal(4))],
        documents=[DocumentUpload(kind="synopsis", name="synopsis.pdf", content=tiny_pdf("Synopsis"))],
        acting_user=world["dave"],
    )
    extension_request(
        officer=world["officer"],
        period=world["period"],
        kind=Extension.Kind.EXTENSION,
        reason="medical",
        explanation="Surgery in November, cleared for duty in February.",
        acting_user=world["bob"],
    )
    recognized_course_save(
        entry=RecognizedCourse(
            source="MN",
            provider_name="North Star Regional Academy",
            title="Crisis Intervention Team Training",
            hours=Decimal(16),
            recognized_from=dt.date(2021, 1, 1),
            recognized_until=dt.date(2023, 12, 31),
        ),
        split=[
            PortionSpec(
                core_area="interpersonal_perspectives",
                hours=Decimal(12),
                topics={"de_escalation": Decimal(4)},
            ),
            PortionSpec(core_area="legal_studies", hours=Decimal(4)),
        ],
        acting_user=world["erin"],
    )
    page = signed_in(world["erin"])

    page.goto("/staff/courses/")
    look(page, "staff-courses")
    page.get_by_role("link", name="Patrol Rifle Qualification").click()
    assert page.url.endswith(f"/staff/courses/{course.pk}/")
    look(page, "staff-course-review")
    page.get_by_text("Deny", exact=True).click()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("alert").first).to_be_visible()  # a denial needs a reason
    look(page, "staff-course-review-errors")

    # An approved course: its approval ended on a day, with the reason the provider sees.
    page.goto(f"/staff/courses/{world['course'].pk}/")
    page.get_by_role("button", name="Change the approval window").click()
    expect(page.get_by_role("alert").first).to_be_visible()  # the reason is missing
    look(page, "staff-course-window-errors")
    page.get_by_label("Approved until").fill("2026-06-30")
    page.get_by_label("Reason").fill("The curriculum is retired.")
    page.get_by_role("button", name="Change the approval window").click()
    expect(page.get_by_text("until Jun 30, 2026")).to_be_visible()
    look(page, "staff-course-window")

    page.goto("/staff/extensions/")
    look(page, "staff-extensions")
    page.get_by_label("License number").fill("P0000000")
    page.get_by_role("button", name="Grant", exact=True).click()
    assert "No officer holds license P0000000." in page.locator("main").inner_text()
    look(page, "staff-extensions-errors")

    page.goto("/staff/providers/")
    look(page, "staff-providers")
    page.get_by_role("link", name="Central Missouri Law Enforcement Academy").click()
    look(page, "staff-provider")
    page.get_by_role("link", name="Edit Central Missouri Law Enforcement Academy").click()
    look(page, "staff-provider-edit")
    page.goto("/staff/providers/add/")
    page.get_by_role("button", name="Add the provider").click()
    look(page, "staff-provider-add-errors")

    page.goto("/staff/catalog/")
    look(page, "staff-catalog")
    page.get_by_role("link", name="Edit MN: Crisis Intervention Team Training").click()
    look(page, "staff-catalog-edit")
    page.goto("/staff/catalog/add/")
    look(page, "staff-catalog-add")
