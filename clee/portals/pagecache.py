"""Rendered pages kept per signed-in session, and served again while what they show is unchanged.

The busiest pages — an officer's dashboard, an agency's roster — are read far more often than
what they show changes. ``cached_page`` keeps a page's HTML, keyed by everything it depends on:

- the page asked for (path, query string, whether htmx asked for a fragment);
- who asks (account, session, CSRF cookie: the page's form tokens belong to that cookie);
- today's date (deadlines count days);
- a *fingerprint* of the page's data: one query returning, for each table the page reads, its
  rows' latest change and their number (``updated_at``/``computed_at`` and ``COUNT``), so any
  insert, change or deletion of those rows gives another key.

The fingerprint reads the rows themselves, not a counter some code must remember to bump: bulk
writes (COPY, ``bulk_create``, the recompute's upsert) change it like any other write. (Every
write of these tables stamps its rows: ``updated_at`` through ``save`` or ``update_fields``
that name it, ``computed_at`` on each upsert of a result.) Each process keeps
its own pages (a local-memory cache), so nothing is shared between accounts or processes. A
page is not kept when there are messages to show, when the session or the CSRF cookie is new,
or when the answer is not a plain 200 page.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.compliance.models import ComplianceResult, Extension, ReportingPeriod, StaleResult
from clee.officers.models import Commission, Officer
from clee.portals.polling import is_poll
from clee.training.models import CreditRequest

CACHE = "pages"
# However exact the fingerprint, a kept page is dropped after a minute: with several servers
# whose clocks disagree by a few milliseconds, a change stamped "earlier" than the latest one
# could otherwise leave the fingerprint as it was.
TIMEOUT = 60

View = Callable[..., HttpResponse]
Fingerprint = Callable[[HttpRequest], Sequence[Any] | None]


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _one_row(sql: str, params: Sequence[Any]) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    return tuple(str(value) for value in row)


@functools.cache
def _period_sql() -> str:
    periods = _table(ReportingPeriod)
    return f"""
        (SELECT MAX(updated_at) FROM {periods}),
        (SELECT COUNT(*) FROM {periods})
    """


@functools.cache
def _dashboard_sql() -> str:
    results, commissions, agencies = _table(ComplianceResult), _table(Commission), _table(Agency)
    requests, extensions, stale = _table(CreditRequest), _table(Extension), _table(StaleResult)
    # One row of one-row parts: each table of the officer's read once, through its officer index.
    return f"""
        SELECT r.changed, r.number, c.changed, c.number, a.changed, q.changed, q.number,
               e.changed, e.number, s.changed, s.number, {_period_sql()}
          FROM (SELECT MAX(computed_at) AS changed, COUNT(*) AS number FROM {results}
                 WHERE officer_id = %s) r,
               (SELECT MAX(marked_at) AS changed, COUNT(*) AS number FROM {stale}
                 WHERE officer_id = %s) s,
               (SELECT MAX(updated_at) AS changed, COUNT(*) AS number FROM {commissions}
                 WHERE officer_id = %s) c,
               (SELECT MAX(x.updated_at) AS changed FROM {agencies} x JOIN {commissions} y
                    ON y.agency_id = x.id WHERE y.officer_id = %s) a,
               (SELECT MAX(updated_at) AS changed, COUNT(*) AS number FROM {requests}
                 WHERE officer_id = %s) q,
               (SELECT MAX(updated_at) AS changed, COUNT(*) AS number FROM {extensions}
                 WHERE officer_id = %s) e
    """


@functools.cache
def _roster_sql() -> str:
    results, commissions = _table(ComplianceResult), _table(Commission)
    officers, periods, stale = _table(Officer), _table(ReportingPeriod), _table(StaleResult)
    # The agency's own commissions, then two maxima read from an index each: any officer changed,
    # any result of the current period computed (results are only ever upserted, never
    # deleted but with their officer or period), and any result marked stale or recomputed
    # (the outbox is small: empty when every result is current). Cheap for an agency of thousands.
    return f"""
        SELECT
          commissions.changed,
          commissions.number,
          (SELECT MAX(updated_at) FROM {officers}),
          (SELECT MAX(computed_at) FROM {results} WHERE period_id = (
            SELECT id FROM {periods} WHERE jurisdiction = %s AND starts <= %s AND (%s = 0 OR year = %s)
             ORDER BY starts DESC LIMIT 1
          )),
          (SELECT MAX(marked_at) FROM {stale}),
          (SELECT COUNT(*) FROM {stale}),
          {_period_sql()}
        FROM (SELECT MAX(updated_at) AS changed, COUNT(*) AS number FROM {commissions} WHERE agency_id = %s)
          commissions
    """


def officer_dashboard_fingerprint(request: HttpRequest) -> tuple[Any, ...] | None:
    """What an officer's dashboard reads: the officer, their results and stale marks,
    commissions (and the agencies' names), credit requests, extensions, and the periods."""
    user = request.user
    if not isinstance(user, User) or user.officer_id is None:
        return None
    key = user.officer_id
    # The officer's own row came with the account (``AccountBackend``): its change time is known.
    changed = user.officer.updated_at if user.officer is not None else None
    return (changed, *_one_row(_dashboard_sql(), [key] * 6))


def agency_roster_fingerprint(request: HttpRequest) -> tuple[Any, ...] | None:
    """What an agency's roster reads: the agency, its commissions, officers and results of the
    period it shows, and the periods."""
    user = request.user
    if not isinstance(user, User) or user.agency_id is None:
        return None
    # The period shown: the year asked for, else the latest begun by today (the current one).
    asked = request.GET.get("year", "")
    year = int(asked) if asked.isdigit() and len(asked) == 4 else 0
    today = timezone.localdate()
    params = [settings.CLEE_JURISDICTION.upper(), today, year, year, user.agency_id]
    # The agency's own row came with the account (``AccountBackend``): its change time is known.
    changed = user.agency.updated_at if user.agency is not None else None
    return (changed, *_one_row(_roster_sql(), params))


def _who(request: HttpRequest, name: str) -> list[Any] | None:
    """The key's parts that need no query, or None when the page is not to be kept."""
    session_key = request.session.session_key
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    user = request.user
    if not session_key or not csrf_cookie or not isinstance(user, User):
        return None
    if is_poll(request):
        return None  # the view answers "unchanged" with no page at all (clee.portals.polling)
    return [
        name,
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        session_key,
        csrf_cookie,
        user.pk,
        user.officer_id,
        user.agency_id,
        user.get_username(),
        user.get_full_name(),
        user.role,
        timezone.localdate().isoformat(),
    ]


def _key(who: list[Any], fingerprint: Sequence[Any]) -> str:
    return "page:" + hashlib.sha256("\x1f".join(str(p) for p in [*who, *fingerprint]).encode()).hexdigest()


def cached_page(fingerprint: Fingerprint) -> Callable[[View], View]:
    """Serve the view's GET page from the cache while its key (above) is unchanged."""

    def decorate(view: View) -> View:
        name = f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET" or not settings.CLEE_PAGE_CACHE or len(get_messages(request)):
                return view(request, *args, **kwargs)
            who = _who(request, name)
            data = None if who is None else fingerprint(request)
            if who is None or data is None:
                return view(request, *args, **kwargs)
            key = _key(who, data)
            pages = caches[CACHE]
            kept = pages.get(key)
            if kept is not None:
                content, headers = kept
                response = HttpResponse(content)
                for header, value in headers:
                    response[header] = value
                return response
            response = view(request, *args, **kwargs)
            # Kept only if nothing changed while it was rendered: the page then shows exactly
            # the data of its fingerprint.
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and fingerprint(request) == data
            ):
                pages.set(key, (response.content, list(response.items())), TIMEOUT)
            return response

        return wrapper

    return decorate
