"""One lockout per username, whatever address the failures came from.

django-axes keeps one failure record per username, address and browser, each expiring 15
minutes after its own last failure: failures spread over several addresses would release the
lock early, piece by piece. When a username is locked, every record of it is dated to that
moment, so the lock lasts the full cool-off from the failure that set it.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt


def hold_lock_from_now(sender: Any, request: Any, username: str | None, **kwargs: Any) -> None:
    # axes sends this signal when a failure sets the lock, and again for each try refused during
    # it; only the first has counted the failures (the others must not extend the lock).
    if request is None or getattr(request, "axes_failures_since_start", None) is None or not username:
        return
    AccessAttempt.objects.filter(username=username).update(attempt_time=request.axes_attempt_time)
