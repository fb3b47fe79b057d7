"""Deactivation ends every session of the account and revokes its API tokens at once;
reactivation is audited and revives neither; leaving the agency (the commission ends) ends an
officer-administrator's access in the same request. Who may do it is tried persona by persona."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clee.accounts.models import User
from clee.api.models import ApiToken
from clee.core.audit import events_for
from clee.core.models import AuditEvent
from clee.officers.models import Commission
from clee.officers.services import commission_end
from tests.api.conftest import Api, make_token
from tests.conftest import PASSWORD
from tests.people.conftest import as_user, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(world: Any) -> User:
    """A second administrator of agency A."""
    return User.objects.create_user(
        username="dana", password=PASSWORD, role="agency_admin", agency=world["agency_a"], first_name="Dana"
    )


@pytest.fixture
def officer_admin(world: Any) -> User:
    """An administrator of agency A who is alice, one of its officers: their access rests on
    alice's commission."""
    commission = Commission.objects.get(officer=world["officer"], agency=world["agency_a"])
    return User.objects.create_user(
        username="avery.admin",
        password=PASSWORD,
        role="agency_admin",
        agency=world["agency_a"],
        commission=commission,
    )


def deactivate(client: Client, account: User, reason: str = "left the agency") -> Any:
    return client.post(f"/people/{account.pk}/deactivate/", {"reason": reason})


def reactivate(client: Client, account: User, reason: str = "came back") -> Any:
    return client.post(f"/people/{account.pk}/reactivate/", {"reason": reason})


def test_deactivation_ends_every_session_and_revokes_the_tokens_at_once(world: Any, colleague: User) -> None:
    laptop, phone = as_user(colleague), as_user(colleague)
    assert laptop.get("/agency/").status_code == 200
    secret = make_token(colleague)
    api = Api(secret)
    assert api.get("/api/v1/officers/").status_code == 200

    response = deactivate(as_user(world["bob"]), colleague)
    assert response.status_code == 302
    for client in (laptop, phone):
        signed_out = client.get("/agency/")
        assert signed_out.status_code == 302
        assert signed_out["Location"].startswith("/accounts/login/")
    assert api.get("/api/v1/officers/").status_code == 401
    token = ApiToken.objects.get(created_by=colleague)
    assert (token.revoked_by, token.revoked_at is not None) == (world["bob"], True)
    assert not Client().login(username="dana", password=PASSWORD)
    colleague.refresh_from_db()
    assert not colleague.is_active
    event = events_for(colleague).get(action="account.deactivate")
    assert (event.actor, event.data["reason"]) == (world["bob"], "left the agency")
    assert AuditEvent.objects.filter(action="api.token_revoke", object_id=str(token.pk)).exists()
    page = as_user(world["bob"]).get(f"/people/{colleague.pk}/").content.decode()
    assert "Deactivated" in page
    assert "deactivated dana: left the agency" in page


def test_reactivation_lets_them_sign_in_afresh_with_old_sessions_and_tokens_still_dead(
    world: Any, colleague: User
) -> None:
    old_session = as_user(colleague)
    api = Api(make_token(colleague))
    bob = as_user(world["bob"])
    deactivate(bob, colleague)
    response = reactivate(bob, colleague, "returned from leave")
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_active
    assert old_session.get("/agency/").status_code == 302
    assert api.get("/api/v1/officers/").status_code == 401
    assert as_user(colleague).get("/agency/").status_code == 200
    event = events_for(colleague).get(action="account.reactivate")
    assert (event.actor, event.data["reason"]) == (world["bob"], "returned from leave")


def test_a_reason_is_required(world: Any, colleague: User) -> None:
    response = deactivate(as_user(world["bob"]), colleague, reason="  ")
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    colleague.refresh_from_db()
    assert colleague.is_active


def test_nobody_deactivates_their_own_account(world: Any) -> None:
    response = deactivate(as_user(world["bob"]), world["bob"])
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in response.content.decode()
    world["bob"].refresh_from_db()
    assert world["bob"].is_active


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("carol", "bob"),  # another agency's administrator
        ("bob", "carol"),
        ("bob", "dave"),  # a provider's staff
        ("bob", "erin"),  # POST staff: above an administrator
        ("bob", "alice"),  # an officer
        ("dave", "bob"),
        ("alice", "bob"),
        ("frank", "bob"),  # the Director manages no one here
        ("erin", "frank"),  # nor do POST staff manage the Director
    ],
)
def test_nobody_acts_outside_their_organisation_or_above_their_role(
    world: Any, persona: str, target: str
) -> None:
    client = as_user(world[persona])
    account = world[target]
    assert client.get(f"/people/{account.pk}/").status_code == 404
    assert deactivate(client, account).status_code == 404
    account.refresh_from_db()
    assert account.is_active
    assert f"/people/{account.pk}/" not in client.get("/people/").content.decode()


def test_post_staff_manage_every_account_but_the_directors(world: Any) -> None:
    erin = as_user(world["erin"])
    page = erin.get("/people/", {"role": "agency_admin"}).content.decode()
    assert f"/people/{world['bob'].pk}/" in page
    assert f"/people/{world['carol'].pk}/" in page
    assert f"/people/{world['alice'].pk}/" not in page
    for name in ("alice", "bob", "dave"):
        assert deactivate(erin, world[name], reason="license revoked").status_code == 302
        world[name].refresh_from_db()
        assert not world[name].is_active
    everyone = erin.get("/people/", {"status": "inactive"}).content.decode()
    assert all(f"/people/{world[name].pk}/" in everyone for name in ("alice", "bob", "dave"))
    # The three, and the inactive account test data is made by (tests/factories.py).
    assert "4 accounts" in everyone
    assert f"/people/{world['frank'].pk}/" not in erin.get("/people/").content.decode()


def test_a_missing_account_is_the_same_404(world: Any) -> None:
    assert as_user(world["erin"]).get("/people/999999/").status_code == 404


def test_the_list_finds_people_by_name_and_status(world: Any, colleague: User) -> None:
    bob = as_user(world["bob"])
    deactivate(bob, colleague)
    page = bob.get("/people/", {"q": "dana"}).content.decode()
    assert "1 account," in page
    assert "Dana" in page
    assert "Dana" not in bob.get("/people/", {"status": "active"}).content.decode()
    assert "carol" not in bob.get("/people/").content.decode()


def test_ending_an_officer_administrators_commission_ends_their_access_the_same_minute(
    world: Any, officer_admin: User
) -> None:
    admin = officer_admin
    session = as_user(admin)
    api = Api(make_token(admin))
    assert session.get("/agency/").status_code == 200
    # The commission ends through the agency portal, as another administrator does it.
    response = as_user(world["bob"]).post(
        f"/agency/officers/{world['officer'].pk}/end/",
        {"end": timezone.localdate().isoformat(), "reason": "Resigned", "details": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    admin.refresh_from_db()
    assert not admin.is_active
    assert session.get("/agency/").status_code == 302
    assert api.get("/api/v1/officers/").status_code == 401
    event = events_for(admin).get(action="account.agency_access_end")
    assert "commission with Riverton Police Department ended" in event.summary
    refused = reactivate(as_user(world["bob"]), admin)
    assert refused.status_code == 400
    assert "which ended on" in refused.content.decode()


def test_the_commission_service_ends_access_whoever_calls_it(world: Any, officer_admin: User) -> None:
    commission = officer_admin.commission
    assert commission is not None
    commission_end(commission=commission, end=dt.date(2024, 5, 1), reason="moved", acting_user=world["erin"])
    officer_admin.refresh_from_db()
    assert not officer_admin.is_active
    assert world["bob"].is_active


def test_the_person_is_told_by_email_when_deactivated_and_reactivated(
    world: Any, colleague: User, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:

    colleague.email = "dana@riverton.example"
    colleague.save(update_fields=["email"])
    bob = as_user(world["bob"])
    with django_capture_on_commit_callbacks(execute=True):
        deactivate(bob, colleague, reason="internal reason not for the email")
    text = text_of(smtp, "dana@riverton.example")
    assert "Your CLEE account dana was deactivated by bob" in text
    assert "internal reason" not in text
    with django_capture_on_commit_callbacks(execute=True):
        reactivate(bob, colleague)
    assert "was reactivated by bob" in text_of(smtp, "dana@riverton.example")
