"""The portal pages "API tokens": created (the secret shown once, only its hash kept), listed
by last use, revoked; each provider and agency sees and revokes only its own."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.test import Client

from clee.api.models import ApiToken
from clee.core.models import AuditEvent
from tests.api.conftest import Api, make_token
from tests.conftest import PASSWORD


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def create(client: Client, name: str) -> str:
    response = client.post("/api/tokens/", {"name": name})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    found = re.search(r'value="(clee_[a-z0-9]{8}_[A-Za-z0-9_-]{43})"', response.content.decode())
    assert found, "the new token is shown"
    return found.group(1)


def test_a_provider_creates_a_token_shown_once_and_stored_only_hashed(world: dict[str, Any]) -> None:
    client = signed_in(world["dave"])
    secret = create(client, "Academy records system")
    token = ApiToken.objects.get()
    assert (token.kind, token.provider, token.created_by, token.name) == (
        "provider",
        world["provider"],
        world["dave"],
        "Academy records system",
    )
    assert token.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix)
    assert secret not in str(list(ApiToken.objects.values()))
    page = client.get("/api/tokens/").content.decode()
    assert "Academy records system" in page
    assert token.prefix in page
    assert secret not in page
    assert AuditEvent.objects.filter(
        action="api.token_create", actor=world["dave"], object_id=str(token.pk)
    ).exists()
    assert Api(secret).get("/api/v1/courses/").status_code == 200


def test_the_list_shows_the_most_recently_used_token_first(world: dict[str, Any]) -> None:
    client = signed_in(world["bob"])
    create(client, "Never used")
    used = create(client, "Scheduling system")
    assert ApiToken.objects.get(name="Scheduling system").last_used_at is None
    Api(used).get("/api/v1/officers/")
    assert ApiToken.objects.get(name="Scheduling system").last_used_at is not None
    page = client.get("/api/tokens/").content.decode()
    assert page.index("Scheduling system") < page.index("Never used")


def test_an_administrator_revokes_a_token_and_it_stops_working_at_once(world: dict[str, Any]) -> None:
    client = signed_in(world["bob"])
    secret = create(client, "Old system")
    token = ApiToken.objects.get()
    response = client.post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert (token.revoked_by, token.revoked_at is not None) == (world["bob"], True)
    assert Api(secret).get("/api/v1/officers/").status_code == 401
    assert AuditEvent.objects.filter(action="api.token_revoke", actor=world["bob"]).count() == 1
    assert "Revoked" in client.get("/api/tokens/").content.decode()


def test_another_agencys_administrator_neither_sees_nor_revokes_the_token(world: dict[str, Any]) -> None:
    secret = make_token(world["bob"], "Agency A system")
    token = ApiToken.objects.get()
    carol = signed_in(world["carol"])
    assert "Agency A system" not in carol.get("/api/tokens/").content.decode()
    assert carol.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert carol.post("/api/tokens/987654/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Api(secret).get("/api/v1/officers/").status_code == 200


def test_a_provider_neither_sees_nor_revokes_an_agencys_token(world: dict[str, Any]) -> None:
    make_token(world["bob"], "Agency A system")
    token = ApiToken.objects.get()
    dave = signed_in(world["dave"])
    assert "Agency A system" not in dave.get("/api/tokens/").content.decode()
    assert dave.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404


@pytest.mark.parametrize("persona", ["alice", "erin", "frank"])
def test_officers_and_post_have_no_token_pages(world: dict[str, Any], persona: str) -> None:
    client = signed_in(world[persona])
    assert client.get("/api/tokens/").status_code == 404
    assert client.post("/api/tokens/", {"name": "x"}).status_code == 404
    assert not ApiToken.objects.exists()


def test_a_token_needs_a_name(world: dict[str, Any]) -> None:
    response = signed_in(world["dave"]).post("/api/tokens/", {"name": "   "})
    assert response.status_code == 200
    assert (
        "Name is required." in response.content.decode()
        or "give the token a name" in response.content.decode()
    )
    assert not ApiToken.objects.exists()


def test_the_menu_of_providers_and_agencies_links_the_token_page(world: dict[str, Any]) -> None:
    for persona in ("dave", "bob"):
        assert 'href="/api/tokens/"' in signed_in(world[persona]).get("/api/tokens/").content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(world: dict[str, Any]) -> None:
    response = Client().get("/api/tokens/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
