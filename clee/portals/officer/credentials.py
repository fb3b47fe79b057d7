"""The officer's verifiable credentials: one for each accepted course record, one for each
period met (or exempt), each downloaded as JSON (for a wallet or another state's system) or as
a PDF carrying the whole credential in a QR code."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.compliance.access import PeriodMissing, access_period
from clee.compliance.calendar import no_period_message
from clee.compliance.models import ComplianceResult
from clee.core.errors import ServiceError
from clee.credentials.access import access_own_credential
from clee.credentials.models import IssuedCredential
from clee.credentials.services import CERTIFIED, course_credential_issue, period_credential_issue
from clee.credentials.sharing import qr_code
from clee.officers.access import access_linked_officer, linked_officer
from clee.portals.officer.pdf import pdf_response
from clee.portals.periods import page_period, period_switch
from clee.training.access import access_own_record
from clee.training.models import TrainingRecord

OFFICER = User.Role.OFFICER


def _refused(request: HttpRequest, error: ServiceError, year: int) -> HttpResponse:
    messages.error(request, f"No credential: {error.message}.")
    return redirect(f"{reverse('officer:credentials')}?year={year}")


@role_required(OFFICER)
@require_GET
def credentials(request: HttpRequest) -> HttpResponse:
    """The period's accepted records and its result, each with its credential or a button."""
    officer = linked_officer(acting_user(request))
    if officer is None:
        return render(request, "portals/officer/not_linked.html", {"page_title": "Credentials"})
    period = page_period(request)
    if period is None:
        raise PeriodMissing(no_period_message("current"))
    records = list(
        TrainingRecord.objects.counting_in(period)
        .filter(officer=officer)
        .select_related("course__provider")
        .order_by("completed_on", "id")
    )
    issued = IssuedCredential.objects.filter(officer=officer).order_by("-created_at")
    live = {c.record_id: c for c in issued if c.kind == "course" and not c.revoked}
    result = ComplianceResult.objects.filter(officer=officer, period=period).first()
    context: dict[str, Any] = {
        "officer": officer,
        "period": period,
        "rows": [(record, live.get(record.pk)) for record in records],
        "result": result,
        "period_ready": bool(result and result.status in CERTIFIED),
        "period_credential": next(
            (c for c in issued if c.kind == "period" and c.period_id == period.pk and not c.revoked), None
        ),
        "revoked": [c for c in issued if c.revoked][:20],
    }
    context.update(period_switch(request, period))
    return render(request, "portals/officer/credentials.html", context)


@role_required(OFFICER)
@require_POST
def credential_for_record(request: HttpRequest, record_id: int) -> HttpResponse:
    user = acting_user(request)
    record = access_own_record(user, record_id)
    try:
        credential = course_credential_issue(record=record, acting_user=user)
    except ServiceError as error:
        return _refused(request, error, record.completed_on.year)
    return redirect("officer:credential", credential_id=credential.credential_id)


@role_required(OFFICER)
@require_POST
def credential_for_period(request: HttpRequest, year: int) -> HttpResponse:
    user = acting_user(request)
    officer = access_linked_officer(user)
    period = access_period(user, year)
    try:
        credential = period_credential_issue(officer=officer, period=period, acting_user=user)
    except ServiceError as error:
        return _refused(request, error, year)
    return redirect("officer:credential", credential_id=credential.credential_id)


@role_required(OFFICER)
@require_GET
def credential(request: HttpRequest, credential_id: uuid.UUID) -> HttpResponse:
    found = access_own_credential(acting_user(request), credential_id)
    context = {
        "credential": found,
        "qr_svg": qr_code(found.document).svg_inline(scale=3, border=4, omitsize=True),
    }
    response = render(request, "portals/officer/credential.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(OFFICER)
@require_GET
def credential_json(request: HttpRequest, credential_id: uuid.UUID) -> HttpResponse:
    found = access_own_credential(acting_user(request), credential_id)
    response = HttpResponse(found.document, content_type="application/vc+ld+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="clee-credential-{found.credential_id}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(OFFICER)
@require_GET
def credential_pdf(request: HttpRequest, credential_id: uuid.UUID) -> HttpResponse:
    found = access_own_credential(acting_user(request), credential_id)
    context = {
        "credential": found,
        "officer": found.officer,
        "qr_png": qr_code(found.document).png_data_uri(scale=4, border=4),
        "verify_home": request.build_absolute_uri(reverse("verify:index")),
    }
    return pdf_response(
        request, "portals/officer/pdf/credential.html", context, f"clee-credential-{found.credential_id}"
    )
