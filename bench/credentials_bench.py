"""Verifiable credentials: signing, checking, the revocation sweep and the status list.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clee_credbench .venv/bin/python bench/credentials_bench.py

Builds a fresh synthetic state in the database named by DATABASE_URL (migrated first): one
provider's course and ``--officers`` officers with one accepted record each. Then times
- issuing ``--issue`` course credentials (canonicalization, Ed25519 signature, storage), each;
- CLEE's own check of a credential (``credential_check``: signature, dates, status list), each;
- the revocation sweep with ``--officers`` credentials in force of which 1% lost their record
  (target: well under the minute between two runs of the job);
- signing the status list again after the sweep (131,072 entries).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clee.config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clee_credbench")
os.environ.setdefault("CLEE_CREDENTIAL_KEYS_DIR", tempfile.mkdtemp(prefix="clee-bench-keys-"))


def ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        connection.execute(f'drop database if exists "{name}"')
        connection.execute(f'create database "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--officers", type=int, default=50_000)
    parser.add_argument("--issue", type=int, default=200)
    options = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from clee.accounts.models import User
    from clee.compliance.records import training_records_add
    from clee.credentials.keys import signing_key_generate
    from clee.credentials.models import IssuedCredential
    from clee.credentials.services import (
        course_credential_issue,
        credentials_revoke_stale,
        status_list_published,
    )
    from clee.credentials.verification import credential_check
    from clee.officers.models import Officer
    from clee.providers.models import Course, CoursePortion, Provider
    from clee.training.models import TrainingRecord
    from clee.training.services import RecordEntry, course_lines

    signing_key_generate()
    staff = User.objects.create_user(username="bench-staff", role="post_staff")
    provider = Provider.objects.create(
        number="LP-BENCH",
        name="Bench Academy",
        kind="licensed",
        credit_class="approved",
        approved_from=dt.date(2015, 1, 1),
    )
    course = Course.objects.create(
        provider=provider,
        number="B-1",
        title="Bench course",
        hours=Decimal(8),
        status="approved",
        approved_from=dt.date(2015, 1, 1),
    )
    CoursePortion.objects.create(course=course, core_area="legal_studies", hours=Decimal(6))
    CoursePortion.objects.create(
        course=course, core_area="interpersonal_perspectives", hours=Decimal(2), topics={"implicit_bias": 1}
    )
    started = time.perf_counter()
    Officer.objects.bulk_create(
        Officer(
            license_number=f"B{n:07d}",
            first_name="Pat",
            last_name=f"Bench{n}",
            date_of_birth=dt.date(1985, 1, 1),
            licensed_on=dt.date(2010, 1, 1),
        )
        for n in range(options.officers)
    )
    ids = list(Officer.objects.order_by("id").values_list("id", flat=True))
    lines = course_lines(course)
    training_records_add(
        entries=[
            RecordEntry(
                officer_id=pk,
                course_id=course.pk,
                completed_on=dt.date(2023, 5, 1),
                hours=Decimal(8),
                source="course",
                credit_class="approved",
                delivery="live",
                lines=lines,
            )
            for pk in ids
        ],
        actor=None,
    )
    print(f"built {options.officers:,} officers with a record each in {time.perf_counter() - started:.1f} s")

    records = list(TrainingRecord.objects.select_related("officer").order_by("id")[: options.issue])
    timings, issued = [], []
    for record in records:
        start = time.perf_counter()
        issued.append(course_credential_issue(record=record, acting_user=staff))
        timings.append(time.perf_counter() - start)
    print(
        f"issue a course credential: median {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {sorted(timings)[int(len(timings) * 0.95)] * 1000:.1f} ms ({len(timings)} issued)"
    )

    timings = []
    for credential in issued[:100]:
        start = time.perf_counter()
        outcome = credential_check(credential.document)
        timings.append(time.perf_counter() - start)
        assert outcome.valid, outcome.checks
    print(f"CLEE's check of a credential: median {statistics.median(timings) * 1000:.1f} ms")

    # The rest of the state's credentials in force, as rows (the same signed document: the sweep
    # reads the rows, never the documents).
    template = issued[0]
    status_list = template.status_list
    taken = set(IssuedCredential.objects.values_list("status_index", flat=True))
    free = (index for index in range(status_list.size) if index not in taken)
    rest = TrainingRecord.objects.exclude(pk__in=[r.pk for r in records]).order_by("id")
    with transaction.atomic():
        IssuedCredential.objects.bulk_create(
            (
                IssuedCredential(
                    officer_id=record.officer_id,
                    kind="course",
                    record_id=record.pk,
                    basis_status="accepted",
                    title=template.title,
                    status_list=status_list,
                    status_index=next(free),
                    document=template.document,
                    key_id=template.key_id,
                    valid_until=template.valid_until,
                )
                for record in rest.only("id", "officer_id").iterator()
            ),
            batch_size=2000,
        )
    live = IssuedCredential.objects.count()
    stale = list(TrainingRecord.objects.order_by("?").values_list("id", flat=True)[: max(1, live // 100)])
    TrainingRecord.objects.filter(pk__in=stale).update(status="rejected")
    start = time.perf_counter()
    sweep = credentials_revoke_stale()
    elapsed = time.perf_counter() - start
    print(
        f"revocation sweep over {live:,} credentials in force, {len(stale):,} to revoke: {elapsed:.2f} s "
        f"({len(sweep.revoked_courses):,} revoked; target: well under 60 s)"
    )
    start = time.perf_counter()
    sweep = credentials_revoke_stale()
    print(f"the same sweep with nothing to revoke: {(time.perf_counter() - start) * 1000:.0f} ms")
    status_list.refresh_from_db()
    start = time.perf_counter()
    published = status_list_published(status_list=status_list)
    print(
        f"status list signed again ({status_list.size:,} entries, {len(stale):,} revoked): "
        f"{(time.perf_counter() - start) * 1000:.0f} ms, {len(published):,} bytes"
    )


if __name__ == "__main__":
    main()
