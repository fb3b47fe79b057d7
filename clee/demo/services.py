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
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.compliance.calendar import calendar_advance, period_open
from clee.compliance.decisions import license_decide
from clee.compliance.makeup import makeup_candidates, training_apply_to_period
from clee.compliance.models import (
    ComplianceResult,
    Exemption,
    Extension,
    LicenseDecision,
    RecognizedSource,
    ReportingPeriod,
)
from clee.compliance.publishing import rule_book_draft_create, rule_book_submit
from clee.compliance.recognized import recognition_issue, recognized_source_add
from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.compliance.rulebooks import version_in_force
from clee.compliance.selectors import decision_queue
from clee.core.actions import AuditAction
from clee.core.audit import record_event, record_events, record_events_by_id
from clee.core.choices import ProviderCredit, Source
from clee.core.documents import document_store
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent, Document
from clee.demo import catalog, names
from clee.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, LOADER_USERNAME
from clee.demo.pdf import tiny_pdf
from clee.notices.models import Notice
from clee.notices.services import notice_calendar, notices_prepare
from clee.officers.models import Commission, LicenseStatus, LicenseStatusChange, LicenseUpgrade, Officer
from clee.providers.models import (
    Course,
    CourseDocument,
    CoursePortion,
    Offering,
    OfferingInstructor,
    Provider,
    RecognizedCourse,
)
from clee.training.models import CreditRequest, RequestDocument
from clee.training.services import LineSpec, RecordEntry

LOADED_ACTION = AuditAction.DEMO_LOADED
DEFAULT_SEED = 2025
CREATED = "created by the demo state loader"
# Periods behind the previous one, lighter: mostly compliant, the Director's decisions made.
EARLIER_YEARS = 2

CURRENT, PREVIOUS, EARLIER = "current", "previous", "earlier"

# Who is who in the demo state: shares of officers by the outcome their records are built
# for. The stored status comes from the engine, not from this label. In the current period
# these are the year's plans; only what is dated up to today is on file.
PROFILE_SHARES = (
    ("compliant", 0.59),
    ("compliant_cbt", 0.03),  # more than 22 computer-based hours: the cap binds, still compliant
    ("nearly_total", 0.09),  # every minimum met, 1 to 4 hours short of 24
    ("nearly_topic", 0.05),  # 24 hours or more, one topic hour missing
    ("cbt_short", 0.02),  # only computer-based hours: capped at 22, no live firearms
    ("deficient", 0.14),
    ("extended", 0.035),  # deficient, with an extension granted
    ("exempt_new", 0.03),  # licensed (after basic training) this period
    ("exempt_upgrade", 0.01),  # license upgraded this period
    ("exempt_manual", 0.005),  # exempted by POST
)
# A whole period behind: most officers finished; officers licensed in it are exempt by their
# license date (not drawn).
PAST_SHARES = {
    PREVIOUS: (
        ("compliant", 0.8),
        ("compliant_cbt", 0.03),
        ("nearly_total", 0.04),
        ("nearly_topic", 0.02),
        ("cbt_short", 0.01),
        ("deficient", 0.05),
        ("extended", 0.02),
        ("exempt_upgrade", 0.01),
        ("exempt_manual", 0.005),
    ),
    EARLIER: (
        ("compliant", 0.925),
        ("compliant_cbt", 0.03),
        ("nearly_total", 0.01),
        ("deficient", 0.01),
        ("extended", 0.01),
        ("exempt_upgrade", 0.01),
        ("exempt_manual", 0.005),
    ),
}
# Profiles whose period ends short: the ones who may take make-up training after it.
SHORT_PROFILES = ("nearly_total", "nearly_topic", "cbt_short", "deficient", "nearly_demo")
NEED_MINIMUM = {
    "legal": 2.0,
    "technical": 2.0,
    "interpersonal": 2.0,
    "firearms": 2.0,
    catalog.RP: 1.0,
    catalog.IB: 1.0,
    catalog.DE: 1.0,
}
AREA_NEED = {
    catalog.LEGAL: "legal",
    catalog.TECHNICAL: "technical",
    catalog.INTERPERSONAL: "interpersonal",
}
TOPIC_NEEDS = (catalog.RP, catalog.IB, catalog.DE)
# The demo's out-of-state training providers (their courses were approved while seed 000's
# list ran, 2021 to 2023).
OUT_OF_STATE_SOURCES = (("AR", "Arkansas"), ("IL", "Illinois"), ("KY", "Kentucky"), ("TN", "Tennessee"))
OUT_OF_STATE_WINDOW = (dt.date(2021, 1, 1), dt.date(2023, 12, 31))
# The recognized list POST staff renewed in the demo (an invented citation: nothing real).
DEMO_RECOGNIZED = ("AR", "IADLEST", "IL", "KY", "MN", "TN", "TX")
DEMO_RECOGNITION_REFERENCE = "Demo: reciprocity memo (synthetic)"
# A source the demo's list does not recognize: its request reaches staff marked.
UNLISTED_SOURCE = ("IA", "Hawkeye Regional Public Safety Academy", "Rural Patrol Tactics Seminar")
EXEMPTION_REASONS = (
    "On extended medical leave for the whole period (POST decision)",
    "Deployed on military orders for the whole period (POST decision)",
)
EXTENSION_EXPLANATIONS = {
    Extension.Reason.MEDICAL: "Surgery and recovery kept the officer off duty for four months.",
    Extension.Reason.MILITARY: "Reserve deployment from spring to late autumn.",
}
MAKEUP_REASON = "Training completed after the period shows the missing hours (11 CSR 75-15.080(2))"
KEEP_REASONS = (
    "The agency confirms the missing hours are scheduled; license kept active.",
    "The shortfall was shown soon after the deadline; no action at the Director's discretion.",
    "Documented leave explains the shortfall; license kept active.",
)
INACTIVATE_REASON = "Not commissioned and no training shown after the final notice."
# The rule book change the demo's POST staff submitted (invented): live firearms hours raised.
DRAFT_REFERENCE = "Demo: proposed amendment (synthetic), live firearms training raised to 4 hours"


@dataclass(frozen=True)
class DemoSize:
    officers: int = 3000
    agencies: int = 120


@dataclass
class DemoSummary:
    seed: int
    year: int
    as_of: dt.date
    counts: dict[str, int]
    statuses: dict[str, int]
    extended: int
    # Every period's stored results by status, oldest first.
    periods: dict[int, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class _CourseInfo:
    """A course as the planner sees it: what it covers and when it can be taken."""

    id: int
    title: str
    hours: Decimal
    delivery: str
    credit_class: str
    covers: dict[str, float]
    lines: tuple[LineSpec, ...]
    # Each year's offerings as (ends_on, offering id), by date.
    offerings: dict[int, list[tuple[dt.date, int]]] = field(default_factory=dict)
    # Read thousands of times a plan: kept as plain values.
    live: bool = field(init=False)
    amount: float = field(init=False)

    def __post_init__(self) -> None:
        self.live = self.delivery == catalog.LIVE
        self.amount = float(self.hours)


@dataclass
class _Year:
    """A period the demo fills: its role, and the last day its records may be dated."""

    year: int
    role: str
    period: ReportingPeriod
    last_day: dt.date

    @property
    def starts(self) -> dt.date:
        return self.period.starts

    @property
    def ends(self) -> dt.date:
        return self.period.ends


@dataclass
class _OfficerPlan:
    profile: str  # the current period's
    agencies: list[int]  # indexes of the agencies commissioning the officer now
    officer: Officer
    # The profile of each period the officer was licensed for, and the hours recorded in it.
    years: dict[int, str] = field(default_factory=dict)
    hours: dict[int, float] = field(default_factory=dict)


@dataclass
class _Makeup:
    """Training an officer short for a period took after it: in its grace window or later."""

    plan: _OfficerPlan
    year: _Year
    grace: bool
    entries: list[RecordEntry]


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


def _allocate(total: int, shares: Sequence[tuple[str, float]]) -> list[str]:
    """``total`` labels split by ``shares`` (largest remainder), each at least once."""
    exact = [(label, total * share) for label, share in shares]
    counts = {label: max(1, math.floor(value)) for label, value in exact}
    by_remainder = sorted(exact, key=lambda item: item[1] - math.floor(item[1]), reverse=True)
    index = 0
    while sum(counts.values()) < total:
        counts[by_remainder[index % len(by_remainder)][0]] += 1
        index += 1
    while sum(counts.values()) > total:
        counts[shares[0][0]] -= 1
    return [label for label, _ in shares for _ in range(counts[label])]


def _covers(info: _CourseInfo, *, need: str) -> bool:
    return bool(info.covers.get(need))


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.replace("-", " ").split() if word[0].isalpha()).upper()[:5]


def _draft_text(text: str, year: int) -> str:
    """The rule book ``text`` with live firearms hours raised to 4 from ``year`` (the demo's
    proposed change): a dated entry appended to the firearms requirement's history. Like a copy
    made in the portal, it carries no version number (publication gives it one)."""
    text = re.sub(r"^version: *\d+ *\n", "", text, count=1, flags=re.MULTILINE)
    block = re.search(r"^  - key: firearms\n(?:(?!  - key: ).*\n)*?    minimum:\n(?:      .*\n)+", text, re.M)
    if block is None:
        raise ServiceError("the rule book in force has no firearms requirement: the demo draft needs one")
    entry = f'      - value: 4\n        from: {year}-01-01\n        reference: "{DRAFT_REFERENCE}"\n'
    return text[: block.end()] + entry + text[block.end() :]


class _Loader:
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

    # -- small helpers -------------------------------------------------------------------

    def _place_names(self) -> list[str]:
        pairs = [
            head + tail
            for head in names.PLACE_HEADS
            for tail in names.PLACE_TAILS
            if tail not in head.lower() and head.lower()[-1] != tail[0]
        ]
        self.rng.shuffle(pairs)
        return pairs

    def _place(self) -> str:
        return self.places.pop()

    def _day(self, first: dt.date, last: dt.date) -> dt.date:
        if last <= first:
            return first
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def _moment(self, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(9 + self.rng.randint(0, 7), self.rng.randint(0, 59)))
        return min(timezone.make_aware(moment), self.now)

    def _audit(self, action: AuditAction, targets: Sequence[models.Model], what: str) -> None:
        record_events(actor=self.loader, action=action, targets=list(targets), summary=f"{what} {CREATED}")
        self.counts["audit rows"] += len(targets)

    def _document(self, name: str, title: str, lines: Sequence[str]) -> Document:
        self.counts["documents"] += 1
        return document_store(content=tiny_pdf(title, lines), original_name=name, actor=self.loader)

    def _offering(self, course: Course, starts: dt.date, days: int, where: str) -> Offering:
        """An offering of ``days`` days from ``starts``, somewhere on a street of the place."""
        return Offering(
            course=course,
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=days - 1),
            location=f"{where}, {self.rng.choice(names.STREETS)}",
        )

    @property
    def current(self) -> _Year:
        return self.years[-1]

    @property
    def previous(self) -> _Year:
        return self.years[-2]

    def _closed(self, year: _Year) -> bool:
        return bool(self.today > year.period.grace_deadline)

    # -- the phases ----------------------------------------------------------------------

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

    def _agencies(self) -> None:
        rng = self.rng
        kinds = [Agency.Type.POLICE, Agency.Type.SHERIFF, Agency.Type.STATE, Agency.Type.UNIVERSITY]
        kinds.append(Agency.Type.OTHER)
        weights = {"police": 0.56, "sheriff": 0.26, "state": 0.05, "university": 0.07, "other": 0.06}
        size_factor = {"police": 1.0, "sheriff": 1.3, "state": 4.0, "university": 0.4, "other": 0.3}
        chosen = kinds + rng.choices(kinds, weights=[weights[k] for k in kinds], k=self.size.agencies - 5)
        state_names = list(names.STATE_AGENCIES)
        rng.shuffle(state_names)
        oris: set[str] = set()
        agencies: list[Agency] = []
        self.agency_weights: list[float] = []
        self.agency_town: list[str] = []
        for kind in chosen:
            town = self._place()
            if kind == Agency.Type.POLICE:
                name = f"{town} Police Department"
            elif kind == Agency.Type.SHERIFF:
                name = f"{town} County Sheriff's Office"
            elif kind == Agency.Type.STATE:
                name = state_names.pop() if state_names else f"State Investigations Bureau, {town} Region"
            elif kind == Agency.Type.UNIVERSITY:
                name = rng.choice(
                    [f"{town} State University Police", f"University of {town} Police Department"]
                )
            else:
                name = rng.choice(
                    [
                        f"{town} Airport Police",
                        f"{town} School District Police",
                        f"{town} County Prosecutor's Investigators",
                        f"{town} Park Rangers",
                    ]
                )
            ori = f"MO{rng.randint(1, 229):03d}{rng.randint(0, 9999):04d}"
            while ori in oris:
                ori = f"MO{rng.randint(1, 229):03d}{rng.randint(0, 9999):04d}"
            oris.add(ori)
            agencies.append(Agency(ori=ori, name=name, agency_type=kind))
            self.agency_weights.append(rng.lognormvariate(0, 0.9) * size_factor[kind])
            self.agency_town.append(town)
        self.agencies = Agency.objects.bulk_create(agencies)
        self._audit(AuditAction.AGENCY_CREATE, self.agencies, "agency")
        self.counts["agencies"] = len(self.agencies)

    def _officers(self) -> None:
        rng = self.rng
        count = self.size.officers
        profiles = _allocate(count, PROFILE_SHARES)
        rng.shuffle(profiles)
        numbers = sorted(rng.sample(range(1_000_000, 10_000_000), count))
        rng.shuffle(numbers)
        cumulative = []
        running = 0.0
        for weight in self.agency_weights:
            running += weight
            cumulative.append(running)
        agency_indexes = range(len(self.agencies))
        plans: list[_OfficerPlan] = []
        commissions: list[tuple[int, int, dt.date, dt.date | None]] = []  # officer, agency, start, end
        for index, (profile, number) in enumerate(zip(profiles, numbers, strict=True)):
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            if profile == "exempt_new":
                licensed_on = self._day(self.current.starts, self.today)
                basic_on: dt.date | None = licensed_on - dt.timedelta(days=rng.randint(3, 20))
            else:
                years_ago = min(rng.randint(1, 32), rng.randint(1, 32))
                licensed_on = self._day(
                    dt.date(self.today.year - years_ago, 1, 1), dt.date(self.today.year - years_ago, 12, 31)
                )
                basic_on = (
                    licensed_on - dt.timedelta(days=rng.randint(5, 60)) if rng.random() < 0.85 else None
                )
            born = licensed_on - dt.timedelta(days=rng.randint(21, 40) * 365 + rng.randint(0, 364))
            officer = Officer(
                license_number=f"P{number:07d}",
                first_name=first,
                last_name=last,
                date_of_birth=born,
                email=f"{first}.{last}.{number % 10_000:04d}@example.test".lower(),
                licensed_on=licensed_on,
                basic_training_completed_on=basic_on,
            )
            employment = rng.random() if profile != "exempt_new" else 0.5
            primary = rng.choices(agency_indexes, cum_weights=cumulative)[0]
            current: list[int] = []
            if employment < 0.08:
                # Not commissioned now; the license stays active (it expires after five years).
                start = self._day(licensed_on, licensed_on + dt.timedelta(days=60))
                end = self._day(
                    max(start, self.today - dt.timedelta(days=4 * 365)), self.today - dt.timedelta(days=30)
                )
                commissions.append((index, primary, start, max(start, end)))
            else:
                start = self._day(licensed_on, min(self.today, licensed_on + dt.timedelta(days=3650)))
                if (start - licensed_on).days > 400 and rng.random() < 0.5:
                    earlier = rng.choice(
                        [i for i in (primary - 1, primary + 1) if 0 <= i < len(self.agencies)]
                    )
                    first_start = licensed_on + dt.timedelta(days=rng.randint(0, 60))
                    commissions.append(
                        (index, earlier, first_start, start - dt.timedelta(days=rng.randint(1, 45)))
                    )
                commissions.append((index, primary, start, None))
                current.append(primary)
                if employment > 0.93:
                    second = rng.choices(agency_indexes, cum_weights=cumulative)[0]
                    if second != primary:
                        commissions.append((index, second, self._day(start, self.today), None))
                        current.append(second)
            plans.append(_OfficerPlan(profile, current, officer))
        self._past_profiles(plans)
        self._choose_demo_officer(plans, commissions)
        self.officer_plans = plans
        officers = Officer.objects.bulk_create([plan.officer for plan in plans], batch_size=2000)
        LicenseStatusChange.objects.bulk_create(
            [
                LicenseStatusChange(
                    officer=officer,
                    from_status="",
                    to_status=LicenseStatus.ACTIVE,
                    effective_on=officer.licensed_on,
                    reason="licensed",
                    changed_by=self.loader,
                )
                for officer in officers
            ],
            batch_size=2000,
        )
        upgrades = LicenseUpgrade.objects.bulk_create(
            [
                LicenseUpgrade(
                    officer=plan.officer,
                    upgraded_on=self._day(year.starts, year.last_day),
                    description="Class B to Class A peace officer license",
                )
                for year in self.years
                for plan in plans
                if plan.years.get(year.year) == "exempt_upgrade"
            ]
        )
        rows = Commission.objects.bulk_create(
            [
                Commission(officer=plans[o].officer, agency=self.agencies[a], start=start, end=end)
                for o, a, start, end in commissions
            ],
            batch_size=2000,
        )
        self._audit(AuditAction.OFFICER_CREATE, officers, "officer licensed")
        self._audit(AuditAction.OFFICER_LICENSE_UPGRADE, [u.officer for u in upgrades], "license upgrade")
        self._audit(AuditAction.COMMISSION_START, rows, "commission")
        self.counts.update(officers=len(officers), commissions=len(rows))

    def _past_profiles(self, plans: list[_OfficerPlan]) -> None:
        """Each officer's profile for every period shown: none before the year of the license,
        exempt in it, otherwise drawn from the shares of a whole period behind."""
        for plan in plans:
            licensed = plan.officer.licensed_on.year
            for year in self.years:
                if year.year < licensed:
                    continue
                if year.year == licensed:
                    plan.years[year.year] = "exempt_new"
                elif year.role == CURRENT:
                    plan.years[year.year] = plan.profile
                else:
                    labels, weights = zip(*PAST_SHARES[year.role], strict=True)
                    plan.years[year.year] = self.rng.choices(labels, weights=weights)[0]

    def _choose_demo_officer(
        self, plans: list[_OfficerPlan], commissions: list[tuple[int, int, dt.date, dt.date | None]]
    ) -> None:
        """A mid-sized police department for the agency account, and in it an officer a few
        hours short for the officer account."""
        sizes = Counter(a for plan in plans for a in plan.agencies)
        target = max(8.0, 1.5 * len(plans) / len(self.agencies))
        police = [i for i, a in enumerate(self.agencies) if a.agency_type == Agency.Type.POLICE] or list(
            range(len(self.agencies))
        )
        self.admin_agency = min(police, key=lambda i: (abs(sizes[i] - target), i))
        # Licensed before every period shown, so each of them has a story.
        candidates = [
            i
            for i, plan in enumerate(plans)
            if plan.profile == "nearly_total"
            and plan.agencies
            and plan.officer.licensed_on.year < self.first_year
        ]
        inside = [i for i in candidates if self.admin_agency in plans[i].agencies]
        chosen = (inside or candidates or [i for i, plan in enumerate(plans) if plan.agencies])[0]
        plan = plans[chosen]
        if self.admin_agency not in plan.agencies:
            # Move the officer to the chosen agency (nothing is written yet).
            start = next(c[2] for c in commissions if c[0] == chosen and c[3] is None)
            commissions[:] = [c for c in commissions if not (c[0] == chosen and c[3] is None)]
            commissions.append((chosen, self.admin_agency, start, None))
            plan.agencies = [self.admin_agency]
        # A few hours short this period; short last period too, and took training after it
        # (in its grace window) to make it up; compliant before.
        plan.profile = "nearly_demo"
        for year in self.years:
            plan.years[year.year] = "nearly_demo" if year.role != EARLIER else "compliant"
        self.demo_officer_index = chosen

    def _providers(self) -> None:
        rng = self.rng
        providers: list[Provider] = []

        def add(kind: str, name: str, credit: str, prefix: str, **fields: Any) -> Provider:
            number = f"{prefix}-{sum(1 for p in providers if p.kind == kind) + 1:04d}"
            provider = Provider(number=number, name=name, kind=kind, credit_class=credit, **fields)
            providers.append(provider)
            return provider

        approved, licensed = ProviderCredit.APPROVED, ProviderCredit.LICENSED
        regions = list(names.REGIONS)
        rng.shuffle(regions)
        self.academies = [
            add(
                Provider.Kind.LICENSED,
                f"{regions[i % len(regions)]} Regional Law Enforcement Academy",
                approved,
                "LP",
                approved_from=dt.date(self.first_year - rng.randint(5, 25), 1, 1),
            )
            for i in range(max(2, min(6, self.size.agencies // 20)))
        ]
        self.online = add(
            Provider.Kind.LICENSED,
            f"{self._place()} Online Police Training, LLC",
            approved,
            "LP",
            approved_from=dt.date(self.first_year - rng.randint(2, 8), 1, 1),
        )
        largest = sorted(range(len(self.agencies)), key=lambda i: -self.agency_weights[i])
        self.in_service: dict[int, Provider] = {}
        for index in largest[: max(1, round(len(self.agencies) * 0.07))]:
            agency = self.agencies[index]
            self.in_service[index] = add(
                Provider.Kind.IN_SERVICE,
                f"{agency.name} Training Unit",
                licensed,
                "IS",
                agency=agency,
                approved_from=dt.date(self.first_year - rng.randint(1, 8), 1, 1),
                approved_until=dt.date(self.today.year + rng.randint(0, 2), 12, 31),
            )
        self.out_of_state = [
            add(
                Provider.Kind.OUT_OF_STATE,
                f"{self._place()} Public Safety Institute ({state_name})",
                approved,
                "OS",
                state=state,
                approved_from=OUT_OF_STATE_WINDOW[0],
                approved_until=OUT_OF_STATE_WINDOW[1],
            )
            for state, state_name in OUT_OF_STATE_SOURCES
        ]
        self.colleges = [
            add(Provider.Kind.COLLEGE, name, approved, "CO", approved_from=dt.date(2000, 1, 1))
            for name in (
                f"{self._place()} Community College",
                f"{regions[-1]} State University",
                f"{self._place()} Technical College",
            )
        ]
        self.military = [
            add(Provider.Kind.MILITARY, name, licensed, "MIL", approved_from=dt.date(2010, 1, 1))
            for name in (
                f"Fort {self._place()} Military Police School",
                f"{self._place()} Air National Guard Security Forces Squadron",
            )
        ]
        Provider.objects.bulk_create(providers)
        self._audit(AuditAction.PROVIDER_CREATE, providers, "provider")
        self.counts["providers"] = len(providers)

    def _accounts(self) -> None:
        rng = self.rng
        demo_officer = self.officer_plans[self.demo_officer_index].officer
        links: dict[str, dict[str, Any]] = {
            User.Role.OFFICER: {
                "officer": demo_officer,
                "first_name": demo_officer.first_name,
                "last_name": demo_officer.last_name,
            },
            User.Role.AGENCY_ADMIN: {"agency": self.agencies[self.admin_agency]},
            User.Role.PROVIDER: {"provider": self.academies[0]},
            # The back office admits staff accounts of these two roles (clee.core.admin_site).
            User.Role.POST_STAFF: {"is_staff": True},
            User.Role.DIRECTOR: {"is_staff": True},
        }
        users = []
        for account in DEMO_ACCOUNTS:
            fields = {
                "first_name": rng.choice(names.FIRST_NAMES),
                "last_name": rng.choice(names.LAST_NAMES),
                **links[account.role],
            }
            users.append(
                User(
                    username=account.username,
                    email=f"{account.username}@example.test",
                    role=account.role,
                    password=self.password_hash,
                    **fields,
                )
            )
        User.objects.bulk_create(users)
        self.users = {user.role: user for user in users}
        self._audit(AuditAction.ACCOUNT_CREATE, users, "demo account")

    def _courses(self) -> None:
        rng = self.rng
        staff, provider_user = self.users[User.Role.POST_STAFF], self.users[User.Role.PROVIDER]
        placed: list[tuple[Provider, catalog.CourseTemplate, str]] = []
        for i, template in enumerate(catalog.ACADEMY_COURSES):
            placed.append((self.academies[i % len(self.academies)], template, "approved"))
        placed += [(self.online, template, "approved") for template in catalog.ONLINE_COURSES]
        firearms = catalog.IN_SERVICE_COURSES[0]
        for provider in self.in_service.values():
            others = rng.sample(catalog.IN_SERVICE_COURSES[1:], 2)
            placed += [
                (provider, t, "approved") for t in ([firearms, others[0]] if rng.random() < 0.7 else others)
            ]
        for provider, template in zip(self.out_of_state, catalog.OUT_OF_STATE_COURSES, strict=False):
            placed.append((provider, template, "expired"))
        pending = catalog.PENDING_COURSES
        placed += [(self.academies[0], pending[0], "pending"), (self.academies[0], pending[1], "pending")]
        placed += [(self.online, pending[2], "pending"), (self.academies[0], pending[3], "pending")]
        placed.append((self.academies[1], catalog.DENIED_COURSE, "denied"))

        courses: list[Course] = []
        numbers: Counter[int] = Counter()
        for provider, template, state in placed:
            numbers[provider.pk] += 1
            course = Course(
                provider=provider,
                number=f"{_initials(provider.name)}-{100 + numbers[provider.pk]}",
                title=template.title,
                hours=Decimal(template.hours),
                delivery=template.delivery,
                synopsis=template.synopsis
                or f"{template.title}: {template.hours} hours of continuing education.",
                learning_objectives="Apply current law, policy and practice in the field.",
            )
            submitter = provider_user if provider == self.academies[0] else None
            if state in ("approved", "expired", "denied"):
                if state == "approved":
                    # Approved before the first period shown: every record of the periods is valid.
                    first_day = dt.date(self.first_year - rng.randint(0, 4), 1, 1)
                    decided = first_day - dt.timedelta(days=rng.randint(10, 60))
                    course.status = Course.Status.APPROVED
                    course.approved_from = decided + dt.timedelta(days=rng.randint(1, 9))
                    course.approved_until = rng.choice(
                        [None, dt.date(self.today.year + 1, 12, 31), dt.date(self.today.year + 2, 12, 31)]
                    )
                elif state == "expired":
                    decided = OUT_OF_STATE_WINDOW[0] - dt.timedelta(days=rng.randint(10, 60))
                    course.status = Course.Status.APPROVED
                    course.approved_from, course.approved_until = OUT_OF_STATE_WINDOW
                else:
                    decided = self.today - dt.timedelta(days=rng.randint(5, 30))
                    course.status = Course.Status.DENIED
                    course.decision_reason = catalog.DENIED_REASON
                course.submitted_by = submitter
                course.submitted_at = self._moment(decided - dt.timedelta(days=rng.randint(14, 45)))
                course.decided_by = staff
                course.decided_at = self._moment(decided)
            else:
                course.status = Course.Status.PENDING
                course.submitted_by = submitter or self.loader
                course.submitted_at = self.now - dt.timedelta(
                    days=rng.randint(1, 25), hours=rng.randint(0, 12)
                )
            courses.append(course)
        Course.objects.bulk_create(courses)
        CoursePortion.objects.bulk_create(
            [
                CoursePortion(
                    course=course,
                    core_area=portion.core_area,
                    subject=portion.subject,
                    hours=Decimal(portion.hours),
                    topics=dict(portion.topics),
                )
                for course, (_, template, _) in zip(courses, placed, strict=True)
                for portion in template.portions
            ]
        )
        self._audit(AuditAction.COURSE_CREATE, courses, "course")
        self.counts["courses"] = len(courses)
        self.counts["approved courses"] = sum(1 for c in courses if c.status == Course.Status.APPROVED)
        self.counts["pending course submissions"] = sum(
            1 for c in courses if c.status == Course.Status.PENDING
        )

        course_documents = []
        for course in courses:
            if course.status not in (Course.Status.PENDING, Course.Status.DENIED):
                continue
            for kind, title in (
                (CourseDocument.Kind.SYNOPSIS, "Course synopsis"),
                (CourseDocument.Kind.SAMPLE_CERTIFICATE, "Sample certificate of completion"),
            ):
                document = self._document(
                    f"{course.number} {kind.label.lower()}.pdf",
                    f"{title}: {course.title}",
                    [course.provider.name, f"Course {course.number}, {course.hours} hours", course.synopsis],
                )
                course_documents.append(CourseDocument(course=course, kind=kind, document=document))
        CourseDocument.objects.bulk_create(course_documents)

        self.instructors = [
            plan.officer
            for plan in self.rng.sample(self.officer_plans, max(5, len(self.officer_plans) // 50))
            if plan.profile.startswith("compliant")
        ] or [self.officer_plans[0].officer]
        self._offerings(courses, placed)

    def _offerings(
        self, courses: list[Course], placed: list[tuple[Provider, catalog.CourseTemplate, str]]
    ) -> None:
        rng = self.rng
        offerings: list[Offering] = []
        self.course_infos: list[_CourseInfo] = []
        self.in_service_courses: dict[int, list[_CourseInfo]] = {}
        self.courses_by_id = {course.id: course for course in courses}
        for course, (provider, template, state) in zip(courses, placed, strict=True):
            if state != "approved":
                continue
            covers: Counter[str] = Counter()
            lines = []
            for portion in template.portions:
                if portion.core_area in AREA_NEED:
                    covers[AREA_NEED[portion.core_area]] += portion.hours
                if portion.subject == catalog.FIREARMS and template.delivery == catalog.LIVE:
                    covers["firearms"] += portion.hours
                for topic, topic_hours in portion.topics:
                    covers[topic] += topic_hours
                lines.append(
                    LineSpec(
                        core_area=portion.core_area,
                        subject=portion.subject,
                        hours=Decimal(portion.hours),
                        topics={topic: float(hours) for topic, hours in portion.topics},
                    )
                )
            info = _CourseInfo(
                id=course.id,
                title=course.title,
                hours=course.hours,
                delivery=course.delivery,
                credit_class=provider.credit_class,
                covers=dict(covers),
                lines=tuple(lines),
            )
            self.course_infos.append(info)
            if provider.kind == Provider.Kind.IN_SERVICE:
                self.in_service_courses.setdefault(provider.agency_id or 0, []).append(info)
            if course.delivery != catalog.LIVE:
                continue
            days = math.ceil(template.hours / 8)
            host = provider.agency.name if provider.agency else provider.name
            for year in self.years:
                last_start = year.last_day - dt.timedelta(days=days - 1)
                if last_start < year.starts + dt.timedelta(days=3):
                    continue  # a period just begun: no offering has ended yet
                for _ in range(
                    rng.randint(3, 8) if provider.kind == Provider.Kind.LICENSED else rng.randint(2, 4)
                ):
                    starts = self._day(year.starts + dt.timedelta(days=3), last_start)
                    where = rng.choice([host, f"{rng.choice(self.agency_town)} Community Center"])
                    offerings.append(self._offering(course, starts, days, where))
        Offering.objects.bulk_create(offerings, batch_size=2000)
        info_by_id = {info.id: info for info in self.course_infos}
        teaching = []
        for offering in offerings:
            held = info_by_id[offering.course_id].offerings.setdefault(offering.starts_on.year, [])
            bisect.insort(held, (offering.ends_on, offering.id))
            hours = self.courses_by_id[offering.course_id].hours
            for officer in rng.sample(self.instructors, min(len(self.instructors), rng.randint(1, 2))):
                teaching.append(
                    OfferingInstructor(
                        offering=offering,
                        officer=officer,
                        hours_taught=hours,
                    )
                )
        OfferingInstructor.objects.bulk_create(teaching, batch_size=2000)
        self._audit(AuditAction.OFFERING_CREATE, offerings, "offering")
        self.counts["offerings"] = len(offerings)

    # -- training records ----------------------------------------------------------------

    def _pick(
        self,
        pool: Sequence[_CourseInfo],
        *,
        needs: Sequence[str] = (),
        avoid: frozenset[str] = frozenset(),
        max_total: float | None = None,
        min_total: float = 0.0,
        min_approved: float = 0.0,
        prefer_cbt: float = 0.2,
        min_cbt: float = 0.0,
    ) -> list[_CourseInfo]:
        """Courses from ``pool`` that cover ``needs`` (never a topic in ``avoid``), reach the
        hours asked, and stay within ``max_total``."""
        rng = self.rng
        # A course covering a topic to avoid is never a candidate; the rest are, once each (the
        # pool may name a course several times: it is the likelier choice).
        usable = [c for c in pool if not (avoid and avoid & c.covers.keys())]
        chosen: list[_CourseInfo] = []
        taken: set[int] = set()
        covered: Counter[str] = Counter()
        totals = {"hours": 0.0, "approved": 0.0, "cbt": 0.0}

        def candidates(test: Callable[[_CourseInfo], Any] | None = None) -> list[_CourseInfo]:
            room = math.inf if max_total is None else max_total - totals["hours"]
            return [c for c in usable if c.id not in taken and c.amount <= room and (test is None or test(c))]

        def add(found: list[_CourseInfo]) -> bool:
            if not found:
                return False
            online = [c for c in found if not c.live]
            live = [c for c in found if c.live]
            group = online if online and (not live or rng.random() < prefer_cbt) else live
            info = rng.choice(group)
            chosen.append(info)
            taken.add(info.id)
            covered.update(info.covers)
            totals["hours"] += info.amount
            totals["cbt"] += 0.0 if info.live else info.amount
            if info.credit_class == ProviderCredit.APPROVED:
                totals["approved"] += info.amount
            return True

        order = list(needs)
        rng.shuffle(order)
        for _ in range(3):
            for need in order:
                if covered[need] < NEED_MINIMUM[need]:
                    add(candidates(functools.partial(_covers, need=need)))
        while totals["approved"] < min_approved and add(
            candidates(lambda c: c.credit_class == ProviderCredit.APPROVED)
        ):
            pass
        while totals["cbt"] < min_cbt and add(candidates(lambda c: not c.live)):
            pass
        while totals["hours"] < min_total and add(candidates()):
            pass
        if max_total is not None:
            while add(candidates()):
                pass
        return chosen

    def _plan(self, plan: _OfficerPlan, profile: str) -> list[_CourseInfo]:
        """The courses an officer of ``profile`` takes in a year."""
        rng = self.rng
        pool = list(self.general_pool)
        for agency_index in plan.agencies:
            # The officer's own agency's in-service courses are the likeliest choice.
            pool += self.in_service_courses.get(self.agencies[agency_index].id, []) * 3
        online = [c for c in self.course_infos if not c.live and c.credit_class == ProviderCredit.APPROVED]
        firearms_live = [c for c in pool if c.live and c.covers.get("firearms")]
        every_need = list(NEED_MINIMUM)
        prefer = rng.choice([0.05, 0.2, 0.35])
        if profile == "compliant":
            return self._pick(
                pool, needs=every_need, min_total=rng.randint(24, 40), min_approved=8, prefer_cbt=prefer
            )
        if profile == "compliant_cbt":
            qualification = self._pick(firearms_live, needs=["firearms"], max_total=4)
            rest = self._pick(
                online, needs=[n for n in every_need if n != "firearms"], min_cbt=rng.randint(24, 28)
            )
            return qualification + rest
        if profile == "cbt_short":
            return self._pick(
                online, needs=[n for n in every_need if n != "firearms"], min_cbt=rng.randint(24, 28)
            )
        if profile == "nearly_total":
            return self._pick(
                pool, needs=every_need, max_total=24 - rng.randint(1, 4), min_approved=8, prefer_cbt=prefer
            )
        if profile == "nearly_topic":
            missing = frozenset([rng.choice(TOPIC_NEEDS)])
            needs = [n for n in every_need if n not in missing]
            return self._pick(pool, needs=needs, avoid=missing, min_total=rng.randint(24, 32), min_approved=8)
        if profile == "nearly_demo":
            needs = [n for n in every_need if n != catalog.DE]
            return self._pick(
                pool, needs=needs, avoid=frozenset([catalog.DE]), max_total=21, min_approved=8, prefer_cbt=0.1
            )
        if profile in ("deficient", "extended"):
            needs = rng.sample(every_need, rng.randint(0, 3))
            return self._pick(pool, needs=needs, max_total=rng.randint(0, 16), prefer_cbt=prefer)
        if profile == "exempt_upgrade":
            return self._pick(pool, needs=every_need, max_total=rng.randint(4, 24), prefer_cbt=prefer)
        return self._pick(pool, max_total=rng.randint(0, 6), prefer_cbt=prefer)

    def _records(self) -> None:
        """Each officer's training in each period shown, by the officer's profile for it. Every
        officer paces the year differently (finishing in the spring, the autumn or at the last
        minute); in the period in progress only what is dated up to today is on file."""
        rng = self.rng
        in_service = {info.id for infos in self.in_service_courses.values() for info in infos}
        self.general_pool = [info for info in self.course_infos if info.id not in in_service]
        entries: list[RecordEntry] = []
        started = time.perf_counter()
        demo_plan = self.officer_plans[self.demo_officer_index]
        for year in self.years:
            span = (year.ends - year.starts).days
            for plan in self.officer_plans:
                profile = plan.years.get(year.year)
                if profile is None:
                    continue
                finish = max(45, span - int(abs(rng.gauss(0, 80))))
                if plan is demo_plan and year.role == CURRENT:
                    # The demo officer keeps pace: most of the year's plan is done by today.
                    finish = max(45, (year.last_day - year.starts).days)
                for info in self._plan(plan, profile):
                    planned = year.starts + dt.timedelta(days=int(rng.random() * finish))
                    if planned > year.last_day:
                        continue  # later this year: not taken yet
                    offering_id, completed_on = self._offering_near(info, year, planned)
                    plan.hours[year.year] = plan.hours.get(year.year, 0.0) + float(info.hours)
                    entries.append(self._course_entry(plan, info, completed_on, offering_id))
        self.progress(f"  planning {len(entries):,} records: {time.perf_counter() - started:.1f} s")
        outcome = training_records_add(
            entries=entries, actor=self.loader, summary=f"training record {CREATED}"
        )
        self.counts["training records"] = len(outcome.record_ids)

    def _offering_near(self, info: _CourseInfo, year: _Year, day: dt.date) -> tuple[int | None, dt.date]:
        """The offering of the course that year that ended nearest ``day`` (and its date), or
        no offering and ``day`` itself (online courses; a year just begun)."""
        held = info.offerings.get(year.year)
        if not held:
            return None, day
        at = bisect.bisect_left(held, (day, 0))
        near = min(held[max(0, at - 1) : at + 1], key=lambda item: abs((item[0] - day).days))
        return near[1], near[0]

    @staticmethod
    def _course_entry(
        plan: _OfficerPlan, info: _CourseInfo, completed_on: dt.date, offering_id: int | None = None
    ) -> RecordEntry:
        return RecordEntry(
            officer_id=plan.officer.id,
            course_id=info.id,
            offering_id=offering_id,
            completed_on=completed_on,
            hours=info.hours,
            source=Source.COURSE,
            credit_class=info.credit_class,
            delivery=info.delivery,
            lines=info.lines,
        )

    def _makeup_training(self) -> None:
        """Officers short for a past period who took training after it: in its grace window
        (January 1 to March 15, 11 CSR 75-15.080(2)) or, later, to show the missing training
        after the grace deadline. Staff apply it to the period (``_makeup_applied``)."""
        rng = self.rng
        self.makeups: list[_Makeup] = []
        demo_plan = self.officer_plans[self.demo_officer_index]
        entries: list[RecordEntry] = []
        for year in self.years:
            if year.role == CURRENT:
                continue
            first = year.ends + dt.timedelta(days=1)
            last = self.today - dt.timedelta(days=1)
            if last < first:
                continue  # the grace window opens today: nothing taken yet
            deadline = year.period.grace_deadline
            short = [p for p in self.officer_plans if p.years.get(year.year) in SHORT_PROFILES]
            share = 0.3 if year.role == PREVIOUS else 0.2
            chosen = rng.sample(short, round(len(short) * share))
            if year.role == PREVIOUS and demo_plan not in chosen:
                chosen.append(demo_plan)
            for plan in chosen:
                after_open = last > deadline + dt.timedelta(days=7)
                grace = plan is demo_plan or not after_open or rng.random() < 0.7
                if grace:
                    window = (first, min(deadline, last))
                else:
                    window = (deadline + dt.timedelta(days=1), min(last, deadline + dt.timedelta(days=200)))
                missing = max(4.0, 24.0 - plan.hours.get(year.year, 0.0))
                courses = self._pick(
                    self.general_pool,
                    needs=list(NEED_MINIMUM),
                    min_total=missing + rng.randint(0, 3),
                    min_approved=4,
                    prefer_cbt=0.4,
                )
                if plan is demo_plan:
                    courses = self._pick(
                        self.general_pool, needs=[catalog.DE], min_total=missing, prefer_cbt=0.9
                    )
                made = [self._course_entry(plan, info, self._day(*window)) for info in courses]
                self.makeups.append(_Makeup(plan, year, grace, made))
                entries += made
        outcome = training_records_add(
            entries=entries, actor=self.loader, summary=f"training record {CREATED}"
        )
        self.counts["make-up training records"] = len(outcome.record_ids)

    # -- credit requests, extensions, exemptions -----------------------------------------

    def _request_documents(self, request: CreditRequest, kinds: Sequence[str]) -> list[RequestDocument]:
        officer, completed = request.officer, request.completed_on
        rows = []
        for kind in kinds:
            label = RequestDocument.Kind(kind).label
            document = self._document(
                f"{officer.last_name.lower()}-{kind}-{request.completed_on:%Y%m%d}.pdf",
                label,
                [
                    f"{officer.full_name}, license {officer.license_number}",
                    f"{request.title} ({request.provider_name or 'courses taught'})",
                    f"Completed {completed:%B} {completed.day}, {completed.year}",
                    "Demonstration document: invented for the CLEE demo state.",
                ],
            )
            rows.append(RequestDocument(request=request, kind=kind, document=document))
        return rows

    def _credit_requests(self) -> None:
        rng = self.rng
        plans = self.officer_plans
        staff = self.users[User.Role.POST_STAFF]
        demo_user = self.users[User.Role.OFFICER]
        # Approved in the last year: college, military and out-of-state credit on the record
        # (the out-of-state sources on the recognized list for their dates).
        compliant = [p for p in plans if p.profile == "compliant"]
        approved_plans = rng.sample(compliant, min(len(compliant), max(3, round(len(plans) * 0.016))))
        approved: list[tuple[CreditRequest, RecordEntry]] = []
        for k, plan in enumerate(approved_plans):
            kind = (CreditRequest.Kind.COLLEGE, CreditRequest.Kind.MILITARY, CreditRequest.Kind.OUT_OF_STATE)[
                k % 3
            ]
            completed_on = self._day(self.today - dt.timedelta(days=330), self.today - dt.timedelta(days=25))
            request = CreditRequest(
                officer=plan.officer,
                kind=kind,
                completed_on=completed_on,
                status=CreditRequest.Status.APPROVED,
                submitted_by=self.loader,
                decided_by=staff,
                decided_at=self._moment(completed_on + dt.timedelta(days=rng.randint(5, 19))),
            )
            state = ""
            if kind == CreditRequest.Kind.OUT_OF_STATE:
                source, title, split = rng.choice(catalog.RECOGNIZED_COURSES)
                request.title, request.state = title, source
                request.provider_name = catalog.RECOGNIZED_SOURCE_PROVIDERS[source]
                request.hours = Decimal(sum(h for _, h in split))
                request.decision_reason = "Approved with the recommended split (recognized source)."
                state, hours = source, request.hours
                credit_class, record_source = ProviderCredit.APPROVED, Source.OUT_OF_STATE
            else:
                college = kind == CreditRequest.Kind.COLLEGE
                title, split = rng.choice(catalog.COLLEGE_CLAIMS if college else catalog.MILITARY_CLAIMS)
                hours = Decimal(sum(h for _, h in split))
                request.title = title
                request.hours = None if college else hours
                request.semester_hours = hours / 2 if college else None
                request.provider_name = rng.choice(self.colleges if college else self.military).name
                request.decision_reason = (
                    "Approved as shown on the transcript." if college else "Eligible (Director)."
                )
                credit_class = ProviderCredit.APPROVED if college else ProviderCredit.LICENSED
                record_source = Source.COLLEGE if college else Source.MILITARY
            entry = RecordEntry(
                officer_id=plan.officer.id,
                completed_on=completed_on,
                hours=hours,
                source=record_source,
                credit_class=credit_class,
                delivery=catalog.LIVE,
                lines=tuple(LineSpec(core_area=a, hours=Decimal(h)) for a, h in split),
                description=request.title,
                state=state,
                semester_hours=request.semester_hours,
            )
            approved.append((request, entry))
        outcome = training_records_add(
            entries=[entry for _, entry in approved], actor=staff, summary="credit request approved"
        )
        for (request, _), record_id in zip(approved, outcome.record_ids, strict=True):
            request.record_id = record_id
        self.counts["training records"] += len(outcome.record_ids)

        # Awaiting review: every kind, from officers who are short (and instructors).
        short = [p for p in plans if p.profile in ("nearly_total", "nearly_topic", "deficient", "extended")]
        kinds = list(CreditRequest.Kind)
        pending_count = max(len(kinds), round(len(plans) * 0.015))
        chosen = rng.sample(short, min(len(short), pending_count - 1))
        pending: list[CreditRequest] = []
        demo_plan = plans[self.demo_officer_index]
        for k, plan in enumerate([demo_plan, *chosen]):
            kind = kinds[k % len(kinds)]
            officer = plan.officer
            if kind == CreditRequest.Kind.INSTRUCTION:
                officer = rng.choice(self.instructors)
            completed_on = self._day(self.today - dt.timedelta(days=120), self.today - dt.timedelta(days=3))
            request = CreditRequest(
                officer=officer,
                kind=kind,
                completed_on=completed_on,
                status=CreditRequest.Status.SUBMITTED,
                submitted_by=demo_user if plan is demo_plan else self.loader,
            )
            if kind == CreditRequest.Kind.OUT_OF_STATE:
                source, request.title, split = rng.choice(catalog.RECOGNIZED_COURSES)
                request.state, request.provider_name = source, catalog.RECOGNIZED_SOURCE_PROVIDERS[source]
                request.hours = Decimal(sum(h for _, h in split))
                request.details = "Attended while assigned to a multi-state task force."
            elif kind == CreditRequest.Kind.COLLEGE:
                request.title = rng.choice(catalog.COLLEGE_CLAIMS)[0]
                request.semester_hours = Decimal(3)
                request.provider_name = rng.choice(self.colleges).name
                request.details = "Three-credit course, grade B or better."
            elif kind == CreditRequest.Kind.MILITARY:
                title, split = rng.choice(catalog.MILITARY_CLAIMS)
                request.title, request.hours = title, Decimal(sum(h for _, h in split))
                request.provider_name = rng.choice(self.military).name
                request.details = "Completed during annual training."
            else:
                info = rng.choice([c for c in self.course_infos if c.live])
                request.title, request.hours = f"Taught: {info.title}", info.hours
                request.details = "Lead instructor for the whole course."
            pending.append(request)
        # One from a source the recognized list does not name for its date: never refused,
        # it reaches staff marked with the reason.
        state, provider_name, title = UNLISTED_SOURCE
        completed_on = self._day(self.today - dt.timedelta(days=90), self.today - dt.timedelta(days=5))
        pending.append(
            CreditRequest(
                officer=rng.choice(chosen or [demo_plan]).officer,
                kind=CreditRequest.Kind.OUT_OF_STATE,
                title=title,
                completed_on=completed_on,
                hours=Decimal(8),
                state=state,
                provider_name=provider_name,
                details="Two-day seminar across the state line, certified by that state's POST.",
                status=CreditRequest.Status.SUBMITTED,
                submitted_by=self.loader,
                recognition_issue=recognition_issue(state, completed_on)[:300],
            )
        )
        for request in pending:
            if request.kind == CreditRequest.Kind.OUT_OF_STATE and not request.recognition_issue:
                request.recognition_issue = recognition_issue(request.state, request.completed_on)[:300]
        requests = [request for request, _ in approved] + pending
        CreditRequest.objects.bulk_create(requests)
        documents: list[RequestDocument] = []
        for request in requests:
            documents += self._request_documents(request, _REQUEST_DOCUMENTS[str(request.kind)])
        RequestDocument.objects.bulk_create(documents)
        self._audit(AuditAction.TRAINING_CREDIT_REQUEST_SUBMIT, requests, "credit request")
        self.counts["credit requests awaiting review"] = len(pending)
        self.counts["credit requests approved"] = len(approved)
        self.counts["out-of-state requests not on the recognized list"] = sum(
            1 for request in pending if request.recognition_issue
        )

    def _recognized_list(self) -> None:
        """POST staff renew the recognized out-of-state list for the recent years (the shipped
        list, seed 000, ends December 31, 2023): each source from the day after its last entry
        ends, until further notice, on a synthetic citation."""
        staff = self.users[User.Role.POST_STAFF]
        jurisdiction = settings.CLEE_JURISDICTION.upper()
        starts = dt.date(self.first_year, 1, 1)
        added = 0
        for code in DEMO_RECOGNIZED:
            entries = list(RecognizedSource.objects.filter(jurisdiction=jurisdiction, code=code))
            if any(entry.recognized_until is None for entry in entries):
                continue  # recognized until further notice already
            ends = [entry.recognized_until for entry in entries if entry.recognized_until is not None]
            since = max([starts, *(end + dt.timedelta(days=1) for end in ends)])
            recognized_source_add(
                code=code,
                recognized_from=since,
                recognized_until=None,
                reference=DEMO_RECOGNITION_REFERENCE,
                acting_user=staff,
            )
            added += 1
        self.counts["recognized out-of-state sources added"] = added

    def _recognized_courses(self) -> None:
        """POST's catalog of recognized out-of-state courses, recognized since seed 000's list
        began and still (the demo's list renews their sources)."""
        entries = [
            RecognizedCourse(
                source=source,
                provider_name=catalog.RECOGNIZED_SOURCE_PROVIDERS[source],
                number=f"{source[:2]}-{index:03d}",
                title=title,
                hours=Decimal(sum(hours for _, hours in split)),
                recommended_split=[
                    {"core_area": area, "subject": "", "hours": str(hours), "topics": {}}
                    for area, hours in split
                ],
                recognized_from=OUT_OF_STATE_WINDOW[0],
                recognized_until=None,
                notes="Recommended split; the reviewer decides from the agenda.",
            )
            for index, (source, title, split) in enumerate(catalog.RECOGNIZED_COURSES, start=1)
        ]
        RecognizedCourse.objects.bulk_create(entries)
        self._audit(AuditAction.RECOGNIZED_COURSE_CREATE, entries, "recognized course")
        self.counts["recognized out-of-state courses"] = len(entries)

    def _upcoming_offerings(self) -> None:
        """Offerings of approved live courses in the months after today: what an officer short of
        hours can still sign up for (make-up training)."""
        rng = self.rng
        first, last = self.today + dt.timedelta(days=7), self.today + dt.timedelta(days=150)
        upcoming: list[Offering] = []
        live = [info for info in self.course_infos if info.live]
        for info in rng.sample(live, min(len(live), 60)):
            course = self.courses_by_id[info.id]
            days = math.ceil(float(course.hours) / 8)
            for _ in range(rng.randint(1, 2)):
                starts = self._day(first, last)
                if not course.approved_on(starts):
                    continue
                upcoming.append(
                    self._offering(course, starts, days, f"{rng.choice(self.agency_town)} Training Center")
                )
        Offering.objects.bulk_create(upcoming)
        self._audit(AuditAction.OFFERING_CREATE, upcoming, "offering")
        self.counts["upcoming offerings"] = len(upcoming)

    def _extensions(self) -> None:
        rng = self.rng
        staff = self.users[User.Role.POST_STAFF]
        extensions = []
        exemptions = []
        for year in self.years:
            for plan in self.officer_plans:
                profile = plan.years.get(year.year)
                if profile == "extended":
                    reason = rng.choice([Extension.Reason.MEDICAL, Extension.Reason.MILITARY])
                    decided = self._day(
                        min(year.starts + dt.timedelta(days=60), year.last_day), year.last_day
                    )
                    extensions.append(
                        Extension(
                            officer=plan.officer,
                            period=year.period,
                            kind=Extension.Kind.EXTENSION,
                            reason=reason,
                            explanation=EXTENSION_EXPLANATIONS[reason],
                            new_deadline=dt.date(year.year + 1, rng.choice([6, 9]), 30),
                            status=Extension.Status.GRANTED,
                            requested_by=self.loader,
                            decided_by=staff,
                            decided_at=self._moment(decided),
                        )
                    )
                elif profile == "exempt_manual":
                    exemptions.append(
                        Exemption(
                            officer=plan.officer,
                            period=year.period,
                            reason=rng.choice(EXEMPTION_REASONS),
                            granted_by=staff,
                        )
                    )
        deficient = [p for p in self.officer_plans if p.profile == "deficient"]
        for plan in rng.sample(deficient, min(len(deficient), max(1, len(self.officer_plans) // 300))):
            extensions.append(
                Extension(
                    officer=plan.officer,
                    period=self.current.period,
                    kind=Extension.Kind.EXTENSION,
                    reason=Extension.Reason.MEDICAL,
                    explanation="Awaiting a decision: on light duty for months.",
                    requested_by=self.loader,
                )
            )
        Extension.objects.bulk_create(extensions)
        Exemption.objects.bulk_create(exemptions)
        self._audit(AuditAction.COMPLIANCE_EXTENSION, extensions, "extension")
        self._audit(AuditAction.COMPLIANCE_EXEMPTION_GRANT, exemptions, "exemption")
        self.counts["extensions granted"] = sum(1 for e in extensions if e.status == Extension.Status.GRANTED)
        self.counts["exemptions granted"] = len(exemptions)

    # -- results, make-up training applied, the calendar's history -------------------------

    def _results(self) -> None:
        for year in self.years:
            compliance_recompute(period=year.period)

    def _makeup_applied(self) -> None:
        """POST staff applied make-up training of closed periods: most of what was taken in the
        grace window, none of what came later yet (waiting in the staff's queue). In a grace
        window still open, nothing is applied yet: staff can do it."""
        rng = self.rng
        staff = self.users[User.Role.POST_STAFF]
        touched: set[int] = set()
        applied = 0
        for makeup in self.makeups:
            year = makeup.year
            if not self._closed(year) or not makeup.grace:
                continue
            if year.role == PREVIOUS and makeup.plan.profile != "nearly_demo" and rng.random() < 0.25:
                continue  # still in the staff's queue
            officer = makeup.plan.officer
            result = ComplianceResult.objects.filter(officer=officer, period=year.period).first()
            if result is None or result.status != ComplianceResult.Status.DEFICIENT:
                continue  # the later training was not needed after all
            wanted = {(e.course_id, e.completed_on) for e in makeup.entries}
            records = [
                r.pk
                for r in makeup_candidates(officer, year.period)
                if (r.course_id, r.completed_on) in wanted
            ]
            last = max(e.completed_on for e in makeup.entries)
            day = min(self.today - dt.timedelta(days=1), last + dt.timedelta(days=rng.randint(3, 20)))
            training_apply_to_period(
                officer=officer,
                period=year.period,
                record_ids=records,
                reason=MAKEUP_REASON,
                acting_user=staff,
                today=day,
            )
            touched.add(officer.pk)
            applied += len(records)
        # Results now (the service recomputes after the commit): the Director's queue reads them.
        for year in self.years:
            compliance_recompute(period=year.period, officer_ids=touched)
        self.counts["make-up records applied by staff"] = applied

    def _history(self) -> None:
        """What happened between the first period shown and today, in order: each notice step
        prepared on its date (and recorded as sent then), and the Director's decisions after
        each grace deadline. A step due today or later is left to the notice job."""
        events: list[tuple[dt.date, int, Callable[[], None]]] = []
        steps = sorted(
            {day for y in self.years for day in notice_calendar(y.period).values() if day < self.today}
        )
        for day in steps:
            events.append((day, 0, functools.partial(self._notices_on, day)))
        for index, (day, decide) in enumerate(self._decisions()):
            events.append((day, 1 + index, decide))
        self.kept: list[LicenseDecision] = []
        for _, _, event in sorted(events, key=lambda item: (item[0], item[1])):
            event()
        self._flush_kept()

    def _notices_on(self, day: dt.date) -> None:
        self._flush_kept()  # the Director's list leaves out the officers decided on
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(6, 0)))
        runs = notices_prepare(today=day, now=moment)
        queued = list(Notice.objects.filter(status=Notice.Status.QUEUED).values_list("pk", flat=True))
        Notice.objects.filter(pk__in=queued).update(status=Notice.Status.SENT, attempts=1, sent_at=moment)
        record_events_by_id(
            actor=self.loader,
            action=AuditAction.NOTICES_SENT,
            model=Notice,
            ids=queued,
            summary="notice recorded as sent on its date by the demo state loader (no email was sent)",
        )
        self.counts["notice steps prepared"] += len(runs)
        self.counts["notices recorded as sent"] += len(queued)

    def _decisions(self) -> list[tuple[dt.date, Callable[[], None]]]:
        """The Director's decisions on closed periods: all of those of the earlier periods, part
        of the latest one's (more as months pass since its deadline)."""
        rng = self.rng
        closed = [y for y in self.years if self._closed(y)]
        commissioned = {p.officer.pk for p in self.officer_plans if p.agencies}
        decisions: list[tuple[dt.date, Callable[[], None]]] = []
        for year in closed:
            deadline = year.period.grace_deadline
            queue = list(
                decision_queue(year.period, self.today).select_related("officer").order_by("officer_id")
            )
            share = 1.0 if year is not closed[-1] else min(0.9, (self.today - deadline).days / 300)
            for result in sorted(rng.sample(queue, round(len(queue) * share)), key=lambda r: r.officer_id):
                first = max(deadline, result.extended_until or deadline) + dt.timedelta(days=2)
                last = min(self.today - dt.timedelta(days=1), first + dt.timedelta(days=240))
                if last < first:
                    continue
                inactivate = result.officer_id not in commissioned and rng.random() < 0.8
                reason = INACTIVATE_REASON if inactivate else rng.choice(KEEP_REASONS)
                day = self._day(first, last)
                decisions.append(
                    (day, functools.partial(self._decide, result.officer, year, inactivate, reason, day))
                )
        return decisions

    def _decide(self, officer: Officer, year: _Year, inactivate: bool, reason: str, day: dt.date) -> None:
        """An inactivation through the Director's service (it changes the license); a decision to
        keep the license written as the loader writes its other rows, with its audit row."""
        if officer.pk in self.inactivated:
            return  # inactivated for an earlier period: nothing left to decide
        director = self.users[User.Role.DIRECTOR]
        self.counts["Director's decisions"] += 1
        if not inactivate:
            result = ComplianceResult.objects.get(officer=officer, period=year.period)
            self.kept.append(
                LicenseDecision(
                    officer=officer,
                    period=year.period,
                    decision=LicenseDecision.Decision.KEEP,
                    reason=reason,
                    hours_short=result.additional_hours_needed,
                    decided_by=director,
                    decided_at=self._moment(day),
                )
            )
            return
        decision = license_decide(
            officer=officer,
            period=year.period,
            inactivate=True,
            reason=reason,
            acting_user=director,
            today=day,
        )
        # Dated when it was made, not when the demo was loaded.
        LicenseDecision.objects.filter(pk=decision.pk).update(decided_at=self._moment(day))
        self.inactivated.add(officer.pk)

    def _flush_kept(self) -> None:
        if not self.kept:
            return
        LicenseDecision.objects.bulk_create(self.kept)
        record_events(
            actor=self.users[User.Role.DIRECTOR],
            action=AuditAction.COMPLIANCE_LICENSE_DECIDE,
            targets=list(self.kept),
            summary=f"license kept active after the grace deadline (decision {CREATED})",
        )
        self.counts["audit rows"] += len(self.kept)
        self.kept = []

    def _rule_book_draft(self) -> None:
        """A change to the rules POST staff prepared and submitted, awaiting the Director: live
        firearms hours raised from next year (invented, like everything in the demo)."""
        staff = self.users[User.Role.POST_STAFF]
        jurisdiction = settings.CLEE_JURISDICTION.upper()
        in_force = version_in_force(jurisdiction, self.today)
        if in_force is None:
            raise ServiceError(f"there is no rule book in force for {jurisdiction}: the demo state needs one")
        year = self.today.year + 1
        draft = rule_book_draft_create(
            jurisdiction=jurisdiction,
            content=_draft_text(in_force.text, year),
            source_name=f"{jurisdiction.lower()}-firearms-{year}.yaml",
            based_on=in_force,
            acting_user=staff,
        )
        rule_book_submit(
            draft=draft,
            effective_from=dt.date(year, 1, 1),
            reason=f"{DRAFT_REFERENCE}, from the {year} period.",
            acting_user=staff,
            today=self.today,
        )
        self.counts["rule book drafts awaiting the Director"] = 1


# Documents each kind of request carries (the required ones of workflows.credit_requests, and more).
_REQUEST_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "out_of_state": ("certificate", "affirmation", "agenda"),
    "college": ("transcript", "agenda"),
    "military": ("certificate", "statement"),
    "instruction": ("agenda",),
}
