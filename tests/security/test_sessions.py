"""Sessions end after 30 minutes without a request and 12 hours after signing in, with a
message on the sign-in page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice_client(world: dict[str, Any], clock: Any) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 302
    return client


def test_a_session_idle_for_more_than_thirty_minutes_ends(alice_client: Client, clock: Any) -> None:
    clock.shift(dt.timedelta(minutes=29))
    assert alice_client.get("/officer/").status_code == 200
    clock.shift(dt.timedelta(minutes=30, seconds=1))
    response = alice_client.get("/officer/transcript/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fofficer%2Ftranscript%2F"
    page = alice_client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity" in page
    assert alice_client.get("/officer/")["Location"].startswith("/accounts/login/"), "signed out for good"


def test_activity_keeps_a_session_but_never_past_twelve_hours(alice_client: Client, clock: Any) -> None:
    for _ in range(11 * 60 // 20 + 2):  # a request every 20 minutes up to 11 h 40
        clock.shift(dt.timedelta(minutes=20))
        assert alice_client.get("/officer/").status_code == 200
    clock.shift(dt.timedelta(minutes=20, seconds=1))  # 12 h and a second after signing in
    response = alice_client.get("/officer/")
    assert response["Location"] == "/accounts/login/?next=%2Fofficer%2F"
    assert "a session lasts at most 12 hours" in alice_client.get(response["Location"]).content.decode()


def test_the_limits_come_from_the_settings(alice_client: Client, clock: Any, settings: Any) -> None:
    settings.CLEE_SESSION_IDLE_MINUTES = 5
    clock.shift(dt.timedelta(minutes=6))
    assert alice_client.get("/officer/").status_code == 302


def test_an_expired_htmx_request_loads_the_sign_in_page(alice_client: Client, clock: Any) -> None:
    clock.shift(dt.timedelta(hours=1))
    response = alice_client.get("/officer/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_a_fresh_sign_in_starts_new_clocks(alice_client: Client, clock: Any) -> None:
    clock.shift(dt.timedelta(hours=13))
    assert alice_client.get("/officer/").status_code == 302
    assert (
        alice_client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 302
    )
    assert alice_client.get("/officer/").status_code == 200


def test_the_health_check_reads_no_session(
    alice_client: Client, clock: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        assert alice_client.get("/health/").status_code == 200
