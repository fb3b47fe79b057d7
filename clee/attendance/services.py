"""Running an attendance session: start it, check officers in and out by code, add or take off
an officer by hand, end check-in, and confirm the list through the normal roster path (all or
nothing; a completion already on file is not added again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from clee.attendance.codes import CodeError, code_read, window_of
from clee.attendance.models import AttendanceEntry, AttendanceScan, AttendanceSession
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.imports.report import ImportReport
from clee.imports.tables import table_from_rows
from clee.officers.models import Officer
from clee.providers.models import Course, Offering
from clee.workflows.provider_rosters import roster_apply

if TYPE_CHECKING:
    from clee.accounts.models import User

RUNNING = (AttendanceSession.Status.OPEN, AttendanceSession.Status.ENDED)


def _require_provider(offering: Offering, acting_user: User) -> None:
    if (
        getattr(acting_user, "role", None) != "provider"
        or acting_user.provider_id != offering.course.provider_id
    ):
        raise ServiceError("only the offering's provider runs its attendance")


@transaction.atomic
def session_start(*, offering: Offering, acting_user: User) -> AttendanceSession:
    """Open check-in for an offering taking place today; returns the session (the one already
    running, if any)."""
    offering = (
        Offering.objects.select_for_update(of=("self",))
        .select_related("course__provider")
        .get(pk=offering.pk)
    )
    _require_provider(offering, acting_user)
    today = timezone.localdate()
    if not offering.starts_on <= today <= offering.ends_on:
        raise ServiceError(
            f"attendance is taken on the offering's days ({offering.starts_on:%B %-d} to "
            f"{offering.ends_on:%B %-d, %Y}), not today"
        )
    if offering.course.status != Course.Status.APPROVED or not offering.course.approved_on(today):
        raise ServiceError("the course is not approved today: its completions could not be recorded")
    running = AttendanceSession.objects.filter(offering=offering, status__in=RUNNING).first()
    if running is not None:
        return running
    if AttendanceSession.objects.filter(
        offering=offering, status=AttendanceSession.Status.CONFIRMED
    ).exists():
        raise ServiceError("this offering's attendance was already confirmed and recorded")
    session = AttendanceSession.objects.create(offering=offering, day=today, started_by=acting_user)
    record_event(
        actor=acting_user,
        action=AuditAction.ATTENDANCE_SESSION_START,
        target=session,
        summary=f"attendance opened for {offering.course.number} on {today}",
    )
    return session


def _locked(session: AttendanceSession) -> AttendanceSession:
    return (
        AttendanceSession.objects.select_for_update(of=("self",))
        .select_related("offering__course")
        .get(pk=session.pk)
    )


@transaction.atomic
def session_end(*, session: AttendanceSession, acting_user: User) -> AttendanceSession:
    """Stop taking codes; the list then waits for the provider's confirmation."""
    session = _locked(session)
    _require_provider(session.offering, acting_user)
    if session.status != AttendanceSession.Status.OPEN:
        raise ServiceError("check-in has already ended for this session")
    session.status = AttendanceSession.Status.ENDED
    session.ended_at = timezone.now()
    session.save(update_fields=["status", "ended_at", "updated_at"])
    record_event(
        actor=acting_user,
        action=AuditAction.ATTENDANCE_SESSION_END,
        target=session,
        summary=f"check-in ended: {session.entries.count()} officers on the list",
    )
    return session


@dataclass(frozen=True)
class ScanOutcome:
    entry: AttendanceEntry
    action: str  # AttendanceScan.Action


def code_session(*, offering_id: int, code: str, now: dt.datetime | None = None) -> AttendanceSession:
    """The open session a code presented for ``offering_id`` belongs to; ``CodeError`` saying
    why it is refused. Writes nothing (the check-in page reads the code first)."""
    now = now or timezone.now()
    claim = code_read(code, offering_id=offering_id, now=now)
    session = (
        AttendanceSession.objects.select_related("offering__course__provider")
        .filter(pk=claim.session_id, offering_id=offering_id)
        .first()
    )
    if session is None:
        raise CodeError("this code is for another class: scan the code of the class you are attending")
    if session.status != AttendanceSession.Status.OPEN:
        raise CodeError("check-in for this class has ended: ask the instructor to add you to the list")
    return session


def next_action(session: AttendanceSession, officer: Officer) -> str:
    """What scanning now does for the officer: check in, or check out once checked in."""
    entry = AttendanceEntry.objects.filter(session=session, officer=officer).first()
    checked_in = entry is not None and entry.checked_out_at is None
    return AttendanceScan.Action.CHECK_OUT if checked_in else AttendanceScan.Action.CHECK_IN


@transaction.atomic
def attendance_scan(
    *, offering_id: int, code: str, action: str, acting_user: User, now: dt.datetime | None = None
) -> ScanOutcome:
    """The signed-in officer checks in (or out) with a scanned code. Refused (``ServiceError``)
    when the code is not CLEE's, is for another offering, is stale, was already used by this
    officer, or when the session no longer takes codes."""
    now = now or timezone.now()
    officer = getattr(acting_user, "officer", None)
    if getattr(acting_user, "role", None) != "officer" or officer is None:
        raise ServiceError("only an officer's account checks in")
    try:
        session = code_session(offering_id=offering_id, code=code, now=now)
        claim = code_read(code, offering_id=offering_id, now=now)
    except CodeError as error:
        raise ServiceError(error.message, field="code") from error
    session = _locked(session)
    if session.status != AttendanceSession.Status.OPEN:
        raise ServiceError("check-in for this class has ended: ask the instructor to add you to the list")
    if action != next_action(session, officer):
        shown = "checked in" if action == AttendanceScan.Action.CHECK_IN else "checked out"
        raise ServiceError(f"you are already {shown} for this class", field="code")
    try:
        with transaction.atomic():
            AttendanceScan.objects.create(
                session=session, officer=officer, window=claim.window, action=action, scanned_at=now
            )
    except IntegrityError:
        raise ServiceError(
            "this code was already used: scan the code on the screen now (it changes every 30 seconds)",
            field="code",
        ) from None
    entry = AttendanceEntry.objects.filter(session=session, officer=officer).first()
    if action == AttendanceScan.Action.CHECK_IN:
        if entry is None:
            entry = AttendanceEntry.objects.create(session=session, officer=officer, checked_in_at=now)
        else:  # back after checking out
            entry.checked_out_at = None
            entry.save(update_fields=["checked_out_at", "updated_at"])
    else:
        assert entry is not None
        entry.checked_out_at = now
        entry.save(update_fields=["checked_out_at", "updated_at"])
    record_event(
        actor=acting_user,
        action=(
            AuditAction.ATTENDANCE_CHECK_IN
            if action == AttendanceScan.Action.CHECK_IN
            else AuditAction.ATTENDANCE_CHECK_OUT
        ),
        target=entry,
        summary=f"{officer.license_number} {AttendanceScan.Action(action).label.lower()} "
        f"({session.offering.course.number}, window {claim.window}, now {window_of(now)})",
    )
    return ScanOutcome(entry=entry, action=action)


def _running(session: AttendanceSession, acting_user: User) -> AttendanceSession:
    session = _locked(session)
    _require_provider(session.offering, acting_user)
    if session.status == AttendanceSession.Status.CONFIRMED:
        raise ServiceError("this list was already confirmed and recorded")
    return session


@transaction.atomic
def entry_add(*, session: AttendanceSession, license_number: str, acting_user: User) -> AttendanceEntry:
    """The provider adds an officer who could not scan (no phone, a failed scan)."""
    session = _running(session, acting_user)
    number = license_number.strip().upper()
    officer = Officer.objects.filter(license_number=number).first()
    if officer is None:
        raise ServiceError(f"no officer has license number {number or '(empty)'}", field="license_number")
    if AttendanceEntry.objects.filter(session=session, officer=officer).exists():
        raise ServiceError(f"{officer.full_name} ({number}) is already on the list", field="license_number")
    entry = AttendanceEntry.objects.create(
        session=session, officer=officer, checked_in_at=timezone.now(), added_by_provider=True
    )
    record_event(
        actor=acting_user,
        action=AuditAction.ATTENDANCE_ENTRY_ADD,
        target=entry,
        summary=f"{number} added to the attendance list by the provider",
    )
    return entry


@transaction.atomic
def session_confirm(
    *, session: AttendanceSession, officer_ids: Collection[int], acting_user: User
) -> ImportReport:
    """Record the completions of the officers kept on the list (``officer_ids``), dated the
    session's day, as the provider's roster: the import service checks every row and writes all
    or nothing. Returns its report; applied, the session is confirmed and names the roster."""
    session = _running(session, acting_user)
    entries = list(
        AttendanceEntry.objects.filter(session=session, officer_id__in=officer_ids).select_related("officer")
    )
    if not entries:
        raise ServiceError("keep at least one officer on the list to confirm it", field="officers")
    course = session.offering.course
    table = table_from_rows(
        ["license_number", "last_name", "course_number", "completion_date", "offering"],
        [
            [
                entry.officer.license_number,
                entry.officer.last_name,
                course.number,
                session.day.isoformat(),
                str(session.offering_id),
            ]
            for entry in entries
        ],
        name=f"attendance-{course.number}-{session.day.isoformat()}-session-{session.pk}.csv",
    )
    report = roster_apply(provider=course.provider, table=table, acting_user=acting_user)
    if not report.applied or report.batch is None:
        return report
    session.status = AttendanceSession.Status.CONFIRMED
    session.confirmed_by = acting_user
    session.confirmed_at = timezone.now()
    session.ended_at = session.ended_at or session.confirmed_at
    session.batch = report.batch
    session.save(update_fields=["status", "confirmed_by", "confirmed_at", "ended_at", "batch", "updated_at"])
    dropped = session.entries.exclude(officer_id__in=[entry.officer_id for entry in entries]).count()
    record_event(
        actor=acting_user,
        action=AuditAction.ATTENDANCE_SESSION_CONFIRM,
        target=session,
        summary=f"attendance confirmed: {len(entries)} completions sent as roster {report.batch.pk}"
        + (f", {dropped} left off the list" if dropped else ""),
    )
    return report
