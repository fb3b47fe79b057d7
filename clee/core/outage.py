"""The database unreachable: a clear "temporarily unavailable" page (503), never a bare 500.

``DatabaseOutageMiddleware`` answers for a view that failed to reach the database;
``server_error`` (the site's ``handler500``) for a middleware that did (the session, the
sign-in checks), as Django calls it inside the failing request's ``except`` block. Both
render ``503.html``, a standalone page that reads nothing from the database.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger("clee.outage")

RETRY_AFTER = "60"
MESSAGE = "CLEE is temporarily unavailable: its database cannot be reached. Try again in a few minutes."


def is_outage(error: BaseException | None) -> bool:
    """Whether ``error`` says the database cannot be reached (not a bad query or a constraint)."""
    return isinstance(error, OperationalError | InterfaceError)


def outage_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 for ``request``: JSON in the API's error shape for the API, the page otherwise."""
    logger.error("database unavailable for %s %s: %s", request.method, request.path, error)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": {"code": "unavailable", "message": MESSAGE}}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = RETRY_AFTER
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response: object) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)  # type: ignore[operator]
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return outage_response(request, exception) if is_outage(exception) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the outage page when the failure was the database being unreachable,
    Django's own 500 page (``500.html``) for anything else."""
    error = sys.exc_info()[1]
    if is_outage(error):
        assert error is not None
        return outage_response(request, error)
    return defaults.server_error(request)
