"""Same-day attendance, the officer's side: the address in the room's QR code opens here on the
officer's phone (after signing in); one press checks in, or out. The check-in shows at once,
as pending the provider's confirmation, on the dashboard and the transcript."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.attendance.codes import CodeError
from clee.attendance.models import AttendanceScan
from clee.attendance.selectors import awaiting_confirmation
from clee.attendance.services import attendance_scan, code_session, next_action
from clee.core.errors import ServiceError, sentence
from clee.officers.access import linked_officer

OFFICER = User.Role.OFFICER
TEMPLATE = "portals/officer/attend.html"


@role_required(OFFICER)
@require_http_methods(["GET", "POST"])
def attend(request: HttpRequest, offering_id: int) -> HttpResponse:
    user = acting_user(request)
    officer = linked_officer(user)
    code = (request.POST.get("code") if request.method == "POST" else request.GET.get("code")) or ""
    context: dict[str, Any] = {"officer": officer, "code": code}
    if officer is None:
        context["refused"] = "Your account is not linked to an officer's record yet."
        return render(request, TEMPLATE, context, status=400)
    try:
        session = code_session(offering_id=offering_id, code=code)
    except CodeError as error:
        context["refused"] = sentence(error.message)
        return render(request, TEMPLATE, context, status=400)
    context.update(session=session, offering=session.offering, course=session.offering.course)
    if request.method == "POST":
        try:
            outcome = attendance_scan(
                offering_id=offering_id, code=code, action=request.POST.get("action", ""), acting_user=user
            )
        except ServiceError as error:
            context["refused"] = error.sentence
            return render(request, TEMPLATE, context, status=400)
        context.update(done=outcome.action, entry=outcome.entry)
        return render(request, TEMPLATE, context)
    context["action"] = next_action(session, officer)
    context["check_out"] = context["action"] == AttendanceScan.Action.CHECK_OUT
    response = render(request, TEMPLATE, context)
    response["Cache-Control"] = "no-store"
    return response


@role_required(OFFICER)
@require_GET
def attendance_pending(request: HttpRequest) -> HttpResponse:
    """The officer's check-ins awaiting the provider's confirmation (a part of the dashboard)."""
    officer = linked_officer(acting_user(request))
    entries = list(awaiting_confirmation(officer)) if officer is not None else []
    response = render(request, "portals/officer/includes/attendance_pending.html", {"pending": entries})
    response["Cache-Control"] = "no-store"
    return response
