"""Sign-ins in the audit trail (security review, issue 13): each sign-in, sign-out, refused
sign-in, lockout, second-factor enrolment and check is an audit row naming the client's address
and browser; and every audit row written while a request is served says where it came from."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clee.core.audit import record_event
from clee.core.models import AuditEvent
from tests.conftest import PASSWORD
from tests.security.conftest import enrol, next_code, signed_in

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def from_(address: str = "198.51.100.7", **extra: Any) -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=BROWSER, **extra)


def test_a_sign_in_and_a_sign_out_are_audited_with_address_and_browser(world: dict[str, Any]) -> None:
    client = from_()
    assert client.post(LOGIN, {"username": "bob", "password": PASSWORD}).status_code == 302
    signed = AuditEvent.objects.get(action="auth.sign_in")
    assert (signed.actor, signed.object_id, signed.ip, signed.user_agent) == (
        world["bob"],
        str(world["bob"].pk),
        "198.51.100.7",
        BROWSER,
    )
    assert signed.data["method"] == "password"
    assert client.post("/accounts/logout/").status_code == 302
    out = AuditEvent.objects.get(action="auth.sign_out")
    assert (out.actor, out.ip, out.data["reason"]) == (world["bob"], "198.51.100.7", "signed out")


def test_a_failed_sign_in_is_audited_for_a_known_and_an_unknown_username(world: dict[str, Any]) -> None:
    from_().post(LOGIN, {"username": "bob", "password": "not it"})
    from_("2001:db8::5").post(LOGIN, {"username": "nobody-here", "password": "x"})
    known, unknown = AuditEvent.objects.filter(action="auth.sign_in_failed").order_by("id")
    assert (known.actor, known.object_id, known.ip, known.data["reason"]) == (
        None,
        str(world["bob"].pk),
        "198.51.100.7",
        "wrong username or password",
    )
    assert known.actor_label == "anonymous (as bob)"
    assert (unknown.object_type, unknown.object_id, unknown.ip) == ("accounts.user", "", "2001:db8::5")
    assert unknown.data["known_account"] is False
    assert "not it" not in str(known.data) + known.summary, "no password is ever recorded"


def test_a_lockout_is_audited_once_with_its_end(world: dict[str, Any]) -> None:
    for _ in range(7):
        from_().post(LOGIN, {"username": "carol", "password": "wrong"})
    lockout = AuditEvent.objects.get(action="auth.lockout")
    assert lockout.object_id == str(world["carol"].pk)
    assert lockout.data["failures"] == 5
    assert lockout.ip == "198.51.100.7"
    reasons = list(
        AuditEvent.objects.filter(action="auth.sign_in_failed")
        .order_by("id")
        .values_list("data__reason", flat=True)
    )
    assert reasons == ["wrong username or password"] * 5 + ["the username is locked"] * 2


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(world: dict[str, Any], settings: Any) -> None:
    settings.CLEE_PROXY_COUNT = 1
    # The client wrote its own X-Forwarded-For entry; nginx appended the address it saw.
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.44")
    client.post(LOGIN, {"username": "bob", "password": PASSWORD})
    assert AuditEvent.objects.get(action="auth.sign_in").ip == "192.0.2.44"


def test_second_factor_enrolment_and_checks_are_audited_with_where(
    world: dict[str, Any], settings: Any
) -> None:
    settings.CLEE_MFA_REQUIRED = True
    client = signed_in(world["erin"])
    client.defaults.update(REMOTE_ADDR="198.51.100.20", HTTP_USER_AGENT=BROWSER)
    secret = enrol(client)
    enrolled = AuditEvent.objects.get(action="mfa.totp_enrol")
    assert (enrolled.ip, enrolled.user_agent) == ("198.51.100.20", BROWSER)

    later = from_("198.51.100.21")
    later.post(LOGIN, {"username": "erin", "password": PASSWORD})
    assert later.post("/account/security/verify/", {"code": next_code(secret)}).status_code == 302
    verified = AuditEvent.objects.get(action="mfa.verified")
    assert (verified.actor, verified.ip, verified.data) == (
        world["erin"],
        "198.51.100.21",
        {"kind": "an authenticator app"},
    )
    wrong = from_("198.51.100.22")
    wrong.post(LOGIN, {"username": "erin", "password": PASSWORD})
    assert wrong.post("/account/security/verify/", {"code": "000000"}).status_code == 200
    failed = AuditEvent.objects.get(action="mfa.verify_failed")
    assert (failed.actor, failed.ip) == (world["erin"], "198.51.100.22")


def test_every_audit_row_written_in_a_request_says_where_and_a_job_s_rows_do_not(
    world: dict[str, Any], settings: Any
) -> None:
    settings.CLEE_MFA_REQUIRED = False
    client = from_("192.0.2.80")
    client.post(LOGIN, {"username": "bob", "password": PASSWORD})
    client.post("/api/tokens/", {"name": "Records system"})
    created = AuditEvent.objects.get(action="api.token_create")
    assert (created.ip, created.user_agent) == ("192.0.2.80", BROWSER)
    outside = record_event(actor=None, action="test.job", target=world["officer"], summary="a job's write")
    assert (outside.ip, outside.user_agent) == (None, "")
