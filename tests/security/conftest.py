"""Account security tests: MFA enforcement on (the suite turns it off elsewhere), and helpers
that compute real TOTP codes from a secret as an authenticator app would."""

from __future__ import annotations

import re
import time
from base64 import b32decode
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import TOTP

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def mfa_enforced(settings: Any) -> None:
    settings.CLEE_MFA_REQUIRED = True


def code_for(secret_b32: str, *, at: float | None = None) -> str:
    """The 6-digit code an authenticator app holding this (base32) secret shows at ``at``."""
    generator = TOTP(b32decode(secret_b32.replace(" ", "")), step=30, t0=0, digits=6, drift=0)
    generator.time = time.time() if at is None else at
    return f"{generator.token():06d}"


def next_code(secret_b32: str) -> str:
    """The code of the next 30-second step: accepted (one step of tolerance) even right after
    the current step's code was used, which a replay check refuses."""
    return code_for(secret_b32, at=time.time() + 30)


def secret_on(page_html: str) -> str:
    found = re.search(r'id="totp-secret" data-secret="([A-Z2-7=]+)"', page_html)
    assert found, "the enrolment page shows no secret"
    return found.group(1)


def signed_in(user: Any) -> Client:
    """A fresh client signed in with the password through the sign-in form."""
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, f"{user.username} could not sign in"
    return client


def enrol(client: Client) -> str:
    """Set up an authenticator app from the enrolment page; returns its secret."""
    page = client.get("/account/security/authenticator/")
    assert page.status_code == 200
    secret = secret_on(page.content.decode())
    response = client.post("/account/security/authenticator/", {"code": code_for(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret
