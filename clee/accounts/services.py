"""Writes about accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from clee.accounts.models import User
from clee.core.audit import record_event
from clee.core.errors import ServiceError

STAFF_ROLES = (User.Role.POST_STAFF, User.Role.DIRECTOR)


@transaction.atomic
def staff_account_create(
    *, username: str, email: str, password: str, role: str = User.Role.POST_STAFF, acting_user: Any
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
        action="account.staff_create",
        target=user,
        summary=f"created the {user.get_role_display()} account {username}",
    )
    return user
