"""Account security pages: second factors (authenticator app, passkeys, recovery codes), the
challenge after sign-in, the password change, and the lockout page."""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import segno
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from clee.accounts.access import NOT_FOUND, acting_user
from clee.accounts.models import User
from clee.accounts.services import second_factor_check_record
from clee.core.errors import ServiceError
from clee.core.parsers import MAX_DEPTH, nesting_depth
from clee.security import selectors, services
from clee.security.forms import CodeForm, EnrolForm, PasswordChangeForm, minimum_length
from clee.security.middleware import ENROLLED

PENDING_KEY = "clee_pending_totp_key"
NEW_CODES = "clee_new_recovery_codes"


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _is_verified(user: User) -> bool:
    return bool(getattr(user, "is_verified", lambda: False)())


View = Callable[..., HttpResponse]


def proved_factors(view: View) -> View:
    """Signed in, and, when the account has a second factor, verified with it in this session.

    The MFA gate goes by what the account had when the session signed in; these pages change
    the factors or the password, so they look again (a session opened before the person set up
    MFA must not make recovery codes)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = acting_user(request)
        if not _is_verified(user) and selectors.has_second_factor(user):
            request.session[ENROLLED] = True
            return redirect(_with_next(reverse("security:verify"), request.get_full_path()))
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@proved_factors
def overview(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    context = {
        "factors": selectors.second_factors(user),
        "codes_left": selectors.recovery_codes_left(user),
        "mfa_required": selectors.mfa_required_for(user),
        "after_passkey": reverse("security:passkey_added"),
        "min_length": minimum_length(),
    }
    return render(request, "security/overview.html", context)


@proved_factors
def enrol_totp(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the secret), confirm with a code."""
    user = acting_user(request)
    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = services.new_totp_key()
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_enrol(user=user, key=key, code=form.cleaned_data["code"])
        except ServiceError as error:
            form.refuse(error)
        else:
            del request.session[PENDING_KEY]
            request.session[ENROLLED] = True
            if not _is_verified(user):
                otp_login(request, device)
            messages.success(request, "Your authenticator app is set up.")
            return _after_first_factor(request, user)
    device = services.unsaved_totp_device(user=user, key=key)
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_svg": qr.svg_inline(scale=5, border=2, dark="#1b1b1b", omitsize=False),
        "secret": secret,
        "secret_grouped": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": _next_url(request, ""),
        "first": not selectors.has_second_factor(user),
        "mfa_required": selectors.mfa_required_for(user),
        "after_passkey": _with_next(reverse("security:passkey_added"), _next_url(request, "")),
    }
    return render(request, "security/enrol_totp.html", context)


def _after_first_factor(request: HttpRequest, user: User) -> HttpResponse:
    """A first factor comes with recovery codes, shown once; a later one goes back."""
    next_url = _next_url(request, reverse("home"))
    if selectors.recovery_device(user) is None:
        request.session[NEW_CODES] = services.recovery_codes_issue(user=user)
        return redirect(_with_next(reverse("security:recovery_codes"), next_url))
    return redirect(_next_url(request, reverse("security:overview")))


@proved_factors
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once right after they are made; POST makes a new set."""
    user = acting_user(request)
    if not selectors.has_second_factor(user):
        raise Http404(NOT_FOUND)
    if request.method == "POST":
        request.session[NEW_CODES] = services.recovery_codes_issue(user=user)
        return redirect("security:recovery_codes")
    codes = request.session.pop(NEW_CODES, None)
    context = {
        "codes": codes,
        "codes_left": selectors.recovery_codes_left(user),
        "next": _next_url(request, reverse("security:overview")),
    }
    return render(request, "security/recovery_codes.html", context)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, a recovery code, or a passkey."""
    user = acting_user(request)
    next_url = _next_url(request, reverse("home"))
    if _is_verified(user):
        return redirect(next_url)
    if not selectors.has_second_factor(user):
        return redirect(_with_next(reverse("security:enrol_totp"), next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = selectors.code_checks_blocked_until(user)
        if wait is not None:
            form.add_error(
                "code",
                f"Too many wrong codes. Wait until {timezone.localtime(wait):%H:%M:%S} and try again.",
            )
        else:
            device = services.verify_code(user=user, code=form.cleaned_data["code"])
            second_factor_check_record(
                user=user, succeeded=device is not None, kind=_factor_kind(device) if device else "a code"
            )
            if device is None:
                form.add_error(
                    "code",
                    "That code is not right. Enter the 6-digit code your app shows now, or one of "
                    "your unused recovery codes.",
                )
            else:
                otp_login(request, device)
                if isinstance(device, StaticDevice):
                    left = selectors.recovery_codes_left(user)
                    messages.warning(
                        request,
                        f"You used a recovery code; {left} left. Make new ones on the account security "
                        "page if you are running short.",
                    )
                return redirect(next_url)
    context = {"form": form, "next": next_url, "has_passkey": selectors.has_passkey(user)}
    return render(request, "security/verify.html", context)


def _factor_kind(device: Any) -> str:
    return "a recovery code" if isinstance(device, StaticDevice) else "an authenticator app"


@require_POST
@proved_factors
def remove_factor(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = acting_user(request)
    if not selectors.owns_second_factor(user, kind, pk):
        raise Http404(NOT_FOUND)
    try:
        services.second_factor_remove(user=user, kind=kind, pk=pk)
    except ServiceError as error:
        messages.error(request, error.sentence)
    else:
        request.session[ENROLLED] = selectors.has_second_factor(user)
        messages.success(request, "Removed.")
    return redirect("security:overview")


@login_required
def passkey_added(request: HttpRequest) -> HttpResponse:
    """Where the page goes once the browser has registered a passkey."""
    user = acting_user(request)
    if not selectors.has_passkey(user):
        return redirect("security:overview")
    request.session[ENROLLED] = True
    messages.success(request, "Your passkey is set up.")
    return _after_first_factor(request, user)


class BoundedJson:
    """django-otp-webauthn's views read JSON with ``json.loads``: JSON nested deeper than the
    interpreter's recursion limit would fail the request (500). Here it is the package's own
    "malformed request" (400), as is JSON nested deeper than any WebAuthn message."""

    def _parse_request_data(self, request: HttpRequest) -> Any:
        from django_otp_webauthn.exceptions import MalformedRequest

        try:
            data = super()._parse_request_data(request)  # type: ignore[misc]
        except RecursionError:
            raise MalformedRequest() from None
        if nesting_depth(data) > MAX_DEPTH:
            raise MalformedRequest()
        return data


class PasskeyRegistrationBeginView(BoundedJson, BeginCredentialRegistrationView):  # type: ignore[misc]
    pass


class PasskeyAuthenticationBeginView(BoundedJson, BeginCredentialAuthenticationView):  # type: ignore[misc]
    pass


class PasskeyAuthenticationCompleteView(BoundedJson, CompleteCredentialAuthenticationView):  # type: ignore[misc]
    """django-otp-webauthn's last step of a passkey check at sign-in, audited right or wrong."""

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(*args, **kwargs)
        user = self.request.user
        if isinstance(user, User) and user.is_authenticated:
            second_factor_check_record(user=user, succeeded=response.status_code == 200, kind="a passkey")
        return response


class PasskeyRegistrationCompleteView(BoundedJson, CompleteCredentialRegistrationView):  # type: ignore[misc]
    """django-otp-webauthn's last registration step, which also writes the audit row."""

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(*args, **kwargs)
        if isinstance(response, JsonResponse) and response.status_code == 200:
            from django_otp_webauthn.models import WebAuthnCredential

            user = acting_user(self.request)
            credential = WebAuthnCredential.objects.filter(user=user).order_by("-pk").first()
            if credential is not None:
                services.passkey_enrolled(user=user, credential=credential)
        return response


@proved_factors
def password_change(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(user=user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, "Your password is changed.")
        return redirect("security:overview")
    return render(request, "security/password_change.html", {"form": form})


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout response: says when the username may try again."""
    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request)
    last = (
        AccessAttempt.objects.filter(username=username).order_by("-attempt_time").first()
        if username
        else None
    )
    unlock_at = (last.attempt_time if last else timezone.now()) + cool_off if cool_off else None
    context = {
        "username": username,
        "unlock_at": timezone.localtime(unlock_at) if unlock_at else None,
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "failures": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "security/locked_out.html", context, status=429)
