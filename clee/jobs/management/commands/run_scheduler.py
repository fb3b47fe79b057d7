"""``manage.py run_scheduler [--once] [--interval N]``: enqueue the due runs of the schedule.

Safe to run on several machines at once: each due run is claimed by one of them only.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from clee.jobs.services import ensure_default_schedule, scheduler_tick


class Command(BaseCommand):
    help = "Enqueue the runs of the stored schedule as they fall due (a loop; --once for one look)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Look once, enqueue what is due, exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between two looks (default: CLEE_SCHEDULER_INTERVAL, 30).",
        )

    def handle(self, *args: Any, once: bool, interval: float | None, **options: Any) -> None:
        interval = settings.CLEE_SCHEDULER_INTERVAL if interval is None else interval
        scheduler_id = f"{socket.gethostname()}:{os.getpid()}"
        ensure_default_schedule()
        self.running = True

        def stop(signum: int, frame: FrameType | None) -> None:
            self.running = False

        if not once:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            close_old_connections()
            for run in scheduler_tick(scheduler_id=scheduler_id):
                self.stdout.write(
                    f"claimed {run.schedule} due {timezone.localtime(run.due_at):%Y-%m-%d %H:%M}"
                )
            if once or not self.running:
                return
            deadline = time.monotonic() + interval
            while self.running and time.monotonic() < deadline:
                time.sleep(min(1.0, interval))
            if not self.running:
                return
