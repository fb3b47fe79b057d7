"""Who may open an attendance session: the provider of its offering (the same 404 for a
session that does not exist and one that is not yours)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from clee.attendance.models import AttendanceSession

NOT_FOUND = "No such page."


def access_session(user: Any, offering_id: int, session_id: int) -> AttendanceSession:
    provider_id = getattr(user, "provider_id", None)
    if getattr(user, "role", None) != "provider" or provider_id is None:
        raise Http404(NOT_FOUND)
    session = (
        AttendanceSession.objects.select_related("offering__course__provider", "batch")
        .filter(pk=session_id, offering_id=offering_id, offering__course__provider_id=provider_id)
        .first()
    )
    if session is None:
        raise Http404(NOT_FOUND)
    return session
