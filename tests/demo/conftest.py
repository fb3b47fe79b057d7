"""Fixtures for the demo state: small states loaded on chosen days, documents in a temporary folder.

Loading a state takes seconds, so the states most tests read are loaded once per module
(``state_on``) inside a transaction that is rolled back when the module ends; each test runs in
a savepoint of it (pytest-django's ``db``), so what a test writes is undone after it. The clock
stands still at 10:00 in the program's time zone on the day the state was loaded for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from clee.demo.plans import DemoSize, DemoSummary
from clee.demo.services import demo_state_load

# December 4, 2026: the 2026 period in progress, 2025 closed (its grace deadline passed).
TODAY = dt.date(2026, 12, 4)
# January 10, 2027: 2027 just begun, 2026 in its grace window.
GRACE_DAY = dt.date(2027, 1, 10)
# March 20, 2027: just past the 2026 grace deadline (March 15).
CLOSED_DAY = dt.date(2027, 3, 20)
SMALL = DemoSize(officers=200, agencies=10)
TINY = DemoSize(officers=60, agencies=6)
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def moment(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))


def private_storages(folder: Path) -> dict[str, Any]:
    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }


@pytest.fixture(scope="session")
def documents_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the demo's documents are stored in these tests (states loaded once read them)."""
    return tmp_path_factory.mktemp("demo-documents")


@pytest.fixture(autouse=True)
def fast_and_private(settings: Any, documents_folder: Path) -> None:
    # A fast hasher: the loader hashes the demo password once, each sign-in checks it.
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.STORAGES = private_storages(documents_folder)


@contextmanager
def loaded_on(day: dt.date, *, seed: int, size: DemoSize, folder: Path) -> Iterator[DemoSummary]:
    """A demo state loaded on ``day`` (the clock stopped there), rolled back afterwards."""
    with (
        time_machine.travel(moment(day), tick=False),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, STORAGES=private_storages(folder)),
        transaction.atomic(),
    ):
        yield demo_state_load(seed=seed, size=size)
        transaction.set_rollback(True)


def state_on(day: dt.date, *, seed: int = 11, size: DemoSize = SMALL) -> Callable[..., Iterator[DemoSummary]]:
    """A module-scoped fixture: the demo state as loaded on ``day``."""

    @pytest.fixture(scope="module")
    def fixture(
        django_db_setup: Any, django_db_blocker: Any, documents_folder: Path
    ) -> Iterator[DemoSummary]:
        with (
            django_db_blocker.unblock(),
            loaded_on(day, seed=seed, size=size, folder=documents_folder) as summary,
        ):
            yield summary

    return fixture


@pytest.fixture
def small_state(db: Any) -> Iterator[DemoSummary]:
    """A state loaded for one test (tests that need the database to themselves)."""
    with time_machine.travel(moment(TODAY), tick=False):
        yield demo_state_load(seed=11, size=SMALL)
