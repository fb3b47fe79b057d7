"""Reads of single sign-on: the officers an inviting user may see, with whether each has
connected and their latest invitation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from clee.accounts.models import User
from clee.officers.models import Commission, Officer
from clee.sso.models import Identity, Invitation


@dataclass(frozen=True)
class InvitationRow:
    officer: Officer
    identity: Identity | None
    invitation: Invitation | None
    invitation_status: str
    has_account: bool = False

    @property
    def connected(self) -> bool:
        return self.identity is not None


def invitable_officers(user: User, *, query: str = "", show: str = "") -> QuerySet[Officer]:
    """The officers ``user`` may invite: those their agency commissions now (an agency
    administrator), or every officer (POST staff); filtered by name or license number and by
    connection."""
    officers = Officer.objects.all()
    if user.role == User.Role.AGENCY_ADMIN:
        if user.agency_id is None:
            return officers.none()
        officers = officers.filter(
            Exists(
                Commission.objects.filter(officer=OuterRef("pk"), agency_id=user.agency_id, end__isnull=True)
            )
        )
    elif user.role != User.Role.POST_STAFF:
        return officers.none()
    if query:
        words = query.split()
        for word in words:
            officers = officers.filter(
                Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(license_number__iexact=word)
            )
    connected = Exists(Identity.objects.filter(user__officer=OuterRef("pk")))
    if show == "connected":
        officers = officers.filter(connected)
    elif show == "waiting":
        officers = officers.exclude(connected)
    return officers.order_by("last_name", "first_name", "license_number")


def invitation_rows(officers: Iterable[Officer]) -> list[InvitationRow]:
    """One row per officer (a page of them): their identity and latest invitation, in two
    queries whatever the page's length."""
    page = list(officers)
    ids = [officer.pk for officer in page]
    identities = {
        identity.user.officer_id: identity
        for identity in Identity.objects.filter(user__officer_id__in=ids).select_related("user")
    }
    with_accounts = set(User.objects.filter(officer_id__in=ids).values_list("officer_id", flat=True))
    latest: dict[int, Invitation] = {}
    for invitation in Invitation.objects.filter(officer_id__in=ids).order_by("officer_id", "-sent_at", "-pk"):
        latest.setdefault(invitation.officer_id, invitation)
    rows = []
    for officer in page:
        last = latest.get(officer.pk)
        rows.append(
            InvitationRow(
                officer=officer,
                identity=identities.get(officer.pk),
                invitation=last,
                invitation_status=last.status() if last else "",
                has_account=officer.pk in with_accounts,
            )
        )
    return rows
