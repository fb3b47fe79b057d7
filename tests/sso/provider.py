"""Starting the test identity provider (tests/sso/oidc_provider.mjs: npm oidc-provider on
127.0.0.1) and signing in at it without a browser, through its own sign-in pages."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from tests.notices.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "clee-test"
CLIENT_SECRET = "a-test-client-secret-of-this-run-only-0123456789"
STARTUP_SECONDS = 15

# Synthetic people at the provider, by the login typed on its sign-in page.
ACCOUNTS: dict[str, dict[str, Any]] = {
    "alice.verified": {"email": "alice@example.test", "email_verified": True, "name": "Alice Avery"},
    "alice.unverified": {"email": "alice@example.test", "email_verified": False, "name": "Alice Avery"},
    "shared.verified": {"email": "shared@example.test", "email_verified": True, "name": "Shared Inbox"},
    "nobody.verified": {"email": "nobody@example.test", "email_verified": True, "name": "No Body"},
    "invited.person": {"email": "personal@example.test", "email_verified": True, "name": "Ivy Invitee"},
    "second.person": {"email": "second@example.test", "email_verified": True, "name": "Sam Second"},
}


@dataclass
class IdentityProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def settings(self) -> dict[str, Any]:
        """The Django settings that point CLEE at this provider (by discovery)."""
        return {
            "CLEE_OIDC_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
        }


@contextmanager
def running_provider(
    *, redirect_uris: list[str], post_logout_redirect_uris: list[str]
) -> Iterator[IdentityProvider]:
    """Start the provider on a free port, wait for its discovery document, stop it after."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").exists():
        if os.environ.get("CI"):
            pytest.fail("node and node_modules/oidc-provider are needed (npm ci)")
        pytest.skip("node or node_modules/oidc-provider is missing (npm ci)")
    port = free_port()
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT": json.dumps(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "post_logout_redirect_uris": post_logout_redirect_uris,
            }
        ),
        "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
        "NODE_NO_WARNINGS": "1",
    }
    process = subprocess.Popen(
        [node, str(SCRIPT)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"the test provider exited: {output}")
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the test provider did not start")
            time.sleep(0.1)
        yield IdentityProvider(issuer=issuer)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.IGNORECASE)


def sign_in_at_provider(authorization_url: str, login: str, *, stop_at: str) -> str:
    """Go through the provider's own sign-in and consent pages as ``login`` (with an HTTP
    client, as a browser would) and return the address it sends back to (starting with
    ``stop_at``), with the code and state."""
    browser = requests.Session()
    url = authorization_url
    for _ in range(20):
        response = browser.get(url, allow_redirects=False, timeout=10)
        while response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(stop_at):
                return url
            response = browser.get(url, allow_redirects=False, timeout=10)
        match = _FORM.search(response.text)
        assert match, f"no form on the provider's page: {response.text[:500]}"
        action = urljoin(url, match.group(1))
        if 'name="login"' in response.text:
            data = {"prompt": "login", "login": login, "password": "any password"}
        else:
            data = {"prompt": "consent"}
        response = browser.post(action, data=data, allow_redirects=False, timeout=10)
        assert response.is_redirect, f"the provider refused: {response.status_code} {response.text[:500]}"
        url = urljoin(action, response.headers["Location"])
        if url.startswith(stop_at):
            return url
    raise AssertionError("the provider never sent the browser back")
