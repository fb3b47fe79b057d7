"""Two-step sign-in in a browser: POST staff sets up an authenticator app from the page (the
test reads the secret off the page and computes the code as an app would), keeps the recovery
codes and lands on the staff queue; the next sign-in asks for a code. A provider does the same
with a passkey, held by Chromium's virtual authenticator (DevTools protocol)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.security.conftest import code_for, next_code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def mfa_enforced(settings: Any, live_server: Any) -> None:
    settings.CLEE_MFA_REQUIRED = True
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


def press_passkey_button(page: Any, name: str, done: Callable[[float], None]) -> None:
    """Press django-otp-webauthn's button until ``done(timeout)`` passes. Its script shows the
    button first and binds the click a moment later, so a press at once on a loaded machine can
    fall in between and do nothing (a person would press again). A press that did start the
    ceremony (the button no longer idle under its name) is given all the time it needs."""
    idle = page.get_by_role("button", name=name)
    for _ in range(3):
        idle.click()
        try:
            done(3000)
            return
        except AssertionError:
            if idle.count() == 0 or not idle.first.is_enabled():
                break  # the ceremony is under way: wait for it below
    done(20000)


def sign_in_again(page: Any, username: str) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_staff_sets_up_an_authenticator_app_and_is_asked_for_a_code_next_time(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["erin"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    look(page, "mfa-enrol")
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    assert secret
    page.get_by_label("Code from your app").fill("000000" if code_for(secret) != "000000" else "111111")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#form-errors")).to_contain_text("That code does not match")
    page.get_by_label("Code from your app").fill(code_for(secret))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Keep these codes now")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    look(page, "mfa-recovery-codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url("**/staff/")
    page.get_by_role("link", name="Account security").click()
    expect(page.get_by_role("cell", name="Authenticator app")).to_be_visible()
    look(page, "mfa-account-security")

    sign_in_again(page, "erin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    look(page, "mfa-verify")
    page.get_by_label("Code").fill(next_code(secret))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/")


def test_a_provider_sets_up_a_passkey_and_signs_in_with_it(
    world: dict[str, Any], signed_in: Callable[..., Any]
) -> None:
    page = signed_in(world["dave"])
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable", {"enableUI": False})
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    press_passkey_button(
        page,
        "Add a passkey",
        lambda ms: expect(page.get_by_role("heading", name="Keep these codes now")).to_be_visible(timeout=ms),
    )
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url("**/provider/")

    sign_in_again(page, "dave")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    press_passkey_button(
        page, "Use a passkey", lambda ms: expect(page).to_have_url(re.compile(r"/provider/$"), timeout=ms)
    )
