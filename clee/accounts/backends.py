"""Authentication: Django's model backend, reading the signed-in account with its links."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from clee.accounts.lockout import with_lock
from clee.accounts.models import User


def signed_in_user(user_id: Any) -> User | None:
    """The account of a session, with its officer and agency, and its lockout state (read by
    the session limits on every request, in this one query)."""
    return with_lock(User._default_manager.select_related("officer", "agency")).filter(pk=user_id).first()


class AccountBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` (run on every request) joins the account's officer
    and agency: the officer and agency portals read them on every page, and the join costs
    less than the query it saves. (Not the provider: joining a third wide table costs more
    than the provider portal's query.)"""

    def get_user(self, user_id: Any) -> User | None:
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
