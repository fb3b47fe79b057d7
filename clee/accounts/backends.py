"""Authentication: Django's model backend, reading the signed-in account with its links."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from clee.accounts.models import User


class AccountBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` (run on every request) joins the account's officer
    and agency: the officer and agency portals read them on every page, and the join costs
    less than the query it saves. (Not the provider: joining a third wide table costs more
    than the provider portal's query.)"""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related("officer", "agency").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
