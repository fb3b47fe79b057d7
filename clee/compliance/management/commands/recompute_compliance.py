"""``manage.py recompute_compliance [--year YYYY] [--here]``: recompute a whole period's results.

By default the period's results are marked stale and recompute jobs are queued: the workers
(``manage.py db_worker``, on every host) share them, and the command returns at once. With
``--here`` this process recomputes the period itself (an operator's tool, one core): progress
goes to stderr (a bar that redraws in place on a terminal, one line per chunk otherwise, for
logs); the final line, on stdout, says how many officers' results were written and how long it
took.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from clee.compliance.calendar import current_period, period_of_year, periods_on_record
from clee.compliance.models import ReportingPeriod
from clee.compliance.outbox import period_recompute_request, recompute_jobs_for
from clee.compliance.recompute import compliance_recompute
from clee.officers.models import Officer


class ProgressBar:
    """A plain textual bar: ``[########............]  4,000/17,000 officers  24%``."""

    def __init__(self, stream: OutputWrapper, total: int, *, width: int = 30) -> None:
        self.stream, self.total, self.width, self.done = stream, total, width, 0
        self.redraw = stream.isatty()

    def advance(self, count: int) -> None:
        self.done += count
        share = self.done / self.total if self.total else 1.0
        filled = min(self.width, int(share * self.width))
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] "
            f"{self.done:,}/{self.total:,} officers {min(share, 1.0):4.0%}"
        )
        if self.redraw:
            self.stream.write(f"\r{line}", ending="")
            self.stream.flush()
        else:
            self.stream.write(line)

    def finish(self) -> None:
        if self.redraw:
            self.stream.write("")


class Command(BaseCommand):
    help = "Recompute every officer's stored compliance result for a reporting period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--here",
            action="store_true",
            help="recompute in this process and wait, instead of queuing jobs for the workers",
        )
        parser.add_argument(
            "--year",
            type=int,
            help="the period's year (default: the current period, else the latest one)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        period = self.period(options["year"])
        if not options["here"]:
            marked = period_recompute_request(period=period, acting_user=None, reason="recompute_compliance")
            jobs = recompute_jobs_for(marked)
            self.stdout.write(
                f"{period}: results of {marked:,} officers marked stale; {jobs} recompute jobs queued "
                "for the workers (manage.py db_worker)"
            )
            return
        total = Officer.objects.count()
        self.stderr.write(
            f"Recomputing {period} for {total:,} officers (rule pack {period.jurisdiction} {period.year})"
        )
        bar = ProgressBar(self.stderr, total)
        started = time.perf_counter()
        written = compliance_recompute(period=period, progress=bar.advance)
        bar.finish()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{period}: results written for {written:,} officers in {elapsed:.2f} s")

    def period(self, year: int | None) -> ReportingPeriod:
        jurisdiction = settings.CLEE_JURISDICTION
        if year is not None:
            found = period_of_year(year, jurisdiction)
            if found is None:
                periods = periods_on_record(jurisdiction).order_by("year")
                known = ", ".join(str(y) for y in periods.values_list("year", flat=True))
                raise CommandError(
                    f"there is no {jurisdiction} {year} reporting period (periods: {known or 'none'}); "
                    "a period opens by itself on January 1; open an earlier year in the back office"
                )
            return found
        found = current_period()
        if found is None:
            raise CommandError(
                f"there is no {jurisdiction} reporting period yet: run the calendar job "
                "(manage.py advance_calendar) to open the current one"
            )
        return found
