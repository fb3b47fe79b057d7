"""Single sign-on in a browser, through a real OpenID provider (npm oidc-provider on
127.0.0.1, its own sign-in and consent pages): an officer signs in with MO Login and lands on
their dashboard, then signs out of both; a first sign-in linked by license confirmation; an
invitation sent by an agency administrator, followed once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from clee.accounts.models import User
from clee.sso.models import Invitation
from tests.sso.conftest import officer
from tests.sso.provider import IdentityProvider, running_provider

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"https?://[^/\s]+(/accounts/invitation/[A-Za-z0-9_-]+/)")


@pytest.fixture(scope="session")
def live_identity_provider(live_server: Any) -> Iterator[IdentityProvider]:
    with running_provider(
        redirect_uris=[f"{live_server.url}/accounts/sso/callback/"],
        post_logout_redirect_uris=[f"{live_server.url}/accounts/sso/signed-out/"],
    ) as provider:
        yield provider


@pytest.fixture
def sso(settings: Any, live_identity_provider: IdentityProvider) -> IdentityProvider:
    for name, value in live_identity_provider.settings().items():
        setattr(settings, name, value)
    return live_identity_provider


@pytest.fixture
def offline_page(new_page: Callable[..., Any]) -> Callable[..., Any]:
    """A page that reaches only this machine (the provider's pages import a web font)."""

    def open_page() -> Any:
        page = new_page()
        page.route(re.compile(r"^https://"), lambda route: route.abort())
        return page

    return open_page


def sign_in_at_provider(page: Any, login: str) -> None:
    """The provider's development pages: any login of ours, any password, then consent."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_an_officer_signs_in_with_mo_login_and_signs_out_of_both(
    offline_page: Callable[..., Any], world: dict[str, Any], sso: IdentityProvider, look: Callable[..., None]
) -> None:
    page = offline_page()
    page.goto("/accounts/login/")
    look(page, "sso-sign-in")
    page.get_by_role("link", name="Sign in with MO Login").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(sso.issuer)}/interaction/"))
    sign_in_at_provider(page, "alice.verified")
    expect(page).to_have_url(re.compile(r"/officer/$"))
    expect(page.get_by_text("Alice Avery").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    # The provider's end-session page: it asks, then sends the browser back to us.
    expect(page).to_have_url(re.compile(rf"^{re.escape(sso.issuer)}/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    look(page, "sso-signed-out")
    page.goto("/officer/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_first_sign_in_is_linked_by_license_confirmation(
    offline_page: Callable[..., Any], world: dict[str, Any], sso: IdentityProvider, look: Callable[..., None]
) -> None:
    page = offline_page()
    page.goto("/accounts/sso/start/")
    sign_in_at_provider(page, "alice.unverified")  # an email the provider has not verified
    expect(page.get_by_role("heading", name="Confirm who you are")).to_be_visible()
    page.get_by_label("POST license number").fill("P1000001")
    page.get_by_label("Date of birth").fill("1988-04-22")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_text("The license number and date of birth do not match our records")).to_be_visible()
    look(page, "sso-confirm-mismatch")
    page.get_by_label("Date of birth").fill("1988-04-02")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page).to_have_url(re.compile(r"/officer/$"))
    expect(page.get_by_text("is now connected to your CLEE record")).to_be_visible()


def test_an_invitation_sent_by_an_agency_admin_is_followed_once(
    offline_page: Callable[..., Any],
    signed_in: Callable[..., Any],
    world: dict[str, Any],
    sso: IdentityProvider,
    look: Callable[..., None],
) -> None:
    ivy = officer("P4000001", "Ivy", "Invitee", email="ivy.work@example.test", agency=world["agency_a"])
    admin = signed_in(world["bob"])
    admin.get_by_role("link", name="Invitations").click()
    admin.get_by_role("button", name="Send invitation to Ivy Invitee").click()
    expect(admin.get_by_text("Invitation sent to Ivy Invitee")).to_be_visible()
    look(admin, "sso-invitations")
    (message,) = mail.outbox
    match = LINK.search(message.body)
    assert match, message.body
    link = match.group(1)

    page = offline_page()
    page.goto(link)
    sign_in_at_provider(page, "invited.person")
    expect(page).to_have_url(re.compile(r"/officer/$"))
    expect(page.get_by_text("Ivy Invitee").first).to_be_visible()
    assert User.objects.get(officer=ivy).sso_identities.get().linked_by == "invitation"
    assert Invitation.objects.get().used_at is not None

    again = offline_page()
    again.goto(link)
    expect(again.get_by_text("This invitation has already been used")).to_be_visible()
    admin.reload()
    expect(admin.get_by_text("Connected").first).to_be_visible()
