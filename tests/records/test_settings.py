"""Production settings refuse to start without their secrets."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

LOAD = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def run_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLEE_") and k != "DATABASE_URL"}
    clean["DJANGO_SETTINGS_MODULE"] = "clee.config.settings"
    return subprocess.run([sys.executable, "-c", LOAD], env={**clean, **env}, capture_output=True, text=True)


@pytest.mark.engine_only
def test_production_refuses_to_start_without_a_secret_key() -> None:
    run = run_settings(CLEE_ENV="production", DATABASE_URL="postgres://u@127.0.0.1/x")
    assert run.returncode != 0
    assert "CLEE_SECRET_KEY must be set when CLEE_ENV=production" in run.stderr


@pytest.mark.engine_only
def test_production_refuses_to_start_without_a_database_url() -> None:
    run = run_settings(CLEE_ENV="production", CLEE_SECRET_KEY="k" * 50)
    assert run.returncode != 0
    assert "DATABASE_URL must be set when CLEE_ENV=production" in run.stderr


@pytest.mark.engine_only
def test_production_with_both_starts_with_debug_off() -> None:
    run = run_settings(
        CLEE_ENV="production", CLEE_SECRET_KEY="k" * 50, DATABASE_URL="postgres://u@127.0.0.1/x"
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"
