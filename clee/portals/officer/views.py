"""The officer's pages: the current period's dashboard."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clee.accounts.models import User
from clee.compliance.models import ComplianceResult
from clee.officers.models import Commission
from clee.portals.access import acting_user, role_required
from clee.portals.selectors import current_period


@role_required(User.Role.OFFICER)
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    period = current_period()
    officer = user.officer
    context: dict[str, Any] = {"period": period, "officer": officer}
    if officer is not None:
        result = None
        if period is not None:
            result = ComplianceResult.objects.filter(officer=officer, period=period).first()
        total = None
        if result is not None:
            total = next((r for r in result.requirements if r["key"] == "total"), None)
        context.update(
            commissions=Commission.objects.filter(officer=officer, end__isnull=True).select_related("agency"),
            result=result,
            hours_required=None if total is None else total["required"],
            hours_counted=None if total is None else total["counted"],
        )
    return render(request, "portals/officer/index.html", context)
