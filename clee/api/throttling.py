"""Rate limiting per token (or per signed-in officer): ``CLEE_API_RATE`` requests a period."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from clee.api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Counts in the default cache: with several web processes, give them a shared cache
    (docs/operations.md) or each process counts on its own."""

    scope = "clee_api"

    def get_rate(self) -> str:
        # Read per request, so a changed setting (or a test's) applies at once.
        return str(getattr(settings, "CLEE_API_RATE", "600/minute"))

    def get_cache_key(self, request: Request, view: Any) -> str:
        token = request.auth
        if isinstance(token, ApiToken):
            who = f"token-{token.pk}"
        elif getattr(request.user, "is_authenticated", False):
            who = f"user-{request.user.pk}"
        else:
            who = f"address-{self.get_ident(request)}"
        return f"clee-api-rate:{who}"
