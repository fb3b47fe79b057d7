"""Each portal is for its role only: anyone else gets the same 404 as for a page that does not
exist, and a visitor who is not signed in is sent to sign in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PERSONAS = ("alice", "bob", "carol", "dave", "erin", "frank")
PORTALS = {
    "/officer/": {"alice"},
    "/agency/": {"bob", "carol"},
    "/provider/": {"dave"},
    "/staff/": {"erin"},
    "/director/": {"frank"},
}


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize("url", list(PORTALS))
def test_each_portal_answers_its_role_and_hides_from_the_others(world: dict[str, Any], url: str) -> None:
    for username in PERSONAS:
        status = client_of(username).get(url).status_code
        assert status == (200 if username in PORTALS[url] else 404), (username, url)


@pytest.mark.parametrize("url", list(PORTALS))
def test_a_visitor_not_signed_in_is_sent_to_sign_in(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_home_sends_each_role_to_its_portal(world: dict[str, Any]) -> None:
    for username in PERSONAS:
        location = client_of(username).get("/")["Location"]
        assert username in next(users for url, users in PORTALS.items() if url == location)
