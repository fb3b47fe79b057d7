"""Officers' own accounts: self-service with license number, date of birth and the email on
file (a link sent there, the asker told nothing, limited); or an invitation from an agency or
POST staff, which sets up a password account where single sign-on is off. One person stays one
account and one officer record whichever agencies commission them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from clee.accounts.models import User
from clee.core.audit import events_for
from clee.core.models import AuditEvent
from clee.officers.models import Officer
from clee.sso.models import Invitation
from tests import factories
from tests.notices.conftest import SmtpServer
from tests.people.conftest import NEW_PASSWORD, as_user, link_to, text_of
from tests.sso.conftest import officer

pytestmark = pytest.mark.django_db

SIGN_UP = "/accounts/sign-up/"


@pytest.fixture
def ivy(world: Any) -> Officer:
    """An officer without an account, commissioned by agencies A and B (a part-time deputy)."""
    made = officer(
        "P4000001", "Ivy", "Irwin", email="ivy@riverton.example", agency=world["agency_a"], born="1990-05-06"
    )
    factories.commission(officer=made, agency=world["agency_b"], start=dt.date(2020, 3, 1))
    return made


def ask(client: Client | None = None, **fields: Any) -> Any:
    data = {
        "license_number": "p4000001",
        "date_of_birth": "1990-05-06",
        "email": "ivy@riverton.example",
        **fields,
    }
    return (client or Client()).post(SIGN_UP, data)


def set_up(path: str, username: str = "ivy.irwin", client: Client | None = None) -> Any:
    return (client or Client()).post(
        path, {"username": username, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


# Self-service -------------------------------------------------------------------------------------


def test_an_officer_signs_up_with_license_birth_date_and_the_email_on_file(
    ivy: Officer, smtp: SmtpServer
) -> None:
    response = ask()
    assert (response.status_code, response["Location"]) == (302, "/accounts/sign-up/sent/")
    text = text_of(smtp, "ivy@riverton.example")
    assert "license P4000001" in text
    path = link_to(smtp, "ivy@riverton.example")
    page = Client().get(path)
    assert page.status_code == 200
    assert "Ivy Irwin, license P4000001" in page.content.decode()
    client = Client()
    assert set_up(path, client=client).status_code == 302
    account = User.objects.get(username="ivy.irwin")
    assert (account.role, account.officer, account.email) == ("officer", ivy, "ivy@riverton.example")
    assert int(client.session[SESSION_KEY]) == account.pk
    assert client.get("/officer/").status_code == 200
    assert events_for(account).filter(action="account.create", data__method="signup").exists()
    used = Client().get(path)
    assert used.status_code == 410
    assert "This link has been used" in used.content.decode()


def test_the_asker_learns_nothing_and_a_stranger_gets_no_email(ivy: Officer, smtp: SmtpServer) -> None:
    wrong_birth = ask(date_of_birth="1990-05-07")
    wrong_email = ask(email="someone.else@example.test")
    unknown = ask(license_number="P9999999")
    assert {r["Location"] for r in (wrong_birth, wrong_email, unknown)} == {"/accounts/sign-up/sent/"}
    assert smtp.mailbox.messages == []
    outcomes = AuditEvent.objects.filter(action="people.signup_request").values_list(
        "data__outcome", flat=True
    )
    assert list(outcomes) == ["no match"] * 3


def test_an_officer_with_an_account_is_reminded_of_it_not_given_a_second(
    world: Any, smtp: SmtpServer
) -> None:
    ask(license_number="P1000001", date_of_birth="1988-04-02", email="alice@example.test")
    text = text_of(smtp, "alice@example.test")
    assert "You have one already: its username is alice" in text
    assert "/accounts/password/reset/" in text
    assert User.objects.filter(officer=world["officer"]).count() == 1


def test_a_link_expires(ivy: Officer, smtp: SmtpServer, settings: Any) -> None:
    settings.CLEE_SIGNUP_LINK_HOURS = 2
    ask()
    path = link_to(smtp, "ivy@riverton.example")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2, minutes=1)):
        page = Client().get(path)
        assert page.status_code == 410
        assert "This link has expired" in page.content.decode()
        assert set_up(path).status_code == 410
    assert not User.objects.filter(officer=ivy).exists()


def test_a_forged_link_is_refused(ivy: Officer) -> None:
    assert Client().get("/accounts/sign-up/eyJvIjoxfQ:forged:signature/").status_code == 410


def test_sign_ups_are_limited_per_license_number(ivy: Officer, smtp: SmtpServer, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    ask(date_of_birth="1970-01-01")
    ask(date_of_birth="1970-01-02")
    refused = ask()
    assert refused.status_code == 429
    assert "Too many requests for this license number" in refused.content.decode()
    assert smtp.mailbox.messages == []


def test_the_form_names_what_is_missing(world: Any) -> None:
    response = Client().post(SIGN_UP, {"date_of_birth": "2999-01-01"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter your POST license number." in page
    assert "Enter a date of birth in the past." in page
    assert "Enter your email address." in page


def test_the_new_account_follows_the_password_rules(ivy: Officer, smtp: SmtpServer) -> None:
    ask()
    path = link_to(smtp, "ivy@riverton.example")
    response = Client().post(
        path, {"username": "ivy.irwin", "password1": "ivy.irwin", "password2": "ivy.irwin"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(officer=ivy).exists()


# Invitations where single sign-on is off ----------------------------------------------------------


def test_an_agency_invitation_sets_up_a_password_account_where_single_sign_on_is_off(
    world: Any, ivy: Officer, smtp: SmtpServer
) -> None:
    bob = as_user(world["bob"])
    assert "an invitation lets the officer set up a CLEE account" in bob.get("/invitations/").content.decode()
    assert bob.post(f"/invitations/{ivy.pk}/send/").status_code == 302
    (message,) = smtp.mailbox.to("ivy@riverton.example")
    assert message["Subject"] == "Set up your CLEE account"
    assert "choose your username and password" in text_of(smtp, "ivy@riverton.example")
    path = link_to(smtp, "ivy@riverton.example")
    landing = Client().get(path)
    assert landing.status_code == 302
    assert landing["Location"].startswith("/accounts/officer-invitation/")
    client = Client()
    assert set_up(landing["Location"], client=client).status_code == 302
    account = User.objects.get(officer=ivy)
    assert account.check_password(NEW_PASSWORD)
    assert client.get("/officer/").status_code == 200
    invitation = Invitation.objects.get()
    assert (invitation.status(), invitation.used_by) == (Invitation.Status.USED, account)
    assert events_for(account).filter(action="account.create", data__method="invitation").exists()
    assert Client().get(landing["Location"]).status_code == 410


def test_one_person_across_several_employers_stays_one_account_and_one_record(
    world: Any, ivy: Officer, smtp: SmtpServer
) -> None:
    as_user(world["bob"]).post(f"/invitations/{ivy.pk}/send/")
    landing = Client().get(link_to(smtp, "ivy@riverton.example"))
    set_up(landing["Location"])
    # Her other agency cannot give her a second account, nor can she sign up for one.
    carol = as_user(world["carol"])
    refused = carol.post(f"/invitations/{ivy.pk}/send/", follow=True)
    assert "Ivy Irwin already has a CLEE account: one officer, one account." in refused.content.decode()
    ask(license_number="P4000001")
    assert "You have one already: its username is ivy.irwin" in text_of(smtp, "ivy@riverton.example")
    assert User.objects.filter(officer=ivy).count() == 1
    assert Officer.objects.filter(license_number="P4000001").count() == 1
    # Both agencies see the one account on their invitation pages.
    assert "Set up" in carol.get("/invitations/", {"q": "irwin"}).content.decode()


def test_an_invitation_for_an_officer_who_set_up_an_account_meanwhile_is_refused(
    world: Any, ivy: Officer, smtp: SmtpServer
) -> None:
    as_user(world["bob"]).post(f"/invitations/{ivy.pk}/send/")
    invitation_path = Client().get(link_to(smtp, "ivy@riverton.example"))["Location"]
    ask()
    set_up(link_to(smtp, "ivy@riverton.example"))
    response = set_up(invitation_path, username="ivy.second")
    assert response.status_code == 400
    assert "already has a CLEE account" in response.content.decode()
    assert User.objects.filter(officer=ivy).count() == 1
