"""Whether a username is locked out after failed sign-ins (django-axes keeps the failures).

A username is locked while its failures within the cool-off (``CLEE_LOCKOUT_MINUTES``) reach
``CLEE_LOCKOUT_FAILURES``; the lock ends that long after the failure that set it (every record
of the username is dated to that moment when it is set: clee.security.signals), or when an
operator lifts it. It holds on every way in: the sign-in pages, single sign-on, the account's
API tokens and the sessions already open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import IntegerField, Max, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone


def cool_off() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def _recent(username: Any, now: dt.datetime) -> QuerySet[Any]:
    attempts: QuerySet[Any] = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=now - cool_off()
    )
    return attempts


def locked_until(username: str, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the lock on ``username`` ends, or None when it is not locked."""
    moment = now or timezone.now()
    found = _recent(username, moment).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    return _until(found["failures"], found["last"], moment)


def _until(failures: int | None, last: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    if not failures or failures < settings.AXES_FAILURE_LIMIT or last is None:
        return None
    until = last + cool_off()
    return until if until > now else None


def with_lock(
    rows: QuerySet[Any], *, username: str = "username", now: dt.datetime | None = None
) -> QuerySet[Any]:
    """``rows`` (accounts, or rows naming one through ``username``) annotated with the account's
    recent failures and the last of them, in the same query: the account read on every request
    (a session's, a token's) carries its lock at no extra query."""
    moment = now or timezone.now()
    recent = _recent(OuterRef(username), moment).order_by().values("username")
    annotated: QuerySet[Any] = rows.annotate(
        lock_failures=Coalesce(
            Subquery(recent.annotate(total=Sum("failures_since_start")).values("total")[:1]),
            0,
            output_field=IntegerField(),
        ),
        lock_last=Subquery(recent.annotate(last=Max("attempt_time")).values("last")[:1]),
    )
    return annotated


def lock_of(row: Any, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the lock on the account of a row read through ``with_lock`` ends, or None (an account
    read otherwise is looked up)."""
    if not hasattr(row, "lock_failures"):
        return locked_until(row.get_username(), now=now)
    return _until(row.lock_failures, row.lock_last, now or timezone.now())
