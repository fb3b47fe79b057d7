"""Signing in through the state's identity provider (a real OpenID provider, npm
oidc-provider): linking a first sign-in to an officer by verified email or by license number
confirmation, later sign-ins by the stored subject, and signing out there too."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client

from clee.accounts.models import User
from clee.core.models import AuditEvent
from clee.sso.models import Identity, LinkAttempt
from tests.conftest import PASSWORD
from tests.notices.conftest import free_port
from tests.sso.conftest import TESTSERVER, officer, provider_sign_in
from tests.sso.provider import IdentityProvider

pytestmark = pytest.mark.django_db

START = "/accounts/sso/start/"
CONFIRM = "/accounts/sso/confirm/"


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get(SESSION_KEY)
    return None if user_id is None else User.objects.get(pk=user_id)


def confirm(client: Client, license_number: str, born: str) -> Any:
    return client.post(CONFIRM, {"license_number": license_number, "date_of_birth": born})


# Switched off ----------------------------------------------------------------------------------


def test_without_configuration_the_button_is_hidden_and_the_routes_say_so(client: Client, world: Any) -> None:
    assert "Sign in with MO Login" not in client.get("/accounts/login/").content.decode()
    for path in (START, "/accounts/sso/callback/?code=x&state=y"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This site is not set up for signing in with MO Login" in response.content.decode()


def test_the_sign_in_page_shows_the_provider_button_when_configured(
    client: Client, world: Any, sso: IdentityProvider
) -> None:
    page = client.get("/accounts/login/?next=/officer/").content.decode()
    assert 'href="/accounts/sso/start/?next=%2Fofficer%2F"' in page
    assert "Sign in with MO Login" in page


def test_an_unreachable_provider_gives_a_clear_page(client: Client, world: Any, settings: Any) -> None:
    settings.CLEE_OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "clee", "secret"
    response = client.get(START)
    assert response.status_code == 503
    assert "MO Login cannot be reached right now" in response.content.decode()


# Linking by verified email -----------------------------------------------------------------


def test_a_verified_email_links_the_officers_existing_account(
    client: Client, world: Any, sso: IdentityProvider
) -> None:
    response = provider_sign_in(client, "alice.verified")
    assert response.status_code == 302
    assert signed_in_user(client) == world["alice"]
    assert client.get(response["Location"])["Location"] == "/officer/"
    identity = Identity.objects.get()
    assert (identity.issuer, identity.subject, identity.user) == (
        sso.issuer,
        "alice.verified",
        world["alice"],
    )
    assert identity.linked_by == Identity.Method.EMAIL
    event = AuditEvent.objects.get(action="sso.linked")
    assert event.actor == world["alice"]
    assert "by verified email" in event.summary


def test_an_officer_without_an_account_gets_one_at_first_sign_in(
    client: Client, world: Any, sso: IdentityProvider
) -> None:
    nora = officer("P3000001", "Nora", "Nobody", email="NOBODY@example.test", agency=world["agency_a"])
    provider_sign_in(client, "nobody.verified")
    user = signed_in_user(client)
    assert user is not None
    assert user.officer == nora
    assert (user.role, user.username, user.has_usable_password()) == ("officer", "officer-p3000001", False)
    assert AuditEvent.objects.filter(action="account.created", object_id=str(user.pk)).exists()
    assert client.get("/officer/").status_code == 200


def test_later_sign_ins_match_the_stored_subject_not_the_email(
    client: Client, world: Any, sso: IdentityProvider
) -> None:
    provider_sign_in(client, "alice.verified")
    world["officer"].email = "alice.changed@example.test"
    world["officer"].save()
    later = Client()
    provider_sign_in(later, "alice.verified")
    assert signed_in_user(later) == world["alice"]
    assert Identity.objects.count() == 1
    assert AuditEvent.objects.filter(action="sso.signed_in", actor=world["alice"]).count() == 1


def test_an_unverified_email_does_not_link(client: Client, world: Any, sso: IdentityProvider) -> None:
    response = provider_sign_in(client, "alice.unverified")
    assert response["Location"] == CONFIRM
    assert signed_in_user(client) is None
    assert not Identity.objects.exists()
    page = client.get(CONFIRM).content.decode()
    assert "alice@example.test" in page
    assert "POST license number" in page


def test_two_officers_with_one_email_are_told_apart_by_license_confirmation(
    client: Client, world: Any, sso: IdentityProvider
) -> None:
    officer("P3000002", "Sam", "Shared", email="shared@example.test", born="1980-01-02")
    pat = officer("P3000003", "Pat", "Shared", email="shared@example.test", born="1982-03-04")
    assert provider_sign_in(client, "shared.verified")["Location"] == CONFIRM
    response = confirm(client, " p3000003 ", "1982-03-04")
    assert response.status_code == 302
    user = signed_in_user(client)
    assert user is not None
    assert user.officer == pat
    assert Identity.objects.get().linked_by == Identity.Method.LICENSE
    assert LinkAttempt.objects.get().succeeded
    assert client.get(CONFIRM).status_code == 400  # nothing pending any more


def test_a_license_mismatch_is_refused_clearly_and_tries_are_limited(
    client: Client, world: Any, sso: IdentityProvider, settings: Any
) -> None:
    settings.CLEE_SSO_CONFIRM_ATTEMPTS = 3
    provider_sign_in(client, "alice.unverified")
    response = confirm(client, "P1000001", "1988-04-03")  # a day off
    assert response.status_code == 400
    page = response.content.decode()
    assert "The license number and date of birth do not match our records" in page
    assert "2 tries left today" in page
    confirm(client, "P9999999", "1988-04-02")
    assert "1 try left today" not in confirm(client, "P1000001", "1990-01-01").content.decode()
    refused = confirm(client, "P1000001", "1988-04-02")  # right, but too late
    assert "Too many unsuccessful tries (3)" in refused.content.decode()
    assert signed_in_user(client) is None
    assert LinkAttempt.objects.filter(succeeded=False).count() == 3
    assert AuditEvent.objects.filter(action="sso.confirmation_failed").count() == 3
    # The limit is the provider account's, not the session's: a new sign-in does not reset it.
    again = Client()
    provider_sign_in(again, "alice.unverified")
    assert "Too many unsuccessful tries" in confirm(again, "P1000001", "1988-04-02").content.decode()


def test_the_confirmation_checks_its_input(client: Client, world: Any, sso: IdentityProvider) -> None:
    provider_sign_in(client, "alice.unverified")
    page = confirm(client, "", "not a date").content.decode()
    assert "Enter your POST license number." in page
    assert "Enter your date of birth as a date" in page
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    assert "Enter a date of birth in the past." in confirm(client, "P1000001", future).content.decode()


def test_an_officer_already_connected_is_not_linked_to_a_second_provider_account(
    client: Client, world: Any, sso: IdentityProvider
) -> None:
    provider_sign_in(client, "alice.verified")
    other = Client()
    provider_sign_in(other, "alice.unverified")
    page = confirm(other, "P1000001", "1988-04-02").content.decode()
    assert "Alice Avery is already connected to a MO Login account" in page
    assert signed_in_user(other) is None
    assert Identity.objects.count() == 1


def test_the_confirmation_page_needs_a_provider_sign_in_first(
    client: Client, world: Any, sso: IdentityProvider
) -> None:
    response = confirm(client, "P1000001", "1988-04-02")
    assert response.status_code == 400
    assert "Nothing to confirm" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_callback_that_no_sign_in_started_is_refused(
    client: Client, world: Any, sso: IdentityProvider
) -> None:
    response = client.get("/accounts/sso/callback/?code=forged&state=forged")
    assert response["Location"] == "/accounts/sso/failed/"
    assert signed_in_user(client) is None
    assert "We could not sign you in with MO Login" in client.get("/accounts/sso/failed/").content.decode()


def test_a_disabled_account_cannot_sign_in_through_the_provider(
    client: Client, world: Any, sso: IdentityProvider
) -> None:
    provider_sign_in(client, "alice.verified")
    User.objects.filter(pk=world["alice"].pk).update(is_active=False)
    later = Client()
    assert provider_sign_in(later, "alice.verified")["Location"] == "/accounts/sso/failed/"
    assert signed_in_user(later) is None
    assert "This CLEE account is disabled" in later.get("/accounts/sso/failed/").content.decode()


# Signing out -------------------------------------------------------------------------------


def test_signing_out_ends_the_providers_session_too(
    client: Client, world: Any, sso: IdentityProvider
) -> None:
    provider_sign_in(client, "alice.verified")
    response = client.post("/accounts/logout/")
    assert signed_in_user(client) is None
    location = response["Location"]
    assert location.startswith(f"{sso.issuer}/session/end?")
    query = parse_qs(urlsplit(location).query)
    assert query["post_logout_redirect_uri"] == [f"{TESTSERVER}/accounts/sso/signed-out/"]
    assert query["client_id"] == [sso.client_id]
    # The provider accepts the hint and, once the person confirms, sends them back to us.
    browser = requests.Session()
    page = browser.get(location, timeout=10)
    assert page.status_code == 200, page.text[:300]
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert action is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    done = browser.post(
        urljoin(location, action.group(1)),
        data={**fields, "logout": "yes"},
        allow_redirects=False,
        timeout=10,
    )
    assert done.headers.get("Location") == f"{TESTSERVER}/accounts/sso/signed-out/", done.text
    assert (
        "You have signed out of CLEE and of MO Login"
        in client.get("/accounts/sso/signed-out/").content.decode()
    )


def test_signing_out_of_a_password_session_stays_on_this_site(
    client: Client, world: Any, sso: IdentityProvider
) -> None:
    assert client.login(username="alice", password=PASSWORD)
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert signed_in_user(client) is None
