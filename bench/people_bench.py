"""People and accounts at a state's size: POST staff's People page over every account, an agency
administrator's, deactivating an account with many API tokens, and a password reset request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clee .venv/bin/python bench/people_bench.py
    .venv/bin/python bench/people_bench.py --sqlite

On PostgreSQL it uses a database of its own (``clee_people_bench``, ``--database``), created
afresh and dropped at the end (``--keep`` keeps it); with ``--sqlite`` a new SQLite file in a
temporary folder. The synthetic state (no real persons): ``--officers`` (20,000) officers, each
with an account; ``--agencies`` (600) agencies with three administrators each, each of those
with an authenticator app (the list shows who has a second step); 40 providers with three staff
each; a pile of audit rows about the accounts (an account's page reads its history).

Requests go through the whole Django stack in this process with Django's test client (no web
server or network, which add the same small cost to any request). Mail goes to Django's
in-memory outbox: the mail server's speed is not CLEE's.

(a) POST staff's People page: the first page of every account, a search by last name, a page
    deep in the list, only deactivated accounts. Target: under 150 ms a page.
(b) An agency administrator's People page, and one account's page. Target: under 50 ms.
(c) Deactivating an account that made 50 API tokens (each revoked with its audit row).
    Target: under 250 ms.
(d) A password reset request for an address with an account, and for one without. Target:
    under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clee.config.settings")

TARGETS_MS = {"staff page": 150.0, "agency page": 50.0, "deactivate": 250.0, "reset request": 100.0}
PASSWORD = "bench passphrase that is long enough"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_state(officers: int, agencies: int) -> dict[str, Any]:
    """Every account of a state, made with bulk inserts; returns the accounts the runs use."""
    import datetime as dt

    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from clee.accounts.models import User
    from clee.agencies.models import Agency
    from clee.core.models import AuditEvent
    from clee.officers.models import Officer
    from clee.providers.models import Provider

    password = make_password(PASSWORD)
    made_agencies = Agency.objects.bulk_create(
        [Agency(ori=f"MO{n:07d}", name=f"Synthetic Agency {n}") for n in range(agencies)]
    )
    providers = Provider.objects.bulk_create(
        [
            Provider(
                number=f"LP-{n:04d}",
                name=f"Synthetic Academy {n}",
                kind="licensed",
                credit_class="approved",
                approved_from=dt.date(2015, 1, 1),
            )
            for n in range(40)
        ]
    )
    people = Officer.objects.bulk_create(
        [
            Officer(
                license_number=f"P{n:07d}",
                first_name=f"First{n % 997}",
                last_name=f"Last{n % 1499}",
                date_of_birth=dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28),
                email=f"officer{n}@example.test",
                licensed_on=dt.date(2010, 1, 1),
            )
            for n in range(officers)
        ],
        batch_size=2000,
    )
    accounts = [
        User(
            username=f"officer-{n}",
            password=password,
            role="officer",
            officer=officer,
            email=officer.email,
            first_name=officer.first_name,
            last_name=officer.last_name,
            is_active=n % 50 != 0,
        )
        for n, officer in enumerate(people)
    ]
    accounts += [
        User(
            username=f"admin-{agency.pk}-{k}",
            password=password,
            role="agency_admin",
            agency=agency,
            email=f"admin{agency.pk}.{k}@example.test",
            first_name=f"Admin{k}",
            last_name=f"Agency{agency.pk}",
        )
        for agency in made_agencies
        for k in range(3)
    ]
    accounts += [
        User(
            username=f"trainer-{provider.pk}-{k}",
            password=password,
            role="provider",
            provider=provider,
            email=f"trainer{provider.pk}.{k}@example.test",
            first_name=f"Trainer{k}",
            last_name=f"Academy{provider.pk}",
        )
        for provider in providers
        for k in range(3)
    ]
    User.objects.bulk_create(accounts, batch_size=2000)
    admins = list(User.objects.filter(role="agency_admin"))
    TOTPDevice.objects.bulk_create(
        [TOTPDevice(user=admin, name="Authenticator app", confirmed=True) for admin in admins],
        batch_size=2000,
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor_label="bench",
                action="account.password_change",
                object_type="accounts.user",
                object_id=str(account_id),
                summary="changed their password",
            )
            for account_id in User.objects.values_list("pk", flat=True)
            for _ in range(3)
        ],
        batch_size=5000,
    )
    staff = User.objects.create_user(
        username="bench-staff", password=PASSWORD, role="post_staff", is_staff=True
    )
    # The administrator whose pages are timed signs in with a password alone (no app to answer).
    admin = admins[len(admins) // 2]
    TOTPDevice.objects.filter(user=admin).delete()
    return {"staff": staff, "admin": admin, "agency": admin.agency}


def timed(label: str, run: Callable[[], Any], repeat: int) -> float:
    """Median milliseconds of ``run`` over ``repeat`` calls (after one to warm up)."""
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    say(f"[people] {label}: median {median:.1f} ms, worst {max(times):.1f} ms over {repeat}")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--officers", type=int, default=20_000)
    parser.add_argument("--agencies", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sqlite", action="store_true", help="a new SQLite file instead of PostgreSQL")
    parser.add_argument("--database", default="clee_people_bench")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    from roster_bench import bench_database, drop_database

    url = bench_database(sqlite=args.sqlite, name=args.database)
    os.environ["CLEE_MFA_REQUIRED"] = "false"  # the bench's own accounts sign in with a password
    os.environ["CLEE_LINK_REQUESTS_PER_CLIENT_HOUR"] = "1000000"  # measure the work, not the limit

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from clee.accounts.models import User
    from clee.api.services import token_create
    from clee.people.services import person_deactivate

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 10**9
    results: dict[str, float] = {}
    try:
        say(f"[people] {connection.vendor}: migrating ...")
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        state = build_state(args.officers, args.agencies)
        total = User.objects.count()
        say(f"[people] {total:,} accounts built in {time.perf_counter() - started:.1f} s")

        staff = Client()
        staff.force_login(state["staff"])
        pages = -(-(total - 1) // 50)

        def staff_page(query: dict[str, str]) -> Callable[[], Any]:
            def run() -> None:
                response = staff.get("/people/", query)
                assert response.status_code == 200, response.status_code

            return run

        results["staff page"] = max(
            timed("staff, first page", staff_page({}), args.repeat),
            timed("staff, search 'Last77'", staff_page({"q": "Last77"}), args.repeat),
            timed(f"staff, page {pages // 2} of {pages}", staff_page({"page": str(pages // 2)}), args.repeat),
            timed("staff, deactivated only", staff_page({"status": "inactive"}), args.repeat),
        )

        admin = Client()
        admin.force_login(state["admin"])
        colleague = User.objects.filter(agency=state["agency"]).exclude(pk=state["admin"].pk).first()
        assert colleague is not None

        def admin_page(path: str) -> Callable[[], Any]:
            def run() -> None:
                assert admin.get(path).status_code == 200

            return run

        results["agency page"] = max(
            timed("administrator, People", admin_page("/people/"), args.repeat),
            timed("administrator, an account", admin_page(f"/people/{colleague.pk}/"), args.repeat),
        )

        targets = list(User.objects.filter(role="agency_admin", is_active=True).exclude(pk=state["admin"].pk))
        times = []
        for account in targets[: args.repeat]:
            for n in range(50):
                token_create(name=f"system {n}", acting_user=account)
            started = time.perf_counter()
            person_deactivate(account=account, reason="bench", acting_user=state["staff"])
            times.append((time.perf_counter() - started) * 1000)
        results["deactivate"] = statistics.median(times)
        say(
            f"[people] deactivate with 50 tokens: median {results['deactivate']:.1f} ms, "
            f"worst {max(times):.1f} ms over {len(times)}"
        )

        visitor = Client()

        def reset(address: str) -> Callable[[], Any]:
            def run() -> None:
                assert visitor.post("/accounts/password/reset/", {"email": address}).status_code == 302

            return run

        numbers = iter(range(1, 10**6))

        def known() -> None:
            reset(f"officer{next(numbers)}@example.test")()

        def unknown() -> None:
            reset(f"nobody{next(numbers)}@example.test")()

        results["reset request"] = max(
            timed("reset, an account's address", known, args.repeat),
            timed("reset, an unknown address", unknown, args.repeat),
        )
    finally:
        if url and not args.keep:
            connection.close()
            drop_database(url)

    failed = [name for name, value in results.items() if value > TARGETS_MS[name]]
    for name, value in results.items():
        say(f"[people] {name}: {value:.1f} ms (target {TARGETS_MS[name]:.0f} ms)")
    sys.exit(f"over target: {', '.join(failed)}" if failed else 0)


if __name__ == "__main__":
    main()
