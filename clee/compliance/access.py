"""Reaching a reporting period from what a person asked for (a year in a link or a form).

Periods are public knowledge (every page may name them), so one helper serves every role: it
returns the period, or refuses with a 404 that names the periods on record, so that a person who
asks for a year without one is told which exist instead of meeting a bare "not found".
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from clee.compliance.calendar import current_period, no_period_message, period_of_year
from clee.compliance.models import ReportingPeriod


class PeriodMissing(Http404):
    """A year with no reporting period; ``message`` names the periods on record."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def access_period(year: Any, *, default_current: bool = True) -> ReportingPeriod:
    """The period of ``year``; when no year is given, the current period (``default_current``).
    Raises PeriodMissing for a year that is not a number or has no period, or when there is no
    period at all."""
    if year in (None, ""):
        found = current_period() if default_current else None
        if found is None:
            raise PeriodMissing(no_period_message("current" if default_current else "requested"))
        return found
    text = str(year).strip()
    if not text.isdigit() or len(text) != 4:
        raise PeriodMissing(no_period_message(repr(text)[1:-1][:12] or "requested"))
    found = period_of_year(int(text))
    if found is None:
        raise PeriodMissing(no_period_message(text))
    return found
