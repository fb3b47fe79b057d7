"""Demo-state benchmark: how long ``manage.py demo_state`` takes at the default size on SQLite.

    .venv/bin/python bench/demo_bench.py                      # 3,000 officers, 120 agencies
    .venv/bin/python bench/demo_bench.py --officers 10000 --agencies 400
    .venv/bin/python bench/demo_bench.py --keep                # keep the database to look at
    .venv/bin/python bench/demo_bench.py --today 2026-12-31    # as of another day (the year's
                                                               #   last is the heaviest)

Each run uses a fresh SQLite database (and document folder) in a temporary directory, so
``DATABASE_URL`` and ``CLEE_VAR_DIR`` are set here, before Django starts. The migration is
timed apart; the figure that matters (README: 15 to 30 s) is the load as of today: four
reporting periods of records, every period's results, the make-up training, the Director's
decisions and the notice calendar's past steps, and the recompute that runs after the commit.
The CPU time is printed too: on a machine others share, it is the steadier figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--officers", type=int, default=3000)
    parser.add_argument("--agencies", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and documents")
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="load as of this day (YYYY-MM-DD)"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="clee-demo-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'clee.sqlite3'}"
    os.environ["CLEE_VAR_DIR"] = str(workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clee.config.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    from clee.demo.plans import DemoSize
    from clee.demo.services import demo_state_load

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrate_seconds = time.perf_counter() - started

        phases: list[str] = []
        size = DemoSize(officers=args.officers, agencies=args.agencies)
        cpu_started = time.process_time()
        summary = demo_state_load(seed=args.seed, size=size, today=args.today, progress=phases.append)
        cpu_seconds = time.process_time() - cpu_started
        database_bytes = (workdir / "clee.sqlite3").stat().st_size
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    python = f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    print(f"demo state on SQLite ({python})")
    print(f"  migrate:     {migrate_seconds:6.1f} s")
    for phase in phases:
        print(f"    {phase}")
    verdict = "met" if summary.seconds < TARGET_SECONDS else "MISSED"
    print(
        f"  load:        {summary.seconds:6.1f} s ({cpu_seconds:.1f} s of CPU) for {args.officers:,} "
        f"officers and {args.agencies:,} agencies as of {summary.as_of} "
        f"(target under {TARGET_SECONDS:.0f} s: {verdict})"
    )
    print("  wrote:       " + ", ".join(f"{value:,} {key}" for key, value in summary.counts.items()))
    for year, statuses in summary.periods.items():
        print(f"  {year}:        " + ", ".join(f"{value:,} {key}" for key, value in sorted(statuses.items())))
    print(f"  database:    {database_bytes / 1e6:.1f} MB" + (f" in {workdir}" if args.keep else ""))
    return 0 if summary.seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
