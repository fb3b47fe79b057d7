"""Fixtures for the job tests: a schedule of one's own (the worker is in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clee.jobs.models import Schedule

CENTRAL = ZoneInfo("America/Chicago")  # settings.TIME_ZONE


def make_schedule(
    name: str = "test-job",
    *,
    task_path: str = "clee.notices.tasks.expire_licenses",
    recurrence: str = Schedule.Recurrence.DAILY,
    at_time: dt.time = dt.time(2, 0),
    month_days: list[str] | None = None,
    every_minutes: int | None = None,
    active_from: dt.datetime = dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
) -> Schedule:
    return Schedule.objects.create(
        name=name,
        task_path=task_path,
        recurrence=recurrence,
        at_time=at_time,
        month_days=month_days or [],
        every_minutes=every_minutes,
        active_from=active_from,
    )


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker and the scheduler call ``close_old_connections`` between two looks, as a
    request would; inside a test's transaction that would close the test's own connection
    (Django's test client disconnects it from requests for the same reason)."""

    def keep() -> None:
        return None

    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", keep)
    monkeypatch.setattr("clee.jobs.management.commands.run_scheduler.close_old_connections", keep)
