"""Template context of every page: the request's CSP nonce (``{{ csp_nonce }}``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from clee.security.headers import csp_nonce


def security(request: HttpRequest) -> dict[str, Any]:
    return {"csp_nonce": csp_nonce(request)}
