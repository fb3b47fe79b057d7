"""Reads of people: the accounts and invitations a person manages, one account's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.api.models import ApiToken
from clee.core.audit import events_for
from clee.core.models import AuditEvent
from clee.people.models import AccountInvitation
from clee.providers.models import Provider

HISTORY_LENGTH = 25


def people_of(user: User, *, query: str = "", status: str = "", role: str = "") -> QuerySet[User]:
    """The accounts ``user`` manages (their agency's administrators, their provider's staff, or
    every account but the Director's for POST staff), by name.
    ``status`` is "active" or "inactive"; ``role`` narrows POST staff's list."""
    people = User.objects.select_related("agency", "provider", "officer")
    if user.role == User.Role.POST_STAFF:
        people = people.exclude(role=User.Role.DIRECTOR).exclude(is_superuser=True)
        if role:
            people = people.filter(role=role)
    elif user.role == User.Role.AGENCY_ADMIN and user.agency_id is not None:
        people = people.filter(role=User.Role.AGENCY_ADMIN, agency_id=user.agency_id)
    elif user.role == User.Role.PROVIDER and user.provider_id is not None:
        people = people.filter(role=User.Role.PROVIDER, provider_id=user.provider_id)
    else:
        return people.none()
    for word in query.split():
        people = people.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(officer__license_number__iexact=word)
        )
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False)
    return people.order_by("last_name", "first_name", "username")


def mark_second_factors(accounts: Iterable[User]) -> list[User]:
    """The accounts (a page of them), each with ``has_second_factor``: two queries for the page,
    whatever the length of the list it is a page of."""
    page = list(accounts)
    ids = [account.pk for account in page]
    with_factor = set(
        TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True)
    ) | set(
        WebAuthnCredential.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True)
    )
    for account in page:
        account.has_second_factor = account.pk in with_factor  # type: ignore[attr-defined]
    return page


def invitations_waiting(user: User) -> list[AccountInvitation]:
    """The invitations ``user`` may manage that are neither used, cancelled nor replaced: open
    ones, and expired ones that may be resent; newest first."""
    invitations = AccountInvitation.objects.select_related("agency", "provider", "sent_by").filter(
        used_at__isnull=True, cancelled_at__isnull=True, replaced_at__isnull=True
    )
    if user.role == User.Role.AGENCY_ADMIN and user.agency_id is not None:
        invitations = invitations.filter(role=User.Role.AGENCY_ADMIN, agency_id=user.agency_id)
    elif user.role == User.Role.PROVIDER and user.provider_id is not None:
        invitations = invitations.filter(role=User.Role.PROVIDER, provider_id=user.provider_id)
    elif user.role != User.Role.POST_STAFF:
        return []
    # Expired ones stay listed for a month, to be resent or left.
    since = timezone.now() - dt.timedelta(days=30)
    return list(invitations.filter(expires_at__gt=since).order_by("-sent_at", "-id")[:200])


def person_history(account: User) -> list[AuditEvent]:
    """The latest audit rows about ``account`` (created, deactivated, password reset ...)."""
    return list(events_for(account).select_related("actor")[:HISTORY_LENGTH])


def person_tokens(account: User) -> list[ApiToken]:
    """The API tokens ``account`` made, live ones first."""
    return list(
        ApiToken.objects.filter(created_by=account).order_by(
            F("revoked_at").desc(nulls_first=True), "-created_at"
        )
    )


def invitable_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(active=True).order_by("name")


def invitable_providers() -> QuerySet[Provider]:
    return Provider.objects.order_by("name")
