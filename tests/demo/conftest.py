"""Fixtures for the demo state: a small state loaded per test, documents in a temporary folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from clee.demo.services import DemoSize, DemoSummary, demo_state_load

# A fixed "today" at the end of 2025, whose pack exists: the same state whatever the date.
TODAY = dt.date(2025, 12, 31)
SMALL = DemoSize(officers=200, agencies=10)


@pytest.fixture(autouse=True)
def fast_and_private(settings: Any, tmp_path: Path) -> None:
    # A fast hasher: the loader hashes the demo password once, each sign-in checks it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }


@pytest.fixture
def small_state(db: Any) -> DemoSummary:
    return demo_state_load(seed=11, size=SMALL, today=TODAY)


@pytest.fixture
def tiny_state(db: Any) -> DemoSummary:
    return demo_state_load(seed=5, size=DemoSize(officers=60, agencies=6), today=TODAY)
