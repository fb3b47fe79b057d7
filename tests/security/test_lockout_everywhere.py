"""The lockout holds on every way in (security review, issue 13): a username locked after five
failed sign-ins cannot sign in through single sign-on either (which no longer erases the
lock), its API tokens are refused, and its sessions already open end. The lock is lifted by
time or by an operator (audited), never by a sign-in; the failures stay in the audit trail."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client

from clee.core.models import AuditEvent
from tests.api.conftest import Api, make_token
from tests.conftest import PASSWORD
from tests.sso.conftest import provider_sign_in

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
# tests/sso's fixtures: a real OpenID provider.
from tests.sso.conftest import identity_provider, sso  # noqa: E402

__all__ = ["identity_provider", "sso"]


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def mfa_off(settings: Any) -> None:
    settings.CLEE_MFA_REQUIRED = False


def lock(username: str) -> None:
    for number in range(5):
        Client(REMOTE_ADDR=f"203.0.113.{number + 1}").post(LOGIN, {"username": username, "password": "wrong"})
    assert AccessAttempt.objects.filter(username=username).exists()


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post(LOGIN, {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_an_open_session_ends_when_its_username_is_locked(world: dict[str, Any], clock: Any) -> None:
    alice = signed_in("alice")
    assert alice.get("/officer/").status_code == 200
    lock("alice")
    response = alice.get("/officer/", follow=True)
    assert response.redirect_chain[0][0].startswith(f"{LOGIN}?next=")
    assert "your account is locked after 5 failed sign-ins until" in response.content.decode()
    assert SESSION_KEY not in alice.session
    event = AuditEvent.objects.filter(action="auth.sign_out").latest("id")
    assert event.data == {"reason": "locked out"}
    # The session does not come back to life when the lock ends: it was signed out.
    clock.shift(dt.timedelta(minutes=16))
    assert alice.get("/officer/").status_code == 302


def test_the_locked_accounts_api_tokens_are_refused_until_the_lock_ends(
    world: dict[str, Any], clock: Any
) -> None:
    api = Api(make_token(world["bob"]))
    assert api.get("/api/v1/officers/").status_code == 200
    lock("bob")
    refused = api.get("/api/v1/officers/")
    assert refused.status_code == 401
    assert "is locked after failed sign-ins until 2026-03-02T15:15:00" in refused.json()["error"]["message"]
    other = Api(make_token(world["carol"]))
    assert other.get("/api/v1/officers/").status_code == 200, "other accounts' tokens go on working"
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    assert api.get("/api/v1/officers/").status_code == 200


def test_single_sign_on_is_refused_for_a_locked_username_and_does_not_erase_the_lock(
    world: dict[str, Any], sso: Any
) -> None:
    first = Client()
    provider_sign_in(first, "alice.verified")  # links alice's provider account
    assert first.session.get(SESSION_KEY) == str(world["alice"].pk)
    lock("alice")
    later = Client()
    response = provider_sign_in(later, "alice.verified")
    assert response["Location"] == "/accounts/sso/failed/"
    assert SESSION_KEY not in later.session
    page = later.get("/accounts/sso/failed/").content.decode()
    assert "This CLEE account is locked after 5 failed sign-ins until" in page
    assert AccessAttempt.objects.filter(username="alice").exists(), "the lock is still there"
    assert Client().post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 429
    refused = AuditEvent.objects.filter(action="auth.sign_in_failed", data__username="alice")
    assert refused.filter(data__reason="the username is locked (single sign-on)").count() == 1


def test_an_operator_lifts_a_lock_early_with_a_reason_and_the_failures_stay_on_record(
    world: dict[str, Any], clock: Any
) -> None:
    lock("alice")
    assert Client().post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 429
    out = io.StringIO()
    call_command("lockout_lift", "alice", "--reason", "ticket 4411: phoned, identity confirmed", stdout=out)
    assert "The lock on alice is lifted." in out.getvalue()
    assert Client().post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 302
    lifted = AuditEvent.objects.get(action="auth.lockout_lifted")
    assert lifted.object_id == str(world["alice"].pk)
    assert "ticket 4411" in lifted.summary
    assert AuditEvent.objects.filter(action="auth.sign_in_failed", data__username="alice").count() == 6
    assert AuditEvent.objects.filter(action="auth.lockout", data__username="alice").count() == 1


def test_lifting_a_lock_needs_a_reason(world: dict[str, Any]) -> None:
    from django.core.management import CommandError

    lock("alice")
    with pytest.raises(CommandError, match="say why"):
        call_command("lockout_lift", "alice", "--reason", "  ", stdout=io.StringIO())
    assert AccessAttempt.objects.filter(username="alice").exists()
