"""The back office lists every provider's and agency's API tokens and revokes a leaked one (POST
staff; the Director only reads), and shows single sign-on links and invitations, with no secret
hash on any page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clee.api.models import ApiToken
from clee.core.audit import events_for
from clee.sso.models import Invitation
from tests.api.conftest import Api, make_token

pytestmark = pytest.mark.django_db

TOKENS = "/admin/api/apitoken/"


def test_staff_see_every_token_without_its_hash_and_revoke_one(
    staff_client: Client, world: dict[str, Any], erin: Any
) -> None:
    secret = make_token(world["dave"], "Learning system")
    make_token(world["bob"], "Records system")
    token = ApiToken.objects.get(name="Learning system")
    page = staff_client.get(TOKENS).content.decode()
    assert "Learning system" in page
    assert "Records system" in page
    detail = staff_client.get(f"{TOKENS}{token.pk}/change/").content.decode()
    assert token.secret_sha256 not in detail
    assert Api(secret).get("/api/v1/courses/").status_code == 200

    response = staff_client.post(
        TOKENS, {"action": "revoke", "_selected_action": [str(token.pk)]}, follow=True
    )
    assert "1 token revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_by == erin
    assert events_for(token).get(action="api.token_revoke").actor == erin
    assert Api(secret).get("/api/v1/courses/").status_code == 401
    # The other token still works.
    assert ApiToken.objects.get(name="Records system").revoked_at is None


def test_the_director_reads_the_tokens_but_is_not_offered_the_revoke_action(
    director_client: Client, world: dict[str, Any]
) -> None:
    make_token(world["dave"], "Learning system")
    page = director_client.get(TOKENS).content.decode()
    assert "Learning system" in page
    assert "Revoke the selected tokens" not in page
    token = ApiToken.objects.get()
    director_client.post(TOKENS, {"action": "revoke", "_selected_action": [str(token.pk)]})
    token.refresh_from_db()
    assert token.revoked_at is None


def test_sso_links_and_invitations_are_listed_for_staff(
    staff_client: Client, world: dict[str, Any], erin: Any
) -> None:
    Invitation.objects.create(
        officer=world["officer"],
        email="alice@example.test",
        token_hash="0" * 64,
        sent_by=erin,
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    assert staff_client.get("/admin/sso/identity/").status_code == 200
    page = staff_client.get("/admin/sso/invitation/").content.decode()
    assert "alice@example.test" in page
    assert "Expired" in page
    assert "0" * 64 not in page
    assert staff_client.get("/admin/api/rostersubmission/").status_code == 200


def test_other_roles_do_not_reach_these_pages(world: dict[str, Any]) -> None:
    for username in ("alice", "bob", "dave"):
        client = Client()
        client.force_login(world[username])
        assert client.get(TOKENS).status_code == 302, username  # to the back office's sign-in
