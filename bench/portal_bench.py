"""Pages under load: the officer dashboard and the agency roster, served by gunicorn on
PostgreSQL with the demo state, against a bare hello-world view measured in the same run.

    .venv/bin/python bench/portal_bench.py            # builds the state, then measures
    .venv/bin/python bench/portal_bench.py --reuse    # measures again on the state already built

Needs `wrk` (Debian: apt-get install -y wrk) and PostgreSQL on 127.0.0.1:5432. Uses a database
of its own (``clee_portal_bench``, ``--database``): migrated and loaded with the demo state
(about 3,000 officers in 120 agencies) unless ``--reuse``. Starts gunicorn (``--workers``, 2 by
default) with production settings. Signs ``--users`` (16) officers and as many administrators
of different agencies in (sessions stored as a sign-in would, each with the CSRF cookie a
browser keeps; administrators with a verified second factor), checks each page answers 200
with its content, then runs ``wrk`` with ``--connections`` (16) concurrent connections for
``--duration`` seconds per page, each request taking the next user's cookies in turn. Reports
requests per second, p50/p95/p99 latency and the ratio to the hello-world view, twice: with
the page cache (``clee.portals.pagecache``; the default) and without it (every request renders).
Target (issue 4): at least 500 requests/s with p95 under 50 ms for both pages.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clee.config.settings")

# The sessions this script stores must be read by gunicorn: both use this key.
SECRET_KEY = "bench-only-secret-key-not-for-any-deployment-0123456789"
TARGET_RPS = 500
TARGET_P95_MS = 50.0
# wrk reports the figures this script reads through a Lua hook (wrk's own summary has no p95).
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("CLEE requests=%d duration_us=%d p50=%d p95=%d p99=%d errors=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.status + errors.timeout))
end
"""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(url: str, reuse: bool) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not reuse:
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ["CLEE_DEMO"] = "1"
    # As in production: the agency administrator's pages pass the second-factor check.
    os.environ["CLEE_MFA_REQUIRED"] = "1"
    os.environ["CLEE_SECRET_KEY"] = SECRET_KEY
    import django

    django.setup()
    from django.core.management import call_command

    from clee.demo.services import demo_state_load, demo_state_loaded

    call_command("migrate", verbosity=0)
    if demo_state_loaded() is None:
        started = time.perf_counter()
        summary = demo_state_load()
        elapsed = time.perf_counter() - started
        say(f"[portal] demo state loaded in {elapsed:.1f} s: {summary.counts['officers']:,} officers")
    # The planner's statistics, as autovacuum would gather them soon after a load.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def session_cookie(username: str) -> str:
    """A session of ``username`` stored as a sign-in stores it (with its second factor verified,
    for an account that must use one); returns the cookie value."""
    import time as clock

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from clee.accounts.models import User
    from clee.security.middleware import ENROLLED, SEEN, STARTED
    from clee.security.selectors import mfa_required_for

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "clee.accounts.backends.AccountBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[STARTED] = session[SEEN] = int(clock.time())
    session[ENROLLED] = False
    if mfa_required_for(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[ENROLLED] = True
    session.create()
    assert session.session_key is not None
    return session.session_key


def browser_cookies(username: str) -> str:
    """The Cookie header of a browser signed in as ``username``: its session, and the CSRF
    cookie its first page set (a fresh secret, as Django makes one)."""
    from django.conf import settings
    from django.utils.crypto import get_random_string

    return f"sessionid={session_cookie(username)}; {settings.CSRF_COOKIE_NAME}={get_random_string(32)}"


def bench_users(count: int) -> dict[str, list[str]]:
    """``count`` officers and ``count`` administrators of different agencies: the demo's own
    accounts, and accounts made here (in the benchmark's database only) for the rest."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from clee.accounts.models import User
    from clee.agencies.models import Agency
    from clee.officers.models import Officer

    officers = ["demo.officer"]
    linked = User.objects.exclude(officer=None).values("officer_id")
    for number, officer in enumerate(Officer.objects.exclude(pk__in=linked).order_by("pk")[: count - 1]):
        user, _ = User.objects.get_or_create(
            username=f"bench.officer.{number}",
            defaults={"role": User.Role.OFFICER, "officer": officer, "password": make_password(None)},
        )
        officers.append(user.username)
    administrators = ["demo.agency"]
    demo_agency = User.objects.get(username="demo.agency").agency_id
    busiest = (
        Agency.objects.exclude(pk=demo_agency)
        .annotate(officers=Count("commissions"))
        .order_by("-officers", "pk")[: count - 1]
    )
    for number, agency in enumerate(busiest):
        user, _ = User.objects.get_or_create(
            username=f"bench.agency.{number}",
            defaults={"role": User.Role.AGENCY_ADMIN, "agency": agency, "password": make_password(None)},
        )
        administrators.append(user.username)
    return {"officer": officers, "agency": administrators}


def start_gunicorn(port: int, workers: int, url: str, *, page_cache: bool) -> subprocess.Popen[bytes]:
    environment = {
        "CLEE_PAGE_CACHE": "1" if page_cache else "0",
        **os.environ,
        "CLEE_ENV": "production",
        "CLEE_SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": url,
        "CLEE_ALLOWED_HOSTS": "127.0.0.1",
        "CLEE_DEMO": "1",
        "CLEE_MFA_REQUIRED": "1",
        "CLEE_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "clee.config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=1) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not answer within 30 s")


def fetch(url: str, cookie: str | None) -> tuple[int, str]:  # cookie: a Cookie header
    """The status and body of a GET, without following redirects (a redirect to sign-in must
    not pass for a fast page)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def run_wrk(url: str, cookies: list[str], connections: int, duration: int, script: Path) -> dict[str, float]:
    """``wrk`` on ``url``, each request with the next of ``cookies`` (Cookie headers) in turn."""
    rotation = "\n".join(
        [
            "cookies = {" + ", ".join(f"[[{cookie}]]" for cookie in cookies) + "}",
            "turn = 0",
            "request = function()",
            "  if #cookies == 0 then return wrk.format(nil, nil) end",
            "  turn = turn % #cookies + 1",
            '  return wrk.format(nil, nil, {["Cookie"] = cookies[turn]})',
            "end",
        ]
    )
    script.write_text(WRK_SCRIPT + rotation + "\n")
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "-s",
        str(script),
        "--timeout",
        "5s",
    ]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    found = re.search(
        r"CLEE requests=(\d+) duration_us=(\d+) p50=(\d+) p95=(\d+) p99=(\d+) errors=(\d+)", output
    )
    if not found:
        raise SystemExit(f"wrk printed no figures:\n{output}")
    requests, duration_us, p50, p95, p99, errors = (int(v) for v in found.groups())
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "errors": errors,
        "requests": requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL"
    )
    parser.add_argument("--database", default="clee_portal_bench")
    parser.add_argument("--reuse", action="store_true", help="measure on the state already built")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--users", type=int, default=16, help="signed-in users per page, taken in turn")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")

    url = f"{args.server}/{args.database}"
    prepare(url, args.reuse)
    users = bench_users(args.users)
    cookies = {role: [browser_cookies(name) for name in names] for role, names in users.items()}
    from django.db import connections

    connections.close_all()

    base = f"http://127.0.0.1:{args.port}"
    hello = ("hello world (/health/)", "/health/", [], "ok")
    pages = [
        ("officer dashboard (/officer/)", "/officer/", cookies["officer"], "Your continuing education"),
        ("agency roster (/agency/)", "/agency/", cookies["agency"], "<h1"),
    ]
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "p95.lua"
        for page_cache in (True, False):
            server = start_gunicorn(args.port, args.workers, url, page_cache=page_cache)
            mode = "page cache" if page_cache else "no page cache"
            try:
                for label, path, page_cookies, expected in [hello, *pages] if page_cache else pages:
                    for cookie in page_cookies or [None]:
                        status, body = fetch(base + path, cookie)
                        if status != 200 or expected not in body:
                            raise SystemExit(f"{label}: answered {status} without {expected!r}: not measured")
                    run_wrk(base + path, page_cookies, args.connections, 2, script)  # warm up both workers
                    name = label if path == "/health/" else f"{label}, {mode}"
                    figures[name] = result = run_wrk(
                        base + path, page_cookies, args.connections, args.duration, script
                    )
                    say(
                        f"[portal] {name}: {result['rps']:,.0f} req/s, p50 {result['p50']:.1f} ms, "
                        f"p95 {result['p95']:.1f} ms, p99 {result['p99']:.1f} ms, "
                        f"errors {result['errors']:.0f}"
                    )
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)

    baseline = figures[hello[0]]
    load = os.getloadavg()[0]
    print(
        f"gunicorn {args.workers} workers, {args.connections} concurrent connections over {args.users} "
        f"signed-in users a page, {args.duration} s per page, PostgreSQL, demo state ({os.cpu_count()} CPUs "
        f"shared by wrk, gunicorn and PostgreSQL; load average {load:.1f}):"
    )
    for name, result in figures.items():
        verdict = ""
        if result is not baseline:
            met = result["rps"] >= TARGET_RPS and result["p95"] < TARGET_P95_MS and result["errors"] == 0
            verdict = (
                f"; {result['rps'] / baseline['rps']:.0%} of hello world's rate; target >= {TARGET_RPS} "
                f"req/s and p95 < {TARGET_P95_MS:.0f} ms: {'met' if met else 'NOT met'}"
            )
        print(
            f"  {name}: {result['rps']:,.0f} req/s, p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
            f"p99 {result['p99']:.1f} ms, {result['errors']:.0f} errors{verdict}"
        )


if __name__ == "__main__":
    main()
