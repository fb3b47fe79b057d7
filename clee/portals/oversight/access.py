"""Objects the oversight pages take from the URL. POST staff and the Director see the whole
state, so the check is that the thing exists in this deployment's jurisdiction."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from clee.compliance.models import ReportingPeriod
from clee.portals.access import NOT_FOUND
from clee.rules import available_packs


def access_pack_year(year: str) -> str:
    """``year`` if the jurisdiction has a rule pack for it; otherwise 404."""
    if (settings.CLEE_JURISDICTION.upper(), year) not in available_packs():
        raise Http404(NOT_FOUND)
    return year


def access_period(year: int) -> ReportingPeriod:
    """The jurisdiction's reporting period of ``year``; otherwise 404."""
    period = ReportingPeriod.objects.filter(jurisdiction=settings.CLEE_JURISDICTION, year=year).first()
    if period is None:
        raise Http404(NOT_FOUND)
    return period
