"""Time in the product: which period is current, opening periods, and the calendar job.

"Current" is the period that contains today in the program's time zone (settings.TIME_ZONE,
America/Chicago for Missouri). Nothing stores it: on January 1 the new year's period is current
because it contains the day. The calendar job (``calendar_advance``, scheduled just after each
local midnight and safe to run any number of times) makes the calendar true in the database:

- it opens the period that contains today, under the rule book version in force, and has every
  officer's result for it computed;
- it records each period's change of phase once (``PeriodTransition``): open, then in its
  grace window after December 31, then closed after the grace deadline (March 15), when its
  non-compliant officers reach the Director's queue;
- it puts into force rule book versions whose effective date has come
  (``rule_versions_apply``, which publication calls too: ``clee.compliance.publishing``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from clee.compliance.models import PeriodTransition, ReportingPeriod
from clee.compliance.outbox import period_mark_stale
from clee.compliance.rulebooks import book_in_force, number_in_force, rule_book
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.rules import NoPackError

if TYPE_CHECKING:
    from clee.accounts.models import User

PHASE_WORDS = {
    ReportingPeriod.Phase.OPEN: "opened",
    ReportingPeriod.Phase.GRACE: "entered its grace window",
    ReportingPeriod.Phase.CLOSED: (
        "closed: its grace deadline has passed; non-compliant officers go to the Director"
    ),
}


def program_today() -> dt.date:
    """Today in the program's time zone."""
    return timezone.localdate()


def periods_on_record(jurisdiction: str | None = None) -> QuerySet[ReportingPeriod]:
    """The jurisdiction's periods, latest first."""
    return ReportingPeriod.objects.filter(jurisdiction=(jurisdiction or settings.CLEE_JURISDICTION).upper())


def period_of_year(year: int, jurisdiction: str | None = None) -> ReportingPeriod | None:
    """The jurisdiction's period of ``year``; None when there is none. (A page refusing a year
    without a period uses ``clee.compliance.access.access_period``.)"""
    return periods_on_record(jurisdiction).filter(year=year).first()


def current_period(today: dt.date | None = None, jurisdiction: str | None = None) -> ReportingPeriod | None:
    """The period that contains ``today``; until the calendar job has opened it (the first
    minutes of January 1), the latest period that has begun; None when there is none."""
    today = today or program_today()
    periods = periods_on_record(jurisdiction)
    return periods.filter(starts__lte=today).order_by("-starts").first() or periods.order_by("starts").first()


def years_shown(years: list[int]) -> str:
    """Years in words: "2017 to 2026", or "2019, 2021 and 2024" when some are missing."""
    if not years:
        return "none"
    years = sorted(years)
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]} to {years[-1]}"
    if len(years) == 1:
        return str(years[0])
    return f"{', '.join(str(y) for y in years[:-1])} and {years[-1]}"


def no_period_message(year: Any, jurisdiction: str | None = None) -> str:
    """The refusal for a year without a period, naming the periods there are."""
    years = list(periods_on_record(jurisdiction).values_list("year", flat=True))
    return f"There is no {year} reporting period. Periods on record: {years_shown(years)}."


@transaction.atomic
def period_open(
    *, year: int, acting_user: User | None = None, today: dt.date | None = None
) -> tuple[ReportingPeriod, bool]:
    """The period of ``year``, opened when it is not on record yet: its dates and grace deadline
    from the rule book version in force today. Returns (period, whether it was opened now).
    Raises ServiceError when the rules have no period for that year. Every officer's result for
    a new period is computed after the commit (by a job)."""
    jurisdiction = settings.CLEE_JURISDICTION.upper()
    found = period_of_year(year, jurisdiction)
    if found is not None:
        return found, False
    today = today or program_today()
    try:
        pack = book_in_force(jurisdiction, today).pack(str(year))
    except NoPackError as error:
        raise ServiceError(str(error), field="year") from error
    try:
        with transaction.atomic():
            period = ReportingPeriod.objects.create(
                jurisdiction=jurisdiction,
                year=year,
                starts=pack.starts,
                ends=pack.ends,
                grace_deadline=pack.grace_deadline.value,
                pack_version=number_in_force(jurisdiction, today),
            )
    except IntegrityError:  # another worker opened it at the same moment
        found = period_of_year(year, jurisdiction)
        assert found is not None
        return found, False
    record_event(
        actor=acting_user,
        action=AuditAction.PERIOD_OPEN,
        target=period,
        summary=f"reporting period {year} opened ({pack.starts} to {pack.ends}, grace deadline "
        f"{pack.grace_deadline.value}) under {pack.ident}",
        data={"pack": pack.ident},
    )
    period_mark_stale(period, reason=f"period {year} opened")
    return period, True


@dataclass
class CalendarRun:
    """What one run of the calendar job did (stored on its scheduled run)."""

    today: dt.date
    opened: list[int] = field(default_factory=list)
    transitions: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)

    def as_summary(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "opened": self.opened,
            "transitions": self.transitions,
            "rules": self.rules,
        }


def calendar_advance(*, today: dt.date | None = None) -> CalendarRun:
    """Make the calendar true for ``today``: open the current period, record each phase change
    once, put into force the rule book versions whose day has come. Safe to run twice, and by
    two workers at once (each step is claimed by a unique row)."""
    today = today or program_today()
    run = CalendarRun(today=today)
    try:
        period, opened = period_open(year=today.year, today=today)
    except ServiceError:
        period, opened = None, False  # the rules end before this year: nothing to open
    if opened and period is not None:
        run.opened.append(period.year)
    recorded = PeriodTransition.objects.filter(period_id=OuterRef("pk"), phase=ReportingPeriod.Phase.CLOSED)
    for candidate in periods_on_record().exclude(Exists(recorded)).order_by("year"):
        run.transitions += _record_transitions(candidate, today)
    run.rules = rule_versions_apply(today=today)
    return run


def rule_versions_apply(*, today: dt.date) -> list[str]:
    """Decide each period on record under the version in force ``today`` when that version
    decides it differently from the one it has: its dates and grace deadline from the new
    pack, its results recomputed by a job. Returns what changed ("2027: v1 -> v2"). Safe to run
    any number of times."""
    changed = []
    for period in periods_on_record().order_by("year"):
        target = number_in_force(period.jurisdiction, today)
        if period.pack_version == target:
            continue
        try:
            new = rule_book(period.jurisdiction, target).pack(str(period.year))
        except NoPackError:
            continue  # the version in force has no such period: the period keeps its rules
        try:
            old_digest = rule_book(period.jurisdiction, period.pack_version).pack(str(period.year)).digest
        except NoPackError:
            old_digest = ""
        if new.digest == old_digest:
            continue  # decided alike: it keeps the version it names
        with transaction.atomic():
            locked = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
            if locked.pack_version == target:
                continue  # another run did it
            before = locked.pack_version
            locked.pack_version = target
            locked.starts, locked.ends = new.starts, new.ends
            locked.grace_deadline = new.grace_deadline.value
            locked.save(update_fields=["pack_version", "starts", "ends", "grace_deadline", "updated_at"])
            record_event(
                actor=None,
                action=AuditAction.PERIOD_RULES_CHANGE,
                target=locked,
                summary=f"reporting period {locked.year} now decided under {new.ident} (was v{before}); "
                "its results are recomputed",
                data={"from": before, "to": target, "pack": new.ident},
            )
            period_mark_stale(locked, reason=f"{new.ident} in force")
        changed.append(f"{period.year}: v{before} -> v{target}")
    return changed


def phase_began_on(period: ReportingPeriod, phase: str) -> dt.date:
    if phase == ReportingPeriod.Phase.OPEN:
        return period.starts
    if phase == ReportingPeriod.Phase.GRACE:
        return period.ends + dt.timedelta(days=1)
    return period.grace_deadline + dt.timedelta(days=1)


def _record_transitions(period: ReportingPeriod, today: dt.date) -> list[str]:
    """Record the phases ``period`` has reached by ``today`` and not recorded yet, in order."""
    phases = list(ReportingPeriod.Phase)
    reached = phases[: phases.index(ReportingPeriod.Phase(period.phase_on(today))) + 1]
    if today < period.starts:
        return []
    done = set(PeriodTransition.objects.filter(period=period).values_list("phase", flat=True))
    written = []
    for phase in reached:
        if phase in done:
            continue
        began_on = phase_began_on(period, phase)
        try:
            with transaction.atomic():
                transition = PeriodTransition.objects.create(
                    period=period, phase=phase, began_on=began_on, recorded_at=timezone.now()
                )
                record_event(
                    actor=None,
                    action=AuditAction.PERIOD_PHASE,
                    target=period,
                    summary=f"reporting period {period.year} {PHASE_WORDS[phase]} ({began_on})",
                    data={"phase": phase, "began_on": began_on.isoformat(), "transition": transition.pk},
                )
        except IntegrityError:  # another run recorded it a moment ago
            continue
        written.append(f"{period.year} {phase}")
    return written


def period_phase_shown(period: ReportingPeriod) -> str:
    """The period's phase today in words (``ReportingPeriod.phase_shown``)."""
    return period.phase_shown
