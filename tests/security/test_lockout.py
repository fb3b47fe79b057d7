"""Lockout (django-axes): 5 failed sign-ins of a username within 15 minutes lock it for 15
minutes, whatever the address or browser; the page says when to try again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from clee.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def attempt(username: str, password: str, *, address: str = "10.0.0.1", browser: str = "Firefox") -> Any:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=browser).post(
        LOGIN, {"username": username, "password": password}
    )


def test_the_fifth_failure_locks_the_username_and_the_page_says_until_when(
    world: dict[str, Any], clock: Any, settings: Any
) -> None:
    settings.CLEE_MFA_REQUIRED = False
    for number in range(4):
        # from other addresses and browsers: the username counts, not where the tries come from
        response = attempt("erin", "wrong password", address=f"10.0.0.{number + 1}", browser=f"B{number}")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
        clock.shift(dt.timedelta(minutes=2))
    locked = attempt("erin", "still wrong", address="192.0.2.7")
    assert locked.status_code == 429
    page = locked.content.decode()
    unlock = timezone.localtime(dt.datetime(2026, 3, 2, 15, 23, tzinfo=dt.UTC))
    assert "Sign-in locked" in page
    assert f'<strong id="unlock-at">{unlock:%-I:%M} {"AM" if unlock.hour < 12 else "PM"}</strong>' in page
    assert "<strong>erin</strong>" in page

    clock.shift(dt.timedelta(minutes=14, seconds=59))
    refused = attempt("erin", PASSWORD)
    assert refused.status_code == 429, "the right password is refused during the lockout"
    assert attempt("bob", PASSWORD).status_code == 302, "other accounts are not locked"

    clock.shift(dt.timedelta(seconds=2))
    client = Client()
    assert client.post(LOGIN, {"username": "erin", "password": PASSWORD}).status_code == 302
    assert client.get("/staff/").status_code == 200


def test_a_locked_out_user_cannot_sign_in_to_the_back_office_either(
    world: dict[str, Any], clock: Any
) -> None:
    for _ in range(5):
        attempt("erin", "wrong password")
    response = Client().post("/admin/login/", {"username": "erin", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 429


def test_failures_further_apart_than_fifteen_minutes_do_not_lock(world: dict[str, Any], clock: Any) -> None:
    for _ in range(4):
        attempt("alice", "wrong password")
    clock.shift(dt.timedelta(minutes=16))
    for _ in range(4):
        assert attempt("alice", "wrong password").status_code == 200
    assert attempt("alice", PASSWORD).status_code == 302


def test_a_successful_sign_in_does_not_erase_the_failures_before_it(
    world: dict[str, Any], clock: Any
) -> None:
    for _ in range(4):
        attempt("alice", "wrong password")
    assert attempt("alice", PASSWORD).status_code == 302
    # The four failures still count: a fifth within the window locks the username.
    assert attempt("alice", "wrong password").status_code == 429
    assert attempt("alice", PASSWORD).status_code == 429
    failures = AuditEvent.objects.filter(action="auth.sign_in_failed", data__username="alice")
    assert failures.count() == 6  # five wrong passwords, one refused because locked


def test_tries_during_the_lockout_do_not_extend_it(world: dict[str, Any], clock: Any) -> None:
    for _ in range(5):
        attempt("alice", "wrong password")
    for _ in range(3):
        clock.shift(dt.timedelta(minutes=4))
        assert attempt("alice", "wrong password").status_code == 429
    clock.shift(dt.timedelta(minutes=3, seconds=1))
    assert attempt("alice", PASSWORD).status_code == 302


def test_the_test_clients_login_without_a_request_still_checks_the_password(world: dict[str, Any]) -> None:
    client = Client()
    assert client.login(username="alice", password=PASSWORD)
    assert not Client().login(username="alice", password="wrong password")
