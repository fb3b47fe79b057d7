"""The reporting period a page shows: the one its ``?year=`` asks for, else the current one.

Read once per request (the page cache's fingerprint and the view share it). A year without a
period is refused with a page naming the periods on record (``PeriodMissing``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from clee.compliance.access import PeriodMissing
from clee.compliance.calendar import current_period, no_period_message, period_of_year, periods_on_record
from clee.compliance.models import ReportingPeriod

_MEMO = "_clee_periods"


def page_period(request: HttpRequest, *, refuse: bool = True) -> ReportingPeriod | None:
    """The period of ``?year=`` (None, or PeriodMissing when ``refuse``, for a year without
    one), else the current period (None when there is no period at all)."""
    year = request.GET.get("year", "").strip()
    memo: dict[str, ReportingPeriod | None] = request.__dict__.setdefault(_MEMO, {})
    if year not in memo:
        if not year:
            memo[year] = current_period()
        elif year.isdigit() and len(year) == 4:
            memo[year] = period_of_year(int(year))
        else:
            memo[year] = None
    found = memo[year]
    if found is None and year and refuse:
        raise PeriodMissing(no_period_message(year[:12]))
    return found


def period_switch(request: HttpRequest, period: ReportingPeriod | None, **keep: Any) -> dict[str, Any]:
    """What the period picker of a page needs: the periods on record (latest first, each with
    its phase), the one shown, and the query values to keep (search, filters)."""
    return {
        "switch_period": period,
        "switch_periods": list(periods_on_record().order_by("-year")),
        "switch_keep": {name: value for name, value in keep.items() if value not in (None, "")},
        "switch_action": request.path,
    }
