"""Validate and apply a 10,000-row completion roster, affected officers recomputed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clee .venv/bin/python bench/roster_bench.py

Uses the PostgreSQL server of DATABASE_URL but a database of its own (``clee_roster_bench``
by default, ``--database``), created afresh and dropped at the end (``--keep`` keeps it).
Builds a synthetic state (no real persons): agencies, a few thousand commissioned officers,
licensed providers with approved courses split over core areas, some records already on
file and every officer's stored 2023 result. Then, for each of ``--repeat`` fresh rosters
of one provider (CSV, ``--rows`` rows, about one in ten with partial hours), times
``import_apply`` end to end: reading the file, checking every row, writing the records
with their credit lines, batch and audit rows and the affected officers' stale marks, and
committing (target, issue 3: under 2 s). Then, with ``--workers`` real ``manage.py
db_worker`` processes running, the seconds from the apply's return until every affected
officer's result is current again (no stale mark left; target, issue 12: at most 5 s). Also
times the dry run and sending the same roster again.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import io
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clee.config.settings")

TARGET_S = 2.0
CURRENT_S = 5.0
YEAR = 2023
AREAS = ("legal_studies", "technical_studies", "interpersonal_perspectives", "skill_development")
TOPICS = ("racial_profiling", "implicit_bias", "de_escalation")
FIRST = ("Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kendall", "Morgan")
LAST = ("Adler", "Brooks", "Carver", "Dalton", "Ellis", "Foster", "Grant", "Hayes", "Irwin", "Keller")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fresh_database(server_url: str, name: str) -> str:
    """Drop and create ``name`` on the server of ``server_url``; return its URL."""
    import psycopg

    base = server_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def bench_database(*, sqlite: bool, name: str) -> str:
    """Point ``DATABASE_URL`` at a fresh database: a new SQLite file in a temporary folder, or
    ``name`` made afresh on the PostgreSQL server ``DATABASE_URL`` names. Returns the PostgreSQL
    URL to drop afterwards ("" for SQLite); exits when neither is possible."""
    if sqlite:
        folder = tempfile.mkdtemp(prefix=f"{name}-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        return ""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL server (or pass --sqlite)")
    url = fresh_database(server, name)
    os.environ["DATABASE_URL"] = url
    return url


def drop_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_state(officers: int, providers: int, courses_per_provider: int, seed: int) -> dict[str, Any]:
    """A synthetic state; returns the provider whose rosters are timed and its courses."""
    from clee.accounts.models import User
    from clee.agencies.models import Agency
    from clee.compliance.recompute import compliance_recompute
    from clee.compliance.records import training_records_add
    from clee.compliance.services import ensure_period
    from clee.officers.models import Commission, Officer
    from clee.providers.models import Course, CoursePortion, Provider
    from clee.training.services import RecordEntry, course_lines

    rng = random.Random(seed)
    period = ensure_period(YEAR)
    agencies = Agency.objects.bulk_create(
        [Agency(ori=f"MO{n:07d}", name=f"Synthetic Agency {n}") for n in range(1, officers // 25 + 2)]
    )
    people = Officer.objects.bulk_create(
        [
            Officer(
                license_number=f"B{n:07d}",
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                date_of_birth=dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(12_000)),
                licensed_on=dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(7_000)),
            )
            for n in range(officers)
        ],
        batch_size=2000,
    )
    Commission.objects.bulk_create(
        [Commission(officer=o, agency=rng.choice(agencies), start=o.licensed_on) for o in people],
        batch_size=2000,
    )
    catalog: list[Provider] = Provider.objects.bulk_create(
        [
            Provider(
                number=f"LP-{n:04d}",
                name=f"Synthetic Academy {n}",
                kind=Provider.Kind.LICENSED,
                credit_class="approved",
                approved_from=dt.date(2010, 1, 1),
            )
            for n in range(providers)
        ]
    )
    courses = Course.objects.bulk_create(
        [
            Course(
                provider=provider,
                number=f"C-{n:03d}",
                title=f"Synthetic course {n}",
                hours=Decimal(rng.choice((1, 2, 2, 4, 4, 8))),
                delivery=rng.choice(("live", "live", "computer_based")),
                status=Course.Status.APPROVED,
                approved_from=dt.date(2015, 1, 1),
            )
            for provider in catalog
            for n in range(courses_per_provider)
        ],
        batch_size=2000,
    )
    portions = []
    for course in courses:
        areas = rng.sample(AREAS, k=min(len(AREAS), rng.choice((1, 1, 2, 3)), int(course.hours)))
        share = course.hours / len(areas)
        for area in areas:
            topics = {rng.choice(TOPICS): 1} if share >= 2 and rng.random() < 0.3 else {}
            portions.append(CoursePortion(course=course, core_area=area, hours=share, topics=topics))
    CoursePortion.objects.bulk_create(portions, batch_size=5000)
    # Some records already on file (from other providers), so the recompute reads real periods.
    on_file = [c for c in Course.objects.prefetch_related("portions") if c.provider_id != catalog[0].pk]
    entries, seen = [], set()
    for officer in people:
        for _ in range(rng.randrange(2, 7)):
            course = rng.choice(on_file)
            day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))
            if (officer.pk, course.pk, day) in seen:
                continue
            seen.add((officer.pk, course.pk, day))
            entries.append(
                RecordEntry(
                    officer_id=officer.pk,
                    completed_on=day,
                    hours=course.hours,
                    source="course",
                    credit_class="approved",
                    delivery=course.delivery,
                    lines=course_lines(course),
                    course_id=course.pk,
                )
            )
    training_records_add(entries=entries, actor=None, summary="benchmark state")
    compliance_recompute(period=period)
    staff = User.objects.create_user(username="bench-staff", password=None, role="post_staff")
    roster_provider = catalog[0]
    return {
        "provider": roster_provider,
        "courses": list(Course.objects.filter(provider=roster_provider)),
        "officers": [o.license_number for o in people],
        "records_on_file": len(entries),
        "staff": staff,
    }


def roster_csv(
    state: dict[str, Any], rows: int, rng: random.Random, used: set[tuple[str, str, dt.date]]
) -> bytes:
    """``rows`` completions never sent before, about one in ten for part of the course."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("License Number", "Course Number", "Completion Date", "Hours"))
    written = 0
    while written < rows:
        number = rng.choice(state["officers"])
        course = rng.choice(state["courses"])
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))
        if (number, course.number, day) in used:
            continue
        used.add((number, course.number, day))
        hours = ""
        if rng.random() < 0.1 and course.hours > 1:
            hours = str(course.hours / 2)
        writer.writerow((number, course.number, day.isoformat(), hours))
        written += 1
    return buffer.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--officers", type=int, default=3_000)
    parser.add_argument("--providers", type=int, default=20)
    parser.add_argument("--courses", type=int, default=60, help="approved courses per provider")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--database", default="clee_roster_bench")
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes recomputing results")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the last apply")
    args = parser.parse_args()

    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/clee")
    url = fresh_database(server, args.database)
    os.environ["DATABASE_URL"] = url

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import clee.imports.roster as roster
    from clee.compliance.models import ComplianceResult, StaleResult
    from clee.imports.services import import_apply, import_preview
    from clee.imports.tables import table_from_upload
    from clee.training.models import TrainingRecord

    workers: list[subprocess.Popen[bytes]] = []
    try:
        say(f"[roster] database {args.database}: migrating ...")
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        state = build_state(args.officers, args.providers, args.courses, args.seed)
        say(
            f"[roster] state: {args.officers:,} officers, {args.providers * args.courses:,} courses, "
            f"{state['records_on_file']:,} records on file, built in {time.perf_counter() - started:.1f} s"
        )

        # Time the parts of import_apply apart: writing (training_records_add, with the stale
        # marks); the rest is reading and checking. The recompute is the workers'.
        phases = Phases()
        root = Path(__file__).resolve().parents[1]
        workers += [
            subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.05"],
                cwd=root,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        say(f"[roster] {args.workers} db_worker processes started")
        roster.training_records_add = phases.wrap("write", roster.training_records_add)  # type: ignore[attr-defined]
        # Django's foreign keys are checked when the transaction commits (DEFERRABLE INITIALLY
        # DEFERRED on PostgreSQL): the commit of the written rows is timed apart too.
        connection._commit = phases.wrap("commit", connection._commit)  # type: ignore[method-assign]

        rng = random.Random(args.seed + 1)
        used: set[tuple[str, str, dt.date]] = set()
        scope = {"actor": state["staff"], "provider": state["provider"], "kind": "roster"}
        warm = roster_csv(state, 200, rng, used)
        import_apply(
            table=table_from_upload(warm, "warm-up.csv"), **scope
        )  # connections, pack, compiled rules

        runs: list[dict[str, float]] = []
        profiler: cProfile.Profile | None = None
        for run in range(args.repeat):
            content = roster_csv(state, args.rows, rng, used)
            figures: dict[str, float] = {}
            with timed(figures, "dry run"):
                preview = import_preview(table=table_from_upload(content, f"roster-{run}.csv"), **scope)
            assert preview.ok, preview.errors[:5]
            assert len(preview.to_add) == args.rows

            phases.reset()
            before = timezone_now()
            profiler = cProfile.Profile() if args.profile and run == args.repeat - 1 else None
            with timed(figures, "apply"):
                if profiler:
                    profiler.enable()
                report = import_apply(table=table_from_upload(content, f"roster-{run}.csv"), **scope)
                if profiler:
                    profiler.disable()
            assert report.applied, report.errors[:5]
            assert len(report.to_add) == args.rows
            figures.update(phases.figures)
            returned = time.perf_counter()
            while StaleResult.objects.exists():  # the workers recompute the marked officers
                time.sleep(0.02)
            figures["results current after"] = time.perf_counter() - returned
            figures["officers recomputed"] = ComplianceResult.objects.filter(computed_at__gte=before).count()

            with timed(figures, "same roster again"):
                again = import_apply(table=table_from_upload(content, f"roster-{run}.csv"), **scope)
            assert len(again.to_add) == 0
            assert len(again.already_present) == args.rows
            runs.append(figures)
            say(f"[roster] run {run + 1}: " + describe(figures))

        if profiler:
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        median = {key: statistics.median([run[key] for run in runs]) for key in runs[0]}
        load = os.getloadavg()[0]
        print(
            f"{args.rows:,}-row roster validated and applied, affected officers recomputed "
            f"({connection.vendor}; {args.officers:,} officers, {TrainingRecord.objects.count():,} records "
            f"at the end; {os.cpu_count()} CPUs, load average {load:.1f}): median of {args.repeat} runs: "
            + describe(median)
            + f"; target < {TARGET_S:.0f} s wall: {'met' if median['apply'] < TARGET_S else 'NOT met'}"
            + f"; results current <= {CURRENT_S:.0f} s after the upload returned: "
            + ("met" if median["results current after"] <= CURRENT_S else "NOT met")
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(10)
        connection.close()
        if not args.keep:
            drop_database(url)


class Phases:
    """Wall and CPU time spent in wrapped functions since the last ``reset``."""

    def __init__(self) -> None:
        self.figures: dict[str, float] = {}

    def reset(self) -> None:
        self.figures = {}

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """Time the outermost calls only: a function that calls itself (the recompute splits
        its officers over threads) is counted once."""
        active = [0]

        def timed_call(*args: Any, **kwargs: Any) -> Any:
            active[0] += 1
            try:
                if active[0] > 1:
                    return function(*args, **kwargs)
                with timed(self.figures, name):
                    return function(*args, **kwargs)
            finally:
                active[0] -= 1

        return timed_call


@contextlib.contextmanager
def timed(figures: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall time (``name``) and this process's CPU time (``name cpu``) of the block."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        figures[name] = figures.get(name, 0.0) + time.perf_counter() - wall
        figures[f"{name} cpu"] = figures.get(f"{name} cpu", 0.0) + time.process_time() - cpu


def describe(figures: dict[str, float]) -> str:
    """'apply 1.23 s (cpu 0.98): write ..., recompute of N officers ...; dry run ...; ...'"""

    def part(name: str) -> str:
        return f"{figures[name]:.2f} s (cpu {figures[name + ' cpu']:.2f})"

    written = ("write", "commit")
    rest = figures["apply"] - sum(figures[name] for name in written)
    rest_cpu = figures["apply cpu"] - sum(figures[f"{name} cpu"] for name in written)
    return (
        f"apply {part('apply')} = read and check {rest:.2f} s (cpu {rest_cpu:.2f}) + write "
        f"{part('write')} + commit {part('commit')}; results of "
        f"{figures['officers recomputed']:,.0f} officers current "
        f"{figures['results current after']:.2f} s after the apply returned (the workers); "
        f"dry run {part('dry run')}; same roster again {part('same roster again')}"
    )


def timezone_now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


if __name__ == "__main__":
    main()
