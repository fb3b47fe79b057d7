"""Security headers (security review, issue 13): a strict Content-Security-Policy on every page
(no inline script or style without the request's nonce, no eval), ``Cache-Control: no-store`` on
what a signed-in person or an API caller is shown, and HSTS from the application in production
(settable). tests/browser checks that no page of the flows breaks the policy in Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import Api, make_token
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = {
    None: ["/accounts/login/", "/verify/", "/api/docs/"],
    "alice": ["/officer/", "/officer/transcript/", "/account/security/", "/account/password/"],
    "bob": ["/agency/", "/agency/overview/", "/agency/training/", "/api/tokens/", "/invitations/"],
    "dave": ["/provider/", "/provider/rosters/"],
    "erin": ["/staff/", "/state/compliance/", "/admin/", "/admin/core/auditevent/"],
    "frank": ["/director/"],
}


@pytest.fixture(autouse=True)
def mfa_off(settings: Any) -> None:
    settings.CLEE_MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def erin_in_the_back_office(world: dict[str, Any]) -> None:
    world["erin"].is_staff = True
    world["erin"].save(update_fields=["is_staff"])


def client_for(username: str | None) -> Client:
    client = Client()
    if username:
        assert (
            client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
        )
    return client


def directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def every_page() -> list[tuple[str | None, str]]:
    return [(user, path) for user, paths in PAGES.items() for path in paths]


@pytest.mark.parametrize(("username", "path"), every_page())
def test_every_page_has_a_strict_policy_and_no_inline_script_or_style(
    world: dict[str, Any], username: str | None, path: str
) -> None:
    response = client_for(username).get(path)
    assert response.status_code == 200, path
    policy = directives(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"][0] == "'self'"
    assert policy["script-src"][1].startswith("'nonce-")
    assert policy["style-src"][0] == "'self'"
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    page = response.content.decode()
    nonce = policy["script-src"][1].removeprefix("'nonce-").removesuffix("'")
    for script in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in script or f'nonce="{nonce}"' in script or 'type="application/json"' in script, script
    assert not re.search(r"<style\b(?![^>]*nonce=)", page), "a style element without the nonce"
    assert not re.search(r"\sstyle=\"", page), "a style attribute (the policy refuses it)"
    assert not re.search(r"\son[a-z]+=\"", page), "an inline event handler"


def test_each_response_has_its_own_nonce(world: dict[str, Any]) -> None:
    client = Client()
    first, second = (directives(client.get("/accounts/login/"))["script-src"][1] for _ in range(2))
    assert first != second


def test_signed_in_pages_and_api_answers_are_never_stored(world: dict[str, Any]) -> None:
    assert client_for("alice").get("/officer/")["Cache-Control"] == "no-store"
    assert client_for("erin").get("/admin/")["Cache-Control"] == "no-store"
    api = Api(make_token(world["bob"]))
    assert api.get("/api/v1/officers/")["Cache-Control"] == "no-store"
    assert api.get("/api/v1/nothing-here/")["Cache-Control"] == "no-store"
    assert "no-store" not in Client().get("/health/").get("Cache-Control", "")


def test_a_document_keeps_its_own_sandboxing_policy(world: dict[str, Any]) -> None:
    from django.core.files.base import ContentFile

    from clee.core.models import Document

    document = Document(original_name="x.pdf", content_type="application/pdf", size=4, sha256="0" * 64)
    document.file.save("x.pdf", ContentFile(b"%PDF"), save=True)
    response = client_for("erin").get(f"/documents/{document.pk}/?inline=1")
    assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_signing_out_may_lead_to_the_identity_provider(world: dict[str, Any], settings: Any) -> None:
    settings.CLEE_OIDC_ISSUER = "https://login.example.gov/realms/mo"
    settings.CLEE_OIDC_END_SESSION_ENDPOINT = "https://logout.example.gov/end"
    policy = directives(Client().get("/accounts/login/"))
    assert policy["form-action"] == ["'self'", "https://login.example.gov", "https://logout.example.gov"]


def test_hsts_is_sent_over_https_when_set(world: dict[str, Any], settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = Client().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in Client().get("/accounts/login/")


def production(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLEE_") and k != "DATABASE_URL"}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "settings.SECURE_HSTS_PRELOAD)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "clee.config.settings",
            "CLEE_ENV": "production",
            "CLEE_SECRET_KEY": "k" * 50,
            "DATABASE_URL": "postgres://u@127.0.0.1/x",
            **env,
        },
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_production_sends_hsts_for_a_year_by_default_and_it_is_settable(world: dict[str, Any]) -> None:
    assert production() == "31536000 True False"
    assert production(CLEE_HSTS_SECONDS="600", CLEE_HSTS_INCLUDE_SUBDOMAINS="false") == "600 False False"
