"""``manage.py jobs [list|recover]``: the jobs running, waiting and failed, and the recovery
sweep run at once (docs/operations.md §3.4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from clee.jobs.selectors import JobRow, job_rows, oldest_ready_age
from clee.jobs.services import jobs_recover


def _when(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}" if moment else "-"


class Command(BaseCommand):
    help = (
        "List the jobs running, waiting and failed (with tries, worker, last heartbeat and why), "
        "or run the recovery sweep now (`jobs recover`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["list", "recover"], default="list")
        parser.add_argument(
            "--days", type=int, default=7, help="list: failed jobs of the last DAYS days (default 7)."
        )
        parser.add_argument("--limit", type=int, default=50, help="list: at most this many per section.")

    def handle(self, *args: Any, action: str, days: int, limit: int, **options: Any) -> None:
        if action == "recover":
            recovery = jobs_recover()
            self.stdout.write(
                f"recovery sweep: {len(recovery.retried)} tried again, {len(recovery.failed)} failed"
            )
            for task_result_id in recovery.retried + recovery.failed:
                self.stdout.write(f"  {task_result_id}")
            return
        now = timezone.now()
        self._section("Running", job_rows(statuses=[TaskResultStatus.RUNNING], limit=limit), now)
        age = oldest_ready_age(now=now)
        waiting = job_rows(statuses=[TaskResultStatus.READY], limit=limit)
        title = "Waiting" + (f" (the oldest ready for {int(age.total_seconds())} s)" if age else "")
        self._section(title, waiting, now)
        failed = job_rows(
            statuses=[TaskResultStatus.FAILED], since=now - dt.timedelta(days=days), limit=limit
        )
        self._section(f"Failed in the last {days} days", failed, now)

    def _section(self, title: str, rows: list[JobRow], now: dt.datetime) -> None:
        self.stdout.write(f"{title}: {len(rows)}")
        for row in rows:
            line = f"  {row.id}  {row.task}  {row.status}  tries={row.attempts}"
            if row.worker:
                line += f"  worker={row.worker}"
            if row.status == TaskResultStatus.RUNNING and row.heartbeat_at is not None:
                silent = (now - row.heartbeat_at).total_seconds()
                line += f"  heartbeat {int(silent)} s ago"
                if silent > float(settings.CLEE_JOB_LEASE_SECONDS):
                    line += "  LEASE EXPIRED: the recovery sweep will retry or fail it"
            if row.status == TaskResultStatus.READY and row.run_after is not None:
                line += f"  from {_when(row.run_after)}"
            if row.finished_at is not None:
                line += f"  finished {_when(row.finished_at)}"
            self.stdout.write(line)
            if row.reason:
                self.stdout.write(f"      why: {row.reason}")
