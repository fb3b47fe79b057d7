"""The public verification of compliance certificates (DESIGN §6): anyone holding a
certificate's code (another state's POST, an employer) sees, without signing in, whose it is
and the status of that period *now*, so a certificate can be checked without letters."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clee.compliance.models import ComplianceResult
from clee.portals.officer.access import certificate_by_code
from clee.portals.officer.selectors import day_shown, hours_shown
from clee.training.services import CERTIFIED_STATUSES


def _private(response: HttpResponse) -> HttpResponse:
    # A verification names an officer: never kept by shared caches nor indexed.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """A form to type a certificate's code; a code sent goes to its page."""
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("verify:certificate", code=code)
    return _private(render(request, "portals/officer/verify_form.html"))


@require_GET
def certificate(request: HttpRequest, code: str) -> HttpResponse:
    found = certificate_by_code(code)
    if found is None:
        response = render(request, "portals/officer/verify.html", {"code": code[:40]}, status=404)
        return _private(response)
    result = ComplianceResult.objects.filter(officer=found.officer, period=found.period).first()
    status_now = result.status if result else None
    context = {
        "certificate": found,
        "officer": found.officer,
        "period": found.period,
        "result": result,
        "valid": status_now in CERTIFIED_STATUSES,
        "counted_hours": hours_shown(result.counted_hours) if result else "",
        "issued_on": day_shown(timezone.localdate(found.created_at)),
        "checked_at": timezone.localtime(),
    }
    return _private(render(request, "portals/officer/verify.html", context))
