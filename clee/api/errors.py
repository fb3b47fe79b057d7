"""One shape for every error of the API:

    {"error": {"code": "...", "message": "...", "fields": {...} | "rows": [...]}}

``fields`` maps an input to its messages (400, 422); ``rows`` lists a roster's row errors
(422). Unexpected failures answer 500 in the same shape, and are logged with their traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from clee.api.services import ConcurrentWriteError, IdempotencyKeyReusedError, UnreadableRosterError
from clee.compliance.access import PeriodMissing
from clee.core.errors import ServiceError
from clee.core.outage import MESSAGE as OUTAGE_MESSAGE
from clee.core.outage import RETRY_AFTER, is_outage

logger = logging.getLogger("clee.api")

NOT_FOUND = "no such object (or not yours)"

CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: "malformed",
    exceptions.ValidationError: "invalid",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's exception handler, answering in the one shape."""
    if isinstance(exc, PeriodMissing):
        # Periods are public knowledge: the refusal names those on record.
        exc = exceptions.NotFound(exc.message)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ConcurrentWriteError):
        set_rollback()
        return Response(error_body("conflict", exc.message), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, UnreadableRosterError):
        set_rollback()
        return Response(
            error_body("unreadable_file", exc.message, rows=exc.rows), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, IdempotencyKeyReusedError):
        set_rollback()
        return Response(
            error_body("idempotency_key_reused", exc.message), status=status.HTTP_422_UNPROCESSABLE_ENTITY
        )
    if isinstance(exc, ServiceError):
        set_rollback()
        field = exc.field or "non_field_errors"
        return Response(
            error_body("refused", exc.message, fields={field: [exc.message]}),
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if isinstance(exc, exceptions.APIException):
        set_rollback()
        headers: dict[str, str] = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))  # type: ignore[attr-defined]
        code = next((c for kind, c in CODES.items() if isinstance(exc, kind)), None) or str(exc.default_code)
        if isinstance(exc, exceptions.ValidationError):
            fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            message = "the request is not valid: " + "; ".join(_flatten(fields))[:500]
            return Response(error_body(code, message, fields=fields), status=exc.status_code, headers=headers)
        return Response(error_body(code, _text(exc.detail)), status=exc.status_code, headers=headers)
    if is_outage(exc):
        logger.error("API request: database unavailable: %s", exc)
        return Response(
            error_body("unavailable", OUTAGE_MESSAGE),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": RETRY_AFTER},
        )
    logger.exception("API request failed", exc_info=exc)
    set_rollback()
    return Response(
        error_body("server_error", "the server failed to answer this request; it has been logged"),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _text(detail: Any) -> str:
    if isinstance(detail, (list, tuple)):
        return "; ".join(_text(item) for item in detail)
    if isinstance(detail, dict):
        return "; ".join(_flatten(detail))
    return str(detail)


def _flatten(fields: Any, where: str = "") -> list[str]:
    if isinstance(fields, dict):
        return [line for name, value in fields.items() for line in _flatten(value, f"{where}{name}: ")]
    if isinstance(fields, (list, tuple)):
        return [line for value in fields for line in _flatten(value, where)]
    return [f"{where}{fields}"]


class NoSuchEndpoint(APIView):
    """Any other path under /api/: a 404 in the API's shape, not the site's HTML page."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []
    schema = None

    def http_method_not_allowed(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.NotFound(self._message(request))

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.NotFound(self._message(request))

    post = put = patch = delete = head = options = get

    @staticmethod
    def _message(request: Request) -> str:
        hint = "" if request.path.endswith("/") else " (paths end with a slash)"
        return f"no such endpoint: {request.path}{hint}; see /api/docs/"
