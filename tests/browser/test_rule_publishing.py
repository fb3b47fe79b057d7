"""A rule book version from draft to publication in Chromium: POST staff copy the version in
force, edit it, see it checked and submit it; the Director publishes it; the recognized list.
Each page checked for accessibility and kept as a screenshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clee.compliance.models import RuleBookVersion

pytestmark = pytest.mark.django_db(transaction=True)

NEW_ENTRY = (
    "      - value: 4\n"
    "        from: 2030-01-01\n"
    '        reference: "Board order (test): four firearms hours from 2030"\n'
)


def test_staff_prepare_a_version_and_the_director_publishes_it(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["erin"])
    page.goto("/state/packs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rule packs")
    look(page, "rules-list")
    page.get_by_role("link", name="Prepare a new version").click()
    page.get_by_role("button", name="Copy MO rule book v1 and edit it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit draft")
    look(page, "rules-draft-edit")
    editor = page.get_by_label("Rule book (YAML)")
    text = editor.input_value()
    firearms = text.index("  - key: firearms")
    end = text.index("  - key: racial_profiling")
    editor.fill(text[:end] + NEW_ENTRY + text[end:] if firearms < end else text)
    page.get_by_role("button", name="Save and check").click()
    expect(page.get_by_text("The draft is saved and reads as a rule book.")).to_be_visible()
    expect(page.get_by_text("+      - value: 4")).to_be_visible()
    look(page, "rules-draft")
    page.get_by_label("Effective date").fill(timezone.localdate().isoformat())
    page.get_by_label("Reason for the change").fill("Board order (test) of four firearms hours from 2030")
    page.get_by_role("button", name="Submit for publication").click()
    expect(page.get_by_text("The draft is with the Director")).to_be_visible()

    director = signed_in(world["frank"])
    draft = RuleBookVersion.objects.get(status="submitted")
    director.goto(f"/state/packs/versions/{draft.pk}/")
    expect(director.get_by_role("heading", name="Your decision")).to_be_visible()
    look(director, "rules-decision")
    director.get_by_role("button", name="Publish", exact=True).click()
    expect(director.get_by_text("MO rule book v2 is published, in force now")).to_be_visible()
    draft.refresh_from_db()
    assert (draft.number, draft.status, draft.published_by) == (2, "published", world["frank"])

    page.goto("/state/packs/recognized/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recognized out-of-state sources")
    page.get_by_label("State or IADLEST").fill("MN")
    page.get_by_label("Recognized from").fill("2024-01-01")
    page.get_by_label("Citation").fill("Reciprocity memo (test)")
    page.get_by_role("button", name="Add to the list").click()
    expect(page.get_by_text("Minnesota is recognized from January 1, 2024")).to_be_visible()
    look(page, "rules-recognized")
