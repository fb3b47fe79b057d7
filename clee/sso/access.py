"""Who may invite whom: an agency administrator the officers their agency commissions now,
POST staff any officer. Anything else is the same 404 as a missing officer."""

from __future__ import annotations

from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.officers.access import access_open_commission
from clee.officers.models import Officer


def access_invitable_officer(user: User, officer_id: int) -> tuple[Officer, Agency | None]:
    """The officer ``user`` may invite, and the agency the invitation is sent for (None for
    POST staff); 404 otherwise."""
    if user.role == User.Role.AGENCY_ADMIN:
        commission = access_open_commission(user, officer_id)
        return commission.officer, commission.agency
    if user.role == User.Role.POST_STAFF:
        officer = Officer.objects.filter(pk=officer_id).first()
        if officer is not None:
            return officer, None
    raise Http404(NOT_FOUND)
