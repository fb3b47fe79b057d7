"""The lockout check (django-axes) as the first authentication backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Refuses a locked-out username before any backend checks its password.

    A sign-in from the web always passes its request (Django's sign-in and admin forms,
    single sign-on), and is checked. A call without a request is no attempt from outside
    (a management command, the test client's ``login``): axes would refuse it outright, so it
    goes on to the next backend unchecked.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        super().authenticate(request, *args, **kwargs)
        return None
