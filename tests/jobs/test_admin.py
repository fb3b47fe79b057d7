"""The schedule and its runs in the back office: POST staff read them, officers never."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from clee.jobs.models import ScheduledRun
from tests.conftest import PASSWORD
from tests.jobs.conftest import make_schedule

pytestmark = pytest.mark.django_db

PAGES = ["/admin/jobs/schedule/", "/admin/jobs/scheduledrun/"]


@pytest.fixture
def a_run(world: dict[str, Any]) -> ScheduledRun:
    world["erin"].is_staff = True  # POST staff with back-office access
    world["erin"].save(update_fields=["is_staff"])
    moment = dt.datetime(2023, 10, 1, 7, tzinfo=dt.UTC)
    return ScheduledRun.objects.create(
        schedule=make_schedule("license-expiry"),
        due_at=moment,
        claimed_at=moment,
        status=ScheduledRun.Status.SUCCEEDED,
        summary={"expired": 4},
    )


@pytest.mark.parametrize("page", PAGES)
def test_post_staff_see_the_schedule_and_what_each_run_did(a_run: ScheduledRun, page: str) -> None:
    client = Client()
    assert client.login(username="erin", password=PASSWORD)
    response = client.get(page)
    assert response.status_code == 200
    assert "license-expiry" in response.content.decode()


def test_a_run_cannot_be_changed_in_the_back_office(a_run: ScheduledRun) -> None:
    client = Client()
    assert client.login(username="erin", password=PASSWORD)
    response = client.post(f"/admin/jobs/scheduledrun/{a_run.pk}/change/", {"status": "failed"})
    a_run.refresh_from_db()
    assert a_run.status == ScheduledRun.Status.SUCCEEDED
    assert response.status_code in (200, 403)


@pytest.mark.parametrize("page", PAGES)
def test_an_officer_is_sent_to_the_admin_login(a_run: ScheduledRun, page: str) -> None:
    client = Client()
    assert client.login(username="alice", password=PASSWORD)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.fixture
def a_lost_job(world: dict[str, Any], settings: Any) -> str:
    """A job whose worker stopped answering on its last try, failed by the recovery sweep."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from clee.jobs.models import JobLease
    from clee.jobs.services import jobs_recover
    from clee.jobs.tasks import recover_lost_jobs

    world["erin"].is_staff = True
    world["erin"].save(update_fields=["is_staff"])
    settings.CLEE_JOB_MAX_ATTEMPTS = 1
    started = dt.datetime(2023, 10, 1, 7, tzinfo=dt.UTC)
    result = recover_lost_jobs.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=["w1"]
    )
    JobLease.objects.create(
        task_result_id=result.id,
        task_path="clee.jobs.tasks.recover_lost_jobs",
        worker_id="w1",
        host="app2",
        pid=41822,
        started_at=started,
        heartbeat_at=started,
    )
    assert jobs_recover(now=started + dt.timedelta(hours=1)).failed == [str(result.id)]
    return str(result.id)


@pytest.mark.parametrize("page", ["/admin/jobs/job/", "/admin/jobs/joblease/"])
def test_post_staff_see_a_failed_job_with_its_worker_and_why(a_lost_job: str, page: str) -> None:
    client = Client()
    assert client.login(username="erin", password=PASSWORD)
    response = client.get(page)
    assert response.status_code == 200
    text = response.content.decode()
    assert "app2:41822" in text
    assert "stopped answering at 2023-10-01 02:00:00 CDT; 1 try" in text


def test_the_jobs_pages_are_closed_to_an_officer(a_lost_job: str) -> None:
    client = Client()
    assert client.login(username="alice", password=PASSWORD)
    for page in ("/admin/jobs/job/", "/admin/jobs/joblease/", f"/admin/jobs/job/{a_lost_job}/change/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_a_jobs_page_shows_the_error_it_failed_with(a_lost_job: str) -> None:
    client = Client()
    assert client.login(username="erin", password=PASSWORD)
    response = client.get(f"/admin/jobs/job/{a_lost_job}/change/")
    assert response.status_code == 200
    error = "clee.jobs.leases.WorkerLostError: worker app2:41822 stopped answering"
    assert error in response.content.decode()
