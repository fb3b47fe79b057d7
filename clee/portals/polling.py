"""Blocks that poll while a result is being recomputed (ADR 2).

A block showing a result that is stale asks its page again every few seconds (htmx) until the
result is current. Each poll says what the block shows (the header ``X-Clee-Shown``, a token
of its results being recomputed); while the page would show the same, the answer is 204 No
Content and htmx leaves the block as it is. A table is then not replaced under the pointer of
someone about to click in it, and no page is rendered for nothing.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse

SHOWN_HEADER = "X-Clee-Shown"


def shown_token(*parts: object) -> str:
    """A short token of what a polling block shows: the results it shows as updating."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def is_poll(request: HttpRequest) -> bool:
    """Whether the request is a block's poll (which a cached page must not answer)."""
    return request.headers.get("HX-Request") == "true" and SHOWN_HEADER in request.headers


def poll_unchanged(request: HttpRequest, token: str) -> HttpResponse | None:
    """204 No Content when the request is a poll of a block that would show what it shows
    (``token``); None when the page is to be rendered."""
    if is_poll(request) and request.headers.get(SHOWN_HEADER) == token:
        return HttpResponse(status=204)
    return None
