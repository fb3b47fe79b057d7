"""Real job worker processes for the crash tests: ``manage.py db_worker`` started against the
test database (PostgreSQL: SQLite's test database lives in the test process's memory)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
WAIT = 60.0  # seconds a crash test waits for something before it fails

NEEDS_POSTGRESQL = "a worker process needs the test database on a server (SQLite's is in memory)"


def database_url() -> str:
    """The test database as a DATABASE_URL another process can open."""
    settings = connection.settings_dict
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


class Worker:
    """``manage.py db_worker`` in its own process, its output in ``log``."""

    def __init__(self, log: Path, env: dict[str, str], *, batch: bool = False) -> None:
        self.log = log
        arguments = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
        arguments += ["--batch", "--interval", "0"] if batch else ["--interval", "0.1"]
        self.output = log.open("ab")
        self.process = subprocess.Popen(
            arguments,
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url(), "CLEE_LOG_LEVEL": "WARNING", **env},
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: no signal handler, no cleanup, as when a host dies or the OOM killer strikes."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(WAIT)
        self.output.close()

    def wait(self) -> int:
        code = self.process.wait(WAIT)
        self.output.close()
        return code

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill()
        self.output.close()

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for(condition: Callable[[], bool], what: str, worker: Worker | None = None) -> None:
    """Poll ``condition`` until it holds; fail (with the worker's output) after ``WAIT`` s."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if worker is not None and worker.process.poll() is not None:
            raise AssertionError(
                f"the worker exited ({worker.process.returncode}) before {what}:\n{worker.text()}"
            )
        if time.monotonic() > deadline:
            output = f":\n{worker.text()}" if worker is not None else ""
            raise AssertionError(f"timed out waiting for {what}{output}")
        time.sleep(0.05)
