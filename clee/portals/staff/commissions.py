"""POST staff and commissions: the latest commissions, newest first (who commissioned whom, from
when, what the agency sees, whether the officer and the earlier agencies were told), and
opening an officer's earlier records to the agency when there is a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user
from clee.core.audit import events_for
from clee.core.errors import ServiceError
from clee.core.forms import PortalForm
from clee.core.paging import paginate
from clee.officers.access import access_commission
from clee.officers.models import Commission
from clee.officers.services import commission_history_grant
from clee.portals.staff.pages import staff_only


def latest_commissions(query: str) -> QuerySet[Commission]:
    commissions = Commission.objects.select_related("officer", "agency").order_by("-created_at", "-id")
    if query:
        commissions = commissions.filter(
            Q(officer__license_number__iexact=query)
            | Q(officer__last_name__iexact=query)
            | Q(agency__ori__iexact=query)
            | Q(agency__name__icontains=query)
        )
    return commissions


class HistoryGrantForm(PortalForm):
    visible_from = forms.DateField(
        label="Show records completed from",
        help_text="Earlier than the commission's start: the agency then sees the officer's records and "
        "documents from this day.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label="Reason",
        max_length=250,
        help_text="Why the agency may see them (kept in the audit trail), e.g. a transfer the officer asked.",
    )


@staff_only
@require_GET
def commissions(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:80]
    context: dict[str, Any] = {"query": query, **paginate(request, latest_commissions(query), per_page=50)}
    return render(request, "portals/staff/commissions.html", context)


@staff_only
@require_http_methods(["GET", "POST"])
def commission(request: HttpRequest, commission_id: int) -> HttpResponse:
    user = acting_user(request)
    found = access_commission(user, commission_id)
    form = HistoryGrantForm(
        request.POST if request.method == "POST" else None,
        initial={"visible_from": found.start - dt.timedelta(days=365)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            commission_history_grant(
                commission=found,
                visible_from=form.cleaned_data["visible_from"],
                reason=form.cleaned_data["reason"],
                acting_user=user,
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            messages.success(
                request,
                f"{found.agency.name} now sees {found.officer.full_name}'s records from "
                f"{form.cleaned_data['visible_from']:%B %-d, %Y}.",
            )
            return redirect("staff:commission", commission_id=found.pk)
    context = {"commission": found, "form": form, "events": events_for(found).select_related("actor")[:50]}
    return render(request, "portals/staff/commission.html", context, status=400 if form.errors else 200)
