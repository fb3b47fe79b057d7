"""Stale results (the outbox): a change marks its officers' results stale in its own
transaction; workers claim, recompute and clear the marks; pages say "Updating…" meanwhile;
nothing in a web request forks or starts a thread."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clee.compliance.models import ComplianceResult, StaleResult
from clee.compliance.outbox import (
    SWEEP_GRACE,
    period_mark_stale,
    results_mark_stale,
    stale_batch_claim,
    stale_batch_recompute,
    stale_results_recompute,
    stale_results_sweep,
)
from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.officers.models import Officer
from clee.training.services import RecordEntry, course_lines
from tests.conftest import PASSWORD
from tests.threads import in_thread, result

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def entry(world: dict[str, Any], day: dt.date) -> RecordEntry:
    course = world["course"]
    return RecordEntry(
        officer_id=world["officer"].pk,
        course_id=course.pk,
        completed_on=day,
        hours=course.hours,
        source="course",
        credit_class="approved",
        delivery="live",
        lines=course_lines(course),
    )


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def add_officers(count: int) -> list[int]:
    Officer.objects.bulk_create(
        Officer(
            license_number=f"S{number:07d}",
            first_name="Stale",
            last_name=f"Officer {number}",
            date_of_birth=dt.date(1985, 1, 1),
            licensed_on=dt.date(2010, 1, 1),
        )
        for number in range(count)
    )
    return list(Officer.objects.filter(license_number__startswith="S").values_list("pk", flat=True))


def test_a_write_marks_the_result_stale_and_queues_its_job_only_when_it_commits(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    compliance_recompute(period=world["period"])
    before = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    jobs = DBTaskResult.objects.count()
    # A write that fails after marking leaves no mark, no job and the result as it was.
    marked_inside: list[bool] = []

    def failing_request() -> None:
        with transaction.atomic():
            training_records_add(entries=[entry(world, dt.date(2023, 3, 1))], actor=world["erin"])
            marked_inside.append(StaleResult.objects.filter(officer=world["officer"]).exists())
            raise RuntimeError("the request failed after the write")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_request()
    assert marked_inside == [True]  # written in the write's own transaction
    assert callbacks == []
    assert not StaleResult.objects.exists()
    assert DBTaskResult.objects.count() == jobs
    after = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert (after.counted_hours, after.computed_at) == (before.counted_hours, before.computed_at)
    # The same write committed: its mark, and one recompute job queued on commit.
    with django_capture_on_commit_callbacks(execute=True):
        training_records_add(entries=[entry(world, dt.date(2023, 3, 1))], actor=world["erin"])
    mark = StaleResult.objects.get(officer=world["officer"], period=world["period"])
    assert (mark.version, mark.reason, mark.claimed_until) == (1, "training recorded", None)
    assert DBTaskResult.objects.filter(task_path="clee.compliance.tasks.recompute_stale").count() == 1


def test_marking_again_renews_one_mark_per_officer_and_period(world: dict[str, Any]) -> None:
    ids = add_officers(30)
    assert results_mark_stale(ids, [2023], reason="first") == 30
    assert results_mark_stale([*ids[:10], *ids[:10]], [2023, 2031], reason="second") == 10  # 2031: no period
    assert StaleResult.objects.filter(officer_id__in=ids).count() == 30
    assert StaleResult.objects.filter(version=2, reason="second").count() == 10
    assert period_mark_stale(world["period"], reason="whole period") == Officer.objects.count()


def test_a_mark_renewed_during_the_computation_stays_for_the_next_worker(world: dict[str, Any]) -> None:
    StaleResult.objects.all().delete()
    results_mark_stale([world["officer"].pk], [2023], reason="first change")
    claims = stale_batch_claim(worker="w1")
    assert [claim.officer_id for claim in claims] == [world["officer"].pk]
    # A record committed while the worker computes from the record as it was.
    training_records_add(entries=[entry(world, dt.date(2023, 3, 1))], actor=world["erin"])
    assert stale_batch_recompute(claims) == 0  # the old computation is not stored
    mark = StaleResult.objects.get()
    assert (mark.version, mark.claimed_until) == (2, None)  # claimable again at once
    assert not ComplianceResult.objects.filter(officer=world["officer"]).exists()
    assert stale_results_recompute(worker="w2")["stored"] == 1
    assert not StaleResult.objects.exists()
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert result.counted_hours == Decimal("4.00")  # the newer record counts


def test_a_claim_whose_lease_passed_is_taken_again_and_the_sweep_queues_a_job(
    world: dict[str, Any], time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC), tick=False)
    StaleResult.objects.all().delete()
    results_mark_stale([world["officer"].pk], [2023], reason="change")
    assert len(stale_batch_claim(worker="killed")) == 1  # then the worker dies
    assert stale_batch_claim(worker="other") == []  # held by its lease
    assert stale_results_sweep()["orphaned_marks"] == 0
    time_machine.move_to(dt.datetime(2026, 12, 4, 12, 5, tzinfo=dt.UTC), tick=False)
    swept = stale_results_sweep()
    assert (swept["orphaned_marks"], swept["jobs_enqueued"]) == (1, 1)
    assert stale_results_sweep()["jobs_enqueued"] == 0  # safe to run twice: a job is waiting
    assert stale_results_recompute(worker="other")["stored"] == 1
    assert not StaleResult.objects.exists()


def test_pages_show_updating_until_a_worker_recomputes_the_result(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    compliance_recompute(period=world["period"])
    alice, bob = signed_in("alice"), signed_in("bob")
    year = "?year=2023"
    assert "Updating…" not in alice.get(f"/officer/{year}").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        training_records_add(entries=[entry(world, dt.date(2023, 3, 1))], actor=world["erin"])
    dashboard = alice.get(f"/officer/{year}").content.decode()
    assert "Updating…" in dashboard
    assert 'hx-trigger="every 2s"' in dashboard
    assert "Deficient" not in dashboard  # the old result is not shown as current
    assert "Updating…" in alice.get(f"/officer/transcript/{year}").content.decode()
    roster = bob.get(f"/agency/{year}").content.decode()
    assert "Updating…" in roster
    assert "Updating…" in bob.get(f"/agency/officers/{world['officer'].pk}/{year}").content.decode()
    api = alice.get("/api/v1/me/")
    assert api.status_code == 200
    assert api.json()["result"]["stale"] is True
    run_worker()
    assert alice.get("/api/v1/me/").json()["result"]["stale"] is False
    dashboard = alice.get(f"/officer/{year}").content.decode()
    assert "Updating…" not in dashboard
    assert "Deficient" in dashboard
    assert "Updating…" not in bob.get(f"/agency/{year}").content.decode()


def poll(client: Client, page: str) -> Any:
    """What htmx asks when the block of ``page`` that shows an updating result polls: the
    token of what the block shows, as the page gave it."""
    shown = re.search(r'"X-Clee-Shown": "([0-9a-f]+)"', client.get(page).content.decode())
    assert shown is not None, f"{page} has no block polling"
    return client.get(page, headers={"HX-Request": "true", "X-Clee-Shown": shown.group(1)})


def test_a_polling_block_is_left_alone_until_its_result_is_current(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    compliance_recompute(period=world["period"])
    alice, bob, erin = signed_in("alice"), signed_in("bob"), signed_in("erin")
    with django_capture_on_commit_callbacks(execute=True):
        training_records_add(entries=[entry(world, dt.date(2023, 3, 1))], actor=world["erin"])
    year = "?year=2023"
    pages = [
        (alice, f"/officer/{year}"),
        (alice, f"/officer/transcript/{year}"),
        (bob, f"/agency/{year}"),
        (bob, f"/agency/officers/{world['officer'].pk}/{year}"),
        (erin, "/state/compliance/?period=2023"),
    ]
    # Still updating: "nothing new" (204, no body: htmx swaps nothing), for every block.
    for client, page in pages:
        response = poll(client, page)
        assert (page, response.status_code, response.content) == (page, 204, b"")
    # A poll that shows something else (an older token) gets the page.
    stale = bob.get(f"/agency/{year}", headers={"HX-Request": "true", "X-Clee-Shown": "0" * 16})
    assert stale.status_code == 200
    assert "Updating…" in stale.content.decode()
    tokens = {
        page: re.search(r'"X-Clee-Shown": "([0-9a-f]+)"', c.get(page).content.decode()) for c, page in pages
    }
    run_worker()
    for client, page in pages:
        token = tokens[page]
        assert token is not None
        response = client.get(page, headers={"HX-Request": "true", "X-Clee-Shown": token.group(1)})
        assert response.status_code == 200, page
        assert "Updating…" not in response.content.decode(), page
        assert "X-Clee-Shown" not in response.content.decode(), page  # the block stops polling


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL (SQLite: one writer)"
)
def test_two_workers_claiming_at_once_never_take_the_same_marks(world: dict[str, Any], settings: Any) -> None:
    settings.CLEE_RECOMPUTE_BATCH = 50
    ids = add_officers(400)
    StaleResult.objects.all().delete()
    results_mark_stale(ids, [2023], reason="roster")
    # A batch held locked by another transaction is skipped, not waited for.
    held, holding = threading.Event(), threading.Event()

    def hold() -> list[int]:
        with transaction.atomic():
            locked = list(
                StaleResult.objects.select_for_update()
                .order_by("period_id", "officer_id")
                .values_list("officer_id", flat=True)[:50]
            )
            holding.set()
            held.wait(10)
        return locked

    thread, outcome = in_thread(hold)
    assert holding.wait(10)
    claims = stale_batch_claim(worker="w")
    held.set()
    locked = result(thread, outcome)
    assert claims
    assert not {claim.officer_id for claim in claims} & set(locked)
    StaleResult.objects.update(claimed_until=None, claimed_by="")
    # Two workers recompute everything at once: each result stored exactly once.
    first, first_outcome = in_thread(lambda: stale_results_recompute(worker="a"))
    second = stale_results_recompute(worker="b")
    done = [result(first, first_outcome), second]
    assert sum(part["stored"] for part in done) == 400
    assert sum(part["claimed"] for part in done) == 400
    assert not StaleResult.objects.exists()
    assert ComplianceResult.objects.filter(period=world["period"], officer_id__in=ids).count() == 400


# No fork, no thread in a web request ------------------------------------------------------------
# tests/conftest.py guards every test-client request of the suite (``no_fork_or_thread_in_web_requests``):
# the write paths' own tests (roster upload, record entry, credit approval, rule version
# publication, the impact preview) run under it. Here: the guard itself catches a view that
# starts a thread, and the heaviest paths pass it with thousands of officers.


def test_the_guard_fails_a_request_whose_view_starts_a_thread(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import clee.portals.oversight.views as oversight_views
    from tests.portals.test_oversight_packs import firearms_raised_to, upload

    queue = oversight_views.impact_preview_request

    def threaded(**kwargs: Any) -> Any:
        threading.Thread(target=lambda: None).start()  # what the old preview did, in effect
        return queue(**kwargs)

    monkeypatch.setattr(oversight_views, "impact_preview_request", threaded)
    erin = signed_in("erin")
    draft = {"period": world["period"].pk, "draft": upload(firearms_raised_to(4))}
    with pytest.raises(AssertionError, match="a web request started a thread"):
        erin.post("/state/packs/impact/", draft)
    # Outside a request a thread is the test's business.
    thread = threading.Thread(target=lambda: None)
    thread.start()
    thread.join()


def test_the_heaviest_write_paths_pass_the_guard_with_thousands_of_officers(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from tests.portals.test_oversight_packs import firearms_raised_to, upload

    add_officers(2500)  # more than the old fork and thread thresholds
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in("erin").post(
            "/state/packs/impact/", {"period": world["period"].pk, "draft": upload(firearms_raised_to(4))}
        )
    assert response.status_code == 302
    assert signed_in("bob").get("/agency/").status_code == 200
    assert signed_in("erin").get("/state/compliance/").status_code == 200


# A real worker killed mid-recompute (PostgreSQL) ------------------------------------------------


def worker_process(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker process needs a database server")
def test_a_worker_killed_mid_recompute_leaves_marks_that_the_sweep_and_a_new_worker_finish(
    world: dict[str, Any], settings: Any
) -> None:
    ids = add_officers(1500)
    StaleResult.objects.all().delete()
    DBTaskResult.objects.all().delete()  # the job the world's period opening queued
    settings.CLEE_RECOMPUTE_JOBS = 1  # the one job the killed worker holds
    with transaction.atomic():
        period_mark_stale(world["period"], reason="rules published")
    assert DBTaskResult.objects.filter(task_path="clee.compliance.tasks.recompute_stale").count() == 1
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CLEE_RECOMPUTE_BATCH": "10",  # many small batches: the kill lands mid-recompute
        "CLEE_RECOMPUTE_LEASE": "2",
    }
    first = worker_process(env, "--interval", "0.1")
    try:
        wait_for(lambda: ComplianceResult.objects.filter(officer_id__in=ids).exists(), "the first results")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    left = StaleResult.objects.count()
    stored = ComplianceResult.objects.filter(period=world["period"]).count()
    assert 0 < left < Officer.objects.count()
    assert stored + left == Officer.objects.count()  # each mark cleared only with its result
    # Nobody takes the killed worker's claim before its lease passes; then the sweep queues a job.
    wait_for(lambda: not StaleResult.objects.filter(claimed_until__gt=timezone.now()).exists(), "the lease")
    # The sweep of the next minute: every mark is an orphan by then (the killed batch's lease has
    # passed, the others waited past the grace a queued job has).
    swept = stale_results_sweep(now=timezone.now() + SWEEP_GRACE + dt.timedelta(seconds=1))
    assert (swept["orphaned_marks"], swept["jobs_waiting"], swept["jobs_enqueued"]) == (left, 0, 1)
    second = worker_process(env, "--batch")
    assert second.wait(120) == 0
    assert not StaleResult.objects.exists()
    assert ComplianceResult.objects.filter(period=world["period"]).count() == Officer.objects.count()
