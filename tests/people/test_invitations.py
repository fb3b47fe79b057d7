"""Invitations: POST staff onboard an agency's first administrator and a provider's staff; an
administrator invites colleagues of their own agency only. The email goes through a real SMTP
server, the link works once and expires, only its hash is stored, and each step is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from clee.accounts.models import User
from clee.core.models import AuditEvent
from clee.people.models import AccountInvitation
from clee.people.services import invitation_send
from tests.notices.conftest import SmtpServer
from tests.people.conftest import NEW_PASSWORD, as_user, link_to, text_of

pytestmark = pytest.mark.django_db

INVITE = "/people/invite/"


def invite(client: Client, **fields: Any) -> Any:
    data = {"first_name": "Jo", "last_name": "Reyes", "email": "jo.reyes@riverton.example", **fields}
    return client.post(INVITE, {key: value for key, value in data.items() if value is not None})


def accept(client: Client, path: str, **fields: Any) -> Any:
    data = {
        "first_name": "Jo",
        "last_name": "Reyes",
        "username": "jo.reyes",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **fields,
    }
    return client.post(path, data)


# POST staff onboard agencies and providers -----------------------------------------------------


def test_post_staff_invite_an_agencys_first_administrator_by_email(world: Any, smtp: SmtpServer) -> None:
    staff = as_user(world["erin"])
    response = invite(staff, role="agency_admin", agency=world["agency_b"].pk)
    assert response.status_code == 302, response.content.decode()[:3000]
    invitation = AccountInvitation.objects.get()
    assert (invitation.role, invitation.agency, invitation.sent_by) == (
        "agency_admin",
        world["agency_b"],
        world["erin"],
    )
    (message,) = smtp.mailbox.to("jo.reyes@riverton.example")
    assert message["Subject"] == "You are invited to CLEE"
    text = text_of(smtp, "jo.reyes@riverton.example")
    assert "as agency administrator of Hollis County Sheriff's Office" in text
    assert "second sign-in step" not in text  # not required on this site (CLEE_MFA_REQUIRED off)
    path = link_to(smtp, "jo.reyes@riverton.example")
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in AccountInvitation.objects.values_list().get())
    event = AuditEvent.objects.get(action="people.invitation_send")
    assert (event.actor, event.object_id) == (world["erin"], str(invitation.pk))
    page = staff.get(response["Location"]).content.decode()
    assert "Invitation sent to Jo Reyes at jo.reyes@riverton.example" in page
    assert "Invitations not yet accepted" in page


def test_the_invitee_sets_up_the_account_once_and_is_signed_in(world: Any, smtp: SmtpServer) -> None:
    invite(as_user(world["erin"]), role="agency_admin", agency=world["agency_b"].pk)
    path = link_to(smtp, "jo.reyes@riverton.example")
    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]
    assert 'value="jo.reyes"' in page.content.decode()  # the suggested username
    response = accept(visitor, path)
    assert response.status_code == 302, response.content.decode()[:3000]
    account = User.objects.get(username="jo.reyes")
    assert (account.role, account.agency, account.email, account.is_staff) == (
        "agency_admin",
        world["agency_b"],
        "jo.reyes@riverton.example",
        False,
    )
    assert account.check_password(NEW_PASSWORD)
    assert int(visitor.session[SESSION_KEY]) == account.pk
    assert visitor.get("/agency/").status_code == 200
    invitation = AccountInvitation.objects.get()
    assert (invitation.status(), invitation.account) == (AccountInvitation.Status.USED, account)
    assert AuditEvent.objects.filter(
        action="account.create", object_id=str(account.pk), actor=account
    ).exists()
    assert AuditEvent.objects.filter(action="people.invitation_accept").count() == 1
    again = Client().get(path)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert accept(Client(), path, username="someone.else").status_code == 410
    assert User.objects.filter(email="jo.reyes@riverton.example").count() == 1


def test_the_invitee_must_choose_a_password_the_rules_accept(world: Any, smtp: SmtpServer) -> None:
    invite(as_user(world["erin"]), role="provider", provider=world["provider"].pk)
    path = link_to(smtp, "jo.reyes@riverton.example")
    short = accept(Client(), path, password1="short words", password2="short words")
    assert short.status_code == 400
    assert "at least 15 characters" in short.content.decode()
    differ = accept(Client(), path, password2="another long passphrase here")
    assert "The two passwords differ" in differ.content.decode()
    taken = accept(Client(), path, username="bob")
    assert "The username bob is taken" in taken.content.decode()
    assert not User.objects.filter(email="jo.reyes@riverton.example").exists()
    assert accept(Client(), path).status_code == 302
    assert User.objects.get(username="jo.reyes").provider == world["provider"]


def test_a_post_staff_invitation_makes_a_back_office_account(world: Any, smtp: SmtpServer) -> None:
    invite(as_user(world["erin"]), role="post_staff", email="new.analyst@post.example")
    accept(Client(), link_to(smtp, "new.analyst@post.example"), username="new.analyst")
    account = User.objects.get(username="new.analyst")
    assert (account.role, account.is_staff, account.agency, account.provider) == (
        "post_staff",
        True,
        None,
        None,
    )


def test_an_invitee_of_a_role_that_needs_mfa_sets_it_up_first(
    world: Any, smtp: SmtpServer, settings: Any
) -> None:
    settings.CLEE_MFA_REQUIRED = True
    invitation_send(
        role="agency_admin",
        agency=world["agency_a"],
        email="jo.reyes@riverton.example",
        first_name="Jo",
        last_name="Reyes",
        acting_user=world["erin"],
        site_url="http://testserver/",
    )
    assert "Right after, you set up a second sign-in step" in text_of(smtp, "jo.reyes@riverton.example")
    path = link_to(smtp, "jo.reyes@riverton.example")
    visitor = Client()
    assert "Right after this you set up a second sign-in step" in visitor.get(path).content.decode()
    accept(visitor, path)
    response = visitor.get("/agency/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/security/authenticator/")


def test_a_link_expires_and_a_resent_one_replaces_it(world: Any, smtp: SmtpServer, settings: Any) -> None:
    settings.CLEE_INVITATION_DAYS = 3
    staff = as_user(world["erin"])
    invite(staff, role="agency_admin", agency=world["agency_a"].pk)
    first = link_to(smtp, "jo.reyes@riverton.example")
    invitation = AccountInvitation.objects.get()
    assert dt.timedelta(days=3) - (invitation.expires_at - invitation.sent_at) < dt.timedelta(seconds=1)
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)):
        expired = Client().get(first)
        assert expired.status_code == 410
        assert "expired" in expired.content.decode()
        staff = as_user(world["erin"])  # the earlier session has ended by now
        assert staff.post(f"/people/invitations/{invitation.pk}/resend/").status_code == 302
        second = link_to(smtp, "jo.reyes@riverton.example")
        assert second != first
        assert Client().get(second).status_code == 200
    replaced = Client().get(first)
    assert replaced.status_code == 410
    assert "A newer invitation" in replaced.content.decode()


def test_a_cancelled_invitation_stops_working(world: Any, smtp: SmtpServer) -> None:
    bob = as_user(world["bob"])
    invite(bob)
    invitation = AccountInvitation.objects.get()
    assert bob.post(f"/people/invitations/{invitation.pk}/cancel/").status_code == 302
    response = Client().get(link_to(smtp, "jo.reyes@riverton.example"))
    assert response.status_code == 410
    assert "cancelled" in response.content.decode()
    assert AuditEvent.objects.filter(action="people.invitation_cancel", actor=world["bob"]).exists()


def test_a_made_up_link_is_not_found(world: Any) -> None:
    response = Client().get("/accounts/join/not-a-real-token/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_nothing_is_recorded_when_the_mail_server_refuses(world: Any, smtp_port: SmtpServer) -> None:
    response = invite(as_user(world["erin"]), role="agency_admin", agency=world["agency_a"].pk)
    assert response.status_code == 400
    assert "The mail server did not accept the invitation" in response.content.decode()
    assert not AccountInvitation.objects.exists()
    assert not AuditEvent.objects.filter(action="people.invitation_send").exists()


def test_an_address_with_an_active_account_of_this_kind_is_refused(world: Any, smtp: SmtpServer) -> None:
    world["carol"].email = "carol@hollis.example"
    world["carol"].save(update_fields=["email"])
    response = invite(
        as_user(world["erin"]), role="agency_admin", agency=world["agency_a"].pk, email="Carol@Hollis.example"
    )
    assert response.status_code == 400
    assert "already belongs to an active CLEE account (agency administrator)" in response.content.decode()
    assert not smtp.mailbox.messages


def test_an_inactive_agency_gets_no_administrator(world: Any, smtp: SmtpServer) -> None:
    world["agency_b"].active = False
    world["agency_b"].save(update_fields=["active"])
    response = invite(as_user(world["erin"]), role="agency_admin", agency=world["agency_b"].pk)
    assert response.status_code == 400
    assert not AccountInvitation.objects.exists()


def test_the_form_names_every_missing_field(world: Any) -> None:
    response = as_user(world["erin"]).post(INVITE, {"role": "agency_admin"})
    page = response.content.decode()
    assert response.status_code == 400
    for message in ("Enter the first name.", "Enter the last name.", "Enter the email address."):
        assert message in page
    response = invite(as_user(world["erin"]), role="agency_admin")
    assert "Choose the agency they will administer." in response.content.decode()


# Agencies and providers invite their own people -------------------------------------------------


def test_an_agency_administrator_invites_a_colleague_of_their_own_agency(
    world: Any, smtp: SmtpServer
) -> None:
    bob = as_user(world["bob"])
    form = bob.get(INVITE).content.decode()
    assert 'name="role"' in form
    assert 'type="hidden"' in form
    assert 'name="agency"' not in form
    # An agency named in the request is ignored: the administrator's own agency is used.
    response = invite(bob, role="agency_admin", agency=world["agency_b"].pk)
    assert response.status_code == 302
    assert AccountInvitation.objects.get().agency == world["agency_a"]
    accept(Client(), link_to(smtp, "jo.reyes@riverton.example"))
    assert User.objects.get(username="jo.reyes").agency == world["agency_a"]


def test_nobody_grants_a_role_above_their_own(world: Any, smtp: SmtpServer) -> None:
    for persona, role in (
        ("bob", "post_staff"),
        ("bob", "provider"),
        ("dave", "agency_admin"),
        ("dave", "post_staff"),
    ):
        response = invite(
            as_user(world[persona]), role=role, agency=world["agency_a"].pk, provider=world["provider"].pk
        )
        assert response.status_code == 400, (persona, role)
        assert "Select a valid choice" in response.content.decode()
    assert not AccountInvitation.objects.exists()
    assert not smtp.mailbox.messages


def test_a_provider_invites_staff_of_its_own_provider(world: Any, smtp: SmtpServer) -> None:
    response = invite(as_user(world["dave"]), role="provider", email="trainer@academy.example")
    assert response.status_code == 302
    invitation = AccountInvitation.objects.get()
    assert (invitation.role, invitation.provider, invitation.agency) == ("provider", world["provider"], None)
    accept(Client(), link_to(smtp, "trainer@academy.example"), username="trainer")
    assert Client().login(username="trainer", password=NEW_PASSWORD)
    assert User.objects.get(username="trainer").provider == world["provider"]


@pytest.mark.parametrize("persona", ["alice", "frank"])
def test_officers_and_the_director_have_no_people_pages(world: Any, persona: str) -> None:
    client = as_user(world[persona])
    assert client.get("/people/").status_code == 404
    assert client.get(INVITE).status_code == 404
    assert client.post(INVITE, {"role": "agency_admin", "email": "x@example.test"}).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(world: Any) -> None:
    response = Client().get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_administrator_sees_and_acts_on_no_other_agencys_invitations(world: Any, smtp: SmtpServer) -> None:
    invite(as_user(world["carol"]), email="deputy@hollis.example")
    theirs = AccountInvitation.objects.get()
    bob = as_user(world["bob"])
    assert "deputy@hollis.example" not in bob.get("/people/").content.decode()
    assert bob.post(f"/people/invitations/{theirs.pk}/cancel/").status_code == 404
    assert bob.post(f"/people/invitations/{theirs.pk}/resend/").status_code == 404
    assert as_user(world["dave"]).post(f"/people/invitations/{theirs.pk}/cancel/").status_code == 404
    assert theirs.status() == AccountInvitation.Status.OPEN
    assert "deputy@hollis.example" in as_user(world["erin"]).get("/people/").content.decode()


def test_an_officer_administrator_is_tied_to_their_commission(world: Any, smtp: SmtpServer) -> None:
    response = invite(as_user(world["bob"]), license_number="p1000001", email="alice.admin@riverton.example")
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = AccountInvitation.objects.get()
    assert invitation.commission is not None
    assert invitation.commission.officer == world["officer"]
    accept(Client(), link_to(smtp, "alice.admin@riverton.example"), username="alice.admin")
    account = User.objects.get(username="alice.admin")
    assert account.commission == invitation.commission
    # Another agency's officer, or a license the agency does not commission, is refused.
    refused = invite(as_user(world["carol"]), license_number="P1000001", email="x@hollis.example")
    assert refused.status_code == 400
    assert "commissions no officer with license number P1000001 now" in refused.content.decode()


def test_an_invitation_from_someone_deactivated_since_cannot_be_used(world: Any, smtp: SmtpServer) -> None:
    invite(as_user(world["bob"]))
    as_user(world["erin"]).post(f"/people/{world['bob'].pk}/deactivate/", {"reason": "dismissed"})
    response = accept(Client(), link_to(smtp, "jo.reyes@riverton.example"))
    assert response.status_code == 400
    assert "The person who sent this invitation can no longer sign in" in response.content.decode()
    assert not User.objects.filter(email="jo.reyes@riverton.example").exists()
