"""The demo state loaded on March 20, 2027: just past the 2026 grace deadline (March 15)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from clee.compliance.makeup import makeup_queue
from clee.compliance.models import LicenseDecision, PeriodTransition, ReportingPeriod
from clee.compliance.selectors import decision_queue
from clee.demo.accounts import DEMO_PASSWORD
from clee.demo.plans import DemoSummary
from clee.notices.models import Notice, NoticeRun
from clee.notices.services import notices_prepare
from clee.training.models import TrainingRecord
from tests.demo.conftest import CLOSED_DAY, state_on

pytestmark = pytest.mark.django_db

march = state_on(CLOSED_DAY)
YEAR = CLOSED_DAY.year


def test_last_year_is_closed_with_a_director_queue(march: DemoSummary) -> None:
    previous = ReportingPeriod.objects.get(year=YEAR - 1)
    assert previous.phase_on(CLOSED_DAY) == ReportingPeriod.Phase.CLOSED
    closed = PeriodTransition.objects.get(period=previous, phase="closed")
    assert closed.began_on == dt.date(YEAR, 3, 16)
    assert decision_queue(previous, CLOSED_DAY).count() >= 5
    # Five days after the deadline the Director has barely begun.
    assert (
        LicenseDecision.objects.filter(period=previous).count() < decision_queue(previous, CLOSED_DAY).count()
    )


def test_make_up_training_in_the_grace_window_was_applied_and_some_waits(march: DemoSummary) -> None:
    previous = ReportingPeriod.objects.get(year=YEAR - 1)
    applied = TrainingRecord.objects.filter(applied_to_year=YEAR - 1)
    assert applied.exists()
    assert all(previous.ends < r.completed_on <= previous.grace_deadline for r in applied)
    waiting = [r for r in makeup_queue(CLOSED_DAY) if r.period_id == previous.pk]
    assert waiting


def test_the_directors_list_went_out_the_day_after_the_deadline_and_nothing_is_stale(
    march: DemoSummary,
) -> None:
    run = NoticeRun.objects.get(period__year=YEAR - 1, step="director_list")
    assert run.prepared_on == dt.date(YEAR, 3, 16)
    listed = Notice.objects.get(period__year=YEAR - 1, kind="director_list")
    assert listed.status == Notice.Status.SENT
    assert listed.recipient == "demo.director@example.test"
    assert listed.content["officers"]
    assert not Notice.objects.filter(status=Notice.Status.QUEUED).exists()
    assert notices_prepare(today=CLOSED_DAY) == []


def test_the_director_sees_the_queue_of_last_year(client: Client, march: DemoSummary) -> None:
    response = client.post("/accounts/login/", {"username": "demo.director", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get("/director/").content.decode()
    previous = ReportingPeriod.objects.get(year=YEAR - 1)
    first = (
        decision_queue(previous, CLOSED_DAY).select_related("officer").order_by("officer__last_name").first()
    )
    assert first is not None
    assert str(YEAR - 1) in page
    assert first.officer.license_number in page


def test_the_officer_dashboard_shows_this_year(client: Client, march: DemoSummary) -> None:
    response = client.post("/accounts/login/", {"username": "demo.officer", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get("/", follow=True).content.decode()
    assert f"{YEAR} reporting period" in page
