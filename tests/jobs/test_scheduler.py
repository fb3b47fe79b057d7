"""The stored schedule: when runs fall due, claiming each once, running it with a record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from clee.core.models import AuditEvent
from clee.jobs.models import Schedule, ScheduledRun
from clee.jobs.services import (
    ensure_default_schedule,
    latest_occurrence,
    scheduled_run_execute,
    scheduler_tick,
)
from tests.jobs.conftest import CENTRAL, make_schedule

pytestmark = pytest.mark.django_db

REMINDER_DATES = ["10-01", "11-15", "12-15"]


def failing_job() -> None:
    raise RuntimeError("the mail server is on fire")


def counting_job() -> dict[str, int]:
    return {"officers": 3, "notices": 2}


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CENTRAL)


def test_a_daily_schedule_falls_due_at_its_local_time_each_day() -> None:
    schedule = make_schedule(at_time=dt.time(2, 0))

    assert latest_occurrence(schedule, now=at(2023, 10, 1, 1, 59)) == at(2023, 9, 30, 2)
    assert latest_occurrence(schedule, now=at(2023, 10, 1, 2, 0)) == at(2023, 10, 1, 2)
    assert latest_occurrence(schedule, now=at(2023, 10, 1, 23, 0)) == at(2023, 10, 1, 2)


def test_a_yearly_schedule_falls_due_on_its_dates_only() -> None:
    schedule = make_schedule(
        recurrence=Schedule.Recurrence.YEARLY_DATES, at_time=dt.time(6, 0), month_days=REMINDER_DATES
    )

    assert latest_occurrence(schedule, now=at(2023, 9, 30, 12)) is None
    assert latest_occurrence(schedule, now=at(2023, 10, 1, 6)) == at(2023, 10, 1, 6)
    assert latest_occurrence(schedule, now=at(2023, 11, 20, 9)) == at(2023, 11, 15, 6)
    # January 1 looks back into last year's December date.
    assert latest_occurrence(schedule, now=at(2024, 1, 5, 9)).astimezone(CENTRAL).date() == dt.date(
        2023, 12, 15
    )


def test_a_frequent_schedule_falls_due_every_few_minutes_from_midnight() -> None:
    schedule = make_schedule(recurrence=Schedule.Recurrence.EVERY_MINUTES, every_minutes=15)

    assert latest_occurrence(schedule, now=at(2023, 10, 1, 0, 0)) == at(2023, 10, 1, 0, 0)
    assert latest_occurrence(schedule, now=at(2023, 10, 1, 9, 14)) == at(2023, 10, 1, 9, 0)
    assert latest_occurrence(schedule, now=at(2023, 10, 1, 9, 15)) == at(2023, 10, 1, 9, 15)
    assert latest_occurrence(schedule, now=at(2023, 10, 1, 23, 59)) == at(2023, 10, 1, 23, 45)


def test_a_frequent_schedule_needs_its_minutes() -> None:
    schedule = Schedule(name="x", task_path="x.y", recurrence=Schedule.Recurrence.EVERY_MINUTES)
    with pytest.raises(ValidationError, match="minutes between two runs"):
        schedule.clean()
    schedule.every_minutes = 1441
    with pytest.raises(ValidationError, match="minutes between two runs"):
        schedule.clean()


def test_a_new_schedule_does_not_replay_the_past() -> None:
    schedule = make_schedule(at_time=dt.time(2, 0), active_from=at(2023, 10, 1, 10))

    assert latest_occurrence(schedule, now=at(2023, 10, 1, 23)) is None
    assert latest_occurrence(schedule, now=at(2023, 10, 2, 3)) == at(2023, 10, 2, 2)


def test_the_scheduler_enqueues_each_due_run_once_as_time_moves(
    django_capture_on_commit_callbacks: Any,
) -> None:
    schedule = make_schedule(
        recurrence=Schedule.Recurrence.YEARLY_DATES, at_time=dt.time(6, 0), month_days=REMINDER_DATES
    )
    claimed_on = []
    day = at(2023, 9, 28, 12)
    while day < at(2024, 1, 10):
        with time_machine.travel(day, tick=False), django_capture_on_commit_callbacks(execute=True):
            for _ in range(2):  # a second look the same day claims nothing new
                claimed_on += [run.due_at.astimezone(CENTRAL).date() for run in scheduler_tick()]
        day += dt.timedelta(days=1)

    assert claimed_on == [dt.date(2023, 10, 1), dt.date(2023, 11, 15), dt.date(2023, 12, 15)]
    runs = ScheduledRun.objects.filter(schedule=schedule)
    assert {run.status for run in runs} == {ScheduledRun.Status.ENQUEUED}
    assert DBTaskResult.objects.count() == 3
    assert {run.task_result_id for run in runs} == {
        str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)
    }


def test_a_run_missed_while_the_scheduler_was_stopped_is_enqueued_after_the_restart(
    django_capture_on_commit_callbacks: Any,
) -> None:
    schedule = make_schedule(
        recurrence=Schedule.Recurrence.YEARLY_DATES, at_time=dt.time(6, 0), month_days=REMINDER_DATES
    )
    with (
        time_machine.travel(at(2023, 9, 30, 12), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert scheduler_tick() == []
    # Stopped from September 30 to October 4: the October 1 run was never looked at.
    with (
        time_machine.travel(at(2023, 10, 4, 9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("run_scheduler", once=True, stdout=None)

    run = ScheduledRun.objects.get(schedule=schedule)
    assert run.due_at == at(2023, 10, 1, 6)
    assert run.status == ScheduledRun.Status.ENQUEUED
    assert DBTaskResult.objects.get(pk=run.task_result_id).args_kwargs["kwargs"] == {
        "scheduled_run_id": run.pk
    }


def test_a_claim_that_lost_its_enqueue_is_enqueued_once_by_a_later_tick(
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_schedule(at_time=dt.time(2, 0))
    with (
        time_machine.travel(at(2023, 10, 1, 3), tick=False),
        django_capture_on_commit_callbacks(execute=False),
    ):
        [run] = scheduler_tick()  # the process "dies" before its on-commit enqueue
    assert DBTaskResult.objects.count() == 0
    with time_machine.travel(at(2023, 10, 1, 3, 5), tick=False):
        assert scheduler_tick() == []
        assert scheduler_tick() == []

    run.refresh_from_db()
    assert run.status == ScheduledRun.Status.ENQUEUED
    assert DBTaskResult.objects.count() == 1


def test_the_worker_runs_the_enqueued_job_and_records_what_it_did(
    django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    make_schedule(task_path="tests.jobs.test_scheduler.counting_job")
    with (
        time_machine.travel(at(2023, 10, 1, 3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [run] = scheduler_tick()
    run_worker()

    run.refresh_from_db()
    assert run.status == ScheduledRun.Status.SUCCEEDED
    assert run.summary == {"officers": 3, "notices": 2}
    assert run.started_at is not None
    assert run.finished_at is not None
    assert DBTaskResult.objects.get(pk=run.task_result_id).status == "SUCCESSFUL"
    assert AuditEvent.objects.filter(action="job.claim", object_id=str(run.pk), actor__isnull=True).exists()


def test_the_license_expiry_job_runs_through_the_worker(
    django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    make_schedule(task_path="clee.notices.tasks.expire_licenses")
    with time_machine.travel(at(2023, 10, 1, 3), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            [run] = scheduler_tick()
        run_worker()

    run.refresh_from_db()
    assert run.status == ScheduledRun.Status.SUCCEEDED
    assert run.summary == {"expired": 0, "license_numbers": []}


def test_a_job_whose_module_is_missing_is_recorded_as_failed_with_the_reason(
    django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    make_schedule(task_path="clee.jobs.not_deployed_yet.prepare")
    with (
        time_machine.travel(at(2023, 10, 1, 3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [run] = scheduler_tick()
    run_worker()

    run.refresh_from_db()
    assert run.status == ScheduledRun.Status.FAILED
    assert "cannot resolve clee.jobs.not_deployed_yet.prepare" in run.error


def test_a_failing_job_is_recorded_as_failed_with_its_error() -> None:
    schedule = make_schedule(task_path="tests.jobs.test_scheduler.failing_job")
    run = ScheduledRun.objects.create(
        schedule=schedule, due_at=at(2023, 10, 1, 2), claimed_at=at(2023, 10, 1, 2)
    )

    with pytest.raises(RuntimeError, match="on fire"):
        scheduled_run_execute(scheduled_run_id=run.pk)

    run.refresh_from_db()
    assert run.status == ScheduledRun.Status.FAILED
    assert "the mail server is on fire" in run.error


def test_a_run_executed_twice_runs_its_job_once() -> None:
    schedule = make_schedule(task_path="tests.jobs.test_scheduler.counting_job")
    run = ScheduledRun.objects.create(
        schedule=schedule, due_at=at(2023, 10, 1, 2), claimed_at=at(2023, 10, 1, 2)
    )

    assert scheduled_run_execute(scheduled_run_id=run.pk) == {"officers": 3, "notices": 2}
    assert scheduled_run_execute(scheduled_run_id=run.pk) == {"skipped": "this run was already started"}
    run.refresh_from_db()
    assert run.status == ScheduledRun.Status.SUCCEEDED


def test_the_default_schedule_is_seeded_once_and_keeps_an_operators_changes() -> None:
    ensure_default_schedule()
    Schedule.objects.filter(name="notices").update(at_time=dt.time(7, 30))
    ensure_default_schedule()

    schedules = {schedule.name: schedule for schedule in Schedule.objects.all()}
    assert schedules["license-expiry"].task_path == "clee.notices.tasks.expire_licenses"
    assert schedules["notices"].task_path == "clee.notices.tasks.prepare_and_send_notices"
    assert schedules["notices"].at_time == dt.time(7, 30)
    delivery = schedules["notice-delivery"]
    assert (delivery.task_path, delivery.recurrence, delivery.every_minutes) == (
        "clee.notices.tasks.send_due_notices",
        Schedule.Recurrence.EVERY_MINUTES,
        15,
    )
