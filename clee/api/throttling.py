"""Rate limiting per token (or per signed-in officer), ``CLEE_API_RATE`` requests a window, and
per provider or agency, ``CLEE_API_ORG_RATE`` for all its tokens together: a provider cannot
multiply its rate by making more tokens.

Each count is kept in the database (``RateCount``), one row per caller and fixed window, raised
by one atomic upsert per request: every web process sees the same count, so N gunicorn workers
do not grant N times the rate. A caller over either rate gets 429 with ``Retry-After``, the
seconds to the next window.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from clee.api.models import ApiToken, RateCount

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}

_COUNT_SQL = """
    INSERT INTO {table} (caller, "window", count) VALUES {rows}
    ON CONFLICT (caller, "window") DO UPDATE SET count = {table}.count + 1
    RETURNING caller, count
"""


def parse_rate(rate: str, name: str = "CLEE_API_RATE") -> tuple[int, int]:
    """``"600/minute"`` as (600, 60): requests allowed, window length in seconds."""
    count, _, period = rate.partition("/")
    seconds = PERIODS.get(period.strip().lower().removesuffix("s"))
    if not count.strip().isdigit() or int(count) < 1 or seconds is None:
        raise ValueError(f"{name} is '<count>/<second|minute|hour|day>', not {rate!r}")
    return int(count), seconds


def _caller(request: Request) -> str:
    token = request.auth
    if isinstance(token, ApiToken):
        return f"token-{token.pk}"
    if getattr(request.user, "is_authenticated", False):
        return f"user-{request.user.pk}"
    return f"address-{request.META.get('REMOTE_ADDR', '')}"[:60]


def count_requests(windows: list[tuple[str, int]]) -> dict[str, int]:
    """Count one request of each ``(caller, window)`` in one statement; returns each caller's
    count in its window so far."""
    table = connection.ops.quote_name(RateCount._meta.db_table)
    rows = ", ".join(["(%s, %s, 1)"] * len(windows))
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL.format(table=table, rows=rows), [v for pair in windows for v in pair])
        counts = {caller: int(count) for caller, count in cursor.fetchall()}
        # A new window: the caller's older ones are done with.
        done = [(caller, window) for caller, window in windows if counts[caller] == 1]
        if done:
            where = " OR ".join(['(caller = %s AND "window" < %s)'] * len(done))
            cursor.execute(f"DELETE FROM {table} WHERE {where}", [v for pair in done for v in pair])
    return counts


class TokenRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after = 0

    def allow_request(self, request: Request, view: Any) -> bool:
        # Read per request, so a changed setting (or a test's) applies at once.
        limits = [(_caller(request), parse_rate(str(getattr(settings, "CLEE_API_RATE", "600/minute"))))]
        token = request.auth
        if isinstance(token, ApiToken):
            org_rate = str(getattr(settings, "CLEE_API_ORG_RATE", "1200/minute"))
            limits.append((token.caller, parse_rate(org_rate, "CLEE_API_ORG_RATE")))
        now = time.time()
        windows = [(caller, int(now // seconds)) for caller, (_, seconds) in limits]
        counts = count_requests(windows)
        allowed = True
        for (caller, (most, seconds)), (_, window) in zip(limits, windows, strict=True):
            if counts[caller] > most:
                allowed = False
                self.retry_after = max(self.retry_after, int((window + 1) * seconds - now + 0.999), 1)
        return allowed

    def wait(self) -> float:
        return float(self.retry_after)
