"""Liveness, readiness, and the page shown while the database cannot be reached.

The outage is real: the request runs on a database connection to a closed port (PostgreSQL)
or to a file in a folder that does not exist (SQLite), so the database driver itself fails.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connections
from django.db.utils import load_backend
from django.test import Client
from django.utils import timezone

from clee.compliance.tasks import recompute_period
from tests.conftest import PASSWORD
from tests.notices.conftest import free_port

pytestmark = pytest.mark.django_db


@contextmanager
def unreachable_database(folder: Path) -> Iterator[None]:
    """Every query of the block goes to a database that is not there."""
    kept = connections["default"]
    broken_settings = copy.deepcopy(kept.settings_dict)
    if kept.vendor == "postgresql":
        broken_settings.update(HOST="127.0.0.1", PORT=str(free_port()))
    else:
        broken_settings["NAME"] = str(folder / "no-such-folder" / "clee.sqlite3")
    broken = load_backend(broken_settings["ENGINE"]).DatabaseWrapper(broken_settings, "default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = kept


def test_liveness_reads_no_database(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/health/")
    assert (response.status_code, response.content) == (200, b"ok")


def test_readiness_is_ok_while_the_database_answers_and_the_queue_is_worked(client: Client) -> None:
    recompute_period.enqueue(period_id=1)
    response = client.get("/health/ready/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert 0 <= body["oldest_ready_job_seconds"] < 60


def test_readiness_fails_when_the_oldest_ready_job_waited_too_long(client: Client, settings: Any) -> None:
    settings.CLEE_READY_MAX_BACKLOG_SECONDS = 600
    recompute_period.enqueue(period_id=1)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11), tick=False):
        response = client.get("/health/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reason"].startswith(
        "job queue backlog: the oldest ready job has waited 660 s (more than 600 s)"
    )


def test_a_job_deferred_to_later_is_no_backlog(client: Client) -> None:
    recompute_period.using(run_after=timezone.now() + dt.timedelta(hours=2)).enqueue(period_id=1)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1), tick=False):
        response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json()["oldest_ready_job_seconds"] is None


def test_readiness_fails_with_the_reason_when_the_database_is_unreachable(
    client: Client, tmp_path: Path
) -> None:
    with unreachable_database(tmp_path):
        response = client.get("/health/ready/")
        live = client.get("/health/")
    assert response.status_code == 503
    assert json.loads(response.content)["reason"] == "database unavailable: OperationalError"
    assert live.status_code == 200  # liveness does not depend on the database


def test_a_public_page_shows_temporarily_unavailable_when_the_database_is_down(tmp_path: Path) -> None:
    client = Client(raise_request_exception=False)
    with unreachable_database(tmp_path):
        response = client.get("/verify/ABCD-EFGH/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "<h1>CLEE is temporarily unavailable</h1>" in page
    assert "Nothing you sent in this request was saved" in page


def test_a_signed_in_page_shows_temporarily_unavailable_when_the_database_is_down(
    world: dict[str, Any], tmp_path: Path
) -> None:
    # The session and the sign-in checks read the database before the view does.
    client = Client(raise_request_exception=False)
    assert client.login(username="alice", password=PASSWORD)
    with unreachable_database(tmp_path):
        response = client.get("/officer/")
    assert response.status_code == 503
    assert "<h1>CLEE is temporarily unavailable</h1>" in response.content.decode()


def test_the_api_answers_503_in_its_error_shape_when_the_database_is_down(tmp_path: Path) -> None:
    client = Client(raise_request_exception=False)
    with unreachable_database(tmp_path):
        response = client.get("/api/v1/officers/", HTTP_AUTHORIZATION="Bearer clee_not-a-real-token")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"


def test_any_other_server_error_still_shows_the_500_page(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("clee.portals.officer.verify.certificate_by_code", fail)
    client = Client(raise_request_exception=False)
    response = client.get("/verify/ABCD-EFGH/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
