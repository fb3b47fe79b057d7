"""``manage.py advance_calendar``: run the calendar job now (it also runs each night).

Opens the period that contains today, records each period's phase change once and puts
published rule book versions into force on their effective date; prints what it did. Safe to
run any number of times. The new period's results are computed by the job worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from clee.compliance.calendar import calendar_advance


class Command(BaseCommand):
    help = "Open the current reporting period, record phase changes, put rule book versions in force."

    def handle(self, *args: Any, **options: Any) -> None:
        run = calendar_advance()
        self.stdout.write(f"Calendar as of {run.today:%B} {run.today.day}, {run.today.year}:")
        self.stdout.write(
            f"  periods opened: {', '.join(map(str, run.opened)) or 'none'}"
            + (" (their results are computed by the job worker)" if run.opened else "")
        )
        self.stdout.write(f"  phase changes recorded: {', '.join(run.transitions) or 'none'}")
        self.stdout.write(f"  rule book versions put in force: {', '.join(run.rules) or 'none'}")
