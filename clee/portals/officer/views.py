"""The officer's pages: the current period's dashboard, the transcript of any period (with its
PDF and the compliance certificate), credit requests, and the courses that close the gap.

An officer with no commission (unemployed, keeping the license) uses every page the same way:
nothing here depends on an agency.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.compliance.access import PeriodMissing, access_period
from clee.compliance.calendar import current_period, no_period_message
from clee.compliance.certificates import CERTIFIED_STATUSES, certificate_issue
from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.compliance.selectors import result_is_stale
from clee.core.errors import ServiceError
from clee.core.paging import paginate
from clee.officers.access import access_linked_officer, linked_officer
from clee.officers.models import Officer
from clee.portals.officer.forms import DOCUMENT_FIELDS, GUIDES, CreditRequestForm, kind_of
from clee.portals.officer.pdf import pdf_response
from clee.portals.officer.ranking import rank_offerings, upcoming_offerings
from clee.portals.officer.selectors import (
    dashboard,
    day_shown,
    hours_shown,
    transcript_line,
    transcript_rows,
    transcript_totals,
)
from clee.portals.pagecache import cached_page, officer_dashboard_fingerprint
from clee.portals.periods import page_period, period_switch
from clee.portals.polling import poll_unchanged, shown_token
from clee.training.access import access_own_certificate, access_own_credit_request
from clee.training.models import CreditRequest
from clee.workflows.credit_requests import credit_request_submit

OFFICER = User.Role.OFFICER


def _not_linked(request: HttpRequest, title: str) -> HttpResponse:
    return render(request, "portals/officer/not_linked.html", {"page_title": title})


@role_required(OFFICER)
@require_GET
@cached_page(officer_dashboard_fingerprint)
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    officer = linked_officer(user)
    if officer is None:
        return _not_linked(request, "Your continuing education")
    period = current_period()
    context: dict[str, Any] = {"officer": officer, "period": period, **dashboard(officer, period)}
    context["shown"] = shown_token("dashboard", officer.pk, period.pk if period else None)
    if context.get("updating") and (unchanged := poll_unchanged(request, context["shown"])):
        return unchanged
    return render(request, "portals/officer/index.html", context)


# Transcript and certificate ---------------------------------------------------------------


def _transcript_context(officer: Officer, period: ReportingPeriod) -> dict[str, Any]:
    rows = transcript_rows(officer, period)
    result = ComplianceResult.objects.filter(officer=officer, period=period).first()
    updating = result_is_stale(officer.pk, period)
    return {
        "updating": updating,
        "officer": officer,
        "period": period,
        "rows": rows,
        "totals": transcript_totals(rows),
        "result": result,
        "counted_hours": hours_shown(result.counted_hours) if result else "",
        "jointly_short": bool(result and any(row.get("jointly") for row in result.requirements)),
        "certificate_ready": bool(result and result.status in CERTIFIED_STATUSES and not updating),
        "waiting": CreditRequest.objects.filter(
            officer=officer,
            status=CreditRequest.Status.SUBMITTED,
            completed_on__gte=period.starts,
            completed_on__lte=period.ends,
        ).count(),
        "generated_at": timezone.localtime(),
    }


@role_required(OFFICER)
@require_GET
def transcript(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    officer = linked_officer(user)
    if officer is None:
        return _not_linked(request, "Transcript")
    period = page_period(request)
    if period is None:
        raise PeriodMissing(no_period_message("current"))
    context = _transcript_context(officer, period)
    context["shown"] = shown_token("transcript", officer.pk, period.pk)
    if context["updating"] and (unchanged := poll_unchanged(request, context["shown"])):
        return unchanged
    context.update(period_switch(request, period))
    return render(request, "portals/officer/transcript.html", context)


@role_required(OFFICER)
@require_GET
def transcript_pdf(request: HttpRequest, year: int) -> HttpResponse:
    user = acting_user(request)
    officer = access_linked_officer(user)
    period = access_period(user, year)
    context = _transcript_context(officer, period)
    return pdf_response(
        request,
        "portals/officer/pdf/transcript.html",
        context,
        f"clee-transcript-{period.year}-{officer.license_number}",
    )


@role_required(OFFICER)
@require_POST
def certificate(request: HttpRequest, year: int) -> HttpResponse:
    """Issue (or find) the period's certificate, then download it."""
    user = acting_user(request)
    officer = access_linked_officer(user)
    period = access_period(user, year)
    try:
        certificate_issue(officer=officer, period=period, acting_user=user)
    except ServiceError as error:
        messages.error(request, error.sentence)
        return redirect(f"{reverse('officer:transcript')}?year={period.year}")
    return redirect("officer:certificate_pdf", year=period.year)


@role_required(OFFICER)
@require_GET
def certificate_pdf(request: HttpRequest, year: int) -> HttpResponse:
    user = acting_user(request)
    officer = access_linked_officer(user)
    period = access_period(user, year)
    issued = access_own_certificate(user, period.pk)
    result = ComplianceResult.objects.filter(officer=officer, period=period).first()
    if result is None or result.status not in CERTIFIED_STATUSES:
        # The record changed since the certificate was issued: no certificate of a status
        # the officer no longer has.
        messages.error(request, f"Your {period.year} record no longer shows compliance: no certificate.")
        return redirect(f"{reverse('officer:transcript')}?year={period.year}")
    context = {
        "officer": officer,
        "period": period,
        "certificate": issued,
        "result": result,
        "counted_hours": hours_shown(result.counted_hours),
        "verify_url": request.build_absolute_uri(reverse("verify:certificate", args=[issued.shown_code])),
        "verify_home": request.build_absolute_uri(reverse("verify:index")),
        "issued_on": day_shown(timezone.localdate(issued.created_at)),
    }
    return pdf_response(
        request,
        "portals/officer/pdf/certificate.html",
        context,
        f"clee-certificate-{period.year}-{officer.license_number}",
    )


# Credit requests ----------------------------------------------------------------------------


@role_required(OFFICER)
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    officer = linked_officer(user)
    if officer is None:
        return _not_linked(request, "Credit requests")
    mine = (
        CreditRequest.objects.filter(officer=officer).select_related("record").order_by("-created_at", "-id")
    )
    context: dict[str, Any] = {
        "officer": officer,
        "guides": list(GUIDES.values()),
        "commissioned": officer.commissions.filter(end__isnull=True).exists(),
        **paginate(request, mine, per_page=25),
    }
    return render(request, "portals/officer/requests.html", context)


def _place_error(form: CreditRequestForm, error: ServiceError) -> None:
    """Show a service's refusal next to its field (documents: the first missing kind)."""
    missing = next((name for name, _, _ in DOCUMENT_FIELDS[form.kind] if not form.cleaned_data.get(name)), "")
    form.refuse(error, aliases={"documents": missing})


@role_required(OFFICER)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    officer = linked_officer(user)
    if officer is None:
        return _not_linked(request, "New credit request")
    kind = kind_of(request.POST.get("kind") if request.method == "POST" else request.GET.get("kind"))
    commissioned = officer.commissions.filter(end__isnull=True).exists()
    if kind is None:
        return render(
            request,
            "portals/officer/request_kinds.html",
            {"guides": list(GUIDES.values()), "commissioned": commissioned},
        )
    period = current_period()
    if request.method == "POST":
        form = CreditRequestForm(request.POST, request.FILES, kind=kind, period=period)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = credit_request_submit(
                    officer=officer,
                    kind=kind,
                    title=data["title"],
                    completed_on=data["completed_on"],
                    hours=data.get("hours"),
                    semester_hours=data.get("semester_hours"),
                    state=data.get("state", ""),
                    provider_name=data.get("provider_name", ""),
                    details=data.get("details", ""),
                    uploads=form.uploads(),
                    acting_user=user,
                )
            except ServiceError as error:
                _place_error(form, error)
            else:
                messages.success(
                    request, f"Your request “{created.title}” was sent to POST. It is awaiting review."
                )
                if created.recognition_issue:
                    messages.info(
                        request,
                        f"{created.recognition_issue}. POST staff see this with your request and "
                        "decide whether the course counts; you are told the reason either way.",
                    )
                return HttpResponseRedirect(reverse("officer:request_detail", args=[created.pk]))
    else:
        form = CreditRequestForm(kind=kind, period=period)
    context = {
        "form": form,
        "kind": kind,
        "guide": GUIDES[kind],
        "commissioned": commissioned,
        "limit_mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "portals/officer/request_form.html", context)


@role_required(OFFICER)
@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    claim = access_own_credit_request(acting_user(request), request_id)
    record = claim.record
    context: dict[str, Any] = {
        "claim": claim,
        "guide": GUIDES[str(claim.kind)],
        "documents": list(claim.documents.all()),
        "record": record,
        "record_lines": [],
        "hours": hours_shown(claim.hours),
        "semester_hours": hours_shown(claim.semester_hours),
    }
    if record is not None:
        context["record_hours"] = hours_shown(record.hours)
        context["record_lines"] = [
            transcript_line(line.core_area, line.subject, line.hours, line.topics)
            for line in record.lines.all()
        ]
    return render(request, "portals/officer/request_detail.html", context)


# Courses that close my gap --------------------------------------------------------------------


@role_required(OFFICER)
@require_GET
def courses(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    officer = linked_officer(user)
    if officer is None:
        return _not_linked(request, "Courses that close your gap")
    period = current_period()
    today = timezone.localdate()
    context: dict[str, Any] = {"officer": officer, "period": period, "today": today}
    if period is not None:
        offerings = list(upcoming_offerings(today))
        ranking = rank_offerings(officer, period, offerings)
        result = ComplianceResult.objects.filter(officer=officer, period=period).first()
        context.update(
            result=result,
            ranking=ranking,
            missing=hours_shown(ranking.missing) if ranking else "",
            deficient=bool(ranking and ranking.status == "deficient"),
            offering_count=len(offerings),
            **paginate(request, ranking.offerings if ranking else [], per_page=25),
        )
    return render(request, "portals/officer/courses.html", context)
