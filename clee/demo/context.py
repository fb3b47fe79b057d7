"""Template context of the demo: the demo accounts the sign-in page lists (one click signs in
as each), only when ``settings.DEMO_MODE`` is on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from clee.demo.accounts import demo_accounts_listed


def demo_accounts(request: HttpRequest) -> dict[str, Any]:
    """``demo_accounts`` for ``registration/login.html``, read from the database only when a page
    shows it (no other page names it); nothing when the demo is off."""
    if not settings.DEMO_MODE:
        return {}
    return {"demo_accounts": SimpleLazyObject(demo_accounts_listed)}
