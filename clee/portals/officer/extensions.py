"""An officer asks POST for an extension or waiver of the current period (medical or military
leave, DESIGN §2); POST staff decide it in their queue and the dashboard shows the answer. An
agency asks for one of its officers with the same form (``clee.portals.agency.extensions``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clee.accounts.access import NOT_FOUND, acting_user, role_required
from clee.accounts.models import User
from clee.compliance.calendar import current_period
from clee.compliance.models import Extension, ReportingPeriod
from clee.compliance.services import extension_request
from clee.core.errors import ServiceError
from clee.core.forms import PortalForm
from clee.officers.access import access_linked_officer
from clee.officers.models import Officer


class ExtensionRequestForm(PortalForm):
    kind = forms.ChoiceField(
        label="What you ask for",
        choices=Extension.Kind.choices,
        widget=forms.Select(attrs={"class": "usa-select"}),
        help_text="An extension gives you a later deadline; a waiver excuses the period's hours.",
    )
    reason = forms.ChoiceField(
        label="Why",
        choices=Extension.Reason.choices,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    explanation = forms.CharField(
        label="Explain your leave",
        max_length=500,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 4}),
        help_text="Its dates and anything POST should know, at most 500 characters.",
    )

    def submit(self, *, officer: Officer, period: ReportingPeriod, acting_user: User) -> bool:
        """Send the request to POST; False, with the refusal on the form, when it was refused."""
        try:
            extension_request(
                officer=officer,
                period=period,
                kind=self.cleaned_data["kind"],
                reason=self.cleaned_data["reason"],
                explanation=self.cleaned_data["explanation"],
                acting_user=acting_user,
            )
        except ServiceError as error:
            self.refuse(error)
            return False
        return True


def extension_request_form(
    request: HttpRequest, *, officer: Officer, acting_user: User
) -> tuple[ReportingPeriod, ExtensionRequestForm, bool]:
    """The current period (404 when there is none), the request form for ``officer`` in it, and
    whether the request posted was sent to POST (if not, the form says why)."""
    period = current_period()
    if period is None:
        raise Http404(NOT_FOUND)
    form = ExtensionRequestForm(request.POST or None)
    sent = (
        request.method == "POST"
        and form.is_valid()
        and form.submit(officer=officer, period=period, acting_user=acting_user)
    )
    return period, form, sent


@role_required(User.Role.OFFICER)
@require_http_methods(["GET", "POST"])
def extension_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    period, form, sent = extension_request_form(
        request, officer=access_linked_officer(user), acting_user=user
    )
    if sent:
        messages.success(request, f"Your request for {period.year} was sent to POST.")
        return redirect("officer:index")
    status = 400 if form.is_bound else 200
    return render(
        request, "portals/officer/extension_new.html", {"form": form, "period": period}, status=status
    )
