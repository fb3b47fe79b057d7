"""Objects the oversight pages take from the URL. POST staff and the Director see the whole
state, so the check is that the thing exists in this deployment's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.compliance.access import access_period as access_year_period
from clee.compliance.calendar import period_of_year, program_today
from clee.compliance.models import ImpactPreview, ReportingPeriod, RuleBookVersion
from clee.compliance.rulebooks import book_in_force


def access_pack_year(year: str) -> str:
    """``year`` if it has a period on record, or is at most next year and the rules in force
    have a period for it; otherwise 404."""
    if not year.isdigit() or len(year) != 4:
        raise Http404(NOT_FOUND)
    if period_of_year(int(year)) is not None:
        return year
    today = program_today()
    if int(year) > today.year + 1 or not book_in_force(settings.CLEE_JURISDICTION, today).covers(year):
        raise Http404(NOT_FOUND)
    return year


def access_period(year: int | str) -> ReportingPeriod:
    """The jurisdiction's reporting period of ``year``; otherwise a 404 naming the periods."""
    return access_year_period(year, default_current=False)


def access_rule_book_version(version_id: int) -> RuleBookVersion:
    """A rule book version or draft of this deployment's jurisdiction; otherwise 404."""
    found = RuleBookVersion.objects.filter(
        pk=version_id, jurisdiction=settings.CLEE_JURISDICTION.upper()
    ).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


def access_impact_preview(preview_id: int, user: Any) -> ImpactPreview:
    """An impact preview ``user`` asked for (a preview is its requester's: others, staff
    included, get the same 404 as for a missing one)."""
    found = (
        ImpactPreview.objects.select_related("period", "version")
        .filter(pk=preview_id, requested_by=user)
        .first()
    )
    if found is None:
        raise Http404(NOT_FOUND)
    return found
