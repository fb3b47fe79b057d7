"""POST staff decide with the engine's answer in front of them, in Chromium: a credit request
whose approval would not count (the reason then asked for), and agency training held for review
(what approving does to each officer, then the approval); each page checked for accessibility
and kept as a screenshot."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from clee.training.models import CreditRequest, TrainingRecord
from tests.portals.test_agency_training import session
from tests.portals.test_decision_effects import college_credit
from tests.portals.test_oversight_statewide import client_of
from tests.portals.test_staff_requests import submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_see_that_an_approval_would_not_count_and_give_a_reason(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    college_credit(world)
    request = submit(world, kind="college", title="Forensic science", hours=None, semester_hours=Decimal(2))
    page = signed_in(world["erin"])
    page.goto(page.url.split("/staff")[0] + f"/staff/requests/{request.pk}/")
    page.locator("#id_lines-0-core_area").select_option("technical_studies")
    page.get_by_role("button", name="See what approving these lines does").click()
    expect(page.get_by_role("heading", name="What approving does")).to_be_visible()
    expect(page.get_by_text("Does not count toward 2023").first).to_be_visible()
    look(page, "staff-request-effect")
    page.locator("label", has_text="Approve with the lines above").click()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Give the reason for approving it anyway").first).to_be_visible()
    assert CreditRequest.objects.get(pk=request.pk).status == "submitted"
    page.get_by_label("Reason").fill("The transcript is genuine; kept on file at the officer's request.")
    page.locator("label", has_text="Approve with the lines above").click()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("is told: These 4 hours do not count").first).to_be_visible()
    assert CreditRequest.objects.get(pk=request.pk).counts == "none"


def test_staff_approve_held_agency_training_after_seeing_what_it_does(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    client_of("bob").post("/agency/training/", session())
    page = signed_in(world["erin"])
    page.get_by_role("link", name="Agency training").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agency training held for review")
    look(page, "staff-held-queue")
    page.get_by_role("link", name="Roll-call: report writing and bias").click()
    expect(page.get_by_role("heading", name="What approving does")).to_be_visible()
    expect(page.get_by_text("Deficient, 22 hours short")).to_be_visible()
    look(page, "staff-held-review")
    page.locator("label", has_text="Approve it as the agency's in-service course").click()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("approved as an in-service course")).to_be_visible()
    assert TrainingRecord.objects.get().status == "accepted"
