"""Loading the demo state: a synthetic Missouri-like state, the same for the same seed and day.

``demo_state_load`` writes about 120 agencies of every type, 3,000 officers with their
licenses and commissions, providers of every class with approved courses and offerings, and
one account per role, then a believable present for whatever day it is loaded on (``today``,
by default today in the program's time zone):

- the current period (today's year) in progress: records dated up to today only, each
  officer's year of training spread over the year, so most are on track, some are short, a few
  exempt or extended; pending credit requests, extension requests and course submissions;
- the previous period whole: in its grace window (January 1 to March 15), officers still short
  with grace-window training on file that POST staff can apply; after its grace deadline,
  closed, its non-compliant officers in the Director's queue (some already decided), make-up
  training in the grace window (most applied by staff) and after it (waiting for staff);
- two earlier periods behind it, lighter: mostly compliant, the Director's decisions made;
- recognized out-of-state sources renewed for recent years (synthetic citations), so
  out-of-state records count, and a pending request from a source not on the list, marked for
  staff; a rule book draft submitted by POST staff, awaiting the Director;
- the notice calendar's past steps recorded as prepared and sent (nobody is mailed about a step
  long gone when the server starts), every period's results computed and the calendar's phase
  changes recorded, so the calendar and notice jobs find nothing stale to do.

Everything is invented: no real person, agency or record. Writes are bulk: training records go
through ``training_records_add`` like any roster, documents through ``document_store``, the
recognized list, the rule book draft, make-up training, the Director's decisions and the
calendar through their services, and every other row gets an audit row naming the demo loader
account (or the demo account that acted), all in one transaction.

This module holds the entry points and the loader's phases (``_Loader.load``); the loading is
split by concern: ``clee.demo.people`` (agencies, officers, providers, accounts),
``clee.demo.courses`` (courses, offerings, the recognized list), ``clee.demo.records``
(training records, make-up training, requests, extensions) and ``clee.demo.history``
(results, notices, decisions, the rule book draft), over ``clee.demo.loader_base`` (shared
state and helpers) and ``clee.demo.plans`` (sizes, shares, reasons and plain values).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.compliance.calendar import calendar_advance, period_open
from clee.compliance.models import ComplianceResult
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.demo.accounts import DEMO_PASSWORD, LOADER_USERNAME
from clee.demo.history import History
from clee.demo.people import People
from clee.demo.plans import (
    CURRENT,
    DEFAULT_SEED,
    EARLIER,
    EARLIER_YEARS,
    LOADED_ACTION,
    PREVIOUS,
    DemoSize,
    DemoSummary,
    _Year,
)
from clee.demo.records import Records
from clee.officers.models import Officer


def demo_state_loaded() -> AuditEvent | None:
    """The audit row written when the demo state was loaded, or None."""
    return AuditEvent.objects.filter(action=LOADED_ACTION).order_by("-id").first()


def demo_state_refusal() -> str | None:
    """Why the demo state may not be loaded here, or None when it may.

    Invented officers must never mix with real ones: it loads only in demo mode (off by
    default in production) and only into a database that holds no agency or officer yet.
    """
    if demo_state_loaded() is not None:
        return "the demo state is already loaded in this database"
    if not settings.DEMO_MODE:
        return "the demo state loads only in demo mode (CLEE_DEMO=1)"
    officers, agencies = Officer.objects.count(), Agency.objects.count()
    if officers or agencies:
        return (
            f"this database already holds {officers:,} officers and {agencies:,} agencies: "
            "the demo state loads only into an empty database"
        )
    return None


def demo_state_load(
    *,
    seed: int = DEFAULT_SEED,
    size: DemoSize = DemoSize(),
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Load the demo state into an empty database as it would stand on ``today`` (default:
    today in the program's time zone); returns what was written.

    The same ``seed``, ``size`` and ``today`` give the same state. Refused (ServiceError) for
    the reasons of ``demo_state_refusal``, or when the rules have no period for a year shown.
    """
    if size.officers < 20 or size.agencies < 5:
        raise ServiceError("the demo state needs at least 20 officers and 5 agencies")
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        refusal = demo_state_refusal()
        if refusal is not None:
            raise ServiceError(refusal)
        summary = _Loader(seed=seed, size=size, today=today, progress=progress).load()
    summary.seconds = time.perf_counter() - started
    return summary


class _Loader(People, Records, History):
    def __init__(
        self, *, seed: int, size: DemoSize, today: dt.date, progress: Callable[[str], None] | None
    ) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.size = size
        self.today = today
        self.first_year = today.year - 1 - EARLIER_YEARS
        # The moment things happen "now": the real one on the real today, else noon that day.
        if today == timezone.localdate():
            self.now = timezone.now()
        else:
            self.now = timezone.make_aware(dt.datetime.combine(today, dt.time(12, 0)))
        self.progress = progress or (lambda message: None)
        self.counts: Counter[str] = Counter()
        self.places = self._place_names()
        self.password_hash = make_password(DEMO_PASSWORD)
        self.inactivated: set[int] = set()

    def load(self) -> DemoSummary:
        self.loader = User.objects.create(
            username=LOADER_USERNAME,
            first_name="Demo",
            last_name="loader",
            role=User.Role.POST_STAFF,
            is_active=False,
            password=make_password(None),
        )
        self.years: list[_Year] = []
        for number in range(self.first_year, self.today.year + 1):
            period, _ = period_open(year=number, acting_user=self.loader, today=self.today)
            role = {self.today.year: CURRENT, self.today.year - 1: PREVIOUS}.get(number, EARLIER)
            self.years.append(_Year(number, role, period, min(period.ends, self.today)))
        steps: list[tuple[str, Callable[[], None]]] = [
            ("agencies", self._agencies),
            ("officers and commissions", self._officers),
            ("providers", self._providers),
            ("accounts", self._accounts),
            ("recognized out-of-state list", self._recognized_list),
            ("courses and offerings", self._courses),
            ("training records", self._records),
            ("make-up training", self._makeup_training),
            ("credit requests", self._credit_requests),
            ("extensions and exemptions", self._extensions),
            ("recognized out-of-state courses", self._recognized_courses),
            ("upcoming offerings", self._upcoming_offerings),
            ("compliance results", self._results),
            ("make-up training applied", self._makeup_applied),
            ("notices and the Director's decisions", self._history),
            ("rule book draft", self._rule_book_draft),
        ]
        for label, step in steps:
            started = time.perf_counter()
            step()
            self.progress(f"{label}: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        run = calendar_advance(today=self.today)
        self.progress(f"calendar: {time.perf_counter() - started:.1f} s")
        self.counts["period phase changes recorded"] = len(run.transitions)
        periods = {}
        for year in self.years:
            periods[year.year] = {
                row["status"]: row["n"]
                for row in ComplianceResult.objects.filter(period=year.period)
                .values("status")
                .annotate(n=models.Count("id"))
                .order_by("status")
            }
        current = self.current.period
        extended = ComplianceResult.objects.filter(period=current, extended_until__isnull=False).count()
        summary = DemoSummary(
            seed=self.seed,
            year=self.current.year,
            as_of=self.today,
            counts=dict(self.counts),
            statuses=periods[self.current.year],
            extended=extended,
            periods=periods,
        )
        record_event(
            actor=self.loader,
            action=LOADED_ACTION,
            target=current,
            summary=f"demo state loaded (seed {self.seed}, {self.size.officers} officers, "
            f"{self.size.agencies} agencies, as of {self.today})",
            data={
                "seed": self.seed,
                "officers": self.size.officers,
                "agencies": self.size.agencies,
                "year": self.current.year,
                "years": [y.year for y in self.years],
                "as_of": self.today.isoformat(),
                "counts": summary.counts,
                "statuses": summary.statuses,
            },
        )
        return summary
