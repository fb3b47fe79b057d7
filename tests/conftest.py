"""Shared fixtures: named personas covering the permission matrix, and small builders.

alice is an officer commissioned by agency A; bob administers agency A; carol administers
agency B; dave works for a training provider; erin is POST staff; frank is the Director.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from decimal import Decimal
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
    the 2023 period, and one account per role."""
    from clee.accounts.models import User
    from clee.agencies.models import Agency
    from clee.compliance.services import ensure_period
    from clee.officers.models import Commission, Officer
    from clee.providers.models import Course, CoursePortion, Provider

    agency_a = Agency.objects.create(ori="MO0950000", name="Riverton Police Department")
    agency_b = Agency.objects.create(
        ori="MO0960000", name="Hollis County Sheriff's Office", agency_type="sheriff"
    )
    officer = Officer.objects.create(
        license_number="P1000001",
        first_name="Alice",
        last_name="Avery",
        date_of_birth=dt.date(1988, 4, 2),
        email="alice@example.test",
        licensed_on=dt.date(2012, 8, 1),
    )
    Commission.objects.create(officer=officer, agency=agency_a, start=dt.date(2015, 1, 1))
    provider = Provider.objects.create(
        number="LP-0042",
        name="Central Missouri Law Enforcement Academy",
        kind=Provider.Kind.LICENSED,
        credit_class="approved",
        approved_from=dt.date(2015, 1, 1),
    )
    course = Course.objects.create(
        provider=provider,
        number="CMA-101",
        title="Legal update and de-escalation",
        hours=Decimal("4"),
        status=Course.Status.APPROVED,
        approved_from=dt.date(2020, 1, 1),
    )
    CoursePortion.objects.create(course=course, core_area="legal_studies", hours=Decimal("2"))
    CoursePortion.objects.create(
        course=course, core_area="interpersonal_perspectives", hours=Decimal("2"), topics={"de_escalation": 1}
    )
    period = ensure_period(2023)

    def user(username: str, role: str, **links: Any) -> User:
        return User.objects.create_user(username=username, password=PASSWORD, role=role, **links)

    return {
        "agency_a": agency_a,
        "agency_b": agency_b,
        "officer": officer,
        "provider": provider,
        "course": course,
        "period": period,
        "alice": user("alice", "officer", officer=officer),
        "bob": user("bob", "agency_admin", agency=agency_a),
        "carol": user("carol", "agency_admin", agency=agency_b),
        "dave": user("dave", "provider", provider=provider),
        "erin": user("erin", "post_staff"),
        "frank": user("frank", "director"),
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


# Audit rows a database has before a test acts: the shipped rules installed after migrating
# (again after a transactional test flushes the tables) and the world's period opened.
SETUP_ACTIONS = ("period.open", "rules.book_install", "rules.recognized_install")
