"""Shared fixtures: named personas covering the permission matrix, and small builders.

alice is an officer commissioned by agency A; bob administers agency A; carol administers
agency B; dave works for a training provider; erin is POST staff; frank is the Director.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest

PASSWORD = "correct horse battery staple"


def pytest_configure(config: pytest.Config) -> None:
    """Personas' passwords are hashed with a fast hasher: the real one costs a second a test."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def documents_in_a_temporary_folder(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploaded documents go to a folder of the test run, never into var/."""
    storages = dict(settings.STORAGES)
    storages["default"] = {
        **storages["default"],
        "OPTIONS": {"location": str(tmp_path_factory.mktemp("documents")), "base_url": None},
    }
    settings.STORAGES = storages


@pytest.fixture(autouse=True)
def mfa_not_enforced(settings: Any) -> None:
    """Personas sign in with a password alone: the MFA requirement for staff and administrators
    is off here; tests/security turns it on (``settings.CLEE_MFA_REQUIRED = True``)."""
    settings.CLEE_MFA_REQUIRED = False


class _RequestThread(threading.local):
    depth = 0


_request = _RequestThread()


@pytest.fixture(autouse=True)
def no_fork_or_thread_in_web_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request made through Django's test client fails if its view forks, starts a
    process, a subprocess or a thread (DESIGN §8: web requests only write and queue; workers
    compute). Checked in the request's own thread, so a test's own helper threads are free."""
    import multiprocessing.process
    import os
    import subprocess

    from django.test.client import ClientHandler

    handle = ClientHandler.__call__

    def guarded(self: ClientHandler, environ: dict[str, Any]) -> Any:
        _request.depth += 1
        try:
            return handle(self, environ)
        finally:
            _request.depth -= 1

    def refused(real: Any, what: str) -> Any:
        def guard(*args: Any, **kwargs: Any) -> Any:
            if _request.depth:
                raise AssertionError(f"a web request started {what}")
            return real(*args, **kwargs)

        return guard

    monkeypatch.setattr(ClientHandler, "__call__", guarded)
    monkeypatch.setattr(os, "fork", refused(os.fork, "a fork (os.fork)"))
    monkeypatch.setattr(threading.Thread, "start", refused(threading.Thread.start, "a thread"))
    monkeypatch.setattr(
        multiprocessing.process.BaseProcess,
        "start",
        refused(multiprocessing.process.BaseProcess.start, "a process"),
    )
    monkeypatch.setattr(subprocess.Popen, "__init__", refused(subprocess.Popen.__init__, "a subprocess"))


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """Two agencies, an officer commissioned by the first, a provider with an approved course,
    the 2023 period, and one account per role: built through the services
    (``tests.factories``), as the factories' account."""
    from tests import factories

    actor = factories.factory_account()  # looked up once: the world is built for most tests
    agency_a = factories.agency(ori="MO0950000", name="Riverton Police Department", acting_user=actor)
    agency_b = factories.agency(
        ori="MO0960000", name="Hollis County Sheriff's Office", agency_type="sheriff", acting_user=actor
    )
    officer = factories.officer(
        license_number="P1000001",
        first_name="Alice",
        last_name="Avery",
        date_of_birth=dt.date(1988, 4, 2),
        email="alice@example.test",
        licensed_on=dt.date(2012, 8, 1),
        agency=agency_a,
        commissioned_on=dt.date(2015, 1, 1),
        acting_user=actor,
    )
    provider = factories.provider(
        number="LP-0042",
        name="Central Missouri Law Enforcement Academy",
        kind="licensed",
        credit_class="approved",
        approved_from=dt.date(2015, 1, 1),
        acting_user=actor,
    )
    course = factories.course(
        provider=provider,
        number="CMA-101",
        title="Legal update and de-escalation",
        hours=4,
        split=factories.portions(
            {"legal_studies": 2, "interpersonal_perspectives": 2},
            interpersonal_perspectives={"de_escalation": 1},
        ),
        approved_from=dt.date(2020, 1, 1),
        acting_user=actor,
    )
    period = factories.period(2023, acting_user=actor)
    account = factories.account
    return {
        "agency_a": agency_a,
        "agency_b": agency_b,
        "officer": officer,
        "provider": provider,
        "course": course,
        "period": period,
        "alice": account("alice", "officer", officer=officer),
        "bob": account("bob", "agency_admin", agency=agency_a),
        "carol": account("carol", "agency_admin", agency=agency_b),
        "dave": account("dave", "provider", provider=provider),
        "erin": account("erin", "post_staff"),
        "frank": account("frank", "director"),
    }


@pytest.fixture
def run_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``run_worker()`` runs the django-tasks database worker until the queue is empty, then
    leaves the test process's signal handlers as it found them. The worker's
    ``close_old_connections`` between two looks is kept from closing the test's own connection
    (inside the test's transaction, as Django's test client does for requests)."""
    import signal

    from django.core.management import call_command

    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}

    def run() -> None:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)

    yield run
    for number, handler in saved.items():
        signal.signal(number, handler)
