"""An agency asks POST for an extension or waiver for one of its commissioned officers (medical
or military leave, DESIGN §2), with the officer's own form (clee.portals.officer.extensions)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clee.accounts.access import NOT_FOUND, acting_user, role_required
from clee.accounts.models import User
from clee.compliance.calendar import current_period
from clee.officers.access import access_commissioned_officer
from clee.portals.officer.extensions import ExtensionRequestForm


@role_required(User.Role.AGENCY_ADMIN)
@require_http_methods(["GET", "POST"])
def extension_new(request: HttpRequest, officer_id: int) -> HttpResponse:
    user = acting_user(request)
    officer = access_commissioned_officer(user, officer_id)
    period = current_period()
    if period is None:
        raise Http404(NOT_FOUND)
    form = ExtensionRequestForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and form.submit(officer=officer, period=period, acting_user=user)
    ):
        messages.success(request, f"The request for {officer.full_name}, {period.year}, was sent to POST.")
        return redirect("agency:officer", officer_id=officer.pk)
    context = {"form": form, "period": period, "officer": officer}
    return render(request, "portals/agency/extension_new.html", context, status=400 if form.is_bound else 200)
