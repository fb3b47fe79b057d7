"""Loading the demo state: a synthetic Missouri-like state, the same for the same seed.

``demo_state_load`` writes about 120 agencies of every type, 3,000 officers with their
licenses and commissions, providers of every class with approved courses and offerings, a
year of training records for the current reporting period with a realistic mix of outcomes,
pending credit requests and course submissions with small PDF documents, and one account per
role; then it computes every officer's stored compliance result. Everything is invented: no
real person, agency or record.

Writes are bulk (about 1,600 queries for the default size, half of them for the 161 stored
documents): training records go through ``training_records_add`` like any roster, documents
through ``document_store``, and every other row gets an audit row naming the demo loader
account, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import math
import random
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
from clee.compliance.models import ComplianceResult, Exemption, Extension
from clee.compliance.services import compliance_recompute, ensure_period
from clee.core.audit import record_event, record_events
from clee.core.choices import ProviderCredit, Source
from clee.core.documents import document_store
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent, Document
from clee.demo import catalog, names
from clee.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, LOADER_USERNAME
from clee.demo.pdf import tiny_pdf
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
from clee.rules import available_packs
from clee.training.models import CreditRequest, RequestDocument
from clee.training.services import LineSpec, RecordEntry, training_records_add

LOADED_ACTION = "demo.loaded"
DEFAULT_SEED = 2025
CREATED = "created by the demo state loader"

# Who is who in the demo state: shares of officers by the outcome their records are built
# for. The stored status comes from the engine, not from this label.
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
# Recognized out-of-state sources (seed 000) and the names their providers get.
OUT_OF_STATE_SOURCES = (("AR", "Arkansas"), ("IL", "Illinois"), ("KY", "Kentucky"), ("TN", "Tennessee"))
OUT_OF_STATE_WINDOW = (dt.date(2021, 1, 1), dt.date(2023, 12, 31))
EXEMPTION_REASONS = (
    "On extended medical leave for the whole period (POST decision)",
    "Deployed on military orders for the whole period (POST decision)",
)
EXTENSION_EXPLANATIONS = {
    Extension.Reason.MEDICAL: "Surgery and recovery kept the officer off duty for four months.",
    Extension.Reason.MILITARY: "Reserve deployment from spring to late autumn.",
}


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
    offerings: list[tuple[int, dt.date]] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.delivery == catalog.LIVE


@dataclass
class _OfficerPlan:
    profile: str
    agencies: list[int]  # indexes of the agencies commissioning the officer now
    officer: Officer


def demo_period_year(today: dt.date) -> int:
    """Today's year when the shipped rules have a period for it, else the latest they have."""
    jurisdiction = settings.CLEE_JURISDICTION.upper()
    years = sorted(
        int(period)
        for j, period in available_packs(through=today.year)
        if j == jurisdiction and period.isdigit()
    )
    if not years:
        raise ServiceError(f"there is no rule pack for {jurisdiction}: the demo state needs one")
    return today.year if today.year in years else years[-1]


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
    """Load the demo state into an empty database; returns what was written.

    The same ``seed``, ``size`` and ``today`` give the same state. Refused (ServiceError) for
    the reasons of ``demo_state_refusal``.
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


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.replace("-", " ").split() if word[0].isalpha()).upper()[:5]


class _Loader:
    def __init__(
        self, *, seed: int, size: DemoSize, today: dt.date, progress: Callable[[str], None] | None
    ) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.size = size
        self.year = demo_period_year(today)
        self.period_start = dt.date(self.year, 1, 1)
        # Nothing is dated after today: a period still running has only part of its records.
        self.as_of = max(self.period_start, min(today, dt.date(self.year, 12, 31)))
        self.today = today
        self.now = timezone.now()
        self.progress = progress or (lambda message: None)
        self.counts: Counter[str] = Counter()
        self.places = self._place_names()
        self.password_hash = make_password(DEMO_PASSWORD)

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
        return timezone.make_aware(moment)

    def _audit(self, action: str, targets: Sequence[models.Model], what: str) -> None:
        record_events(actor=self.loader, action=action, targets=list(targets), summary=f"{what} {CREATED}")
        self.counts["audit rows"] += len(targets)

    def _document(self, name: str, title: str, lines: Sequence[str]) -> Document:
        self.counts["documents"] += 1
        return document_store(content=tiny_pdf(title, lines), original_name=name, actor=self.loader)

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
        self.period = ensure_period(self.year)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("agencies", self._agencies),
            ("officers and commissions", self._officers),
            ("providers", self._providers),
            ("accounts", self._accounts),
            ("courses and offerings", self._courses),
            ("training records", self._records),
            ("credit requests", self._credit_requests),
            ("extensions and exemptions", self._extensions),
            ("make-up training", self._makeup_training),
            ("recognized out-of-state courses", self._recognized_courses),
            ("upcoming offerings", self._upcoming_offerings),
        ]
        for label, step in steps:
            started = time.perf_counter()
            step()
            self.progress(f"{label}: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        compliance_recompute(period=self.period)
        self.progress(f"compliance results: {time.perf_counter() - started:.1f} s")
        statuses = {
            row["status"]: row["n"]
            for row in ComplianceResult.objects.filter(period=self.period)
            .values("status")
            .annotate(n=models.Count("id"))
            .order_by("status")
        }
        extended = ComplianceResult.objects.filter(period=self.period, extended_until__isnull=False).count()
        summary = DemoSummary(
            seed=self.seed,
            year=self.year,
            as_of=self.as_of,
            counts=dict(self.counts),
            statuses=statuses,
            extended=extended,
        )
        record_event(
            actor=self.loader,
            action=LOADED_ACTION,
            target=self.period,
            summary=f"demo state loaded (seed {self.seed}, {self.size.officers} officers, "
            f"{self.size.agencies} agencies)",
            data={
                "seed": self.seed,
                "officers": self.size.officers,
                "agencies": self.size.agencies,
                "year": self.year,
                "as_of": self.as_of.isoformat(),
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
        self._audit("agency.create", self.agencies, "agency")
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
                licensed_on = self._day(self.period_start, self.as_of)
                basic_on: dt.date | None = licensed_on - dt.timedelta(days=rng.randint(3, 20))
            else:
                years_ago = min(rng.randint(1, 32), rng.randint(1, 32))
                licensed_on = self._day(
                    dt.date(self.year - years_ago, 1, 1), dt.date(self.year - years_ago, 12, 31)
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
                    max(start, self.as_of - dt.timedelta(days=4 * 365)), self.as_of - dt.timedelta(days=30)
                )
                commissions.append((index, primary, start, max(start, end)))
            else:
                start = self._day(licensed_on, min(self.as_of, licensed_on + dt.timedelta(days=3650)))
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
                        commissions.append((index, second, self._day(start, self.as_of), None))
                        current.append(second)
            plans.append(_OfficerPlan(profile, current, officer))
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
                    upgraded_on=self._day(self.period_start, self.as_of),
                    description="Class B to Class A peace officer license",
                )
                for plan in plans
                if plan.profile == "exempt_upgrade"
            ]
        )
        rows = Commission.objects.bulk_create(
            [
                Commission(officer=plans[o].officer, agency=self.agencies[a], start=start, end=end)
                for o, a, start, end in commissions
            ],
            batch_size=2000,
        )
        self._audit("officer.create", officers, "officer licensed")
        self._audit("officer.license_upgrade", [u.officer for u in upgrades], "license upgrade")
        self._audit("commission.start", rows, "commission")
        self.counts.update(officers=len(officers), commissions=len(rows))

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
        candidates = [i for i, plan in enumerate(plans) if plan.profile == "nearly_total" and plan.agencies]
        inside = [i for i in candidates if self.admin_agency in plans[i].agencies]
        chosen = (inside or candidates or [i for i, plan in enumerate(plans) if plan.agencies])[0]
        plan = plans[chosen]
        if self.admin_agency not in plan.agencies:
            # Move the officer to the chosen agency (nothing is written yet).
            start = next(c[2] for c in commissions if c[0] == chosen and c[3] is None)
            commissions[:] = [c for c in commissions if not (c[0] == chosen and c[3] is None)]
            commissions.append((chosen, self.admin_agency, start, None))
            plan.agencies = [self.admin_agency]
        plan.profile = "nearly_demo"
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
                approved_from=dt.date(self.year - rng.randint(5, 25), 1, 1),
            )
            for i in range(max(2, min(6, self.size.agencies // 20)))
        ]
        self.online = add(
            Provider.Kind.LICENSED,
            f"{self._place()} Online Police Training, LLC",
            approved,
            "LP",
            approved_from=dt.date(self.year - rng.randint(2, 8), 1, 1),
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
                approved_from=dt.date(self.year - rng.randint(2, 10), 1, 1),
                approved_until=dt.date(self.year + rng.randint(0, 2), 12, 31),
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
        self._audit("provider.create", providers, "provider")
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
        self._audit("account.create", users, "demo account")

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
                    # Approved before the period began: every record of the period is valid.
                    first_day = dt.date(self.year - rng.randint(0, 4), 1, 1)
                    decided = first_day - dt.timedelta(days=rng.randint(10, 60))
                    course.status = Course.Status.APPROVED
                    course.approved_from = decided + dt.timedelta(days=rng.randint(1, 9))
                    course.approved_until = rng.choice(
                        [None, dt.date(self.year + 1, 12, 31), dt.date(self.year + 2, 12, 31)]
                    )
                elif state == "expired":
                    decided = OUT_OF_STATE_WINDOW[0] - dt.timedelta(days=rng.randint(10, 60))
                    course.status = Course.Status.APPROVED
                    course.approved_from, course.approved_until = OUT_OF_STATE_WINDOW
                else:
                    decided = self.as_of - dt.timedelta(days=rng.randint(5, 30))
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
        self._audit("course.create", courses, "course")
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
            last_start = self.as_of - dt.timedelta(days=days - 1)
            if last_start < self.period_start:
                continue  # a period just begun: no offering has ended yet
            for _ in range(
                rng.randint(3, 8) if provider.kind == Provider.Kind.LICENSED else rng.randint(2, 4)
            ):
                starts = self._day(self.period_start + dt.timedelta(days=3), last_start)
                where = rng.choice([host, f"{rng.choice(self.agency_town)} Community Center"])
                offerings.append(
                    Offering(
                        course=course,
                        starts_on=starts,
                        ends_on=starts + dt.timedelta(days=days - 1),
                        location=f"{where}, {rng.choice(names.STREETS)}",
                    )
                )
        Offering.objects.bulk_create(offerings, batch_size=2000)
        info_by_id = {info.id: info for info in self.course_infos}
        teaching = []
        for offering in offerings:
            info_by_id[offering.course_id].offerings.append((offering.id, offering.ends_on))
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
        self._audit("offering.create", offerings, "offering")
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
        chosen: list[_CourseInfo] = []
        taken: set[int] = set()
        covered: Counter[str] = Counter()
        totals = {"hours": 0.0, "approved": 0.0, "cbt": 0.0}

        def fits(info: _CourseInfo) -> bool:
            return (
                info.id not in taken
                and not (avoid & info.covers.keys())
                and (max_total is None or totals["hours"] + float(info.hours) <= max_total)
            )

        def add(candidates: list[_CourseInfo]) -> bool:
            if not candidates:
                return False
            online = [c for c in candidates if not c.live]
            live = [c for c in candidates if c.live]
            group = online if online and (not live or rng.random() < prefer_cbt) else live
            info = rng.choice(group)
            chosen.append(info)
            taken.add(info.id)
            covered.update(info.covers)
            totals["hours"] += float(info.hours)
            totals["cbt"] += 0.0 if info.live else float(info.hours)
            if info.credit_class == ProviderCredit.APPROVED:
                totals["approved"] += float(info.hours)
            return True

        order = list(needs)
        rng.shuffle(order)
        for _ in range(3):
            for need in order:
                if covered[need] < NEED_MINIMUM[need]:
                    add([c for c in pool if fits(c) and c.covers.get(need)])
        while totals["approved"] < min_approved and add(
            [c for c in pool if fits(c) and c.credit_class == ProviderCredit.APPROVED]
        ):
            pass
        while totals["cbt"] < min_cbt and add([c for c in pool if fits(c) and not c.live]):
            pass
        while totals["hours"] < min_total and add([c for c in pool if fits(c)]):
            pass
        if max_total is not None:
            while add([c for c in pool if fits(c)]):
                pass
        return chosen

    def _plan(self, plan: _OfficerPlan) -> list[_CourseInfo]:
        rng = self.rng
        pool = list(self.general_pool)
        for agency_index in plan.agencies:
            # The officer's own agency's in-service courses are the likeliest choice.
            pool += self.in_service_courses.get(self.agencies[agency_index].id, []) * 3
        online = [c for c in self.course_infos if not c.live and c.credit_class == ProviderCredit.APPROVED]
        firearms_live = [c for c in pool if c.live and c.covers.get("firearms")]
        every_need = list(NEED_MINIMUM)
        prefer = rng.choice([0.05, 0.2, 0.35])
        profile = plan.profile
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
        rng = self.rng
        in_service = {info.id for infos in self.in_service_courses.values() for info in infos}
        self.general_pool = [info for info in self.course_infos if info.id not in in_service]
        entries: list[RecordEntry] = []
        started = time.perf_counter()
        for plan in self.officer_plans:
            for info in self._plan(plan):
                offering_id: int | None = None
                if info.offerings:
                    offering_id, completed_on = rng.choice(info.offerings)
                else:
                    completed_on = self._day(self.period_start, self.as_of)
                entries.append(
                    RecordEntry(
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
                )
        self.progress(f"  planning {len(entries):,} records: {time.perf_counter() - started:.1f} s")
        outcome = training_records_add(
            entries=entries, actor=self.loader, summary=f"training record {CREATED}"
        )
        self.counts["training records"] = len(outcome.record_ids)

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
        # Approved earlier this period: college and military credit already on the record.
        compliant = [p for p in plans if p.profile == "compliant"]
        approved_plans = rng.sample(compliant, min(len(compliant), max(2, round(len(plans) * 0.01))))
        approved: list[tuple[CreditRequest, RecordEntry]] = []
        for k, plan in enumerate(approved_plans):
            college = k % 2 == 0
            title, split = rng.choice(catalog.COLLEGE_CLAIMS if college else catalog.MILITARY_CLAIMS)
            hours = Decimal(sum(h for _, h in split))
            completed_on = self._day(self.period_start, self.as_of - dt.timedelta(days=20))
            provider = rng.choice(self.colleges if college else self.military)
            request = CreditRequest(
                officer=plan.officer,
                kind=CreditRequest.Kind.COLLEGE if college else CreditRequest.Kind.MILITARY,
                title=title,
                completed_on=completed_on,
                hours=None if college else hours,
                semester_hours=hours / 2 if college else None,
                provider_name=provider.name,
                status=CreditRequest.Status.APPROVED,
                submitted_by=self.loader,
                decided_by=staff,
                decided_at=self._moment(completed_on + dt.timedelta(days=rng.randint(5, 19))),
                decision_reason="Approved as shown on the transcript." if college else "Eligible (Director).",
            )
            entry = RecordEntry(
                officer_id=plan.officer.id,
                completed_on=completed_on,
                hours=hours,
                source=Source.COLLEGE if college else Source.MILITARY,
                credit_class=ProviderCredit.APPROVED if college else ProviderCredit.LICENSED,
                delivery=catalog.LIVE,
                lines=tuple(LineSpec(core_area=a, hours=Decimal(h)) for a, h in split),
                description=title,
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
            completed_on = self._day(self.period_start, self.as_of - dt.timedelta(days=3))
            request = CreditRequest(
                officer=officer,
                kind=kind,
                completed_on=completed_on,
                status=CreditRequest.Status.SUBMITTED,
                submitted_by=demo_user if plan is demo_plan else self.loader,
            )
            if kind == CreditRequest.Kind.OUT_OF_STATE:
                provider = rng.choice(self.out_of_state)
                request.title = rng.choice(catalog.OUT_OF_STATE_CLAIMS)
                request.state, request.provider_name = provider.state, provider.name
                request.hours = Decimal(rng.choice([4, 8, 16, 24]))
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
        requests = [request for request, _ in approved] + pending
        CreditRequest.objects.bulk_create(requests)
        documents: list[RequestDocument] = []
        for request in requests:
            documents += self._request_documents(request, _REQUEST_DOCUMENTS[str(request.kind)])
        RequestDocument.objects.bulk_create(documents)
        self._audit("training.credit_request_submit", requests, "credit request")
        self.counts["credit requests awaiting review"] = len(pending)
        self.counts["credit requests approved"] = len(approved)

    def _recognized_courses(self) -> None:
        """POST's catalog of recognized out-of-state courses, recognized while their state was
        (seed 000: 2021-01-01 to 2023-12-31; IADLEST courses stay recognized)."""
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
                recognized_until=None if source == "IADLEST" else OUT_OF_STATE_WINDOW[1],
                notes="Recommended split; the reviewer decides from the agenda.",
            )
            for index, (source, title, split) in enumerate(catalog.RECOGNIZED_COURSES, start=1)
        ]
        RecognizedCourse.objects.bulk_create(entries)
        self._audit("recognized_course.create", entries, "recognized course")
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
                town = rng.choice(self.agency_town)
                upcoming.append(
                    Offering(
                        course=course,
                        starts_on=starts,
                        ends_on=starts + dt.timedelta(days=days - 1),
                        location=f"{town} Training Center, {rng.choice(names.STREETS)}",
                    )
                )
        Offering.objects.bulk_create(upcoming)
        self._audit("offering.create", upcoming, "offering")
        self.counts["upcoming offerings"] = len(upcoming)

    def _extensions(self) -> None:
        rng = self.rng
        staff = self.users[User.Role.POST_STAFF]
        extensions = []
        for plan in self.officer_plans:
            if plan.profile == "extended":
                reason = rng.choice([Extension.Reason.MEDICAL, Extension.Reason.MILITARY])
                extensions.append(
                    Extension(
                        officer=plan.officer,
                        period=self.period,
                        kind=Extension.Kind.EXTENSION,
                        reason=reason,
                        explanation=EXTENSION_EXPLANATIONS[reason],
                        new_deadline=dt.date(self.year + 1, rng.choice([6, 9]), 30),
                        status=Extension.Status.GRANTED,
                        requested_by=self.loader,
                        decided_by=staff,
                        decided_at=self.now - dt.timedelta(days=rng.randint(1, 60)),
                    )
                )
        deficient = [p for p in self.officer_plans if p.profile == "deficient"]
        for plan in rng.sample(deficient, min(len(deficient), max(1, len(self.officer_plans) // 300))):
            extensions.append(
                Extension(
                    officer=plan.officer,
                    period=self.period,
                    kind=Extension.Kind.EXTENSION,
                    reason=Extension.Reason.MEDICAL,
                    explanation="Awaiting a decision: on light duty since the autumn.",
                    requested_by=self.loader,
                )
            )
        Extension.objects.bulk_create(extensions)
        exemptions = Exemption.objects.bulk_create(
            [
                Exemption(
                    officer=plan.officer,
                    period=self.period,
                    reason=rng.choice(EXEMPTION_REASONS),
                    granted_by=staff,
                )
                for plan in self.officer_plans
                if plan.profile == "exempt_manual"
            ]
        )
        self._audit("compliance.extension", extensions, "extension")
        self._audit("compliance.exemption_grant", exemptions, "exemption")
        self.counts["extensions granted"] = sum(1 for e in extensions if e.status == Extension.Status.GRANTED)
        self.counts["exemptions granted"] = len(exemptions)

    def _makeup_training(self) -> None:
        """Once the period has ended: some officers short for it took training afterwards, which
        POST staff may apply to the period (the staff portal's make-up training queue)."""
        first_day = self.period.ends + dt.timedelta(days=1)
        if self.today <= first_day + dt.timedelta(days=14):
            return
        rng = self.rng
        last_day = min(self.today - dt.timedelta(days=7), self.period.ends + dt.timedelta(days=330))
        deficient = [p for p in self.officer_plans if p.profile == "deficient"]
        entries = []
        for plan in rng.sample(deficient, min(len(deficient), max(1, len(self.officer_plans) // 250))):
            chosen = self._pick(self.general_pool, needs=list(NEED_MINIMUM), min_total=rng.randint(12, 24))
            for info in chosen:
                entries.append(
                    RecordEntry(
                        officer_id=plan.officer.id,
                        course_id=info.id,
                        completed_on=self._day(first_day, last_day),
                        hours=info.hours,
                        source=Source.COURSE,
                        credit_class=info.credit_class,
                        delivery=info.delivery,
                        lines=info.lines,
                    )
                )
        outcome = training_records_add(
            entries=entries, actor=self.loader, summary=f"training record {CREATED}"
        )
        self.counts["make-up training records"] = len(outcome.record_ids)


# Documents each kind of request carries (the required ones of training.services, and more).
_REQUEST_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "out_of_state": ("certificate", "affirmation", "agenda"),
    "college": ("transcript", "agenda"),
    "military": ("certificate", "statement"),
    "instruction": ("agenda",),
}
