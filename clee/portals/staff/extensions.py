"""Extensions and waivers: the requests agencies sent, decided by POST staff, and those staff
grant directly."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clee.accounts.access import acting_user
from clee.compliance.access import access_extension
from clee.compliance.calendar import current_period
from clee.compliance.preview import extension_effect
from clee.compliance.services import extension_decide, extension_grant, extension_refuse
from clee.core.errors import ServiceError
from clee.portals.staff.forms import (
    GRANT,
    ExtensionDecisionForm,
    ExtensionGrantForm,
)
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
