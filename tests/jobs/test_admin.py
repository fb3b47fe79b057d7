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
