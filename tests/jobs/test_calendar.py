"""The calendar runs by itself: the clock moves across December 31, January 1, March 15 and
March 16, the scheduler and the real job worker do the rest, and each change happens once.

Nobody opens 2027 or closes 2026 by hand: the stored schedule's calendar job opens the period
that contains the new day, records the previous period's grace window and, after its grace
deadline, its closing, when its non-compliant officers reach the Director's queue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from clee.compliance.calendar import calendar_advance, current_period
from clee.compliance.models import ComplianceResult, PeriodTransition, ReportingPeriod
from clee.compliance.records import training_records_add
from clee.compliance.selectors import decision_queue
from clee.compliance.services import ensure_period
from clee.core.models import AuditEvent
from clee.jobs.models import Schedule, ScheduledRun
from clee.jobs.services import ensure_default_schedule, scheduler_tick
from clee.training.services import LineSpec, RecordEntry
from tests.conftest import PASSWORD
from tests.jobs.conftest import CENTRAL

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CENTRAL)


def tick_and_work(run_worker: Any, capture: Any) -> list[ScheduledRun]:
    """One look at the schedule, then the worker until the queue is empty (the test runs in one
    transaction: what a job enqueues on its commit is enqueued at the end of the first pass)."""
    with capture(execute=True):
        claimed = scheduler_tick(scheduler_id="test")
    with capture(execute=True):
        run_worker()
    run_worker()
    return claimed


def phases(year: int) -> list[str]:
    return list(
        PeriodTransition.objects.filter(period__year=year)
        .order_by("began_on")
        .values_list("phase", flat=True)
    )


def phase_events(year: int) -> list[str]:
    period = ReportingPeriod.objects.get(year=year)
    return list(
        AuditEvent.objects.filter(action="period.phase", object_id=str(period.pk))
        .order_by("id")
        .values_list("data__phase", flat=True)
    )


def test_the_year_turns_and_the_grace_deadline_passes_with_no_one_touching_anything(
    world: dict[str, Any], run_worker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    officer = world["officer"]
    # The schedule as an installation has it since December 1 (the notices are tested apart).
    ensure_default_schedule(now=at(2026, 12, 1))
    Schedule.objects.exclude(name="calendar").update(enabled=False)
    with (
        time_machine.travel(at(2026, 12, 31, 23, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        period_2026 = ensure_period(2026)
        # Alice has 4 hours of 2026 training: short for 2026.
        training_records_add(
            entries=[
                RecordEntry(
                    officer_id=officer.pk,
                    completed_on=dt.date(2026, 6, 1),
                    hours=Decimal(4),
                    source="course",
                    credit_class="approved",
                    delivery="live",
                    lines=(LineSpec(core_area="legal_studies", hours=Decimal(4)),),
                )
            ],
            actor=world["erin"],
        )
    with time_machine.travel(at(2026, 12, 31, 23, 0), tick=False):
        tick_and_work(run_worker, django_capture_on_commit_callbacks)
        assert current_period() == period_2026
        assert ComplianceResult.objects.get(officer=officer, period=period_2026).status == "deficient"
        assert phases(2026) == ["open"]
        assert not ReportingPeriod.objects.filter(year=2027).exists()

    # Ten past midnight on January 1: the calendar job (due 00:05) has run.
    with time_machine.travel(at(2027, 1, 1, 0, 10), tick=False):
        claimed = tick_and_work(run_worker, django_capture_on_commit_callbacks)
        calendar_run = next(run for run in claimed if run.schedule.name == "calendar")
        calendar_run.refresh_from_db()
        assert calendar_run.status == ScheduledRun.Status.SUCCEEDED
        assert calendar_run.summary["opened"] == [2027]
        assert calendar_run.summary["transitions"] == ["2026 grace", "2027 open"]
        period_2027 = ReportingPeriod.objects.get(year=2027)
        assert (period_2027.starts, period_2027.ends, period_2027.grace_deadline) == (
            dt.date(2027, 1, 1),
            dt.date(2027, 12, 31),
            dt.date(2028, 3, 15),
        )
        assert current_period() == period_2027
        # Every officer's 2027 result was computed by the worker: a new year starts at nothing.
        fresh = ComplianceResult.objects.get(officer=officer, period=period_2027)
        assert (fresh.status, fresh.counted_hours, fresh.pack) == ("deficient", Decimal(0), "MO-2027-v1")
        assert phases(2026) == ["open", "grace"]
        # Looking again, and running the job again, changes nothing.
        assert tick_and_work(run_worker, django_capture_on_commit_callbacks) == []
        again = calendar_advance()
        assert (again.opened, again.transitions, again.rules) == ([], [], [])
        # Alice's dashboard is 2027's, and tells her 2026 can still be made up.
        alice = Client()
        assert alice.login(username="alice", password=PASSWORD)
        page = alice.get("/officer/").content.decode()
        assert "2027 reporting period" in page
        assert "2026: still 20 hours short, grace window until March 15, 2027" in page
        assert not decision_queue(period_2026, dt.date(2027, 1, 1)).exists()

    # On the grace deadline itself, compliance may still be shown: nothing closes.
    with time_machine.travel(at(2027, 3, 15, 12, 0), tick=False):
        tick_and_work(run_worker, django_capture_on_commit_callbacks)
        assert phases(2026) == ["open", "grace"]
        assert not decision_queue(period_2026, dt.date(2027, 3, 15)).exists()

    # The day after: 2026 closes, once, and Alice is in the Director's queue.
    with time_machine.travel(at(2027, 3, 16, 0, 10), tick=False):
        tick_and_work(run_worker, django_capture_on_commit_callbacks)
        tick_and_work(run_worker, django_capture_on_commit_callbacks)
        calendar_advance()
        assert phases(2026) == ["open", "grace", "closed"]
        assert phases(2027) == ["open"]
        assert phase_events(2026) == ["open", "grace", "closed"]
        assert [r.officer for r in decision_queue(period_2026, dt.date(2027, 3, 16))] == [officer]
        frank = Client()
        assert frank.login(username="frank", password=PASSWORD)
        queue = frank.get("/director/").content.decode()
        assert "Avery" in queue

    assert ReportingPeriod.objects.filter(year=2027).count() == 1
    # December 31, January 1, March 15 and March 16: one run each, whatever the looks.
    assert ScheduledRun.objects.filter(schedule__name="calendar", status="succeeded").count() == 4
