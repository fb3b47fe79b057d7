"""The demo state loaded on January 10, 2027: 2027 just begun, 2026 in its grace window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from clee.accounts.models import User
from clee.compliance.makeup import makeup_candidates, makeup_queue, training_apply_to_period
from clee.compliance.models import ComplianceResult, PeriodTransition, ReportingPeriod
from clee.compliance.recompute import compliance_recompute
from clee.compliance.selectors import decision_queue
from clee.demo.accounts import DEMO_PASSWORD
from clee.demo.plans import MAKEUP_REASON, DemoSummary
from clee.notices.models import Notice, NoticeRun
from clee.notices.services import notices_prepare
from clee.training.models import TrainingRecord
from tests.demo.conftest import GRACE_DAY, SMALL, state_on

pytestmark = pytest.mark.django_db

january = state_on(GRACE_DAY)
YEAR = GRACE_DAY.year


def test_the_new_period_is_open_with_only_ten_days_of_records(january: DemoSummary) -> None:
    assert january.year == YEAR
    current = ReportingPeriod.objects.get(year=YEAR)
    assert current.phase_on(GRACE_DAY) == ReportingPeriod.Phase.OPEN
    assert ComplianceResult.objects.filter(period=current).count() == SMALL.officers
    this_year = TrainingRecord.objects.filter(completed_on__year=YEAR)
    assert this_year.exists()
    assert max(this_year.values_list("completed_on", flat=True)) <= GRACE_DAY
    # Ten days in, nobody has 24 hours yet but the exempt and the odd early finisher.
    statuses = january.periods[YEAR]
    assert statuses["deficient"] > SMALL.officers * 0.8


def test_last_year_is_in_its_grace_window_with_no_director_queue_yet(january: DemoSummary) -> None:
    previous = ReportingPeriod.objects.get(year=YEAR - 1)
    assert previous.phase_on(GRACE_DAY) == ReportingPeriod.Phase.GRACE
    phases = set(PeriodTransition.objects.filter(period=previous).values_list("phase", flat=True))
    assert phases == {"open", "grace"}
    assert not decision_queue(previous, GRACE_DAY).exists()
    assert ComplianceResult.objects.filter(period=previous, status="deficient").exists()
    # Nothing of the grace window is applied yet: staff can do it.
    assert not TrainingRecord.objects.filter(applied_to_year=YEAR - 1).exists()


def test_officers_short_last_year_have_grace_window_training_staff_can_apply(january: DemoSummary) -> None:
    queue = [r for r in makeup_queue(GRACE_DAY) if r.period.year == YEAR - 1]
    officer = User.objects.get(username="demo.officer").officer
    assert officer is not None
    assert officer.pk in {r.officer_id for r in queue}
    records = list(makeup_candidates(officer, ReportingPeriod.objects.get(year=YEAR - 1)))
    assert records
    assert all(dt.date(YEAR, 1, 1) <= r.completed_on < GRACE_DAY for r in records)
    previous = ReportingPeriod.objects.get(year=YEAR - 1)
    staff = User.objects.get(username="demo.staff")
    training_apply_to_period(
        officer=officer,
        period=previous,
        record_ids=[r.pk for r in records],
        reason=MAKEUP_REASON,
        acting_user=staff,
        today=GRACE_DAY,
    )
    compliance_recompute(period=previous, officer_ids=[officer.pk])
    assert ComplianceResult.objects.get(officer=officer, period=previous).status == "compliant"


def test_no_notice_step_waits_and_the_deficiency_notice_comes_on_its_day(january: DemoSummary) -> None:
    assert not Notice.objects.filter(status=Notice.Status.QUEUED).exists()
    assert set(NoticeRun.objects.filter(period__year=YEAR - 1).values_list("step", flat=True)) == {
        "reminder_oct",
        "reminder_nov",
        "reminder_dec",
    }
    assert notices_prepare(today=GRACE_DAY) == []
    runs = notices_prepare(today=dt.date(YEAR, 1, 15))
    assert [(run.period.year, run.step) for run in runs] == [(YEAR - 1, "deficiency")]


def test_the_officer_dashboard_shows_the_new_period(client: Client, january: DemoSummary) -> None:
    response = client.post("/accounts/login/", {"username": "demo.officer", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get("/", follow=True).content.decode()
    assert f"{YEAR} reporting period" in page
