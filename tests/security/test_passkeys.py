"""Passkeys (django-otp-webauthn) as a second factor, through its HTTP endpoints, with a
software authenticator that signs with a real key: registration, then authentication at the
next sign-in; the options endpoints refuse whoever may not use them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django_otp_webauthn.models import WebAuthnCredential

from clee.core.models import AuditEvent
from tests.security.authenticator import SoftAuthenticator, b64url
from tests.security.conftest import enrol, signed_in

pytestmark = pytest.mark.django_db

PASSKEYS = "/account/security/passkeys"
ORIGIN = "http://localhost:8000"


def post_json(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(f"{PASSKEYS}/{path}", json.dumps(data or {}), content_type="application/json")


def register(client: Client, authenticator: SoftAuthenticator) -> Any:
    options = post_json(client, "registration/begin/")
    assert options.status_code == 200, options.content
    return post_json(client, "registration/complete/", authenticator.register(options.json()))


def test_registration_options_name_this_site_and_the_user(world: dict[str, Any]) -> None:
    client = signed_in(world["erin"])
    options = post_json(client, "registration/begin/").json()
    assert options["rp"] == {"id": "localhost", "name": "MO POST CLEE"}
    assert options["user"]["name"] == "erin"
    assert len(options["challenge"]) >= 40
    assert options["excludeCredentials"] == []


def test_staff_registers_a_passkey_and_uses_it_at_the_next_sign_in(world: dict[str, Any]) -> None:
    erin = world["erin"]
    authenticator = SoftAuthenticator(ORIGIN)
    first = signed_in(erin)
    done = register(first, authenticator)
    assert done.status_code == 200, done.content
    credential = WebAuthnCredential.objects.get(user=erin)
    assert done.json() == {"id": credential.pk}
    assert first.get("/staff/").status_code == 200, "registering a first passkey verifies the session"
    assert AuditEvent.objects.filter(action="mfa.passkey_enrol", object_id=str(erin.pk)).count() == 1
    # the page the browser goes to next hands out the recovery codes
    added = first.get("/account/security/passkey-added/")
    assert added["Location"].startswith("/account/security/recovery-codes/")

    later = signed_in(erin)
    assert later.get("/staff/")["Location"].startswith("/account/security/verify/")
    assert "Use a passkey" in later.get("/account/security/verify/").content.decode()
    options = post_json(later, "authentication/begin/").json()
    assert options["rpId"] == "localhost"
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(authenticator.credential_id)]
    answer = post_json(later, "authentication/complete/?next=/staff/", authenticator.authenticate(options))
    assert answer.status_code == 200, answer.content
    assert answer.json()["redirect_url"] == "/staff/"
    assert later.get("/staff/").status_code == 200


def test_a_forged_signature_is_refused(world: dict[str, Any]) -> None:
    erin = world["erin"]
    authenticator = SoftAuthenticator(ORIGIN)
    assert register(signed_in(erin), authenticator).status_code == 200
    later = signed_in(erin)
    options = post_json(later, "authentication/begin/").json()
    answer = authenticator.authenticate(options)
    answer["response"]["signature"] = SoftAuthenticator(ORIGIN).authenticate(options)["response"]["signature"]
    refused = post_json(later, "authentication/complete/", answer)
    assert refused.status_code >= 400
    assert later.get("/staff/")["Location"].startswith("/account/security/verify/")


def test_an_answer_from_another_site_is_refused(world: dict[str, Any]) -> None:
    client = signed_in(world["erin"])
    refused = register(client, SoftAuthenticator("https://phishing.example"))
    assert refused.status_code >= 400
    assert not WebAuthnCredential.objects.exists()


def test_a_user_who_has_a_factor_must_verify_before_adding_a_passkey(world: dict[str, Any]) -> None:
    erin = world["erin"]
    enrol(signed_in(erin))
    unverified = signed_in(erin)
    refused = post_json(unverified, "registration/begin/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "user_not_verified"


def test_nobody_signs_in_with_a_passkey_alone(world: dict[str, Any]) -> None:
    refused = post_json(Client(), "authentication/begin/")
    assert refused.status_code == 403
    assert post_json(Client(), "registration/begin/").status_code in (401, 403)


def test_a_malformed_answer_gets_a_clear_error(world: dict[str, Any]) -> None:
    client = signed_in(world["erin"])
    post_json(client, "registration/begin/")
    refused = post_json(client, "registration/complete/", {"id": "nonsense"})
    assert refused.status_code == 422
    assert refused.json()["detail"]
