"""Limits per provider or agency (security review, issue 13): the API's rate is counted per
token and also per organisation (all its tokens together), and an organisation holds at most
``CLEE_API_TOKENS_PER_ORG`` live tokens, so more tokens never mean more requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from clee.api.models import ApiToken
from clee.core.models import AuditEvent
from tests.api.conftest import Api, error_of, make_token
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_organisations_tokens_share_its_rate(world: dict[str, Any], settings: Any) -> None:
    settings.CLEE_API_RATE = "100/minute"
    settings.CLEE_API_ORG_RATE = "4/minute"
    first, second, third = (Api(make_token(world["dave"], name=f"System {n}")) for n in range(3))
    other = Api(make_token(world["bob"]))
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC), tick=False) as clock:
        codes = [api.get("/api/v1/courses/").status_code for api in (first, second, third, first)]
        assert codes == [200, 200, 200, 200]
        refused = second.get("/api/v1/courses/")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "45"
        assert error_of(refused)["code"] == "throttled"
        assert other.get("/api/v1/officers/").status_code == 200, "another organisation's rate is its own"
        clock.shift(dt.timedelta(seconds=46))
        assert third.get("/api/v1/courses/").status_code == 200


def test_an_organisation_holds_at_most_so_many_live_tokens(world: dict[str, Any], settings: Any) -> None:
    settings.CLEE_API_TOKENS_PER_ORG = 3
    client = Client()
    assert client.login(username="bob", password=PASSWORD)
    for number in range(3):
        assert client.post("/api/tokens/", {"name": f"System {number}"}).status_code == 200
    refused = client.post("/api/tokens/", {"name": "One too many"})
    assert "already has 3 live API tokens, the most it may hold: revoke one" in refused.content.decode()
    assert ApiToken.objects.filter(agency=world["agency_a"]).count() == 3
    # A colleague's tokens count too; revoking one makes room.
    token = ApiToken.objects.filter(agency=world["agency_a"]).first()
    assert token is not None
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    assert client.post("/api/tokens/", {"name": "Replacement"}).status_code == 200
    assert ApiToken.objects.filter(agency=world["agency_a"], revoked_at__isnull=True).count() == 3
    assert AuditEvent.objects.filter(action="api.token_create").count() == 4
    # Another organisation is not limited by this one's tokens.
    assert Api(make_token(world["dave"])).get("/api/v1/courses/").status_code == 200
