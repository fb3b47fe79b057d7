"""Objects the Director's pages take from the URL. Each helper takes the acting user: only the
Director reaches a case or a decision (any other account gets the same 404 as a missing one);
the Director sees every officer, so the rest of the check is that the thing exists and is what
the page is about."""

from __future__ import annotations

from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.accounts.models import User
from clee.compliance.models import ComplianceResult, LicenseDecision
from clee.portals.oversight.access import access_period


def _director(user: User) -> None:
    if user.role != User.Role.DIRECTOR or not user.is_active:
        raise Http404(NOT_FOUND)


def access_case(user: User, year: int, officer_id: int) -> ComplianceResult:
    """The stored result of an officer for the period of ``year`` (with its officer and
    period); 404 when either is missing, the officer has no result for that period, or
    ``user`` is not the Director."""
    _director(user)
    period = access_period(year)
    result = (
        ComplianceResult.objects.filter(period=period, officer_id=officer_id)
        .select_related("officer", "period")
        .first()
    )
    if result is None:
        raise Http404(NOT_FOUND)
    return result


def access_inactivation(user: User, decision_id: int) -> LicenseDecision:
    """An inactivation decision; 404 for any other decision or none, or when ``user`` is not
    the Director."""
    _director(user)
    decision = (
        LicenseDecision.objects.filter(pk=decision_id, decision=LicenseDecision.Decision.INACTIVATE)
        .select_related("officer", "period", "decided_by")
        .first()
    )
    if decision is None:
        raise Http404(NOT_FOUND)
    return decision
