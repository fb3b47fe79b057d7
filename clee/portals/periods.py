"""The reporting period a page shows: the one its ``?year=`` asks for, else the current one.

Read once per request (the page cache's fingerprint and the view share it). A year without a
period is refused with a page naming the periods on record (``PeriodMissing``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from clee.accounts.access import acting_user
from clee.compliance.access import access_period
from clee.compliance.calendar import current_period, periods_on_record
from clee.compliance.models import ReportingPeriod

_MEMO = "_clee_periods"


def page_period(request: HttpRequest) -> ReportingPeriod | None:
    """The period of ``?year=`` (``access_period``: PeriodMissing for a year without one),
    else the current period (None when there is no period at all)."""
    year = request.GET.get("year", "").strip()
    memo: dict[str, ReportingPeriod | None] = request.__dict__.setdefault(_MEMO, {})
    if year not in memo:
        memo[year] = access_period(acting_user(request), year) if year else current_period()
    return memo[year]


def period_switch(request: HttpRequest, period: ReportingPeriod | None, **keep: Any) -> dict[str, Any]:
    """What the period picker of a page needs: the periods on record (latest first, each with
    its phase), the one shown, and the query values to keep (search, filters)."""
    return {
        "switch_period": period,
        "switch_periods": list(periods_on_record().order_by("-year")),
        "switch_keep": {name: value for name, value in keep.items() if value not in (None, "")},
        "switch_action": request.path,
    }
