"""Rate limiting per token (or per signed-in officer): ``CLEE_API_RATE`` requests a window.

The count is kept in the database (``RateCount``), one row per caller and fixed window, raised
by one atomic upsert per request: every web process sees the same count, so N gunicorn workers
do not grant N times the rate. A caller over the rate gets 429 with ``Retry-After``, the
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
    INSERT INTO {table} (caller, "window", count) VALUES (%s, %s, 1)
    ON CONFLICT (caller, "window") DO UPDATE SET count = {table}.count + 1
    RETURNING count
"""


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/minute"`` as (600, 60): requests allowed, window length in seconds."""
    count, _, period = rate.partition("/")
    seconds = PERIODS.get(period.strip().lower().removesuffix("s"))
    if not count.strip().isdigit() or int(count) < 1 or seconds is None:
        raise ValueError(f"CLEE_API_RATE is '<count>/<second|minute|hour|day>', not {rate!r}")
    return int(count), seconds


def _caller(request: Request) -> str:
    token = request.auth
    if isinstance(token, ApiToken):
        return f"token-{token.pk}"
    if getattr(request.user, "is_authenticated", False):
        return f"user-{request.user.pk}"
    return f"address-{request.META.get('REMOTE_ADDR', '')}"[:60]


def count_request(caller: str, window: int) -> int:
    """Count one request of ``caller`` in ``window``; returns the window's count so far."""
    table = connection.ops.quote_name(RateCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL.format(table=table), [caller, window])
        (count,) = cursor.fetchone()
        if count == 1:
            # A new window: the caller's older ones are done with.
            cursor.execute(f'DELETE FROM {table} WHERE caller = %s AND "window" < %s', [caller, window])
    return int(count)


class TokenRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after = 0

    def allow_request(self, request: Request, view: Any) -> bool:
        # Read per request, so a changed setting (or a test's) applies at once.
        allowed, seconds = parse_rate(str(getattr(settings, "CLEE_API_RATE", "600/minute")))
        now = time.time()
        window = int(now // seconds)
        if count_request(_caller(request), window) <= allowed:
            return True
        self.retry_after = max(1, int((window + 1) * seconds - now + 0.999))
        return False

    def wait(self) -> float:
        return float(self.retry_after)
