"""What an agency administrator may reach: their agency, and the officers it commissions now.

Each helper returns the object or raises the same 404 for "missing" and "not yours": an
administrator learns nothing about another agency's officers from the difference.
"""

from __future__ import annotations

from django.http import Http404

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.officers.models import Commission, Officer
from clee.portals.access import NOT_FOUND


def access_agency(user: User) -> Agency:
    """The agency ``user`` administers; 404 for an account linked to none."""
    if user.role != User.Role.AGENCY_ADMIN or user.agency_id is None:
        raise Http404(NOT_FOUND)
    agency = user.agency
    assert agency is not None
    return agency


def access_open_commission(user: User, officer_id: int) -> Commission:
    """The lasting commission of officer ``officer_id`` by ``user``'s agency, with its officer
    and agency; 404 when the agency does not commission that officer now (never did, or the
    commission ended)."""
    agency = access_agency(user)
    commission = (
        Commission.objects.filter(agency=agency, officer_id=officer_id, end__isnull=True)
        .select_related("officer", "agency")
        .first()
    )
    if commission is None:
        raise Http404(NOT_FOUND)
    return commission


def access_commissioned_officer(user: User, officer_id: int) -> Officer:
    """Officer ``officer_id`` while ``user``'s agency commissions them; otherwise 404."""
    return access_open_commission(user, officer_id).officer
