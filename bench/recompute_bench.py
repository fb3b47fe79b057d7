"""Recompute a 17,000-officer period end to end: read from the database, evaluate, store.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clee_bench .venv/bin/python bench/recompute_bench.py

Builds a synthetic state in the database named by DATABASE_URL (created if missing; its
officers, records and results are replaced), then times ``compliance_recompute`` for the
whole period twice (cold and warm). Target (issue 3): under 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clee.config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clee_bench")

AREAS = ["legal_studies", "technical_studies", "interpersonal_perspectives", "skill_development"]


def ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        exists = connection.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'create database "{name}"')


def build(officers: int, credits: int, seed: int) -> None:
    from django.db import connection, transaction

    from clee.compliance.models import ComplianceResult
    from clee.officers.models import Officer
    from clee.training.models import CreditLine, TrainingRecord

    rng = random.Random(seed)
    with transaction.atomic():
        ComplianceResult.objects.all().delete()
        CreditLine.objects.all().delete()
        TrainingRecord.objects.all().delete()
        Officer.objects.filter(license_number__startswith="B").delete()
        rows = Officer.objects.bulk_create(
            [
                Officer(
                    license_number=f"B{index:08d}",
                    first_name="Bench",
                    last_name=f"Officer {index}",
                    date_of_birth=dt.date(1985, 1, 1),
                    licensed_on=dt.date(2010, 1, 1),
                )
                for index in range(officers)
            ],
            batch_size=5000,
        )
        for start in range(0, len(rows), 2000):
            records, line_specs = [], []
            for officer in rows[start : start + 2000]:
                heavy_online = rng.random() < 0.1  # about 1 in 10 with a binding cap
                for _ in range(credits):
                    area = rng.choice(AREAS)
                    hours = Decimal(rng.choice(["0.5", "1", "1", "2", "2", "3"]))
                    records.append(
                        TrainingRecord(
                            officer=officer,
                            description="bench",
                            completed_on=dt.date(2023, rng.randint(1, 12), rng.randint(1, 28)),
                            hours=hours,
                            source="course",
                            credit_class=rng.choice(["approved", "licensed"]),
                            delivery="computer_based" if heavy_online or rng.random() < 0.3 else "live",
                        )
                    )
                    subject = "firearms" if area == "skill_development" and rng.random() < 0.5 else ""
                    topics = {rng.choice(["racial_profiling", "implicit_bias", "de_escalation"]): 0.5}
                    line_specs.append((area, subject, hours, topics if rng.random() < 0.15 else {}))
            TrainingRecord.objects.bulk_create(records, batch_size=5000)
            CreditLine.objects.bulk_create(
                [
                    CreditLine(record=record, core_area=a, subject=s, hours=h, topics=t)
                    for record, (a, s, h, t) in zip(records, line_specs, strict=True)
                ],
                batch_size=5000,
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=17_000)
    parser.add_argument("--credits", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workers", default="1,2,4", help="numbers of db_worker processes to time, comma-separated"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the data of the last run")
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from clee.compliance.models import StaleResult
    from clee.compliance.outbox import period_mark_stale
    from clee.compliance.services import ensure_period

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build(args.officers, args.credits, args.seed)
    print(
        f"built {args.officers:,} officers x {args.credits} records in {time.perf_counter() - started:.1f} s"
    )
    period = ensure_period(2023)
    for workers in [int(n) for n in args.workers.split(",")]:
        # The statewide recompute as it runs in production: the period marked stale (one
        # INSERT ... SELECT), its jobs queued, and real ``manage.py db_worker`` processes
        # claiming batches until every result is current.
        StaleResult.objects.all().delete()
        DBTaskResult.objects.all().delete()
        started = time.perf_counter()
        with transaction.atomic():
            marked = period_mark_stale(period, reason="bench")
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--batch",
                    "--no-startup-delay",
                    "--interval",
                    "0.1",
                ],
                env={**os.environ, "CLEE_RECOMPUTE_JOBS": str(max(workers, 1) * 2)},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        for process in processes:
            process.wait()
        left = StaleResult.objects.count()
        elapsed = time.perf_counter() - started
        print(
            f"statewide recompute with {workers} db_worker process(es): {marked:,} officers "
            f"in {elapsed:.2f} s ({marked / elapsed:,.0f} officers/s; {left} marks left)"
        )


if __name__ == "__main__":
    main()
