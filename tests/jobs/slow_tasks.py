"""A long job for the crash tests (the worker process imports it by its dotted path)."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def long_job(folder: str, finish_on_try: int) -> dict[str, int]:
    """Writes one line per try to ``folder``/tries, then works for a long time (the test kills
    the worker meanwhile) unless this is try ``finish_on_try`` (0: never), which returns."""
    tries = Path(folder) / "tries"
    with tries.open("a") as handle:
        handle.write("try\n")
    attempt = len(tries.read_text().splitlines())
    if attempt != finish_on_try:
        time.sleep(600)
    return {"finished_on_try": attempt}


def endless_job() -> dict[str, int]:
    """A scheduled job (a plain function) that never ends by itself; each try is written to the
    folder named by CLEE_TEST_JOB_FOLDER."""
    import os

    tries = Path(os.environ["CLEE_TEST_JOB_FOLDER"]) / "tries"
    with tries.open("a") as handle:
        handle.write("try\n")
    time.sleep(600)
    return {}
