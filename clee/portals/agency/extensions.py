"""An agency asks POST for an extension or waiver for one of its commissioned officers (medical
or military leave, DESIGN §2), with the officer's own form (clee.portals.officer.extensions)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.officers.access import access_commissioned_officer
from clee.portals.officer.extensions import extension_request_form


@role_required(User.Role.AGENCY_ADMIN)
@require_http_methods(["GET", "POST"])
def extension_new(request: HttpRequest, officer_id: int) -> HttpResponse:
    user = acting_user(request)
    officer = access_commissioned_officer(user, officer_id)
    period, form, sent = extension_request_form(request, officer=officer, acting_user=user)
    if sent:
        messages.success(request, f"The request for {officer.full_name}, {period.year}, was sent to POST.")
        return redirect("agency:officer", officer_id=officer.pk)
    context = {"form": form, "period": period, "officer": officer}
    return render(request, "portals/agency/extension_new.html", context, status=400 if form.is_bound else 200)
