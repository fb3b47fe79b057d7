"""Which officers an agency administrator may reach: those their agency commissions now.

Each helper returns the object or raises the same 404 for "missing" and "not yours": an
administrator learns nothing about another agency's officers from the difference.
"""

from __future__ import annotations

from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.accounts.models import User
from clee.agencies.access import access_agency
from clee.officers.models import Commission, Officer


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
