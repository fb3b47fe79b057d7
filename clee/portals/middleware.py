"""Turning a refusal into the page that explains it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clee.compliance.access import PeriodMissing
from clee.compliance.calendar import current_period, periods_on_record


class PeriodMissingMiddleware:
    """A page asked for a year without a reporting period: a 404 that says which periods
    exist and links to the current one, instead of a bare "not found"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PeriodMissing) or request.path.startswith("/api/"):
            return None
        context = {
            "page_title": "No such reporting period",
            "message": exception.message,
            "periods": periods_on_record().order_by("-year"),
            "current": current_period(),
            "path": request.path,
        }
        return render(request, "portals/period_missing.html", context, status=404)
