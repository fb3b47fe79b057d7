"""Pages under load: the officer dashboard and the agency roster, served by gunicorn on
PostgreSQL with the demo state, against a bare hello-world view measured in the same run.

    .venv/bin/python bench/portal_bench.py            # builds the state, then measures
    .venv/bin/python bench/portal_bench.py --reuse    # measures again on the state already built

Needs `wrk` (Debian: apt-get install -y wrk) and PostgreSQL on 127.0.0.1:5432. Uses a database
of its own (``clee_portal_bench``, ``--database``): migrated and loaded with the demo state
(about 3,000 officers in 120 agencies) unless ``--reuse``. Starts gunicorn (``--workers``, 2 by
default) with production settings, signs the demo officer and the demo agency administrator in
(sessions stored as a sign-in would), checks each page answers 200 with its content, then runs
``wrk`` with ``--connections`` (16) concurrent users for ``--duration`` seconds per page and
reports requests per second, p50/p95/p99 latency and the ratio to the hello-world view.
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


def start_gunicorn(port: int, workers: int, url: str) -> subprocess.Popen[bytes]:
    environment = {
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


def fetch(url: str, cookie: str | None) -> tuple[int, str]:
    """The status and body of a GET, without following redirects (a redirect to sign-in must
    not pass for a fast page)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def run_wrk(url: str, cookie: str | None, connections: int, duration: int, script: Path) -> dict[str, float]:
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
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
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
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")

    url = f"{args.server}/{args.database}"
    prepare(url, args.reuse)
    cookies = {"demo.officer": session_cookie("demo.officer"), "demo.agency": session_cookie("demo.agency")}
    from django.db import connections

    connections.close_all()

    base = f"http://127.0.0.1:{args.port}"
    pages = [
        ("hello world (/health/)", "/health/", None, "ok"),
        ("officer dashboard (/officer/)", "/officer/", cookies["demo.officer"], "Your continuing education"),
        ("agency roster (/agency/)", "/agency/", cookies["demo.agency"], "<h1"),
    ]
    server = start_gunicorn(args.port, args.workers, url)
    figures: dict[str, dict[str, float]] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            script = Path(folder) / "p95.lua"
            script.write_text(WRK_SCRIPT)
            for label, path, cookie, expected in pages:
                status, body = fetch(base + path, cookie)
                if status != 200 or expected not in body:
                    raise SystemExit(f"{label}: answered {status} without {expected!r}: not measured")
                run_wrk(base + path, cookie, args.connections, 2, script)  # warm up both workers
                figures[label] = run_wrk(base + path, cookie, args.connections, args.duration, script)
                result = figures[label]
                say(
                    f"[portal] {label}: {result['rps']:,.0f} req/s, p50 {result['p50']:.1f} ms, "
                    f"p95 {result['p95']:.1f} ms, p99 {result['p99']:.1f} ms, errors {result['errors']:.0f}"
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    hello = figures[pages[0][0]]
    load = os.getloadavg()[0]
    print(
        f"gunicorn {args.workers} workers, {args.connections} concurrent users, {args.duration} s per page, "
        f"PostgreSQL, demo state ({os.cpu_count()} CPUs shared by wrk, gunicorn and PostgreSQL; "
        f"load average {load:.1f}):"
    )
    for label, _, _, _ in pages:
        result = figures[label]
        verdict = ""
        if result is not hello:
            met = result["rps"] >= TARGET_RPS and result["p95"] < TARGET_P95_MS and result["errors"] == 0
            verdict = (
                f"; {result['rps'] / hello['rps']:.0%} of hello world's rate; target >= {TARGET_RPS} "
                f"req/s and p95 < {TARGET_P95_MS:.0f} ms: {'met' if met else 'NOT met'}"
            )
        print(
            f"  {label}: {result['rps']:,.0f} req/s, p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
            f"p99 {result['p99']:.1f} ms, {result['errors']:.0f} errors{verdict}"
        )


if __name__ == "__main__":
    main()
