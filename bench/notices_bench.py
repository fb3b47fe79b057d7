"""The December reminder for a 17,000-officer state: prepare and deliver every notice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clee_notices .venv/bin/python bench/notices_bench.py

Builds (or with ``--reuse`` keeps) a synthetic state in the database named by DATABASE_URL:
17,000 officers commissioned by 150 agencies, each with an administrator; results from the
engine on ``bench/synthetic.py`` scenarios (about 3 in 10 deficient; 3% of the officers have no
email address). Then, against a local SMTP sink (aiosmtpd in its own process), times
``notices_prepare`` for December 15 and ``notices_deliver``: every officer notice and agency
list rendered (text and HTML) and accepted by the server. Target (issue 5): under 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clee.config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clee_notices")

PREFIX = "N"  # license numbers of the bench's officers
AGENCIES = 150


def ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if not connection.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            connection.execute(f'create database "{name}"')


def build(count: int, seed: int) -> None:
    import synthetic
    from django.db import transaction
    from django.utils import timezone

    from clee.accounts.models import User
    from clee.agencies.models import Agency
    from clee.compliance.models import ComplianceResult
    from clee.compliance.services import ensure_period
    from clee.notices.models import Notice
    from clee.officers.models import Commission, Officer
    from clee.rules import evaluate_many

    period = ensure_period(2023)
    with transaction.atomic():
        bench_officers = Officer.objects.filter(license_number__startswith=PREFIX)
        Notice.objects.filter(officer__in=bench_officers).delete()
        Notice.objects.filter(agency__ori__startswith="MOBN").delete()
        ComplianceResult.objects.filter(officer__in=bench_officers).delete()
        Commission.objects.filter(officer__in=bench_officers).delete()
        bench_officers.delete()
        User.objects.filter(username__startswith="bench-admin-").delete()
        Agency.objects.filter(ori__startswith="MOBN").delete()
        agencies = Agency.objects.bulk_create(
            Agency(ori=f"MOBN{i:05d}", name=f"Bench Police Department {i}") for i in range(AGENCIES)
        )
        User.objects.bulk_create(
            User(
                username=f"bench-admin-{i}",
                role=User.Role.AGENCY_ADMIN,
                agency=agency,
                email=f"admin{i}@agency.example.test",
            )
            for i, agency in enumerate(agencies)
        )
        officers = Officer.objects.bulk_create(
            (
                Officer(
                    license_number=f"{PREFIX}{i:08d}",
                    first_name="Bench",
                    last_name=f"Officer {i}",
                    date_of_birth=dt.date(1985, 1, 1),
                    licensed_on=dt.date(2010, 1, 1),
                    email="" if i % 33 == 0 else f"officer{i}@example.test",
                )
                for i in range(count)
            ),
            batch_size=5000,
        )
        Commission.objects.bulk_create(
            (
                Commission(officer=officer, agency=agencies[i % AGENCIES], start=dt.date(2015, 1, 1))
                for i, officer in enumerate(officers)
            ),
            batch_size=5000,
        )
        now = timezone.now()
        results = []
        for officer, result in zip(officers, evaluate_many(synthetic.scenarios(count, seed)), strict=True):
            payload = result.to_dict()
            deficient = result.status == ComplianceResult.Status.DEFICIENT
            results.append(
                ComplianceResult(
                    officer=officer,
                    period=period,
                    status=result.status,
                    counted_hours=Decimal(str(result.counted_hours)),
                    additional_hours_needed=Decimal(str(result.additional_hours_needed)),
                    shortfalls=result.shortfalls,
                    requirements=payload["requirements"],
                    still_needed=payload["still_needed"] if deficient else {},
                    exemption=result.exemption or "",
                    pack=result.pack,
                    computed_at=now,
                )
            )
        ComplianceResult.objects.bulk_create(results, batch_size=2000)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the SMTP sink did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=17_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--reuse", action="store_true", help="keep the state of the last run")
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from clee.compliance.models import ComplianceResult
    from clee.compliance.services import ensure_period
    from clee.notices.models import Notice, NoticeRun
    from clee.notices.services import notices_deliver, notices_prepare

    call_command("migrate", verbosity=0)
    period = ensure_period(2023)
    bench = ComplianceResult.objects.filter(period=period, officer__license_number__startswith=PREFIX)
    if not args.reuse or bench.count() != args.officers:
        started = time.perf_counter()
        build(args.officers, args.seed)
        print(f"built {args.officers:,} officers in {time.perf_counter() - started:.1f} s")
    deficient = bench.filter(status=ComplianceResult.Status.DEFICIENT).count()
    print(f"{deficient:,} of {args.officers:,} officers deficient ({deficient / args.officers:.0%})")
    Notice.objects.filter(period=period).delete()
    NoticeRun.objects.filter(period=period).delete()

    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        day = dt.datetime(2023, 12, 15, 6, 0, tzinfo=dt.UTC)
        started = time.perf_counter()
        run = notices_prepare(today=day.date(), now=day)[-1]  # October and November are passed over
        prepared = time.perf_counter() - started
        delivery = notices_deliver(now=day)
        elapsed = time.perf_counter() - started
    finally:
        sink.terminate()
        sink.wait()
    print(
        f"prepare: {run.officer_notices:,} officer notices, {run.without_address:,} without email, "
        f"{run.list_notices:,} agency lists in {prepared:.1f} s"
    )
    print(
        f"deliver: {delivery.sent:,} sent, {delivery.retrying} waiting, {delivery.failed} failed; "
        f"total {elapsed:.1f} s ({delivery.sent / elapsed:,.0f} messages/s)"
    )
    print("target: under 60 s")


if __name__ == "__main__":
    main()
