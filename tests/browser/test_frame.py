"""Every role signs in and lands on its portal, in the state site's frame, accessibly, on a
desktop and on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

LANDING = {
    "alice": ("/officer/", "Your continuing education"),
    "bob": ("/agency/", "Riverton Police Department"),
    "dave": ("/provider/", "Central Missouri Law Enforcement Academy"),
    "erin": ("/staff/", "Statewide"),
    "frank": ("/director/", "License decisions"),
}


def test_the_sign_in_page_is_accessible_and_refuses_a_wrong_password(
    world: dict[str, Any], new_page: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = new_page()
    page.goto("/")
    assert "/accounts/login/" in page.url
    look(page, "sign-in")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    refusal = page.get_by_role("alert")
    refusal.wait_for()  # shown once the page has come back
    assert "We could not sign you in" in refusal.inner_text()
    look(page, "sign-in-refused")


@pytest.mark.parametrize("username", list(LANDING))
def test_each_role_lands_on_its_portal(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None], username: str
) -> None:
    path, heading = LANDING[username]
    page = signed_in(world[username])
    assert page.url.endswith(path)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    look(page, f"{username}-landing")


def test_the_menu_opens_on_a_phone(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["bob"], phone=True)
    page.get_by_role("button", name="Menu").click()
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    look(page, "agency-phone-menu")
    sign_out.click()
    assert "/accounts/login/" in page.url
