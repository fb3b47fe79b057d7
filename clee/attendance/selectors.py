"""Reads of attendance for the pages."""

from __future__ import annotations

from django.db.models import QuerySet

from clee.attendance.models import AttendanceEntry, AttendanceSession
from clee.officers.models import Officer
from clee.providers.models import Offering


def awaiting_confirmation(officer: Officer) -> QuerySet[AttendanceEntry]:
    """The officer's attendance not yet confirmed by the provider (shown as pending)."""
    return (
        AttendanceEntry.objects.filter(
            officer=officer,
            session__status__in=[AttendanceSession.Status.OPEN, AttendanceSession.Status.ENDED],
        )
        .select_related("session__offering__course__provider")
        .order_by("-checked_in_at")
    )


def session_list(session: AttendanceSession) -> QuerySet[AttendanceEntry]:
    return session.entries.select_related("officer").order_by("checked_in_at", "id")


def offering_sessions(offering: Offering) -> QuerySet[AttendanceSession]:
    return AttendanceSession.objects.filter(offering=offering).order_by("-created_at", "-id")
