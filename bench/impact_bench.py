"""Rule-change impact preview and statewide overview on a 17,000-officer state.

    .venv/bin/python bench/impact_bench.py                       # SQLite in var/bench-impact/
    .venv/bin/python bench/impact_bench.py --officers 3000 --agencies 120
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clee_oversight_bench \
        .venv/bin/python bench/impact_bench.py

Builds the synthetic demo state of the size asked (once: a database that already holds it is
reused, so later runs time only the preview), then times ``pack_impact`` for the current
period under a draft that raises the firearms minimum from 2 to 4 hours: every officer read
from the database and evaluated under both packs. It also times the statewide page's reads
(compliance by agency, by requirement, the non-compliant list). Target: the preview in under
10 s, each statewide read in well under a second.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 10.0


def ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if not connection.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            connection.execute(f'create database "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--officers", type=int, default=17_000)
    parser.add_argument("--agencies", type=int, default=600)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--workdir", default=str(ROOT / "var" / "bench-impact"), help="SQLite file and documents"
    )
    args = parser.parse_args()

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["CLEE_VAR_DIR"] = str(workdir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / f'state-{args.officers}.sqlite3'}")
    os.environ["CLEE_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clee.config.settings")
    sys.path.insert(0, str(ROOT))
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from clee.compliance.impact import draft_pack_read, pack_impact
    from clee.compliance.models import ComplianceResult
    from clee.demo.plans import DemoSize
    from clee.demo.services import demo_state_load, demo_state_loaded
    from clee.officers.models import Officer
    from clee.portals.oversight.selectors import (
        agency_compliance,
        noncompliant_results,
        noncompliant_rows,
        requirement_shortfalls,
    )
    from clee.portals.selectors import current_period
    from clee.rules.pack import PACKS_DIR

    call_command("migrate", verbosity=0, interactive=False)
    if demo_state_loaded() is None:
        print(f"Building the state: {args.officers:,} officers, {args.agencies:,} agencies ...", flush=True)
        summary = demo_state_load(
            seed=args.seed, size=DemoSize(officers=args.officers, agencies=args.agencies)
        )
        print(f"  built in {summary.seconds:.1f} s")
    period = current_period()
    assert period is not None
    officers = Officer.objects.count()
    print(
        f"State: {officers:,} officers, {ComplianceResult.objects.filter(period=period).count():,} results "
        f"for {period.year} on {connection.vendor} "
        f"({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores)"
    )

    text = (PACKS_DIR / period.jurisdiction.lower() / f"{period.year}.yaml").read_text(encoding="utf-8")
    block = "  - key: firearms\n    label: Skill Development – Firearms\n    minimum:\n      value: 2\n"
    assert block in text, "the firearms minimum of the pack is not where the bench expects it"
    draft = draft_pack_read(
        content=text.replace(block, block.replace("value: 2", "value: 4")).encode(),
        name="firearms-4h.yaml",
        period=period,
    )
    timings = []
    for run in ("cold", "warm"):
        started = time.perf_counter()
        # What the worker's job runs (one process: the preview is a job, never forked).
        impact = pack_impact(period=period, draft=draft, draft_name="firearms-4h.yaml")
        timings.append(time.perf_counter() - started)
        print(
            f"  impact preview ({run}): {timings[-1]:5.2f} s for {impact.officers:,} officers; deficient "
            f"{impact.deficient_now:,} now, {impact.deficient_draft:,} under the draft "
            f"({impact.newly_short:,} newly short) across {len(impact.agencies):,} agencies"
        )

    def timed(label: str, work: object) -> None:
        started = time.perf_counter()
        assert callable(work)
        work()
        print(f"  {label:<36} {1000 * (time.perf_counter() - started):7.1f} ms")

    today = timezone.localdate()
    timed(
        "compliance by agency (count + page)",
        lambda: (
            agency_compliance(period).count(),
            list(agency_compliance(period, sort="-deficient")[:50]),
        ),
    )
    timed("officers short per requirement", lambda: requirement_shortfalls(period))
    timed(
        "non-compliant list (count + page)",
        lambda: (
            noncompliant_results(period, today).count(),
            list(noncompliant_rows(noncompliant_results(period, today)[:50])),
        ),
    )
    best = min(timings)
    verdict = "met" if best < TARGET_SECONDS else "MISSED"
    print(f"Impact preview: {best:.2f} s (target under {TARGET_SECONDS:.0f} s: {verdict})")
    return 0 if best < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
