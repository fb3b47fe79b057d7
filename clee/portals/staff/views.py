"""POST staff's home page: the queues waiting for them, at a glance. Each kind of page has its
own module with its forms (courses, credit_requests, extensions, providers, catalog, held,
makeup, records, commissions); what they share is in pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clee.compliance.calendar import current_period
from clee.portals.staff.pages import staff_only
from clee.portals.staff.selectors import queue_summaries
from clee.portals.statewide import statewide_context

# Home ---------------------------------------------------------------------------------------


@staff_only
def index(request: HttpRequest) -> HttpResponse:
    context = statewide_context(current_period())
    context["queues"] = queue_summaries()
    return render(request, "portals/staff/index.html", context)
