"""The public verification of compliance certificates (DESIGN §6): anyone holding a
certificate's code (another state's POST, an employer) sees, without signing in, whose it is
and the status of that period *now*, so a certificate can be checked without letters."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clee.compliance.certificates import CERTIFIED_STATUSES
from clee.compliance.models import ComplianceResult
from clee.credentials.sharing import PackedError, unpack
from clee.credentials.verification import MAX_CHARS, credential_check
from clee.portals.officer.selectors import day_shown, hours_shown
from clee.training.selectors import certificate_by_code


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


def _credential_text(request: HttpRequest) -> tuple[str, str]:
    """The credential sent (from a QR code, a file or the text box) and a reason it cannot be
    read, one of them empty."""
    packed = request.POST.get("packed", "").strip()
    if packed:
        try:
            return unpack(packed), ""
        except PackedError as error:
            return "", str(error)
    upload = request.FILES.get("file")
    if upload is not None:
        content = upload.read(MAX_CHARS + 1)
        if len(content) > MAX_CHARS:
            return "", f"the file is larger than a credential ({MAX_CHARS // 1024} KB at most)"
        try:
            return content.decode("utf-8"), ""
        except UnicodeDecodeError:
            return "", "the file is not a credential (not UTF-8 text)"
    text = request.POST.get("credential", "").strip()
    return text, "" if text else "paste a credential, choose its file, or scan its QR code"


@require_http_methods(["GET", "POST"])
def credential(request: HttpRequest) -> HttpResponse:
    """Check a verifiable credential from CLEE: pasted, uploaded, or from its QR code (the
    page's script reads a code's address or a photo of it). The checks use what the program
    publishes (its keys and status lists), not its records."""
    context: dict[str, object] = {"checked": request.method == "POST"}
    status = 200
    if request.method == "POST":
        text, problem = _credential_text(request)
        if problem:
            context["problem"] = problem
            status = 400
        else:
            outcome = credential_check(text)
            context.update(
                outcome=outcome, pasted=text if outcome.refused else "", checked_at=timezone.localtime()
            )
            status = 200 if outcome.valid else 400 if outcome.refused else 200
    return _private(render(request, "portals/officer/verify_credential.html", context, status=status))
