"""Which officers a person may reach: an officer their own license, an agency administrator
the officers their agency commissions now, POST staff every officer and commission.

Each helper returns the object or raises the same 404 for "missing" and "not yours": an
administrator learns nothing about another agency's officers from the difference.
"""

from __future__ import annotations

from django.http import Http404

from clee.accounts.access import NOT_FOUND, access_as_post_staff
from clee.accounts.models import User
from clee.agencies.access import access_agency
from clee.officers.models import Commission, Officer


def linked_officer(user: User) -> Officer | None:
    """The officer whose license ``user``'s account is linked to, or None (not linked yet)."""
    if user.role != User.Role.OFFICER or user.officer_id is None:
        return None
    return user.officer


def access_linked_officer(user: User) -> Officer:
    """The signed-in officer's own license; 404 for an account linked to none."""
    officer = linked_officer(user)
    if officer is None:
        raise Http404(NOT_FOUND)
    return officer


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


def access_officer(user: User, officer_id: int) -> Officer:
    """Any officer, for POST staff (they see every record); 404 for anyone else."""
    return access_as_post_staff(user, Officer.objects.all(), officer_id)


def access_commission(user: User, commission_id: int) -> Commission:
    """A commission (open or ended) with its officer and agency, for POST staff."""
    return access_as_post_staff(user, Commission.objects.select_related("officer", "agency"), commission_id)
