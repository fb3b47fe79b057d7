"""Password reset by email, for every role: Django's flow through a real SMTP server; the page
reads the same whether or not an account has the address; links expire and die once used; the
requests are limited per address and per client, as sign-in is; each step is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from clee.accounts.models import User
from clee.core.audit import events_for
from clee.core.models import AuditEvent
from tests.notices.conftest import SmtpServer
from tests.people.conftest import NEW_PASSWORD, as_user, link_to, text_of

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


def ask(client: Client, email: str, **extra: Any) -> Any:
    return client.post(RESET, {"email": email}, **extra)


def choose(client: Client, path: str, password: str = NEW_PASSWORD) -> Any:
    """Open the link (which moves its token into the session) and set the password."""
    opened = client.get(path)
    assert opened.status_code == 302, opened.status_code
    return client.post(opened["Location"], {"new_password1": password, "new_password2": password})


@pytest.mark.parametrize("persona", ["alice", "bob", "dave", "erin", "frank"])
def test_every_role_resets_a_forgotten_password_by_email(emails: Any, smtp: SmtpServer, persona: str) -> None:
    address = f"{persona}@example.test"
    response = ask(Client(), address)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    text = text_of(smtp, address)
    assert f"your CLEE account {persona}" in text
    assert "works once, for 60 minutes" in text
    client = Client()
    done = choose(client, link_to(smtp, address))
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/done/"
    assert Client().login(username=persona, password=NEW_PASSWORD)
    user = User.objects.get(username=persona)
    assert events_for(user).filter(action="account.password_reset_request", actor=None).exists()
    assert events_for(user).filter(action="account.password_reset", actor=user).exists()


def test_the_page_reads_the_same_whether_or_not_an_account_has_the_address(
    emails: Any, smtp: SmtpServer
) -> None:
    known = Client()
    unknown = Client()
    first = ask(known, "bob@example.test")
    second = ask(unknown, "nobody@example.test")
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    known_page = known.get(first["Location"]).content.decode().replace("bob@example.test", "ADDRESS")
    unknown_page = unknown.get(second["Location"]).content.decode().replace("nobody@example.test", "ADDRESS")
    strip = lambda page: page.split("<main", 1)[1].split("</main>", 1)[0]  # noqa: E731 (the page's own part)
    assert strip(known_page) == strip(unknown_page)
    assert smtp.mailbox.to("nobody@example.test") == []
    assert len(smtp.mailbox.to("bob@example.test")) == 1
    request = AuditEvent.objects.filter(action="people.password_reset_request").order_by("id")
    assert [event.data["accounts"] for event in request] == [[emails["bob"].pk], []]


def test_a_link_dies_once_used_and_ends_the_other_sessions(emails: Any, smtp: SmtpServer) -> None:
    other_session = as_user(emails["bob"])
    ask(Client(), "bob@example.test")
    path = link_to(smtp, "bob@example.test")
    assert choose(Client(), path).status_code == 302
    again = Client().get(path, follow=True)
    assert "This link cannot be used" in again.content.decode()
    assert other_session.get("/agency/").status_code == 302  # signed out: the password changed


def test_a_link_expires(emails: Any, smtp: SmtpServer, settings: Any) -> None:
    settings.PASSWORD_RESET_TIMEOUT = 30 * 60
    ask(Client(), "bob@example.test")
    path = link_to(smtp, "bob@example.test")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        page = Client().get(path, follow=True).content.decode()
    assert "This link cannot be used" in page
    assert "links work for 30 minutes" in page
    assert not Client().login(username="bob", password=NEW_PASSWORD)


def test_the_new_password_follows_the_rules(emails: Any, smtp: SmtpServer) -> None:
    ask(Client(), "bob@example.test")
    client = Client()
    response = choose(client, link_to(smtp, "bob@example.test"), password="password")
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    emails["bob"].refresh_from_db()
    assert not emails["bob"].check_password("password")


def test_deactivated_accounts_and_accounts_without_a_password_get_no_link(
    emails: Any, smtp: SmtpServer
) -> None:
    emails["carol"].is_active = False
    emails["carol"].save(update_fields=["is_active"])
    emails["alice"].set_unusable_password()  # signs in only through single sign-on
    emails["alice"].save(update_fields=["password"])
    assert ask(Client(), "carol@example.test").status_code == 302
    assert ask(Client(), "alice@example.test").status_code == 302
    assert smtp.mailbox.messages == []


def test_a_deactivated_accounts_earlier_link_no_longer_works(emails: Any, smtp: SmtpServer) -> None:
    ask(Client(), "bob@example.test")
    emails["bob"].is_active = False
    emails["bob"].save(update_fields=["is_active"])
    page = Client().get(link_to(smtp, "bob@example.test"), follow=True).content.decode()
    assert "This link cannot be used" in page


def test_requests_for_one_address_are_limited_as_sign_ins_are(
    emails: Any, smtp: SmtpServer, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        assert ask(Client(), "bob@example.test").status_code == 302
    refused = ask(Client(), "BOB@example.test")
    assert refused.status_code == 429
    assert "Too many requests for this email address in the last 15 minutes" in refused.content.decode()
    # An unknown address is limited the same way: the limit tells nothing about accounts.
    for _ in range(3):
        ask(Client(), "nobody@example.test")
    assert ask(Client(), "nobody@example.test").status_code == 429
    assert len(smtp.mailbox.to("bob@example.test")) == 3
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert ask(Client(), "bob@example.test").status_code == 302


def test_requests_from_one_client_are_limited(emails: Any, smtp: SmtpServer, settings: Any) -> None:
    settings.CLEE_LINK_REQUESTS_PER_CLIENT_HOUR = 4
    for number in range(4):
        assert ask(Client(), f"person{number}@example.test", REMOTE_ADDR="203.0.113.9").status_code == 302
    refused = ask(Client(), "bob@example.test", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    assert "Too many requests from your network" in refused.content.decode()
    assert ask(Client(), "bob@example.test", REMOTE_ADDR="198.51.100.4").status_code == 302


def test_a_bad_address_is_named(world: Any) -> None:
    response = ask(Client(), "not an address")
    assert response.status_code == 400
    assert "Enter an email address." in response.content.decode()


def test_the_sign_in_page_links_to_the_reset(world: Any) -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in page
    assert 'href="/accounts/sign-up/"' in page
