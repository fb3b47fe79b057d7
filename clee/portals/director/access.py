"""Objects the Director's pages take from the URL: the Director sees every officer, so the
check is that the thing exists and is what the page is about; otherwise the same 404."""

from __future__ import annotations

from django.http import Http404

from clee.compliance.models import ComplianceResult, LicenseDecision
from clee.portals.access import NOT_FOUND
from clee.portals.oversight.access import access_period


def access_case(year: int, officer_id: int) -> ComplianceResult:
    """The stored result of an officer for the period of ``year`` (with its officer and
    period); 404 when either is missing or the officer has no result for that period."""
    period = access_period(year)
    result = (
        ComplianceResult.objects.filter(period=period, officer_id=officer_id)
        .select_related("officer", "period")
        .first()
    )
    if result is None:
        raise Http404(NOT_FOUND)
    return result


def access_inactivation(decision_id: int) -> LicenseDecision:
    """An inactivation decision; 404 for any other decision or none."""
    decision = (
        LicenseDecision.objects.filter(pk=decision_id, decision=LicenseDecision.Decision.INACTIVATE)
        .select_related("officer", "period", "decided_by")
        .first()
    )
    if decision is None:
        raise Http404(NOT_FOUND)
    return decision
