"""What a person may reach of compliance: a reporting period (everyone), an officer's case and
an inactivation (the Director), extensions (POST staff), rule book versions, pack years and
impact previews (POST staff and the Director).

Each helper takes the acting user and returns the object or raises the same 404 for "missing"
and "not yours". A period is the exception that proves the rule: periods are public knowledge
(every page may name them), so ``access_period`` serves every role, and its 404 names the
periods on record, so that a person who asks for a year without one is told which exist instead
of meeting a bare "not found".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404

from clee.accounts.access import NOT_FOUND, access_as_post_staff, is_post
from clee.accounts.models import User
from clee.compliance.calendar import no_period_message, period_of_year, program_today
from clee.compliance.models import (
    ComplianceResult,
    Extension,
    ImpactPreview,
    LicenseDecision,
    ReportingPeriod,
    RuleBookVersion,
)
from clee.compliance.rulebooks import book_in_force


class PeriodMissing(Http404):
    """A year with no reporting period; ``message`` names the periods on record."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def access_period(user: User, year: Any) -> ReportingPeriod:
    """The period of ``year`` (any user may reach any period). Raises PeriodMissing for no
    year, a year that is not a number, or one that has no period."""
    if year in (None, ""):
        raise PeriodMissing(no_period_message("requested"))
    text = str(year).strip()
    if not text.isdigit() or len(text) != 4:
        raise PeriodMissing(no_period_message(repr(text)[1:-1][:12] or "requested"))
    found = period_of_year(int(text))
    if found is None:
        raise PeriodMissing(no_period_message(text))
    return found


def _director(user: User) -> None:
    """Only the Director reaches a case or a decision (any other account gets the same 404 as
    a missing one); the Director sees every officer."""
    if user.role != User.Role.DIRECTOR or not user.is_active:
        raise Http404(NOT_FOUND)


def access_case(user: User, year: int, officer_id: int) -> ComplianceResult:
    """The stored result of an officer for the period of ``year`` (with its officer and
    period); 404 when either is missing, the officer has no result for that period, or
    ``user`` is not the Director."""
    _director(user)
    period = access_period(user, year)
    result = (
        ComplianceResult.objects.filter(period=period, officer_id=officer_id)
        .select_related("officer", "period")
        .first()
    )
    if result is None:
        raise Http404(NOT_FOUND)
    return result


def access_inactivation(user: User, decision_id: int) -> LicenseDecision:
    """An inactivation decision; 404 for any other decision or none, or when ``user`` is not
    the Director."""
    _director(user)
    decision = (
        LicenseDecision.objects.filter(pk=decision_id, decision=LicenseDecision.Decision.INACTIVATE)
        .select_related("officer", "period", "decided_by")
        .first()
    )
    if decision is None:
        raise Http404(NOT_FOUND)
    return decision


def access_extension(user: User, extension_id: int) -> Extension:
    """An extension or waiver with its officer and period, for POST staff."""
    return access_as_post_staff(
        user, Extension.objects.select_related("officer", "period", "requested_by"), extension_id
    )


def _statewide(user: User) -> None:
    """POST staff and the Director see the whole state; anyone else gets the 404."""
    if not is_post(user) or not user.is_active:
        raise Http404(NOT_FOUND)


def access_pack_year(user: User, year: str) -> str:
    """``year`` if it has a period on record, or is at most next year and the rules in force
    have a period for it; otherwise 404 (and for anyone but POST staff and the Director)."""
    _statewide(user)
    if not year.isdigit() or len(year) != 4:
        raise Http404(NOT_FOUND)
    if period_of_year(int(year)) is not None:
        return year
    today = program_today()
    if int(year) > today.year + 1 or not book_in_force(settings.CLEE_JURISDICTION, today).covers(year):
        raise Http404(NOT_FOUND)
    return year


def access_rule_book_version(user: User, version_id: int) -> RuleBookVersion:
    """A rule book version or draft of this deployment's jurisdiction, for POST staff and the
    Director; otherwise 404."""
    _statewide(user)
    found = RuleBookVersion.objects.filter(
        pk=version_id, jurisdiction=settings.CLEE_JURISDICTION.upper()
    ).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


def access_impact_preview(user: User, preview_id: int) -> ImpactPreview:
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
