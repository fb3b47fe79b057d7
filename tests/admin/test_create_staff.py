"""``manage.py create_staff``: the way an operator makes a POST staff account for the back office."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from clee.accounts.models import User
from clee.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a long staff passphrase"


def test_the_command_creates_a_post_staff_account_that_can_sign_in_to_the_back_office(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLEE_STAFF_PASSWORD", PASSWORD)
    out = StringIO()
    call_command("create_staff", "grace", "--email", "grace@post.example", stdout=out)
    assert "Created POST staff account grace" in out.getvalue()
    user = User.objects.get(username="grace")
    assert (user.role, user.is_staff, user.is_superuser) == ("post_staff", True, False)
    assert AuditEvent.objects.filter(action="account.staff_create", object_id=str(user.pk)).exists()
    client = Client()
    assert (
        client.post(
            "/admin/login/", {"username": "grace", "password": PASSWORD, "next": "/admin/"}
        ).status_code
        == 302
    )
    assert client.get("/admin/agencies/agency/add/").status_code == 200


def test_the_command_makes_a_directors_account_that_only_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEE_STAFF_PASSWORD", PASSWORD)
    call_command("create_staff", "henry", "--director", stdout=StringIO())
    client = Client()
    client.post("/admin/login/", {"username": "henry", "password": PASSWORD, "next": "/admin/"})
    assert client.get("/admin/agencies/agency/").status_code == 200
    assert client.get("/admin/agencies/agency/add/").status_code == 403


def test_a_weak_password_or_a_taken_username_is_refused(
    monkeypatch: pytest.MonkeyPatch, world: dict[str, Any]
) -> None:
    monkeypatch.setenv("CLEE_STAFF_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_staff", "ivan", stdout=StringIO())
    monkeypatch.setenv("CLEE_STAFF_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="the username Erin is taken"):
        call_command("create_staff", "Erin", stdout=StringIO())
    assert not User.objects.filter(username="ivan").exists()
