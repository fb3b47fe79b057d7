"""The REST API under load: a 10,000-row roster sent as JSON, and the compliance results of an
agency of 2,000 officers read 200 a page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clee .venv/bin/python bench/api_bench.py
    .venv/bin/python bench/api_bench.py --sqlite

On PostgreSQL it uses a database of its own (``clee_api_bench``, ``--database``), created
afresh and dropped at the end (``--keep`` keeps it); with ``--sqlite`` a new SQLite file in a
temporary folder. It builds roster_bench.py's synthetic state (no real persons: 3,000
commissioned officers, 20 providers with 60 approved courses each, records on file, every
officer's stored 2023 result) plus one agency commissioning 2,000 of those officers, and a
token for the provider whose rosters are sent and one for that agency.

Requests go through the whole Django stack in this process (middleware, token check, rate
limit, DRF parsing and rendering, the views) with Django's test client: no web server or
network, which add the same small cost to any request.

(a) ``POST /api/v1/rosters/`` with ``--rows`` (10,000) new completions as JSON rows and an
    Idempotency-Key, until the response says applied: every row checked, written with its
    credit lines, batch and audit rows, committed, the affected officers recomputed (on commit,
    inside the request). Then the same request again (the stored response, nothing imported).
    Target: under 3 s.
(b) ``GET /api/v1/officers/?page_size=200&page=N`` through every page of the agency, ``--passes``
    times. Target: under 50 ms a page.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clee.config.settings")

ROSTER_TARGET_S = 3.0
PAGE_TARGET_MS = 50.0
AGENCY_OFFICERS = 2_000
PAGE_SIZE = 200


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def json_rows(content: bytes) -> list[dict[str, str]]:
    """The rows of a roster CSV (roster_bench's generator) as the API's JSON rows."""
    import csv
    import io

    reader = csv.reader(io.StringIO(content.decode()))
    next(reader)
    names = ("license_number", "course_number", "completion_date", "hours")
    return [{name: value for name, value in zip(names, row, strict=True) if value} for row in reader]


def big_agency(state: dict[str, Any], rng: random.Random) -> Any:
    """An agency commissioning ``AGENCY_OFFICERS`` of the state's officers (besides their own)."""
    import datetime as dt

    from clee.agencies.models import Agency
    from clee.officers.models import Commission, Officer

    agency = Agency.objects.create(ori="MO9990000", name="Synthetic Metropolitan Police")
    numbers = rng.sample(state["officers"], AGENCY_OFFICERS)
    officers = Officer.objects.filter(license_number__in=numbers).only("id")
    Commission.objects.bulk_create(
        [Commission(officer=o, agency=agency, start=dt.date(2020, 1, 1)) for o in officers], batch_size=2000
    )
    return agency


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--officers", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=3, help="rosters sent (each new)")
    parser.add_argument("--passes", type=int, default=5, help="passes over the agency's pages")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--sqlite", action="store_true", help="a new SQLite file instead of PostgreSQL")
    parser.add_argument("--database", default="clee_api_bench")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the last roster request")
    args = parser.parse_args()

    from roster_bench import build_state, drop_database, fresh_database, roster_csv

    url = ""
    if args.sqlite:
        folder = tempfile.mkdtemp(prefix="clee-api-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    else:
        server = os.environ.get("DATABASE_URL", "")
        if not server.startswith("postgres"):
            sys.exit("set DATABASE_URL to a PostgreSQL server (or pass --sqlite)")
        url = fresh_database(server, args.database)
        os.environ["DATABASE_URL"] = url
    os.environ["CLEE_API_RATE"] = "1000000/minute"  # measure the work, not the limit

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from clee.accounts.models import User
    from clee.api.services import token_create
    from clee.training.models import TrainingRecord

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    try:
        say(f"[api] {connection.vendor}: migrating ...")
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        state = build_state(args.officers, 20, 60, args.seed)
        rng = random.Random(args.seed + 7)
        agency = big_agency(state, rng)
        say(f"[api] state built in {time.perf_counter() - started:.1f} s")
        staff = User.objects.create_user(
            username="bench-provider", role="provider", provider=state["provider"]
        )
        admin = User.objects.create_user(username="bench-agency", role="agency_admin", agency=agency)
        provider_client = Client(
            headers={"Authorization": f"Bearer {token_create(name='bench', acting_user=staff).secret}"}
        )
        agency_client = Client(
            headers={"Authorization": f"Bearer {token_create(name='bench', acting_user=admin).secret}"}
        )

        used: set[Any] = set()
        warm = json.dumps({"rows": json_rows(roster_csv(state, 200, rng, used))})
        response = provider_client.post(
            "/api/v1/rosters/", warm, content_type="application/json", headers={"Idempotency-Key": "warm"}
        )
        assert response.status_code == 201, response.content[:500]

        from clee.imports.services import import_apply
        from clee.imports.tables import table_from_upload

        roster_times, retry_times, direct_times = [], [], []
        for run in range(args.repeat):
            body = json.dumps({"rows": json_rows(roster_csv(state, args.rows, rng, used))})
            key = f"bench-{run}"
            profiler = cProfile.Profile() if args.profile and run == args.repeat - 1 else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            response = provider_client.post(
                "/api/v1/rosters/", body, content_type="application/json", headers={"Idempotency-Key": key}
            )
            if profiler:
                profiler.disable()
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
            roster_times.append(time.perf_counter() - started)
            assert response.status_code == 201, response.content[:500]
            assert response.json()["added"] == args.rows, response.json()
            started = time.perf_counter()
            again = provider_client.post(
                "/api/v1/rosters/", body, content_type="application/json", headers={"Idempotency-Key": key}
            )
            retry_times.append(time.perf_counter() - started)
            assert again.json() == response.json()
            assert again["Idempotent-Replayed"] == "true"
            retried_ms = retry_times[-1] * 1000

            # The same work without the API, right after (a fresh roster of the same size, straight
            # to the import service as a CSV file): what the API adds is the difference.
            content = roster_csv(state, args.rows, rng, used)
            started = time.perf_counter()
            report = import_apply(
                kind="roster",
                table=table_from_upload(content, f"direct-{run}.csv"),
                actor=staff,
                provider=state["provider"],
            )
            direct_times.append(time.perf_counter() - started)
            assert report.applied, report.errors[:5]
            say(
                f"[api] roster {run + 1}: {roster_times[-1]:.2f} s applied; retried {retried_ms:.0f} ms; "
                f"import service alone {direct_times[-1]:.2f} s"
            )

        pages = -(-AGENCY_OFFICERS // PAGE_SIZE)
        first = agency_client.get("/api/v1/officers/", {"page_size": PAGE_SIZE}).json()
        assert first["count"] == AGENCY_OFFICERS, first["count"]
        page_times: list[float] = []
        for _ in range(args.passes):
            for page in range(1, pages + 1):
                started = time.perf_counter()
                response = agency_client.get("/api/v1/officers/", {"page_size": PAGE_SIZE, "page": page})
                page_times.append(time.perf_counter() - started)
                assert response.status_code == 200
                assert len(response.json()["results"]) == PAGE_SIZE
        page_ms = sorted(t * 1000 for t in page_times)
        p95 = page_ms[int(len(page_ms) * 0.95) - 1]

        load = os.getloadavg()[0]
        roster_median = statistics.median(roster_times)
        print(
            f"API on {connection.vendor} ({os.cpu_count()} CPUs, load average {load:.1f}; "
            f"{TrainingRecord.objects.count():,} records at the end):\n"
            f"  (a) {args.rows:,}-row JSON roster accepted and applied: median {roster_median:.2f} s of "
            f"{args.repeat} (runs {', '.join(f'{t:.2f}' for t in roster_times)}; the import service alone on "
            f"the same kind of roster: median {statistics.median(direct_times):.2f} s); "
            "retried with the same key "
            f"{statistics.median(retry_times) * 1000:.0f} ms; target < {ROSTER_TARGET_S:.0f} s: "
            f"{'met' if roster_median < ROSTER_TARGET_S else 'NOT met'}\n"
            f"  (b) officers and results of an agency of {AGENCY_OFFICERS:,}, {PAGE_SIZE} a page, "
            f"{len(page_times)} pages: median {statistics.median(page_ms):.1f} ms, p95 {p95:.1f} ms, "
            f"max {page_ms[-1]:.1f} ms; target < {PAGE_TARGET_MS:.0f} ms a page: "
            f"{'met' if p95 < PAGE_TARGET_MS else 'NOT met'}"
        )
    finally:
        connection.close()
        if url and not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
