"""The Director's pages: the queue of officers non-compliant after the grace deadline, a decision
on each license (inactivate, with a reason, or keep), and reactivations once the missing
training is shown. Only the Director decides: POST staff see the statewide pages, not these."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.compliance.access import access_case, access_inactivation
from clee.compliance.decisions import license_decide, license_reactivate
from clee.compliance.models import ComplianceResult, LicenseDecision
from clee.compliance.selectors import (
    decision_queue,
    inactivations_awaiting_training,
    noncompliant_after_grace,
    periods_past_grace,
    reactivation_candidates,
)
from clee.core.errors import ServiceError
from clee.core.paging import paginate
from clee.officers.models import Commission
from clee.portals.director.forms import DecisionForm, QueueForm, ReactivationForm
from clee.portals.oversight.selectors import NoncompliantRow

director_only = role_required(User.Role.DIRECTOR)
# Officers still waiting for make-up training, listed on the reactivations page.
AWAITING_SHOWN = 50


def _current_commissions() -> Prefetch[Any]:
    return Prefetch(
        "officer__commissions",
        queryset=Commission.objects.filter(end__isnull=True)
        .select_related("agency")
        .order_by("agency__name"),
        to_attr="current_commissions",
    )


@require_GET
@director_only
def index(request: HttpRequest) -> HttpResponse:
    """The queue: officers non-compliant after the grace deadline of the chosen period (the
    latest whose deadline has passed), license still active, not yet decided."""
    today = timezone.localdate()
    periods = periods_past_grace(today)
    default = periods.first()
    if default is None:
        return render(request, "portals/director/index.html", {"period": None})
    data = request.GET.copy()
    if not data.get("period"):
        data["period"] = str(default.year)
    form = QueueForm(data, periods=periods)
    form.is_valid()
    period = form.cleaned_data.get("period") or default
    search = form.cleaned_data.get("q", "")
    queue = decision_queue(period, today).select_related("officer").prefetch_related(_current_commissions())
    if search:
        queue = queue.filter(
            Q(officer__last_name__icontains=search)
            | Q(officer__first_name__icontains=search)
            | Q(officer__license_number__iexact=search)
        )
    queue = queue.order_by("officer__last_name", "officer__first_name", "officer__license_number")
    decided = LicenseDecision.objects.filter(period=period).aggregate(
        inactivated=Count("id", filter=Q(decision=LicenseDecision.Decision.INACTIVATE)),
        kept=Count("id", filter=Q(decision=LicenseDecision.Decision.KEEP)),
        reactivated=Count("id", filter=Q(decision=LicenseDecision.Decision.REACTIVATE)),
    )
    context: dict[str, Any] = {
        "form": form,
        "period": period,
        "search": search,
        "decided": decided,
        "noncompliant": noncompliant_after_grace(period, today).count(),
        "awaiting": decision_queue(period, today).count(),
        "recent": LicenseDecision.objects.filter(period=period)
        .select_related("officer", "decided_by")
        .order_by("-decided_at", "-id")[:10],
        **paginate(request, queue),
    }
    context["rows"] = [
        NoncompliantRow(result, [c.agency for c in result.officer.current_commissions], None, None)
        for result in context["page_obj"].object_list
    ]
    return render(request, "portals/director/index.html", context)


@require_http_methods(["GET", "POST"])
@director_only
def decide(request: HttpRequest, year: int, officer_id: int) -> HttpResponse:
    """One officer's case: the period's result, agencies, license history; the decision form
    until the case is decided, then the decision."""
    result = access_case(acting_user(request), year, officer_id)
    officer, period = result.officer, result.period
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            license_decide(
                officer=officer,
                period=period,
                inactivate=form.inactivate,
                reason=form.cleaned_data["reason"],
                acting_user=acting_user(request),
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            if form.inactivate:
                messages.success(request, f"{officer.full_name}'s license is now inactive.")
            else:
                messages.success(
                    request, f"{officer.full_name}'s license stays active; the decision is recorded."
                )
            return redirect(f"{reverse('director:index')}?period={period.year}")
    decisions = list(
        LicenseDecision.objects.filter(officer=officer, period=period)
        .select_related("decided_by", "status_change")
        .order_by("decided_at", "id")
    )
    today = timezone.localdate()
    context = {
        "result": result,
        "officer": officer,
        "period": period,
        "form": form,
        "decisions": decisions,
        "decided": next((d for d in decisions if d.decision != LicenseDecision.Decision.REACTIVATE), None),
        "in_queue": decision_queue(period, today).filter(pk=result.pk).exists(),
        "past_grace": today > period.grace_deadline,
        "commissions": officer.commissions.filter(end__isnull=True)
        .select_related("agency")
        .order_by("agency__name"),
        "history": officer.status_changes.select_related("changed_by").order_by("-effective_on", "-id")[:10],
        "other_results": ComplianceResult.objects.filter(officer=officer)
        .exclude(pk=result.pk)
        .select_related("period")
        .order_by("-period__year")[:5],
    }
    return render(request, "portals/director/decide.html", context)


@require_GET
@director_only
def reactivations(request: HttpRequest) -> HttpResponse:
    """Inactive licenses whose missing training is now shown (the period's result is
    compliant), to make active again; and those still waiting for it."""
    candidates = (
        reactivation_candidates()
        .select_related("officer", "period", "decided_by")
        .order_by("officer__last_name", "officer__first_name", "period__year")
    )
    waiting = inactivations_awaiting_training()
    context: dict[str, Any] = {
        **paginate(request, candidates),
        "waiting_count": waiting.count(),
        "waiting": waiting.select_related("officer", "period").order_by("-decided_at", "-id")[
            :AWAITING_SHOWN
        ],
    }
    shown = list(context["page_obj"].object_list)
    results = {
        (r.officer_id, r.period_id): r
        for r in ComplianceResult.objects.filter(
            officer_id__in=[d.officer_id for d in shown], period_id__in={d.period_id for d in shown}
        )
    }
    context["rows"] = [(d, results.get((d.officer_id, d.period_id))) for d in shown]
    return render(request, "portals/director/reactivations.html", context)


@require_http_methods(["GET", "POST"])
@director_only
def reactivate(request: HttpRequest, decision_id: int) -> HttpResponse:
    """Confirm a reactivation with its reason."""
    inactivation = access_inactivation(acting_user(request), decision_id)
    form = ReactivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            license_reactivate(
                inactivation=inactivation,
                reason=form.cleaned_data["reason"],
                acting_user=acting_user(request),
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            messages.success(request, f"{inactivation.officer.full_name}'s license is active again.")
            return redirect("director:reactivations")
    result = ComplianceResult.objects.filter(officer=inactivation.officer, period=inactivation.period).first()
    reactivated = LicenseDecision.objects.filter(
        officer=inactivation.officer, period=inactivation.period, decision=LicenseDecision.Decision.REACTIVATE
    ).first()
    context = {
        "inactivation": inactivation,
        "officer": inactivation.officer,
        "result": result,
        "form": form,
        "reactivated": reactivated,
    }
    return render(request, "portals/director/reactivate.html", context)
