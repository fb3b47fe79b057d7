"""How numbers and dates read in the sentences people see: one style everywhere.

Dates as ``March 5, 2024`` (never ``2024-03-05`` inside a sentence), times as ``3:05 p.m.``
(with nothing after it that doubles its period), hours without trailing zeros and with the
noun agreeing (``1 hour``, ``1.5 hours``), counts likewise (``1 record``, ``3 records``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone

_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def day_text(day: dt.date) -> str:
    """``March 5, 2024``."""
    return f"{day:%B} {day.day}, {day.year}"


def time_text(moment: dt.datetime) -> str:
    """``March 5, 2024 at 3:05 p.m.`` in the program's time zone."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    hour = local.hour % 12 or 12
    half = "a.m." if local.hour < 12 else "p.m."
    return f"{day_text(local.date())} at {hour}:{local.minute:02d} {half}"


def number_text(value: Decimal | float | int) -> str:
    """``24``, ``1.5``, ``0.25``: to the hundredth, without trailing zeros."""
    number = Decimal(str(value)).quantize(Decimal("0.01")).normalize()
    return f"{number:f}"


def hours_text(hours: Decimal | float | int, noun: str = "hour") -> str:
    """``1 hour``, ``2 hours``, ``1.5 hours``, ``1 live hour``."""
    shown = number_text(hours)
    return f"{shown} {noun}" + ("" if shown == "1" else "s")


def count_text(count: int, noun: str, plural: str | None = None) -> str:
    """``1 record``, ``3 records``, ``2 entries`` (with ``plural``)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def ends_before(what: str, start: dt.date, end: dt.date) -> str:
    """``the approval ends (March 1, 2023) before it starts (April 2, 2023)``."""
    return f"the {what} ends ({day_text(end)}) before it starts ({day_text(start)})"


def human_dates(text: str) -> str:
    """``text`` with every ISO date written as people write dates."""

    def spelled(match: re.Match[str]) -> str:
        try:
            return day_text(dt.date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError:
            return match[0]

    return _ISO_DAY.sub(spelled, text)


def sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter and one final full stop (a text that ends
    with ``p.m.`` keeps its own)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
