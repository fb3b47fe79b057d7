"""Jobs queued by their name: how a service queues the task that calls it back.

A task is the thin top of its app: its body calls a service (``clee.<app>.tasks``). A service
that must queue such a task (mark results stale, then have a worker recompute them) cannot
import the task object without an import circle, since the task imports the service. So the
service names the job instead, the way a message is sent to a named queue:

- the service declares the job, ``RECOMPUTE_STALE = Job("compliance.recompute_stale")``, and
  queues it with ``enqueue`` or ``enqueue_on_commit``;
- its app's tasks module binds the job to its django-tasks task, ``@runs(RECOMPUTE_STALE)``
  above ``@task()``;
- the app's ``AppConfig.ready`` imports its tasks module, so every process (web, worker,
  scheduler, tests) has the binding before anything can be queued.

A job nothing runs fails at the call (``UnknownJobError``), inside the service's transaction,
not after the commit; so do arguments the task does not take (TypeError), instead of failing
later in the worker. ``manage.py check`` names a job declared without a task
(docs/adr/0004-one-way-layers.md).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_tasks.base import Task, TaskResult

TaskT = TypeVar("TaskT", bound=Task[Any, Any])
# What a job's argument may be: django-tasks stores the arguments as JSON.
JobArgument = int | float | str | bool | None


class UnknownJobError(LookupError):
    """No task runs the job that was to be queued."""


# Job names declared, and the task that runs each bound one.
_DECLARED: set[str] = set()
_TASKS: dict[str, Task[Any, Any]] = {}


@dataclass(frozen=True)
class Job:
    """A job's name, ``"<app>.<what it does>"``, declared by the service that queues it."""

    name: str

    def __post_init__(self) -> None:
        _DECLARED.add(self.name)


def runs(job: Job) -> Callable[[TaskT], TaskT]:
    """Bind ``job`` to the decorated task: ``@runs(JOB)`` above ``@task()``. One task per job;
    a second task for a bound job is a configuration error."""

    def bind(task: TaskT) -> TaskT:
        bound = _TASKS.get(job.name)
        if bound is not None and bound.module_path != task.module_path:
            raise ImproperlyConfigured(
                f"the job {job.name!r} is run by {bound.module_path} already; "
                f"{task.module_path} cannot run it too"
            )
        _TASKS[job.name] = task
        return task

    return bind


def job_task(job: Job) -> Task[Any, Any]:
    """The task that runs ``job``; UnknownJobError when none is bound to it."""
    try:
        return _TASKS[job.name]
    except KeyError:
        bound = ", ".join(sorted(_TASKS)) or "none"
        raise UnknownJobError(
            f"no task runs the job {job.name!r} (jobs with a task: {bound}): its app's tasks "
            "module binds it with @runs(...), and the app's AppConfig.ready imports that module"
        ) from None


def _task_taking(job: Job, arguments: dict[str, JobArgument]) -> Task[Any, Any]:
    """The task of ``job``, once it is known to take ``arguments``."""
    task = job_task(job)
    try:
        inspect.signature(task.func).bind(**arguments)
    except TypeError as error:
        raise TypeError(
            f"the job {job.name!r} ({task.module_path}) cannot take {arguments}: {error}"
        ) from None
    return task


def enqueue(job: Job, /, **arguments: JobArgument) -> TaskResult[Any]:
    """Queue ``job`` now (with the database backend, in the current transaction)."""
    return _task_taking(job, arguments).enqueue(**arguments)


def enqueue_on_commit(job: Job, /, **arguments: JobArgument) -> None:
    """Queue ``job`` once the current transaction commits (at once outside a transaction).
    The job and its arguments are checked now, so a mistake rolls the transaction back."""
    task = _task_taking(job, arguments)
    transaction.on_commit(partial(task.enqueue, **arguments))


@checks.register()
def jobs_with_a_task(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``manage.py check`` (and every server start): each job declared has a task to run it,
    instead of its first enqueue finding out."""
    return [
        checks.Error(
            f"no task runs the job {name!r}",
            hint="bind it in its app's tasks module with @runs(...); the app's AppConfig.ready "
            "imports that module",
            id="clee.core.E001",
        )
        for name in sorted(_DECLARED - _TASKS.keys())
    ]
