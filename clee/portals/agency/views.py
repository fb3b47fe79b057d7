"""The agency administrator's pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clee.accounts.models import User
from clee.compliance.models import ComplianceResult
from clee.officers.models import Commission
from clee.portals.access import acting_user, role_required
from clee.portals.selectors import current_period, status_counts


@role_required(User.Role.AGENCY_ADMIN)
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    period = current_period()
    agency = user.agency
    context: dict[str, Any] = {"period": period, "agency": agency}
    if agency is not None:
        officer_ids = Commission.objects.filter(agency=agency, end__isnull=True).values("officer_id")
        results = ComplianceResult.objects.filter(period=period, officer_id__in=officer_ids)
        context.update(
            commissioned=Commission.objects.filter(agency=agency, end__isnull=True).count(),
            status_counts=status_counts(results) if period else [],
        )
    return render(request, "portals/agency/index.html", context)
