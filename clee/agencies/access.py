"""What an agency administrator may reach: their own agency.

The helper returns the agency or raises the same 404 as every other access helper."""

from __future__ import annotations

from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.accounts.models import User
from clee.agencies.models import Agency


def access_agency(user: User) -> Agency:
    """The agency ``user`` administers; 404 for an account linked to none."""
    if user.role != User.Role.AGENCY_ADMIN or user.agency_id is None:
        raise Http404(NOT_FOUND)
    agency = user.agency
    assert agency is not None
    return agency
