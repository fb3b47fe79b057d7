"""Onboarding invitations: who may send them and see whom, the email and its single-use,
expiring link (only its hash stored), and following it through the identity provider."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.utils import timezone

from clee.accounts.models import User
from clee.core.models import AuditEvent
from clee.sso.models import Identity, Invitation
from tests.conftest import PASSWORD
from tests.notices.conftest import SmtpServer, free_port
from tests.sso.conftest import officer, provider_sign_in
from tests.sso.provider import IdentityProvider

pytestmark = pytest.mark.django_db

LIST = "/invitations/"
LINK = re.compile(r"http://testserver(/accounts/invitation/[A-Za-z0-9_-]+/)")


def as_user(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def send(client: Client, target: Any) -> Any:
    return client.post(f"/invitations/{target.pk}/send/")


def link_in(message: Any) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def ivy(world: Any) -> Any:
    """An officer of agency A without an account, whose record's email differs from the one
    she has at the provider."""
    return officer("P4000001", "Ivy", "Invitee", email="ivy.work@example.test", agency=world["agency_a"])


# Seeing and sending ------------------------------------------------------------------------


def test_an_agency_admin_sees_their_officers_and_who_has_connected(
    world: Any, ivy: Any, sso: IdentityProvider
) -> None:
    officer("P4000009", "Otto", "Other", email="otto@example.test", agency=world["agency_b"])
    provider_sign_in(Client(), "alice.verified")
    page = as_user(world["bob"]).get(LIST).content.decode()
    assert "Avery, Alice" in page
    assert "Invitee, Ivy" in page
    assert "Other, Otto" not in page
    assert page.count("Connected</span>") == 1
    assert 'Send invitation<span class="usa-sr-only"> to Ivy Invitee' in page
    assert "to Alice Avery" not in page  # connected: nothing to send
    waiting = as_user(world["bob"]).get(LIST, {"show": "waiting"}).content.decode()
    assert "Invitee, Ivy" in waiting
    assert "Avery, Alice" not in waiting


def test_post_staff_see_and_invite_any_officer(world: Any, sso: IdentityProvider) -> None:
    otto = officer("P4000009", "Otto", "Other", email="otto@example.test", agency=world["agency_b"])
    staff = as_user(world["erin"])
    page = staff.get(LIST, {"q": "otto"}).content.decode()
    assert "Other, Otto" in page
    assert "Avery, Alice" not in page
    assert send(staff, otto).status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.officer, invitation.agency, invitation.sent_by) == (otto, None, world["erin"])
    assert mail.outbox[0].to == ["otto@example.test"]
    assert "The Missouri POST Program invites you" in mail.outbox[0].body


def test_sending_emails_a_single_use_link_and_stores_only_its_hash(
    world: Any, ivy: Any, sso: IdentityProvider, settings: Any
) -> None:
    settings.CLEE_INVITATION_DAYS = 10
    bob = as_user(world["bob"])
    response = send(bob, ivy)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["ivy.work@example.test"]
    assert message.subject == "Connect your MO Login account to CLEE"
    link = link_in(message)
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert f'href="http://testserver{link}"' in html
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in Invitation.objects.values_list().get()]
    assert not any(token in value for value in stored)
    assert dt.timedelta(days=10) - (invitation.expires_at - invitation.sent_at) < dt.timedelta(seconds=1)
    assert (invitation.agency, invitation.sent_by) == (world["agency_a"], world["bob"])
    event = AuditEvent.objects.get(action="sso.invitation_sent")
    assert event.actor == world["bob"]
    assert event.object_id == str(invitation.pk)
    page = bob.get(response["Location"]).content.decode()
    assert "Invitation sent to Ivy Invitee at ivy.work@example.test" in page
    assert "Resend<span" in page
    assert "expires" in page


def test_an_invitation_is_delivered_through_a_real_mail_server(
    world: Any, ivy: Any, sso: IdentityProvider, smtp: SmtpServer
) -> None:
    send(as_user(world["bob"]), ivy)
    text = smtp.mailbox.text_to("ivy.work@example.test")
    assert "Riverton Police Department invites you" in text
    assert LINK.search(text)
    assert "Connect with MO Login" in smtp.mailbox.html_to("ivy.work@example.test")


def test_a_refusing_mail_server_leaves_no_invitation(world: Any, ivy: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    page = as_user(world["bob"]).post(f"/invitations/{ivy.pk}/send/", follow=True).content.decode()
    assert "The mail server did not accept the invitation" in page
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action="sso.invitation_sent").exists()


def test_an_officer_without_email_or_already_connected_is_not_invited(
    world: Any, sso: IdentityProvider
) -> None:
    hank = officer("P4000002", "Hank", "Hill", email="", agency=world["agency_a"])
    bob = as_user(world["bob"])
    assert (
        "Hank Hill has no email address on file"
        in bob.post(f"/invitations/{hank.pk}/send/", follow=True).content.decode()
    )
    provider_sign_in(Client(), "alice.verified")
    assert (
        "Alice Avery has already connected a MO Login account"
        in bob.post(f"/invitations/{world['officer'].pk}/send/", follow=True).content.decode()
    )
    assert not Invitation.objects.exists()
    assert not mail.outbox


# Following the link ------------------------------------------------------------------------


def test_an_invitation_link_connects_the_invited_officer_once(
    world: Any, ivy: Any, sso: IdentityProvider
) -> None:
    send(as_user(world["bob"]), ivy)
    link = link_in(mail.outbox[0])
    person = Client()
    # The provider's email (personal@) matches no officer: the invitation says who it is.
    response = provider_sign_in(person, "invited.person", start=link)
    assert response.status_code == 302
    user = User.objects.get(pk=person.session[SESSION_KEY])
    assert user.officer == ivy
    assert user.role == "officer"
    assert Identity.objects.get(user=user).linked_by == Identity.Method.INVITATION
    invitation = Invitation.objects.get()
    assert invitation.used_by == user
    assert invitation.used_at is not None
    assert AuditEvent.objects.filter(action="sso.invitation_used", object_id=str(invitation.pk)).exists()
    # Once only: the link now says it was used, and starts nothing.
    again = Client().get(link)
    assert again.status_code == 410
    assert "This invitation has already been used" in again.content.decode()
    page = as_user(world["bob"]).get(LIST).content.decode()
    assert "Used " in page


def test_an_invitation_used_meanwhile_does_not_link_a_second_person(
    world: Any, ivy: Any, sso: IdentityProvider
) -> None:
    send(as_user(world["bob"]), ivy)
    link = link_in(mail.outbox[0])
    first, second = Client(), Client()
    assert first.get(link)["Location"] == second.get(link)["Location"] == "/accounts/sso/start/"
    provider_sign_in(first, "invited.person")
    assert User.objects.get(pk=first.session[SESSION_KEY]).officer == ivy
    assert provider_sign_in(second, "second.person")["Location"] == "/accounts/sso/failed/"
    assert second.session.get(SESSION_KEY) is None
    assert "This invitation has already been used" in second.get("/accounts/sso/failed/").content.decode()
    assert Identity.objects.count() == 1


def test_an_expired_invitation_gives_a_clear_page(world: Any, ivy: Any, sso: IdentityProvider) -> None:
    send(as_user(world["bob"]), ivy)
    link = link_in(mail.outbox[0])
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        response = Client().get(link)
        assert response.status_code == 410
        assert "This invitation has expired" in response.content.decode()
        page = as_user(world["bob"]).get(LIST).content.decode()
        assert "Expired " in page
    assert not Identity.objects.exists()


def test_resending_replaces_the_earlier_link(world: Any, ivy: Any, sso: IdentityProvider) -> None:
    bob = as_user(world["bob"])
    send(bob, ivy)
    send(bob, ivy)
    first, second = link_in(mail.outbox[0]), link_in(mail.outbox[1])
    assert first != second
    response = Client().get(first)
    assert response.status_code == 410
    assert "A newer invitation was sent after this one" in response.content.decode()
    assert Client().get(second)["Location"] == "/accounts/sso/start/"


def test_a_made_up_link_is_not_valid(world: Any, sso: IdentityProvider) -> None:
    response = Client().get("/accounts/invitation/not-a-real-token/")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


# Who must not -------------------------------------------------------------------------------


def test_an_agency_admin_cannot_invite_or_see_another_agencys_officers(world: Any, ivy: Any) -> None:
    carol = as_user(world["carol"])
    assert send(carol, ivy).status_code == 404
    assert send(carol, world["officer"]).status_code == 404
    assert send(carol, type("Missing", (), {"pk": 999999})()).status_code == 404
    page = carol.get(LIST).content.decode()
    assert "Invitee" not in page
    assert "Avery" not in page
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_officers_providers_and_the_director_cannot_reach_the_invitation_pages(world: Any, ivy: Any) -> None:
    for name in ("alice", "dave", "frank"):
        client = as_user(world[name])
        assert client.get(LIST).status_code == 404, name
        assert send(client, ivy).status_code == 404, name
    assert Client().get(LIST)["Location"].startswith("/accounts/login/")
    assert not Invitation.objects.exists()


def test_the_invitations_page_is_in_the_menus_of_agency_admins_and_staff_only(world: Any) -> None:
    assert 'href="/invitations/"' in as_user(world["bob"]).get("/agency/").content.decode()
    assert 'href="/invitations/"' in as_user(world["erin"]).get("/staff/").content.decode()
    assert 'href="/invitations/"' not in as_user(world["alice"]).get("/officer/").content.decode()
