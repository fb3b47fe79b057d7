"""Same-day attendance, the provider's side: start an offering's session, show its rotating QR
code (the page asks for the next code when the current one is about to change), watch the list
fill, end check-in, keep or take off officers and add one by license number, then confirm: the
list goes through the roster path, all or nothing."""

from __future__ import annotations

import math
from typing import Any

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.attendance.access import access_session
from clee.attendance.codes import code_make, seconds, window_end, window_of
from clee.attendance.models import AttendanceSession
from clee.attendance.selectors import session_list
from clee.attendance.services import entry_add, session_confirm, session_end, session_start
from clee.core.errors import ServiceError
from clee.providers.access import access_own_offering

PROVIDER = User.Role.PROVIDER


def check_in_url(request: HttpRequest, session: AttendanceSession, window: int) -> str:
    code = code_make(session_id=session.pk, offering_id=session.offering_id, window=window)
    path = reverse("attend", args=[session.offering_id])
    return request.build_absolute_uri(f"{path}?code={code}")


@role_required(PROVIDER)
@require_POST
def attendance_start(request: HttpRequest, offering_id: int) -> HttpResponse:
    user = acting_user(request)
    offering = access_own_offering(user, offering_id)
    try:
        session = session_start(offering=offering, acting_user=user)
    except ServiceError as error:
        messages.error(request, f"Attendance cannot be taken: {error.message}.")
        return redirect("provider:offering_detail", offering_id=offering.pk)
    return redirect("provider:attendance", offering_id=offering.pk, session_id=session.pk)


def _code_context(request: HttpRequest, session: AttendanceSession) -> dict[str, Any]:
    now = timezone.now()
    window = window_of(now)
    url = check_in_url(request, session, window)
    qr = segno.make(url, error="m")
    remaining = (window_end(window) - now).total_seconds()
    return {
        "session": session,
        "qr_svg": qr.svg_inline(scale=6, border=2, dark="#1b1b1b", omitsize=True),
        "check_in_url": url,
        # Ask for the next code just after this one changes.
        "refresh_in": max(1, math.ceil(remaining) + 1),
        "code_seconds": seconds(),
        "entries": list(session_list(session)),
    }


@role_required(PROVIDER)
@require_GET
def attendance(request: HttpRequest, offering_id: int, session_id: int) -> HttpResponse:
    """The session: the QR code to show on the room's screen while check-in is open, the list."""
    session = access_session(acting_user(request), offering_id, session_id)
    context: dict[str, Any] = {"offering": session.offering, "course": session.offering.course}
    if session.status == AttendanceSession.Status.OPEN:
        context.update(_code_context(request, session))
    else:
        context.update(session=session, entries=list(session_list(session)))
    return render(request, "portals/provider/attendance.html", context)


@role_required(PROVIDER)
@require_GET
def attendance_code(request: HttpRequest, offering_id: int, session_id: int) -> HttpResponse:
    """The current code and the list, for the session page to swap in (htmx)."""
    session = access_session(acting_user(request), offering_id, session_id)
    if session.status != AttendanceSession.Status.OPEN:
        response = HttpResponse(status=286)  # htmx: stop asking
        response["HX-Redirect"] = reverse("provider:attendance", args=[offering_id, session_id])
        return response
    response = render(
        request, "portals/provider/includes/attendance_code.html", _code_context(request, session)
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(PROVIDER)
@require_POST
def attendance_end(request: HttpRequest, offering_id: int, session_id: int) -> HttpResponse:
    user = acting_user(request)
    session = access_session(user, offering_id, session_id)
    try:
        session_end(session=session, acting_user=user)
    except ServiceError as error:
        messages.error(request, error.sentence)
    return redirect("provider:attendance", offering_id=offering_id, session_id=session_id)


@role_required(PROVIDER)
@require_POST
def attendance_add(request: HttpRequest, offering_id: int, session_id: int) -> HttpResponse:
    user = acting_user(request)
    session = access_session(user, offering_id, session_id)
    try:
        entry = entry_add(
            session=session, license_number=request.POST.get("license_number", ""), acting_user=user
        )
    except ServiceError as error:
        messages.error(request, f"Not added: {error.message}.")
    else:
        messages.success(
            request, f"{entry.officer.full_name} ({entry.officer.license_number}) added to the list."
        )
    return redirect("provider:attendance", offering_id=offering_id, session_id=session_id)


@role_required(PROVIDER)
@require_http_methods(["POST"])
def attendance_confirm(request: HttpRequest, offering_id: int, session_id: int) -> HttpResponse:
    """Record the completions of the officers kept on the list, all or nothing."""
    user = acting_user(request)
    session = access_session(user, offering_id, session_id)
    kept = {int(value) for value in request.POST.getlist("officer") if value.isdigit()}
    try:
        report = session_confirm(session=session, officer_ids=kept, acting_user=user)
    except ServiceError as error:
        messages.error(request, f"Nothing was recorded: {error.message}.")
        return redirect("provider:attendance", offering_id=offering_id, session_id=session_id)
    if not report.applied or report.batch is None:
        context: dict[str, Any] = {
            "offering": session.offering,
            "course": session.offering.course,
            "session": session,
            "entries": list(session_list(session)),
            "report": report,
            "kept": kept,
        }
        return render(request, "portals/provider/attendance.html", context, status=400)
    batch = report.batch
    messages.success(
        request,
        f"Attendance confirmed: {batch.added} completion{'s' if batch.added != 1 else ''} recorded, "
        f"{batch.already_present} already on file.",
    )
    return redirect("provider:roster_batch", batch_id=batch.pk)
