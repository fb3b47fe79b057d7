"""The officer portal in a browser: alice sends an out-of-state request with its three documents
and sees it awaiting review; every officer page is checked for accessibility and kept as a
screenshot, on a desktop and at phone width."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from clee.demo.pdf import tiny_pdf
from clee.training.services import LineSpec
from clee.workflows.credit_requests import credit_request_decide, credit_request_submit
from tests.portals.test_officer_support import (
    NO_TECHNICAL_LINES,
    course_with_offering,
    give_record,
    offering_of,
)

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_file(name: str, title: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": tiny_pdf(title, ["Alice Avery, P1000001"])}


def a_short_officer_with_courses_ahead(world: dict[str, Any]) -> None:
    """Alice 2 hours short (Technical Studies), a few upcoming courses, a decided request."""
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES, description="Spring in-service block")
    provider = world["provider"]
    course_with_offering(
        provider,
        "TS-2",
        "Report writing and evidence",
        [("technical_studies", "", Decimal(2), {})],
        days_ahead=12,
    )
    course_with_offering(
        provider, "LS-16", "Legal studies intensive", [("legal_studies", "", Decimal(16), {})], days_ahead=4
    )
    offering_of(world["course"], days_ahead=30, location="Hollis County Justice Center, Room B")
    request = credit_request_submit(
        officer=world["officer"],
        kind="instruction",
        title="Taught: Basic academy report writing",
        completed_on=world["period"].starts.replace(month=3, day=3),
        hours=Decimal(3),
        acting_user=world["alice"],
    )
    credit_request_decide(
        request=request,
        approve=True,
        reason="Confirmed with the academy",
        lines=[LineSpec(core_area="legal_studies", hours=Decimal(3))],
        acting_user=world["erin"],
    )


def test_an_officer_sends_an_out_of_state_request_with_three_documents(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["alice"])
    page.get_by_role("link", name="Credit requests").click()
    look(page, "officer-requests-empty")
    page.get_by_role("link", name="Out-of-state course").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Request credit: out-of-state course"
    look(page, "officer-request-form")

    page.get_by_label("Course title").fill("Crisis intervention team basics")
    page.get_by_label("Training provider").fill("Twin Lakes Regional Academy")
    page.get_by_label("State that approved the course").select_option("MN")
    page.get_by_label("Date completed").fill("2023-05-10")
    page.get_by_label("Hours of training").fill("8")
    page.get_by_label("Certificate of completion").set_input_files(
        [pdf_file("certificate.pdf", "Certificate")]
    )
    page.get_by_label("The other state's affirmation").set_input_files(
        [pdf_file("affirmation.pdf", "Affirmation")]
    )
    page.get_by_label("Agenda", exact=True).set_input_files([pdf_file("agenda.pdf", "Agenda")])
    page.get_by_role("button", name="Send to POST").click()
    page.wait_for_load_state()

    assert "/officer/requests/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Crisis intervention team basics"
    expect(page.get_by_role("heading", name="Awaiting review")).to_be_visible()
    for name in ("certificate.pdf", "affirmation.pdf", "agenda.pdf"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    look(page, "officer-request-detail")
    page.get_by_role("link", name="Credit requests", exact=True).first.click()
    expect(page.get_by_text("Awaiting review").first).to_be_visible()
    look(page, "officer-requests")


def test_a_refused_request_keeps_the_officer_on_the_form_with_the_reason(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["alice"])
    page.goto("/officer/requests/new/?kind=out_of_state")
    page.get_by_label("Course title").fill("Search and seizure")
    page.get_by_label("Training provider").fill("Prairie State Academy")
    page.get_by_label("State that approved the course").select_option("KS")
    page.get_by_label("Date completed").fill("2023-05-10")
    page.get_by_label("Hours of training").fill("4")
    page.get_by_role("button", name="Send to POST").click()
    page.wait_for_load_state()
    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    assert "Certificate of completion" in summary.inner_text()
    look(page, "officer-request-form-errors")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_every_officer_page_is_accessible(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None], phone: bool
) -> None:
    a_short_officer_with_courses_ahead(world)
    suffix = "-phone" if phone else ""
    page = signed_in(world["alice"], phone=phone)
    assert page.get_by_role("heading", level=1).inner_text() == "Your continuing education"
    expect(page.get_by_text("You need 2 more hours: 2 hours of Technical Studies.")).to_be_visible()
    look(page, f"officer-dashboard{suffix}")

    page.goto("/officer/transcript/")
    expect(page.get_by_text("Spring in-service block").first).to_be_visible()
    look(page, f"officer-transcript{suffix}")

    page.goto("/officer/courses/")
    first_course = page.locator("tbody tr").first
    assert "Report writing and evidence" in first_course.inner_text()
    assert "closes 2 of your 2 missing hours" in first_course.inner_text()
    look(page, f"officer-courses{suffix}")

    page.goto("/officer/requests/")
    look(page, f"officer-requests-list{suffix}")
    page.get_by_role("link", name="Taught: Basic academy report writing").click()
    expect(page.get_by_text("Confirmed with the academy")).to_be_visible()
    look(page, f"officer-request-approved{suffix}")

    page.goto("/officer/requests/new/")
    look(page, f"officer-request-kinds{suffix}")
    page.goto("/officer/requests/new/?kind=college")
    look(page, f"officer-request-college{suffix}")


def test_a_compliant_officer_downloads_a_certificate_anyone_can_verify(
    world: dict[str, Any],
    signed_in: Callable[..., Any],
    new_page: Callable[..., Any],
    look: Callable[..., None],
) -> None:
    from clee.training.models import Certificate
    from tests.portals.test_officer_support import COMPLIANT_LINES

    give_record(world["officer"], world["period"], COMPLIANT_LINES)
    page = signed_in(world["alice"])
    page.goto("/officer/transcript/")
    look(page, "officer-transcript-compliant")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download compliance certificate (PDF)").click()
    assert download.value.suggested_filename == "clee-certificate-2023-P1000001.pdf"
    certificate = Certificate.objects.get()

    visitor = new_page(phone=True)
    visitor.goto("/verify/")
    look(visitor, "verify-form-phone")
    visitor.get_by_label("Certificate code").fill(certificate.shown_code.lower())
    visitor.get_by_role("button", name="Verify").click()
    visitor.wait_for_load_state()
    expect(visitor.get_by_role("heading", name="Valid: compliant for 2023")).to_be_visible()
    expect(visitor.get_by_text("P1000001")).to_be_visible()
    look(visitor, "verify-certificate-phone")
