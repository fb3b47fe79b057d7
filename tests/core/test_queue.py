"""Jobs queued by their name (clee.core.queue): a service names the job, its app's tasks module
binds the name to the task, and a job nothing runs, or arguments its task does not take, fail
at the call inside the service's transaction instead of in a worker after the commit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from clee.compliance.impact import RUN_IMPACT_PREVIEW
from clee.compliance.outbox import RECOMPUTE_STALE
from clee.core import queue
from clee.core.queue import Job, UnknownJobError, enqueue, enqueue_on_commit, job_task, jobs_with_a_task, runs
from clee.credentials.services import REVOKE_STALE_CREDENTIALS
from clee.jobs.services import RUN_SCHEDULED


@task()
def first_runner() -> None:
    """A task a test binds to a job of its own."""


@task()
def second_runner() -> None:
    """Another task, which may not take a job bound to the first."""


@pytest.fixture
def own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test declares and binds jobs of its own without leaving them to the next test."""
    monkeypatch.setattr(queue, "_DECLARED", set(queue._DECLARED))
    monkeypatch.setattr(queue, "_TASKS", dict(queue._TASKS))


def test_every_job_a_service_queues_is_run_by_its_apps_task_once_django_has_started() -> None:
    bound = {
        job.name: job_task(job).module_path
        for job in (RECOMPUTE_STALE, RUN_IMPACT_PREVIEW, REVOKE_STALE_CREDENTIALS, RUN_SCHEDULED)
    }
    assert bound == {
        "compliance.recompute_stale": "clee.compliance.tasks.recompute_stale",
        "compliance.run_impact_preview": "clee.compliance.tasks.run_impact_preview",
        "credentials.revoke_stale": "clee.credentials.tasks.revoke_stale_credentials",
        "jobs.run_scheduled": "clee.jobs.tasks.run_scheduled",
    }
    assert jobs_with_a_task() == []


@pytest.mark.django_db(transaction=True)
def test_it_queues_a_job_once_after_the_commit_with_its_arguments_by_name() -> None:
    with transaction.atomic():
        enqueue_on_commit(RUN_IMPACT_PREVIEW, preview_id=7)
        assert not DBTaskResult.objects.exists()  # not before the commit
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "clee.compliance.tasks.run_impact_preview"
    assert queued.args_kwargs == {"args": [], "kwargs": {"preview_id": 7}}


@pytest.mark.django_db(transaction=True)
def test_a_job_nothing_runs_fails_at_the_call_and_rolls_the_services_transaction_back(
    own_registry: None,
) -> None:
    unbound = Job("compliance.nobody_runs_this")

    def service() -> None:
        with transaction.atomic():
            enqueue(RECOMPUTE_STALE)  # written in the transaction, rolled back with it
            enqueue_on_commit(unbound)

    with pytest.raises(
        UnknownJobError, match=re.escape("no task runs the job 'compliance.nobody_runs_this'")
    ):
        service()
    assert not DBTaskResult.objects.exists()
    with pytest.raises(UnknownJobError, match=r"jobs with a task: .*compliance\.recompute_stale"):
        enqueue(unbound)


@pytest.mark.django_db
def test_arguments_the_task_does_not_take_fail_at_the_call_naming_the_job() -> None:
    with pytest.raises(TypeError, match=r"the job 'compliance\.run_impact_preview' .* cannot take"):
        enqueue_on_commit(RUN_IMPACT_PREVIEW, preview=7)
    with pytest.raises(TypeError, match=re.escape("the job 'jobs.run_scheduled'")):
        enqueue(RUN_SCHEDULED)
    assert not DBTaskResult.objects.exists()


def test_a_job_is_run_by_one_task_only(own_registry: None) -> None:
    job = Job("tests.one_runner")
    assert runs(job)(first_runner) is first_runner
    assert runs(job)(first_runner) is first_runner  # the same task again (a module reloaded)
    with pytest.raises(ImproperlyConfigured, match=r"'tests\.one_runner' is run by .*first_runner already"):
        runs(job)(second_runner)
    assert job_task(job) is first_runner


def test_the_system_check_names_a_job_declared_without_a_task(own_registry: None) -> None:
    Job("tests.declared_only")
    errors: list[Any] = jobs_with_a_task()
    assert [(error.id, error.msg) for error in errors] == [
        ("clee.core.E001", "no task runs the job 'tests.declared_only'")
    ]
