"""Extensions and waivers: the requests agencies sent, decided by POST staff, and those staff
grant directly."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clee.accounts.access import acting_user
from clee.compliance.access import access_extension
from clee.compliance.calendar import current_period
from clee.compliance.models import Extension, ReportingPeriod
from clee.compliance.preview import extension_effect
from clee.compliance.services import extension_decide, extension_grant, extension_refuse
from clee.core.errors import ServiceError
from clee.core.forms import PortalForm, date_field, radio_field, text_field, with_blank
from clee.officers.models import Officer
from clee.portals.staff.pages import (
    review_errors,
    staff_only,
)
from clee.portals.staff.selectors import (
    age_in_days,
    extension_queue,
    extensions_decided,
    reporting_periods,
)

GRANT, REFUSE = "grant", "refuse"


class ExtensionDecisionForm(PortalForm):
    decision = radio_field("Decision", [(GRANT, "Grant"), (REFUSE, "Refuse")])
    new_deadline = date_field("New deadline", required=False, help_text="Required to grant.")
    refusal_reason = text_field(
        "Reason for a refusal", max_length=300, required=False, help_text="Required to refuse."
    )

    def __init__(self, *args: Any, extension: Extension, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"extension-{extension.pk}")
        super().__init__(*args, **kwargs)
        self.extension = extension

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        self.require_when(decision == GRANT, "new_deadline", "Enter the new deadline.")
        self.require_when(decision == REFUSE, "refusal_reason", "Give the reason for the refusal.")
        return data


class PeriodChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.year} (grace deadline {obj.grace_deadline:%B %-d, %Y})"


class ExtensionGrantForm(PortalForm):
    license_number = forms.CharField(
        label="License number",
        max_length=20,
        error_messages={"required": "Enter the officer's license number."},
    )
    period = PeriodChoiceField(
        label="Reporting period",
        queryset=ReportingPeriod.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the reporting period."},
    )
    kind = forms.ChoiceField(label="Kind", choices=Extension.Kind.choices)
    reason = forms.ChoiceField(
        label="Reason",
        choices=with_blank(Extension.Reason.choices),
        error_messages={"required": "Choose the reason for the leave."},
    )
    new_deadline = date_field("New deadline", help_text="After the period's grace deadline.")
    explanation = text_field(
        "Note",
        max_length=500,
        rows=2,
        required=False,
        help_text="For example the letter or order it rests on.",
    )

    def __init__(self, *args: Any, periods: Any, current: ReportingPeriod | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period_field = self.fields["period"]
        assert isinstance(period_field, forms.ModelChoiceField)
        period_field.queryset = periods
        if current is not None:
            self.initial.setdefault("period", current.pk)

    def clean_license_number(self) -> Officer:
        number = str(self.cleaned_data["license_number"]).strip().upper()
        officer = Officer.objects.filter(license_number=number).first()
        if officer is None:
            raise ValidationError(f"No officer holds license {number}.")
        return officer


def _extensions_page(
    request: HttpRequest,
    *,
    bound: ExtensionDecisionForm | None = None,
    grant_form: ExtensionGrantForm | None = None,
) -> HttpResponse:
    period = current_period()
    today = timezone.localdate()
    waiting = []
    for extension in extension_queue():
        form = bound if bound is not None and bound.extension.pk == extension.pk else None
        waiting.append(
            (
                extension,
                age_in_days(extension.created_at),
                form or ExtensionDecisionForm(extension=extension),
                extension_effect(
                    extension.officer_id, extension.period.year, extension.period.grace_deadline, today
                ),
            )
        )
    if grant_form is None:
        grant_form = ExtensionGrantForm(periods=reporting_periods(), current=period)
    return render(
        request,
        "portals/staff/extensions.html",
        {
            "waiting": waiting,
            "decided": extensions_decided(),
            "grant_form": grant_form,
            "grant_errors": review_errors(grant_form) if grant_form.is_bound else [],
            "decision_errors": review_errors(bound) if bound is not None else [],
            "period": period,
        },
    )


@staff_only
@require_GET
def extensions(request: HttpRequest) -> HttpResponse:
    return _extensions_page(request)


@staff_only
@require_POST
def extension_review(request: HttpRequest, extension_id: int) -> HttpResponse:
    user = acting_user(request)
    extension = access_extension(user, extension_id)
    form = ExtensionDecisionForm(request.POST, extension=extension)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == GRANT:
                extension_decide(
                    extension=extension, grant=True, new_deadline=data["new_deadline"], acting_user=user
                )
            else:
                extension_refuse(extension=extension, reason=data["refusal_reason"], acting_user=user)
        except ServiceError as error:
            form.refuse(error, aliases={"reason": "refusal_reason"})
        else:
            verb = "granted" if data["decision"] == GRANT else "refused"
            messages.success(
                request,
                f"{extension.get_kind_display()} for {extension.officer.full_name} "
                f"({extension.period.year}) {verb}.",
            )
            return redirect("staff:extensions")
    return _extensions_page(request, bound=form)


@staff_only
@require_POST
def extension_grant_direct(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ExtensionGrantForm(request.POST, periods=reporting_periods(), current=current_period())
    if form.is_valid():
        data = form.cleaned_data
        officer = data["license_number"]
        try:
            extension = extension_grant(
                officer=officer,
                period=data["period"],
                kind=data["kind"],
                reason=data["reason"],
                explanation=data["explanation"],
                new_deadline=data["new_deadline"],
                acting_user=user,
            )
        except ServiceError as error:
            form.refuse(error, aliases={"officer": "license_number"})
        else:
            messages.success(
                request,
                f"{extension.get_kind_display()} granted to {officer.full_name} for {extension.period.year} "
                f"until {extension.new_deadline:%B %-d, %Y}.",
            )
            return redirect("staff:extensions")
    return _extensions_page(request, grant_form=form)
