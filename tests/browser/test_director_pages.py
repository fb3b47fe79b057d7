"""The Director's inactivation end to end, the statewide pages and the rule-change impact
preview, in Chromium: each page checked for accessibility and kept as a screenshot."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from clee.officers.models import LicenseStatus, Officer
from tests.portals.test_oversight_packs import firearms_raised_to
from tests.portals.test_oversight_statewide import build_state

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def state(world: dict[str, Any]) -> dict[str, Any]:
    """The hand-built state of ``test_oversight_statewide``."""
    return build_state(world)


def test_the_directors_inactivation(
    state: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(state["frank"])
    assert page.url.endswith("/director/")
    assert page.get_by_role("heading", level=1).inner_text() == "License decisions"
    look(page, "director-queue")

    page.get_by_role("link", name="Decide on Dan Dorsey").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dan Dorsey"
    look(page, "director-decide")

    # Without a reason the decision is refused, next to the field.
    page.locator("label", has_text="Inactivate the license").click()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", name="The decision was not recorded")).to_be_visible()
    look(page, "director-decide-refused")

    page.locator("label", has_text="Inactivate the license").click()
    page.get_by_label("Reason").fill("No training shown by April; no reply to two notices")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Dan Dorsey's license is now inactive.")).to_be_visible()
    assert page.get_by_role("link", name="Decide on Dan Dorsey").count() == 0
    look(page, "director-queue-after-decision")
    assert Officer.objects.get(pk=state["dan"].pk).license_status == LicenseStatus.INACTIVE

    page.get_by_role("link", name="Dorsey, Dan").click()
    expect(page.get_by_text("License inactive").first).to_be_visible()
    expect(page.get_by_text("2023 CLEE requirement not met after the grace deadline")).to_be_visible()
    look(page, "director-decided")

    # An agency that tries to commission the officer is refused.
    agency = signed_in(state["carol"])
    agency.goto("/agency/officers/commission/")
    agency.get_by_label("License number").fill(state["dan"].license_number)
    agency.get_by_label("Last name").fill("Dorsey")
    agency.get_by_label("Date of birth").fill(state["dan"].date_of_birth.isoformat())
    agency.get_by_role("button", name="Commission the officer").click()
    expect(
        agency.get_by_text(re.compile("license is inactive: it must be active before a commission")).first
    ).to_be_visible()
    look(agency, "director-inactive-commission-refused")
    assert not state["dan"].commissions.filter(agency=state["agency_b"]).exists()


def test_the_director_reactivates_once_the_training_is_shown(
    state: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    from tests.portals.test_director_decisions import inactivate, make_up_training

    inactivation = inactivate(state, "kai")
    inactivate(state, "dan")
    make_up_training(state, "kai")
    page = signed_in(state["frank"])
    page.get_by_role("link", name="Reactivations").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Reactivations"
    look(page, "director-reactivations")
    page.get_by_role("link", name="Reactivate Kai Kemp").click()
    assert page.url.endswith(f"/director/reactivations/{inactivation.pk}/")
    look(page, "director-reactivate")
    page.get_by_label("Reason").fill("24 hours completed in November 2023, reported late")
    page.get_by_role("button", name="Reactivate the license").click()
    expect(page.get_by_text("Kai Kemp's license is active again.")).to_be_visible()
    assert Officer.objects.get(pk=state["kai"].pk).license_status == LicenseStatus.ACTIVE


def test_the_statewide_pages(
    state: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(state["erin"])
    page.goto("/state/compliance/")
    assert page.get_by_role("heading", level=1).inner_text() == "Statewide compliance"
    look(page, "oversight-statewide")
    page.get_by_role("link", name="Deficient", exact=True).click()
    assert "sort=-deficient" in page.url
    page.get_by_role("link", name="Officers non-compliant after the grace deadline").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Non-compliant after the grace deadline"
    expect(page.get_by_text("Irwin, Ivy")).to_be_visible()
    look(page, "oversight-noncompliant")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "noncompliant-after-grace-2023.csv"


def test_the_rule_packs_and_the_impact_preview(
    state: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None], tmp_path: Any
) -> None:
    page = signed_in(state["erin"])
    page.get_by_role("link", name="Rule packs").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Rule packs"
    look(page, "oversight-packs")
    page.get_by_role("link", name="2023", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Rule pack 2023"
    look(page, "oversight-pack-2023")

    page.get_by_role("link", name="Preview a draft of this pack").click()
    look(page, "oversight-impact-empty")
    broken = tmp_path / "broken-draft.yaml"
    broken.write_text(
        firearms_raised_to(4).replace("      - value: 4\n", "      - value: four\n"), encoding="utf-8"
    )
    page.locator("#id_draft").set_input_files(str(broken))
    page.get_by_role("button", name="Preview the draft").click()
    refusal = (
        "broken-draft.yaml: requirements[5].minimum[0].value: must be a number of hours (0 or more), "
        "got 'four'"
    )
    expect(page.get_by_text(refusal).first).to_be_visible()
    look(page, "oversight-impact-refused")

    draft = tmp_path / "firearms-4h.yaml"
    draft.write_text(firearms_raised_to(4), encoding="utf-8")
    page.locator("#id_draft").set_input_files(str(draft))
    page.get_by_role("button", name="Preview the draft").click()
    expect(page.get_by_role("heading", name="firearms-4h.yaml against the 2023 officers")).to_be_visible()
    expect(page.get_by_text("Newly short under the draft")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Avery, Alice"))).to_be_visible()
    look(page, "oversight-impact")


def test_the_queue_and_the_impact_preview_on_a_phone(
    state: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(state["frank"], phone=True)
    look(page, "director-queue-phone")
    page.goto("/state/compliance/")
    look(page, "oversight-statewide-phone")
