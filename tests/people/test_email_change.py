"""Changing one's email address: confirmed from a link sent to the new address, opened signed in
as the same account; the old address is told; the link works once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from clee.core.audit import events_for
from tests.conftest import PASSWORD
from tests.notices.conftest import SmtpServer
from tests.people.conftest import as_user, link_to, text_of

pytestmark = pytest.mark.django_db

CHANGE = "/account/email/"


def request_change(client: Client, email: str = "bob.new@riverton.example", password: str = PASSWORD) -> Any:
    return client.post(CHANGE, {"email": email, "password": password})


def test_the_new_address_confirms_the_change_and_the_old_one_is_told(
    emails: Any, smtp: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    bob = as_user(emails["bob"])
    response = request_change(bob)
    assert response.status_code == 302
    assert "We sent a link to bob.new@riverton.example" in bob.get(CHANGE).content.decode()
    emails["bob"].refresh_from_db()
    assert emails["bob"].email == "bob@example.test"  # not yet
    path = link_to(smtp, "bob.new@riverton.example")
    page = bob.get(path).content.decode()
    assert "to <strong>bob.new@riverton.example</strong>?" in page
    emails["bob"].refresh_from_db()
    assert emails["bob"].email == "bob@example.test"  # opening the link alone changes nothing
    with django_capture_on_commit_callbacks(execute=True):  # the old address is told once it is done
        assert bob.post(path).status_code == 302
    emails["bob"].refresh_from_db()
    assert emails["bob"].email == "bob.new@riverton.example"
    assert "was changed to bob.new@riverton.example" in text_of(smtp, "bob@example.test")
    assert events_for(emails["bob"]).filter(action="account.email_change_request").exists()
    event = events_for(emails["bob"]).get(action="account.email_change")
    assert event.data == {"old": "bob@example.test", "new": "bob.new@riverton.example"}
    again = bob.post(path)
    assert again.status_code == 410
    assert "has been used" in again.content.decode()


def test_the_password_is_asked_and_wrong_tries_count_toward_the_lockout(
    emails: Any, smtp: SmtpServer
) -> None:
    from axes.models import AccessAttempt

    bob = as_user(emails["bob"])
    response = request_change(bob, password="not my password")
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert AccessAttempt.objects.filter(username="bob").exists()
    assert smtp.mailbox.messages == []


def test_another_account_cannot_use_the_link(emails: Any, smtp: SmtpServer) -> None:
    request_change(as_user(emails["bob"]))
    path = link_to(smtp, "bob.new@riverton.example")
    carol = as_user(emails["carol"])
    response = carol.post(path)
    assert response.status_code == 410
    assert "for another account" in response.content.decode()
    emails["bob"].refresh_from_db()
    assert emails["bob"].email == "bob@example.test"
    assert Client().get(path)["Location"].startswith("/accounts/login/")


def test_the_link_expires(emails: Any, smtp: SmtpServer, settings: Any) -> None:
    settings.CLEE_EMAIL_CHANGE_HOURS = 1
    request_change(as_user(emails["bob"]))
    path = link_to(smtp, "bob.new@riverton.example")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        response = as_user(emails["bob"]).post(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_the_same_address_or_a_bad_one_is_refused(emails: Any, smtp: SmtpServer) -> None:
    bob = as_user(emails["bob"])
    same = request_change(bob, email="BOB@example.test")
    assert "That is the address your account has now." in same.content.decode()
    bad = request_change(bob, email="nope")
    assert bad.status_code == 400
    assert smtp.mailbox.messages == []


def test_a_single_sign_on_officer_changes_it_without_a_password(emails: Any, smtp: SmtpServer) -> None:
    alice = emails["alice"]
    client = as_user(alice)
    alice.set_unusable_password()
    alice.save(update_fields=["password"])
    client.force_login(alice)
    assert 'name="password"' not in client.get(CHANGE).content.decode()
    assert client.post(CHANGE, {"email": "alice.avery@example.test"}).status_code == 302
    assert client.post(link_to(smtp, "alice.avery@example.test")).status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice.avery@example.test"
