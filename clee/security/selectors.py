"""Reads about a user's second factors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from clee.accounts.models import User

# Roles whose accounts must use a second factor: they see or change many officers' records.
MFA_ROLES = (User.Role.POST_STAFF, User.Role.DIRECTOR, User.Role.AGENCY_ADMIN, User.Role.PROVIDER)


def mfa_required_for(user: User) -> bool:
    """True when this account must verify a second factor (and enrol one first)."""
    if not settings.CLEE_MFA_REQUIRED:
        return False
    return user.role in MFA_ROLES or user.is_staff or user.is_superuser


def has_second_factor(user: User) -> bool:
    """True when the user has a confirmed authenticator app or passkey (recovery codes alone
    are a spare, not a second factor)."""
    return bool(
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def has_passkey(user: User) -> bool:
    return bool(WebAuthnCredential.objects.filter(user=user, confirmed=True).exists())


@dataclass(frozen=True)
class Factor:
    """One second factor as the account security page lists it."""

    kind: str  # "totp" or "passkey"
    pk: int
    name: str
    created_at: datetime | None
    last_used_at: datetime | None


def second_factors(user: User) -> list[Factor]:
    """The user's confirmed authenticator apps and passkeys, oldest first."""
    factors = [
        Factor("totp", d.pk, d.name, d.created_at, d.last_used_at)
        for d in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")
    ]
    factors += [
        Factor("passkey", c.pk, c.name or "Passkey", c.created_at, c.last_used_at)
        for c in WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk")
    ]
    return factors


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user).order_by("pk").first()


def owns_second_factor(user: User, kind: str, pk: int) -> bool:
    """True when ``kind`` ("totp" or "passkey") number ``pk`` is one of the user's factors."""
    model: Any = {"totp": TOTPDevice, "passkey": WebAuthnCredential}.get(kind)
    return model is not None and bool(model.objects.filter(user=user, pk=pk, confirmed=True).exists())


def code_checks_blocked_until(user: User) -> datetime | None:
    """When every device that checks typed codes is throttled after wrong codes: the earliest
    moment one takes a try again; None when one takes it now."""
    devices: list[Any] = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    blocked_until = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if allowed:
            return None
        blocked_until.append((data or {}).get("locked_until") or timezone.now())
    return min(blocked_until) if blocked_until else None
