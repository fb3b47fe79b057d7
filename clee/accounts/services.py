"""Writes about accounts."""

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
