"""What a person managing people may reach: the accounts and invitations of their own
organisation (any but the Director's for POST staff). Anything else is the same 404 as a
missing account."""

from __future__ import annotations

from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.accounts.models import User
from clee.people.models import AccountInvitation
from clee.people.policy import manages_people, may_invite_to, may_manage


def access_people(user: User) -> User:
    """``user`` when they manage people (agency administrators, providers, POST staff); else 404."""
    if not manages_people(user):
        raise Http404(NOT_FOUND)
    return user


def access_person(user: User, account_id: int) -> User:
    """The account ``account_id`` when ``user`` may manage it; else 404."""
    account = (
        User.objects.select_related("agency", "provider", "officer", "commission__officer")
        .filter(pk=account_id)
        .first()
    )
    if account is None or not may_manage(user, account):
        raise Http404(NOT_FOUND)
    return account


def access_invitation(user: User, invitation_id: int) -> AccountInvitation:
    """The invitation ``invitation_id`` when ``user`` may send one like it; else 404."""
    invitation = (
        AccountInvitation.objects.select_related("agency", "provider", "commission__officer", "sent_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not may_invite_to(
        user, role=invitation.role, agency_id=invitation.agency_id, provider_id=invitation.provider_id
    ):
        raise Http404(NOT_FOUND)
    return invitation
