"""What an API caller, or a provider's or agency's account in its portal, may open: the tokens
and the rosters sent through the API of the provider or agency the account works for.

A token acts as the account that made it (clee.api.auth checks, at every request, that the
account still works for the token's provider or agency), so the API's helpers take that account,
as the portal's do; each returns the object or raises the same 404 for "missing" and "not yours".
"""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.accounts.models import User
from clee.api.models import ApiToken, RosterSubmission


def caller_of(user: User) -> str:
    """Whose API requests ``user``'s are: ``provider:<id>`` or ``agency:<id>`` (as
    ``ApiToken.caller``); 404 for an account that works for neither."""
    if user.role == User.Role.PROVIDER and user.provider_id is not None:
        return f"provider:{user.provider_id}"
    if user.role == User.Role.AGENCY_ADMIN and user.agency_id is not None:
        return f"agency:{user.agency_id}"
    raise Http404(NOT_FOUND)


def owner_tokens(user: User) -> QuerySet[ApiToken]:
    """The tokens of the provider or agency ``user`` works for (any colleague's), the live ones
    first, then by last use."""
    kind, _, owner_id = caller_of(user).partition(":")
    tokens = ApiToken.objects.filter(kind=kind, **{f"{kind}_id": int(owner_id)})
    return tokens.select_related("created_by", "revoked_by").order_by(
        F("revoked_at").desc(nulls_first=True), F("last_used_at").desc(nulls_last=True), "-created_at", "-id"
    )


def access_token(user: User, token_id: int) -> ApiToken:
    """One of the tokens of ``user``'s provider or agency."""
    token = owner_tokens(user).filter(pk=token_id).first()
    if token is None:
        raise Http404(NOT_FOUND)
    return token


def submissions(user: User) -> QuerySet[RosterSubmission]:
    """The rosters ``user``'s provider or agency sent through the API, newest first."""
    return (
        RosterSubmission.objects.filter(caller=caller_of(user))
        .select_related("batch")
        .order_by("-created_at", "-id")
    )


def access_submission(user: User, submission_id: int) -> RosterSubmission:
    """One roster ``user``'s provider or agency sent through the API."""
    submission = submissions(user).filter(pk=submission_id).first()
    if submission is None:
        raise Http404(NOT_FOUND)
    return submission
