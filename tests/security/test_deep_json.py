"""JSON nested 100,000 deep (security review, issue 13) is a clear 400 on the passkey endpoints
too (django-otp-webauthn reads JSON itself), never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.security.conftest import signed_in

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "path",
    [
        "/account/security/passkeys/registration/begin/",
        "/account/security/passkeys/registration/complete/",
        "/account/security/passkeys/authentication/begin/",
        "/account/security/passkeys/authentication/complete/",
    ],
)
def test_deeply_nested_json_is_a_400_on_the_passkey_endpoints(
    world: dict[str, Any], path: str, settings: Any
) -> None:
    settings.CLEE_MFA_REQUIRED = False
    client: Client = signed_in(world["alice"])
    response = client.post(path, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"
