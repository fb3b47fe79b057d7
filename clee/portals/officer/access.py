"""What an officer may reach: their own license's records, requests and certificates.

Each helper returns the object or raises the same 404 for "missing" and "not yours": one
officer learns nothing about another's requests from the difference.
"""

from __future__ import annotations

from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.accounts.models import User
from clee.compliance.access import access_period as access_year_period
from clee.compliance.models import ReportingPeriod
from clee.officers.models import Officer
from clee.training.models import Certificate, CreditRequest
from clee.training.services import certificate_code_normalize


def linked_officer(user: User) -> Officer | None:
    """The officer whose license ``user``'s account is linked to, or None (not linked yet)."""
    if user.role != User.Role.OFFICER or user.officer_id is None:
        return None
    return user.officer


def access_officer(user: User) -> Officer:
    """The signed-in officer's own license; 404 for an account linked to none."""
    officer = linked_officer(user)
    if officer is None:
        raise Http404(NOT_FOUND)
    return officer


def access_period(year: int | str | None, default: ReportingPeriod | None) -> ReportingPeriod:
    """The reporting period of ``year`` (the current one when none is given and ``default``
    is); a 404 naming the periods on record for a year that has none."""
    return access_year_period(year, default_current=default is not None)


def access_credit_request(user: User, request_id: int) -> CreditRequest:
    """One of the signed-in officer's own credit requests, with its record's lines and its
    documents; 404 for another officer's request or one that does not exist."""
    officer = access_officer(user)
    request = (
        CreditRequest.objects.filter(pk=request_id, officer=officer)
        .select_related("officer", "record", "decided_by")
        .prefetch_related("documents__document", "record__lines")
        .first()
    )
    if request is None:
        raise Http404(NOT_FOUND)
    return request


def access_own_certificate(user: User, period: ReportingPeriod) -> Certificate:
    """The certificate the signed-in officer was issued for ``period``; 404 when none was."""
    officer = access_officer(user)
    certificate = Certificate.objects.filter(officer=officer, period=period).select_related("period").first()
    if certificate is None:
        raise Http404(NOT_FOUND)
    return certificate


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code as typed (any case, dashes or spaces), or
    None. Public: anyone holding a code may check it, which is what the code is for."""
    normalized = certificate_code_normalize(code)
    if not normalized:
        return None
    return Certificate.objects.filter(code=normalized).select_related("officer", "period").first()
