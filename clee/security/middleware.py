"""Session limits and the MFA gate, run on every request after authentication."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from clee.accounts.lockout import lock_of
from clee.accounts.models import User
from clee.security.selectors import has_second_factor, mfa_required_for

# Session keys: when the session signed in and when it was last seen (Unix seconds), and
# whether the account had a second factor when it signed in.
STARTED = "clee_session_started"
SEEN = "clee_session_seen"
ENROLLED = "clee_mfa_enrolled"
# Last-seen is rewritten at most once a minute: not a session write on every request.
SEEN_RESOLUTION = 60
# Why the middleware signed a session out, for the audit row of the sign-out (a request attribute).
SIGN_OUT_REASON = "clee_sign_out_reason"


def stamp_session(request: HttpRequest, user: User) -> None:
    """At sign-in (any way): start the session's clocks and note whether MFA is set up."""
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now
    request.session[ENROLLED] = has_second_factor(user)


@cache
def paths_without_session_checks() -> tuple[str, ...]:
    return (
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}",
        reverse("health"),
    )


@cache
def _paths_open_before_mfa() -> tuple[str, ...]:
    """Pages an account that still owes its second factor may open: signing in and out, the
    challenge and enrolment pages, the passkey ceremony."""
    return (
        *paths_without_session_checks(),
        reverse("login"),
        reverse("logout"),
        reverse("admin:login"),
        reverse("admin:logout"),
        reverse("security:verify"),
        reverse("security:enrol_totp"),
        "/account/security/passkeys/",
    )


def _redirect(request: HttpRequest, to: str) -> HttpResponse:
    response = HttpResponseRedirect(to)
    if request.headers.get("HX-Request"):
        response["HX-Redirect"] = to  # htmx swaps fragments: make it load the whole page
    return response


def _with_next(url: str, request: HttpRequest) -> str:
    if request.method == "GET":
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


class SessionLimitMiddleware:
    """Signs out a session idle longer than ``CLEE_SESSION_IDLE_MINUTES`` or older than
    ``CLEE_SESSION_MAX_HOURS``, and sends the person to the sign-in page with a message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(paths_without_session_checks()):
            return self.get_response(request)
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(STARTED)
            seen = request.session.get(SEEN)
            locked = lock_of(request.user)
            if locked is not None:
                # Locked after failed sign-ins (perhaps someone else's, with the password): the
                # sessions already open end too, until the lock does.
                return self.expire(
                    request,
                    f"You were signed out: your account is locked after {settings.AXES_FAILURE_LIMIT} "
                    f"failed sign-ins until {timezone.localtime(locked):%-I:%M %p}. If that was not you, "
                    "tell POST staff.",
                    reason="locked out",
                )
            if started is None or seen is None:
                request.session[STARTED] = request.session[SEEN] = now
            elif now - seen > settings.CLEE_SESSION_IDLE_MINUTES * 60:
                return self.expire(
                    request,
                    f"You were signed out after {settings.CLEE_SESSION_IDLE_MINUTES} minutes without "
                    "activity. Sign in again to continue.",
                    reason="idle",
                )
            elif now - started > settings.CLEE_SESSION_MAX_HOURS * 3600:
                return self.expire(
                    request,
                    f"You were signed out: a session lasts at most {settings.CLEE_SESSION_MAX_HOURS} "
                    "hours. Sign in again to continue.",
                    reason="session too long",
                )
            elif now - seen >= SEEN_RESOLUTION:
                request.session[SEEN] = now
        return self.get_response(request)

    def expire(self, request: HttpRequest, message: str, *, reason: str) -> HttpResponse:
        setattr(request, SIGN_OUT_REASON, reason)
        logout(request)
        messages.info(request, message)
        return _redirect(request, _with_next(reverse("login"), request))


class MfaRequiredMiddleware:
    """Until the session has verified a second factor, an account that has one is sent to the
    challenge page, and an account that must have one but has none to enrolment. Nothing else
    opens until then (see ``_paths_open_before_mfa``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(_paths_open_before_mfa()):
            return self.get_response(request)
        user = request.user
        if isinstance(user, User) and user.is_authenticated and not user.is_verified():  # type: ignore[attr-defined]
            destination = self.destination(request, user)
            if destination:
                return _redirect(request, _with_next(destination, request))
        return self.get_response(request)

    @staticmethod
    def destination(request: HttpRequest, user: User) -> str | None:
        enrolled = request.session.get(ENROLLED)
        if enrolled is None:  # a session from before this release
            enrolled = request.session[ENROLLED] = has_second_factor(user)
        if enrolled:
            return reverse("security:verify")
        if mfa_required_for(user):
            return reverse("security:enrol_totp")
        return None
