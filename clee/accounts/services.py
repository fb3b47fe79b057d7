"""Writes about accounts, and the audit trail of signing in and out: each attempt (a password,
single sign-on, a second step), each lockout and each lock lifted early."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from clee.accounts.models import User
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError

STAFF_ROLES = (User.Role.POST_STAFF, User.Role.DIRECTOR)


@transaction.atomic
def staff_account_create(
    *, username: str, email: str, password: str, role: str = User.Role.POST_STAFF, acting_user: User | None
) -> User:
    """A POST staff (or Director) account that may sign in to the back office (``is_staff``).

    Refused for a taken username, a role other than those two, or a weak password.
    """
    username = username.strip()
    if not username:
        raise ServiceError("a username is required", field="username")
    if role not in STAFF_ROLES:
        raise ServiceError("a staff account is for POST staff or the Director", field="role")
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(f"the username {username} is taken", field="username")
    user = User(username=username, email=email.strip(), role=role, is_staff=True)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages), field="password") from error
    user.set_password(password)
    user.save()
    record_event(
        actor=acting_user,
        action=AuditAction.ACCOUNT_STAFF_CREATE,
        target=user,
        summary=f"created the {user.get_role_display()} account {username}",
    )
    return user


def _locked(account: User) -> User:
    return User.objects.select_for_update().get(pk=account.pk)


@transaction.atomic
def account_deactivate(
    *,
    account: User,
    reason: str,
    acting_user: User | None,
    action: AuditAction = AuditAction.ACCOUNT_DEACTIVATE,
) -> User:
    """Make ``account`` unable to sign in and end each of its sessions at once (they no longer
    verify: the next request of any of them is signed out). The API tokens it made stop with it
    (clee.api refuses a token whose maker is inactive); clee.people also revokes them."""
    account = _locked(account)
    if not account.is_active:
        raise ServiceError(f"{account.get_username()} is already deactivated.")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the account is deactivated.", field="reason")
    account.is_active = False
    account.session_generation += 1
    account.save(update_fields=["is_active", "session_generation"])
    record_event(
        actor=acting_user,
        action=action,
        target=account,
        summary=f"deactivated {account.get_username()}: {reason}",
        data={"reason": reason},
    )
    return account


@transaction.atomic
def administrators_leave(*, commission: Any, acting_user: User | None) -> list[User]:
    """Deactivate the agency administrator accounts whose access rests on ``commission`` (which
    has just ended): leaving the agency ends its access in the same transaction."""
    leaving = []
    for account in User.objects.filter(commission=commission, is_active=True):
        leaving.append(
            account_deactivate(
                account=account,
                reason=f"their commission with {commission.agency.name} ended on {commission.end}",
                acting_user=acting_user,
                action=AuditAction.ACCOUNT_AGENCY_ACCESS_END,
            )
        )
    return leaving


# Signing in and out: each attempt in the audit trail, with where it came from ---------------


SIGN_IN_METHODS = {
    "clee.sso.backends.StateProviderBackend": "single sign-on",
}


def _about_username(
    username: str,
    *,
    action: AuditAction,
    summary: str,
    data: dict[str, Any],
    actor: Any = None,
    actor_label: str = "",
) -> None:
    """An audit row about the account named ``username`` (about no row when nobody has it)."""
    account = User.objects.filter(username=username).first() if username else None
    record_event(
        actor=actor,
        actor_label=actor_label,
        action=action,
        target=account,
        target_type=User,
        summary=summary[:300],
        data={"username": username[:150], **data},
    )


def _for_user(user: User, *, action: AuditAction, summary: str, data: dict[str, Any]) -> None:
    record_event(actor=user, action=action, target=user, summary=summary, data=data)


@transaction.atomic
def sign_in_record(*, user: User, backend: str, path: str) -> None:
    """A successful sign-in (the first step: the password or single sign-on)."""
    method = SIGN_IN_METHODS.get(backend, "password")
    _for_user(
        user,
        action=AuditAction.AUTH_SIGN_IN,
        summary=f"signed in with {method}",
        data={"method": method, "path": path},
    )


@transaction.atomic
def sign_out_record(*, user: User, reason: str) -> None:
    _for_user(
        user, action=AuditAction.AUTH_SIGN_OUT, summary=f"signed out ({reason})", data={"reason": reason}
    )


@transaction.atomic
def sign_in_failure_record(*, username: str, reason: str, path: str) -> None:
    """A refused sign-in: a wrong password, an unknown username, a locked one. The row names the
    username tried (never the password); it is about that account when there is one."""
    _about_username(
        username,
        action=AuditAction.AUTH_SIGN_IN_FAILED,
        actor_label=f"anonymous (as {username[:100]})" if username else "anonymous",
        summary=f"sign-in refused for {username[:100]!r}: {reason}",
        data={
            "reason": reason,
            "known_account": User.objects.filter(username=username).exists(),
            "path": path,
        },
    )


@transaction.atomic
def lockout_record(*, username: str, until: Any, failures: int) -> None:
    _about_username(
        username,
        action=AuditAction.AUTH_LOCKOUT,
        actor_label="system",
        summary=f"{username[:100]} locked after {failures} failed sign-ins, until {until:%Y-%m-%d %H:%M %Z}",
        data={"failures": failures, "until": until.isoformat()},
    )


@transaction.atomic
def lockout_lift(*, username: str, reason: str, acting_user: User | None) -> int:
    """An operator lifts the lock on ``username`` early (the failures stay in the audit trail);
    returns how many lockout records were cleared."""
    from axes.models import AccessAttempt

    if not reason.strip():
        raise ServiceError("say why the lock is lifted (a ticket, a phone call)", field="reason")
    cleared, _ = AccessAttempt.objects.filter(username=username).delete()
    _about_username(
        username,
        action=AuditAction.AUTH_LOCKOUT_LIFTED,
        actor=acting_user,
        summary=f"lifted the sign-in lock on {username[:100]}: {reason.strip()}",
        data={"reason": reason.strip(), "cleared": cleared},
    )
    return int(cleared)


@transaction.atomic
def second_factor_check_record(*, user: User, succeeded: bool, kind: str) -> None:
    """A second-factor check at sign-in: a code (app or recovery) or a passkey, right or wrong."""
    _for_user(
        user,
        action=AuditAction.MFA_VERIFIED if succeeded else AuditAction.MFA_VERIFY_FAILED,
        summary=f"{'passed' if succeeded else 'failed'} the second step of signing in ({kind})",
        data={"kind": kind},
    )
