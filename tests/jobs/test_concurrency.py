"""Two schedulers at once (PostgreSQL): each due run is claimed and enqueued once.

SQLite runs one writing transaction at a time, so the race only exists on PostgreSQL; these
tests are skipped on SQLite.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from clee.jobs.models import ScheduledRun
from clee.jobs.services import scheduled_run_claim, scheduler_tick
from tests.jobs.conftest import CENTRAL, make_schedule
from tests.threads import WAIT, backend_pid, in_thread, result

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent schedulers need PostgreSQL"),
]

NOW = dt.datetime(2023, 10, 1, 3, 0, tzinfo=CENTRAL)


def is_blocked(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
        return bool(cursor.fetchone()[0])


def test_a_scheduler_waiting_on_anothers_claim_does_not_enqueue_the_run_again() -> None:
    schedule = make_schedule(at_time=dt.time(2, 0))
    due_at = NOW.replace(hour=2)
    first_claimed = threading.Event()
    release_first = threading.Event()
    second: dict[str, int] = {}

    def first_scheduler() -> ScheduledRun | None:
        with transaction.atomic():
            run = scheduled_run_claim(schedule=schedule, due_at=due_at, now=NOW, scheduler_id="one")
            first_claimed.set()
            release_first.wait(WAIT)
        return run

    def second_scheduler() -> ScheduledRun | None:
        second["pid"] = backend_pid()
        return scheduled_run_claim(schedule=schedule, due_at=due_at, now=NOW, scheduler_id="two")

    one = in_thread(first_scheduler)
    assert first_claimed.wait(WAIT)
    two = in_thread(second_scheduler)
    deadline = time.monotonic() + WAIT
    while ("pid" not in second or not is_blocked(second["pid"])) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert is_blocked(second["pid"]), "the second scheduler should wait on the first one's claim"
    release_first.set()

    assert result(*one) is not None
    assert result(*two) is None
    run = ScheduledRun.objects.get()
    assert run.claimed_by == "one"
    assert run.status == ScheduledRun.Status.ENQUEUED
    assert DBTaskResult.objects.count() == 1


def test_many_schedulers_ticking_together_enqueue_every_due_run_once() -> None:
    for number in range(5):
        make_schedule(f"job-{number}", at_time=dt.time(2, 0))
    start = threading.Barrier(4)

    def scheduler() -> int:
        start.wait(WAIT)
        return len(scheduler_tick(now=NOW, scheduler_id=threading.current_thread().name))

    threads = [in_thread(scheduler) for _ in range(4)]

    assert sum(result(*thread) for thread in threads) == 5
    assert ScheduledRun.objects.count() == 5
    assert DBTaskResult.objects.count() == 5
    assert set(ScheduledRun.objects.values_list("status", flat=True)) == {ScheduledRun.Status.ENQUEUED}
