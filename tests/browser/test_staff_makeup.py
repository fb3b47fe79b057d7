"""POST staff apply make-up training in Chromium: the queue, the preview of every period the
move touches, then the apply; each page checked for accessibility and kept as a screenshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from clee.compliance.models import ComplianceResult
from clee.training.models import TrainingRecord
from tests.portals.test_staff_makeup import state  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_preview_then_apply_make_up_training(
    state: dict[str, Any],  # noqa: F811
    signed_in: Callable[..., Any],
    look: Callable[..., None],
) -> None:
    page = signed_in(state["erin"])
    page.get_by_role("link", name="Make-up training").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make-up training")
    look(page, "staff-makeup-queue")

    page.get_by_role("link", name="Dan Dorsey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make-up training for Dan Dorsey")
    page.locator("label", has_text="Apr 10, 2024").click()  # USWDS styles the label, not the box
    page.get_by_label("Reason").fill("April 2024 course makes up the 2023 shortfall")
    page.get_by_role("button", name="Preview the effect").click()
    expect(page.get_by_role("heading", name="What applying the chosen training does")).to_be_visible()
    assert TrainingRecord.objects.filter(applied_to_year__isnull=False).count() == 0
    look(page, "staff-makeup-preview")

    page.get_by_role("button", name="Apply to 2023").click()
    expect(
        page.get_by_text("1 record applied to Dan Dorsey's 2023 period as make-up training.")
    ).to_be_visible()
    look(page, "staff-makeup-applied")
    assert ComplianceResult.objects.get(officer=state["dan"], period__year=2023).status == "compliant"
