"""Where a request comes from (the client's address and browser), for the audit trail.

A middleware notes it at the start of each request; every audit row written while the request
runs carries it (``clee.core.audit``). Behind a reverse proxy the client's address is the one
the proxy puts in ``X-Forwarded-For`` (``CLEE_PROXY_COUNT`` proxies, each appending the address
it saw), never one the client wrote there itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

USER_AGENT_LENGTH = 300


@dataclass(frozen=True)
class Where:
    ip: str | None
    user_agent: str


_current: ContextVar[Where | None] = ContextVar("clee_request_where", default=None)


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or with ``CLEE_PROXY_COUNT`` proxies in front, the
    address the outermost of them saw (the last ones of X-Forwarded-For are theirs)."""
    proxies = int(getattr(settings, "CLEE_PROXY_COUNT", 0))
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return _valid(forwarded[-proxies]) or remote


def where_of(request: HttpRequest) -> Where:
    return Where(client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH])


def current_where() -> Where | None:
    """Where the request being served comes from; None outside a request (a job, a command)."""
    return _current.get()


class WhereMiddleware:
    """Notes where each request comes from for the audit rows written while it runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(where_of(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
