"""``manage.py credit_instructors [--date YYYY-MM-DD]``: the daily job crediting instructors.

Brings the instruction credit of every offering that ended since the start of last year in line
with its instructors and hours taught (one hour of credit per hour taught, seed 001). Safe to
run any number of times: a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clee.workflows.instructor_credit import instructors_credit_due


class Command(BaseCommand):
    help = "Credit the instructors of offerings that have ended (one hour per hour taught)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to run as (default: today), YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"{options['date']!r} is not a date (YYYY-MM-DD)") from None
        changed = instructors_credit_due(today=today, acting_user=None)
        self.stdout.write(f"instruction credit changed for {changed} offering{'s' if changed != 1 else ''}")
