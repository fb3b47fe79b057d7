"""Who may open an attendance session: the provider of its offering (the same 404 for a
session that does not exist and one that is not yours)."""

from __future__ import annotations

from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.accounts.models import User
from clee.attendance.models import AttendanceSession


def access_session(user: User, offering_id: int, session_id: int) -> AttendanceSession:
    """A session of one of the provider's offerings, with its offering, course and batch."""
    provider_id = user.provider_id
    if user.role != User.Role.PROVIDER or provider_id is None:
        raise Http404(NOT_FOUND)
    session = (
        AttendanceSession.objects.select_related("offering__course__provider", "batch")
        .filter(pk=session_id, offering_id=offering_id, offering__course__provider_id=provider_id)
        .first()
    )
    if session is None:
        raise Http404(NOT_FOUND)
    return session
