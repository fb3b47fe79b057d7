"""POST staff find an officer, take back a credit entered in error (the record is kept,
rejected, with the reason; the officer's credentials resting on it are revoked at once), and
record a license upgrade (it exempts the officer for its period, 11 CSR 75-15.010(3))."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user
from clee.core.errors import ServiceError
from clee.core.forms import PortalForm, date_field
from clee.core.paging import paginate
from clee.credentials.services import credit_reverse
from clee.officers.access import access_officer
from clee.officers.models import Officer
from clee.portals.periods import page_period, period_switch
from clee.portals.staff.pages import staff_only
from clee.training.access import access_record
from clee.training.models import TrainingRecord
from clee.workflows.officers import DESCRIPTION_MAX, license_upgrade_record


@staff_only
@require_GET
def officers(request: HttpRequest) -> HttpResponse:
    """Officers by license number or name."""
    query = request.GET.get("q", "").strip()[:60]
    found = Officer.objects.none()
    if query:
        words = query.split()
        found = Officer.objects.filter(license_number__iexact=query)
        named = Officer.objects.all()
        for word in words:
            named = named.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        found = (found | named).distinct().order_by("last_name", "first_name")
    context: dict[str, Any] = {"query": query}
    context.update(paginate(request, found, per_page=25))
    return render(request, "portals/staff/officers.html", context)


@staff_only
@require_GET
def officer_records(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = access_officer(acting_user(request), officer_id)
    period = page_period(request)
    records = TrainingRecord.objects.filter(officer=officer).select_related("course__provider", "reversal")
    if period is not None:
        records = records.filter(
            Q(completed_on__gte=period.starts, completed_on__lte=period.ends) | Q(applied_to_year=period.year)
        )
    context: dict[str, Any] = {
        "officer": officer,
        "period": period,
        "records": records.order_by("completed_on", "id"),
        "upgrades": officer.upgrades.order_by("-upgraded_on"),
    }
    if period is not None:
        context.update(period_switch(request, period))
    return render(request, "portals/staff/officer_records.html", context)


@staff_only
@require_http_methods(["GET", "POST"])
def record_reverse(request: HttpRequest, record_id: int) -> HttpResponse:
    """Reverse an accepted credit, with the reason the officer reads."""
    user = acting_user(request)
    record = access_record(user, record_id)
    error = ""
    if request.method == "POST":
        try:
            credit_reverse(record=record, reason=request.POST.get("reason", ""), acting_user=user)
        except ServiceError as refused:
            error = refused.sentence
        else:
            messages.success(
                request,
                f"Credit reversed: {record.hours:g} hours on {record.completed_on:%B %-d, %Y} no longer "
                "count; the officer's credentials for it are revoked.",
            )
            url = reverse("staff:officer_records", args=[record.officer_id])
            return redirect(f"{url}?year={record.completed_on.year}")
    context = {
        "record": record,
        "officer": record.officer,
        "error": error,
        "reason": request.POST.get("reason", ""),
    }
    return render(request, "portals/staff/record_reverse.html", context, status=400 if error else 200)


class LicenseUpgradeForm(PortalForm):
    upgraded_on = date_field("Date of the upgrade", help_text="The day the upgraded license took effect.")
    description = forms.CharField(
        label="Upgrade",
        max_length=DESCRIPTION_MAX,
        help_text="What changed, for example “Class B to Class A”.",
    )


@staff_only
@require_http_methods(["GET", "POST"])
def license_upgrade_add(request: HttpRequest, officer_id: int) -> HttpResponse:
    """Record a license upgrade; the officer is exempt for its period, decided again at once."""
    user = acting_user(request)
    officer = access_officer(user, officer_id)
    form = LicenseUpgradeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            upgrade = license_upgrade_record(
                officer=officer,
                upgraded_on=data["upgraded_on"],
                description=data["description"],
                acting_user=user,
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            messages.success(
                request,
                f"License upgrade recorded: {upgrade.description} on {upgrade.upgraded_on:%B %-d, %Y}. "
                f"{officer.full_name} is exempt for {upgrade.upgraded_on.year}; the result is being updated.",
            )
            url = reverse("staff:officer_records", args=[officer.pk])
            return redirect(f"{url}?year={upgrade.upgraded_on.year}")
    context = {"officer": officer, "form": form}
    return render(request, "portals/staff/license_upgrade.html", context, status=400 if form.errors else 200)
