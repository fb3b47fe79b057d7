"""Sign-in events as they happen (Django's and django-axes' signals): the session's clocks, and
a row in the audit trail for each sign-in, sign-out, refused sign-in and lockout."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.db.models import Sum

from clee.accounts import services
from clee.accounts.lockout import cool_off
from clee.accounts.models import User
from clee.security.middleware import SIGN_OUT_REASON, stamp_session


def on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        stamp_session(request, user)
    if isinstance(user, User):
        services.sign_in_record(
            user=user, backend=getattr(user, "backend", "") or "", path=getattr(request, "path", "")
        )


def on_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if isinstance(user, User):
        services.sign_out_record(user=user, reason=getattr(request, SIGN_OUT_REASON, "signed out"))


def on_sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username") or "")
    if request is None or not username:
        return  # not a try from outside (a command, the test client's login), or single sign-on's own
    # Refused for the lock: axes did not count it (it counts, and may lock on, a wrong password).
    counted = getattr(request, "axes_failures_since_start", None) is not None
    refused = getattr(request, "axes_locked_out", False) and not counted
    reason = "the username is locked" if refused else "wrong username or password"
    services.sign_in_failure_record(username=username, reason=reason, path=getattr(request, "path", ""))


def on_locked_out(sender: Any, request: Any, username: str | None, **kwargs: Any) -> None:
    """django-axes locked ``username``: date every record of it to this moment, so the lock lasts
    the full cool-off whatever address each failure came from, and audit the lockout.

    axes sends this signal when a failure sets the lock, and again for each try refused during
    it; only the first has counted the failures (the others must not extend the lock)."""
    if request is None or getattr(request, "axes_failures_since_start", None) is None or not username:
        return
    moment = request.axes_attempt_time
    attempts = AccessAttempt.objects.filter(username=username)
    attempts.update(attempt_time=moment)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    services.lockout_record(username=username, until=moment + cool_off(), failures=int(failures))
