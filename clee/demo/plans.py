"""The demo state's plan: its size and summary, the shares and reasons it draws from, and the
plain values its loader works with (a course as the planner sees it, a period it fills, an
officer's plan, make-up training), with the small pure helpers they need."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from clee.compliance.models import Extension, ReportingPeriod
from clee.core.actions import AuditAction
from clee.core.errors import ServiceError
from clee.demo import catalog
from clee.officers.models import Officer
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
