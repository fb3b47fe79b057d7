"""Writes about a user's second factors and password; each leaves an audit row."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key
from django_otp_webauthn.models import WebAuthnCredential

from clee.accounts.models import User
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.security.selectors import has_second_factor, mfa_required_for

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"


def new_totp_key() -> str:
    """A fresh secret for an authenticator app (hex, as django-otp stores it); kept in the
    session until the user proves their app holds it, so an abandoned enrolment writes nothing."""
    return str(default_key())


def unsaved_totp_device(*, user: User, key: str) -> TOTPDevice:
    """The device an enrolment would create, for its QR code and secret."""
    return TOTPDevice(user=user, key=key, name=AUTHENTICATOR_NAME, confirmed=False)


def _clean_code(code: str) -> str:
    return re.sub(r"[\s-]+", "", code).lower()


@transaction.atomic
def totp_enrol(*, user: User, key: str, code: str) -> TOTPDevice:
    """Confirm an authenticator app with a code it shows; returns the saved device.

    Refused when the code does not match the secret now (one 30-second step of tolerance).
    """
    code = _clean_code(code)
    if not re.fullmatch(r"\d{6}", code):
        raise ServiceError("Enter the 6-digit code your app shows.", field="code")
    device = unsaved_totp_device(user=user, key=key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not totp.verify(int(code), device.tolerance):
        raise ServiceError(
            "That code does not match. Check that your app added this account, and enter the code "
            "it shows now.",
            field="code",
        )
    device.last_t = totp.t()
    device.confirmed = True
    device.save()
    record_event(
        actor=user,
        action=AuditAction.MFA_TOTP_ENROL,
        target=user,
        summary="added an authenticator app as a second factor",
        data={"device": device.persistent_id},
    )
    return device


@transaction.atomic
def passkey_enrolled(*, user: User, credential: WebAuthnCredential) -> None:
    """Record a passkey the WebAuthn ceremony has just saved."""
    record_event(
        actor=user,
        action=AuditAction.MFA_PASSKEY_ENROL,
        target=user,
        summary="added a passkey as a second factor",
        data={"device": credential.persistent_id},
    )


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """A new set of single-use recovery codes, replacing any earlier set; returns the codes
    (shown once, never again: django-otp keeps them only to compare)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    record_event(
        actor=user,
        action=AuditAction.MFA_RECOVERY_CODES_ISSUE,
        target=user,
        summary=f"issued {RECOVERY_CODE_COUNT} new recovery codes",
    )
    return codes


def verify_code(*, user: User, code: str) -> Device | None:
    """The device that accepts this code (an authenticator app's current code, or one unused
    recovery code, which is then spent), or None. Each device throttles wrong codes itself."""
    code = _clean_code(code)
    if not code:
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    for static in StaticDevice.objects.filter(user=user, confirmed=True):
        with transaction.atomic():
            if static.verify_token(code):
                left = StaticToken.objects.filter(device=static).count()
                record_event(
                    actor=user,
                    action=AuditAction.MFA_RECOVERY_CODE_USE,
                    target=user,
                    summary=f"signed in with a recovery code ({left} left)",
                    data={"left": left},
                )
                return static
    return None


@transaction.atomic
def second_factor_remove(*, user: User, kind: str, pk: int) -> None:
    """Remove one of the user's authenticator apps or passkeys.

    Refused when the account must use a second factor and this is its last one. Removing an
    officer's last one removes their recovery codes too (they no longer use MFA).
    """
    model: Any = TOTPDevice if kind == "totp" else WebAuthnCredential
    device = model.objects.select_for_update().filter(user=user, pk=pk, confirmed=True).first()
    if device is None:
        raise ServiceError("You have no such authenticator.")
    others = (
        TOTPDevice.objects.filter(user=user, confirmed=True).count()
        + WebAuthnCredential.objects.filter(user=user, confirmed=True).count()
        - 1
    )
    if others == 0 and mfa_required_for(user):
        raise ServiceError(
            "Your account must keep a second factor: add another authenticator app or passkey "
            "before removing this one."
        )
    label = "authenticator app" if kind == "totp" else "passkey"
    persistent_id = device.persistent_id
    device.delete()
    if not has_second_factor(user):
        StaticDevice.objects.filter(user=user).delete()
    record_event(
        actor=user,
        action=AuditAction.MFA_DEVICE_REMOVE,
        target=user,
        summary=f"removed a {label} ({device.name})",
        data={"device": persistent_id},
    )


@transaction.atomic
def password_change(*, user: User, new_password: str) -> None:
    """Set a new password the caller has validated (the old one checked, the rules applied)."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record_event(
        actor=user, action=AuditAction.ACCOUNT_PASSWORD_CHANGE, target=user, summary="changed their password"
    )


@transaction.atomic
def second_factors_reset(*, user: User, reason: str, acting_user: User | None) -> int:
    """Remove every second factor of ``user`` (apps, passkeys, recovery codes) after they lost
    them all; returns how many apps and passkeys were removed."""
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get("otp_totp.TOTPDevice", 0)
    removed += WebAuthnCredential.objects.filter(user=user).delete()[1].get(WebAuthnCredential._meta.label, 0)
    StaticDevice.objects.filter(user=user).delete()
    record_event(
        actor=acting_user,
        action=AuditAction.MFA_RESET,
        target=user,
        summary=f"removed every second factor of {user.get_username()}: {reason}",
        data={"removed": removed, "reason": reason},
    )
    return int(removed)
