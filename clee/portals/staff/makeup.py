"""Make-up training: POST staff apply training completed after a deficient period to it.

The queue lists officers short for an ended period who have training on file completed
later and not applied anywhere; an officer's page previews, through the rules engine, what
applying the chosen records does to every period it touches, then applies them
(``clee.compliance.makeup``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import NOT_FOUND, acting_user
from clee.compliance.makeup import makeup_candidates, makeup_preview, makeup_queue, training_apply_to_period
from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.core.errors import ServiceError
from clee.core.forms import PortalForm, text_field
from clee.core.paging import paginate
from clee.officers.models import Officer
from clee.portals.officer.selectors import hours_shown
from clee.portals.staff.pages import review_errors, staff_only
from clee.training.models import TrainingRecord


class MakeupForm(PortalForm):
    """Records completed after a deficient period, to apply to it as make-up training."""

    records = forms.MultipleChoiceField(
        label="Training to apply",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one record to apply."},
    )
    reason = text_field(
        "Reason",
        max_length=240,
        rows=3,
        help_text="What the training makes up for; the officer and the Director see it in the history.",
        required_message="Give the reason for applying the training.",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = choices  # type: ignore[attr-defined]

    def record_ids(self) -> list[int]:
        return [int(value) for value in self.cleaned_data["records"]]


@staff_only
@require_GET
def makeup(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portals/staff/makeup.html",
        paginate(request, makeup_queue(timezone.localdate()), per_page=50),
    )


def _record_label(record: TrainingRecord) -> str:
    title = record.course.title if record.course is not None else record.description
    areas = ", ".join(
        f"{line.get_core_area_display()} {hours_shown(line.hours)} h" for line in record.lines.all()
    )
    return f"{record.completed_on:%b %-d, %Y} · {title} · {hours_shown(record.hours)} h ({areas})"


@staff_only
@require_http_methods(["GET", "POST"])
def makeup_officer(request: HttpRequest, year: int, officer_id: int) -> HttpResponse:
    user = acting_user(request)
    today = timezone.localdate()
    result = (
        ComplianceResult.objects.filter(
            officer_id=officer_id,
            period__year=year,
            status=ComplianceResult.Status.DEFICIENT,
            period__ends__lt=today,
        )
        .select_related("officer", "period")
        .first()
    )
    if result is None:
        raise Http404(NOT_FOUND)
    officer: Officer = result.officer
    period: ReportingPeriod = result.period
    candidates = list(makeup_candidates(officer, period))
    form = MakeupForm(
        request.POST or None, choices=[(str(record.pk), _record_label(record)) for record in candidates]
    )
    context: dict[str, Any] = {"officer": officer, "period": period, "result": result, "form": form}
    if request.method == "POST" and form.is_valid():
        chosen = [record for record in candidates if record.pk in set(form.record_ids())]
        if "apply" in request.POST:
            try:
                training_apply_to_period(
                    officer=officer,
                    period=period,
                    record_ids=[record.pk for record in chosen],
                    reason=form.cleaned_data["reason"],
                    acting_user=user,
                    today=today,
                )
            except ServiceError as error:
                form.refuse(error)
            else:
                messages.success(
                    request,
                    f"{len(chosen)} record{'s' if len(chosen) != 1 else ''} applied to {officer.full_name}'s "
                    f"{period.year} period as make-up training.",
                )
                # Back to the queue: the officer, made compliant, may have left it.
                return redirect("staff:makeup")
        else:
            try:
                context["preview"] = makeup_preview(
                    officer, period, chosen, acting_user=user, reason=form.cleaned_data["reason"], today=today
                )
            except ServiceError as error:
                form.refuse(error)
    context["errors"] = review_errors(form, anchors={"records": "#records-legend"})
    context["applied"] = TrainingRecord.objects.filter(
        officer=officer, applied_to_year=period.year
    ).select_related("course")
    return render(request, "portals/staff/makeup_officer.html", context)
