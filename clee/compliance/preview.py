"""What a decision will do, before it is made: the rules engine's answer with the change applied.

A decision that adds or moves training (approving a credit request, applying make-up training,
accepting held agency training) is previewed by making it for real inside a transaction that
is then rolled back: the officer's periods are read back through the same path the stored
results are computed from (``services.period_inputs``) and evaluated by the engine. What the
preview shows is therefore what the decision does, by construction; the services compute the
same ``Effect`` on their own writes to refuse, or word for the officer, what does not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.db import transaction

from clee.compliance.calendar import period_of_year, program_today
from clee.compliance.models import ReportingPeriod
from clee.compliance.recognized import recognition_issue
from clee.compliance.recompute import period_inputs
from clee.compliance.rulebooks import book_in_force, period_pack
from clee.core.choices import Source
from clee.core.wording import day_text, hours_text, human_dates, number_text
from clee.rules import NoPackError, Result, compiled_for, evaluate_officers
from clee.rules.pack import Cap, RulePack
from clee.rules.scenario import Credit
from clee.rules.vocabulary import CORE_AREA_LABELS
from clee.training.models import TrainingRecord

T = TypeVar("T")
CLOSE = Decimal("0.0001")


def outcome_text(result: Result | None) -> str:
    """``Compliant``, ``Exempt``, ``Deficient, 10 hours short``."""
    if result is None:
        return "No reporting period on file"
    if result.status == "deficient":
        return f"Deficient, {hours_text(result.additional_hours_needed)} short"
    return result.status.capitalize()


@dataclass(frozen=True)
class PeriodEffect:
    """One period's result before and after the change."""

    year: int
    before: Result | None
    after: Result | None
    added: Decimal = Decimal(0)  # hours the change brings into the period
    gained: Decimal = Decimal(0)  # hours more that count there

    @property
    def before_text(self) -> str:
        return outcome_text(self.before)

    @property
    def after_text(self) -> str:
        return outcome_text(self.after)

    @property
    def worse(self) -> bool:
        """The change leaves this period short where it was not, or shorter than it was."""
        if self.after is None or self.after.status != "deficient":
            return False
        if self.before is None or self.before.status != "deficient":
            return True
        return self.after.additional_hours_needed > self.before.additional_hours_needed

    @property
    def better(self) -> bool:
        if self.before is None or self.before.status != "deficient" or self.after is None:
            return False
        return self.after.status != "deficient" or (
            self.after.additional_hours_needed < self.before.additional_hours_needed
        )


@dataclass(frozen=True)
class RecordEffect:
    """What the engine does with one record the change writes or moves."""

    record_id: int
    label: str
    hours: Decimal
    year: int  # the period it belongs to
    counts: str  # "all", "part" or "none"
    reasons: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """``Counts toward 2023``; ``Does not count toward 2023: ...``."""
        why = "; ".join(self.reasons)
        if self.counts == "all":
            return f"Counts toward {self.year}"
        if self.counts == "part":
            return f"Counts only in part toward {self.year}: {why}"
        return f"Does not count toward {self.year}: {why}"


@dataclass(frozen=True)
class Effect:
    periods: list[PeriodEffect] = field(default_factory=list)
    records: list[RecordEffect] = field(default_factory=list)

    @property
    def counts_fully(self) -> bool:
        return all(record.counts == "all" for record in self.records)

    @property
    def counts_at_all(self) -> bool:
        return any(record.counts != "none" for record in self.records)

    def period(self, year: int) -> PeriodEffect | None:
        return next((p for p in self.periods if p.year == year), None)

    @property
    def staff_note(self) -> str:
        """``not_counting`` as staff read it (about the officer)."""
        return self.not_counting(whose="the officer's")

    def not_counting(self, *, whose: str = "your") -> str:
        """In plain words, what of the change does not count and why (empty when all counts):
        ``These 8 hours do not count toward your 2023 requirement: ...``."""
        sentences = []
        for year in sorted({r.year for r in self.records if r.counts != "all"}):
            records = [r for r in self.records if r.year == year]
            hours = sum((r.hours for r in records), Decimal(0))
            reasons = sorted({reason for r in records if r.counts != "all" for reason in r.reasons})
            why = "; ".join(reasons) or "the rules do not count them there"
            period = self.period(year)
            if all(r.counts == "none" for r in records):
                what = "This hour does not" if hours == 1 else f"These {number_text(hours)} hours do not"
                sentences.append(f"{what} count toward {whose} {year} requirement: {why}.")
            else:
                gained = period.gained if period is not None else Decimal(0)
                sentences.append(
                    f"Only {number_text(gained)} of these {hours_text(hours)} count toward {whose} {year} "
                    f"requirement: {why}."
                )
        return " ".join(sentences)


def results_now(officer_id: int, years: Iterable[int]) -> dict[int, Result | None]:
    """The engine's result for each of these years, read as the stored results are (within the
    current transaction, so uncommitted writes count); None for a year without a period."""
    periods = {
        p.year: p
        for p in ReportingPeriod.objects.filter(jurisdiction=settings.CLEE_JURISDICTION, year__in=set(years))
    }
    results: dict[int, Result | None] = {}
    for year in sorted(set(years)):
        period = periods.get(year)
        results[year] = None if period is None else _evaluate(period, officer_id)[0]
    return results


def _evaluate(period: ReportingPeriod, officer_id: int) -> tuple[Result, list[Credit]]:
    inputs = next(period_inputs(period, [officer_id]))
    result = evaluate_officers(compiled_for(period_pack(period)), [(inputs.officer, inputs.credits)])[0]
    return result, inputs.credits


def effect_now(officer_id: int, before: Mapping[int, Result | None], record_ids: Sequence[int]) -> Effect:
    """The effect of the records ``record_ids`` (just written or moved, in this transaction) on
    the officer's periods, against ``before`` (``results_now`` before the change)."""
    records = list(
        TrainingRecord.objects.filter(pk__in=record_ids).select_related("course").prefetch_related("lines")
    )
    years = set(before) | {_home(record) for record in records}
    periods = {
        p.year: p
        for p in ReportingPeriod.objects.filter(jurisdiction=settings.CLEE_JURISDICTION, year__in=years)
    }
    after: dict[int, tuple[Result, list[Credit]]] = {
        year: _evaluate(period, officer_id) for year, period in periods.items()
    }
    period_effects = []
    record_effects = []
    for year in sorted(years):
        mine = [r for r in records if _home(r) == year]
        found = after.get(year)
        result = None if found is None else found[0]
        old = before.get(year)
        added = sum((r.hours for r in mine), Decimal(0))
        gained = Decimal(0)
        if result is not None and old is not None:
            gained = max(Decimal(0), Decimal(str(result.counted_hours)) - Decimal(str(old.counted_hours)))
        elif result is not None:
            gained = added
        period_effects.append(PeriodEffect(year, old, result, added, gained))
        if not mine:
            continue
        if found is None:
            for record in mine:
                record_effects.append(
                    _record_effect(record, year, "none", f"there is no {year} reporting period on file")
                )
            continue
        pack = period_pack(periods[year])
        notes: dict[str, list[str]] = {}
        for note in found[0].not_counted:
            notes.setdefault(note.credit_id, []).append(note.reason)
        counting = []
        for record in mine:
            ids = [f"line-{line.pk}" for line in record.lines.all()]
            if record.status != TrainingRecord.Status.ACCEPTED:
                state = record.get_status_display().lower()
                record_effects.append(
                    _record_effect(record, year, "none", f"it is {state}: only accepted training counts")
                )
            elif ids and all(i in notes for i in ids):
                record_effects.append(_record_effect(record, year, "none", *_reasons(record, notes, ids)))
            else:
                counting.append((record, [reason for i in ids for reason in notes.get(i, [])]))
        held = _held_back(pack, found[1])
        countable = sum((r.hours for r, _ in counting), Decimal(0))
        short_of = countable - gained > CLOSE
        for record, partial in counting:
            caps = [cap for cap in held if _under(cap.where, record)] if short_of else []
            if partial or caps:
                reasons = [human_dates(reason) for reason in partial] + [_cap_reason(cap) for cap in caps]
                # Nothing more counts in the period: the capped hours add nothing at all.
                none = gained <= CLOSE and not partial
                record_effects.append(_record_effect(record, year, "none" if none else "part", *reasons))
            else:
                record_effects.append(_record_effect(record, year, "all"))
    order = {record_id: index for index, record_id in enumerate(record_ids)}
    record_effects.sort(key=lambda effect: order.get(effect.record_id, 0))
    return Effect(period_effects, record_effects)


def preview(*, officer_id: int, years: Iterable[int], change: Callable[[], Sequence[int]]) -> Effect:
    """The effect of ``change`` (a function making the decision and returning the ids of the
    records it wrote or moved) without keeping it: made in a transaction rolled back."""
    return preview_officers(officer_ids=[officer_id], years=years, change=change)[officer_id]


def preview_officers(
    *, officer_ids: Iterable[int], years: Iterable[int], change: Callable[[], Sequence[int]]
) -> dict[int, Effect]:
    """``preview`` for a decision about several officers' records at once: each officer's."""
    officers, years = sorted(set(officer_ids)), list(years)
    before = {officer: results_now(officer, years) for officer in officers}
    with transaction.atomic():
        record_ids = list(change())
        mine: dict[int, list[int]] = {}
        for officer, record in TrainingRecord.objects.filter(pk__in=record_ids).values_list(
            "officer_id", "pk"
        ):
            mine.setdefault(officer, []).append(record)
        effects = {
            officer: effect_now(officer, before[officer], mine.get(officer, [])) for officer in officers
        }
        transaction.set_rollback(True)
    return effects


def dry_run(change: Callable[[], T]) -> T:
    """``change``'s return value, with nothing it wrote kept."""
    with transaction.atomic():
        value = change()
        transaction.set_rollback(True)
    return value


def _home(record: TrainingRecord) -> int:
    return record.applied_to_year or record.completed_on.year


def _record_effect(record: TrainingRecord, year: int, counts: str, *reasons: str) -> RecordEffect:
    title = record.course.title if record.course is not None else record.description
    return RecordEffect(record.pk, title or "Training", record.hours, year, counts, tuple(reasons))


def _reasons(record: TrainingRecord, notes: Mapping[str, list[str]], ids: Sequence[str]) -> list[str]:
    """Why none of a record's lines count, in words (dates as people write them)."""
    if record.source == Source.OUT_OF_STATE and record.state and not record.recognized_by:
        issue = recognition_issue(record.state, record.completed_on)
        if issue:
            return [f"{issue}, and POST has not recognized the course by a decision of its own"]
    return sorted({human_dates(reason) for i in ids for reason in notes.get(i, [])})


def _held_back(pack: RulePack, credits: Sequence[Credit]) -> list[Cap]:
    """The pack's caps the officer's credits of the period exceed (some hours cannot count)."""
    held = []
    for cap in pack.caps:
        under = sum(c.hours for c in credits if _matches(cap.where, c.source, c.delivery))
        if under > cap.maximum.value + 1e-6:
            held.append(cap)
    return held


def _matches(where: Mapping[str, frozenset[str]], source: str, delivery: str) -> bool:
    values = {"source": source, "delivery": delivery}
    return all(values.get(name) in wanted for name, wanted in where.items() if name in values) and all(
        name in values for name in where
    )


def _under(where: Mapping[str, frozenset[str]], record: TrainingRecord) -> bool:
    return _matches(where, str(record.source), str(record.delivery))


def _cap_reason(cap: Cap) -> str:
    """``no more than 22 computer-based hours count in a reporting period``."""
    maximum, label = cap.maximum.value, cap.label.lower()
    amount = (
        f"{number_text(maximum)} {label}" if label.endswith("hours") else f"{hours_text(maximum)} of {label}"
    )
    return f"no more than {amount} count in a reporting period"


# Courses: what a completion of the course counts toward -------------------------------------


@dataclass(frozen=True)
class LineCount:
    """What the hours of one line of a course's split count toward, and what they do not."""

    what: str  # ``Skill Development – Firearms, 2 hours``
    toward: tuple[str, ...]
    not_toward: tuple[str, ...]  # ``Skill Development – Firearms (only live hours count toward it)``
    within: tuple[str, ...]  # caps: ``within the 22-hour limit on computer-based hours``
    # Not toward the requirement of the line's own area (firearms hours taken online, say).
    misses_own: bool = False

    @property
    def text(self) -> str:
        text = f"{self.what}: count toward {_joined(self.toward) or 'nothing'}"
        if self.not_toward:
            text += f"; not toward {_joined(self.not_toward)}"
        if self.within:
            text += f"; {_joined(self.within)}"
        return text


def course_counts(
    portions: Sequence[tuple[str, str, Decimal, Mapping[str, Decimal]]],
    *,
    delivery: str,
    provider_class: str,
    year: int,
) -> list[LineCount]:
    """For each (core area, subject, hours, topic hours) of a course's split, what a completion
    in ``year`` counts toward under that year's rule pack, what it does not and why (delivery or
    provider class), and the caps it counts within. Empty without a pack for that year."""
    pack = counting_pack(year)
    if pack is None:
        return []
    counts = []
    for core_area, subject, hours, topics in portions:
        attributes = {
            "core_area": core_area,
            "subject": subject or "none",
            "topic": "none",
            "provider_class": provider_class,
            "delivery": delivery,
            "source": "course",
        }
        area = CORE_AREA_LABELS.get(core_area, core_area) + (" – Firearms" if subject == "firearms" else "")
        toward, not_toward = [], []
        misses_own = False
        for requirement in pack.requirements:
            wanted = requirement.where
            topic_of = next(iter(wanted.get("topic", ())), None)
            probe = dict(attributes, topic=topic_of) if topic_of in topics else attributes
            if topic_of is not None and topic_of not in topics:
                continue  # a topic this line has no hours on
            if _where(wanted, probe):
                amount = hours_text(topics[topic_of]) if topic_of else None
                toward.append(f"{requirement.label}" + (f" ({amount})" if amount else ""))
            elif _where(wanted, dict(probe, delivery="live")) and delivery != "live":
                not_toward.append(f"{requirement.label} (only live hours count toward it)")
                misses_own = misses_own or "core_area" in wanted
            elif _where(wanted, dict(probe, provider_class="approved")) and provider_class != "approved":
                not_toward.append(f"{requirement.label} (only approved-provider hours count toward it)")
                misses_own = misses_own or "core_area" in wanted
        within = [
            f"within the {number_text(cap.maximum.value)}-hour limit on {cap.label.lower()}"
            for cap in pack.caps
            if _where(cap.where, attributes)
        ]
        counts.append(
            LineCount(
                f"{area}, {hours_text(hours)}", tuple(toward), tuple(not_toward), tuple(within), misses_own
            )
        )
    return counts


def counting_pack(year: int) -> RulePack | None:
    """The rule pack of ``year``: its period's, or, for a year not open yet, the one the rules
    in force give it; None when the rules have no such period."""
    period = period_of_year(year)
    try:
        if period is not None:
            return period_pack(period)
        return book_in_force(settings.CLEE_JURISDICTION, program_today()).pack(str(year))
    except NoPackError:
        return None


def _where(where: Mapping[str, frozenset[str]], attributes: Mapping[str, str | None]) -> bool:
    return all(attributes.get(name) in wanted for name, wanted in where.items())


def _joined(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# Extensions: what granting one changes -------------------------------------------------------


@dataclass(frozen=True)
class ExtensionEffect:
    """An officer's period now, and once an extension is granted: the hours needed are the
    same; what changes is the deadline, and so the non-compliant list after the grace date."""

    now: str
    granted: str


def extension_effect(officer_id: int, year: int, grace_deadline: dt.date, today: dt.date) -> ExtensionEffect:
    result = results_now(officer_id, [year]).get(year)
    status = outcome_text(result)
    if result is None or result.status != "deficient":
        return ExtensionEffect(status, f"{status}: an extension changes nothing for {year}")
    passed = today > grace_deadline
    deadline = day_text(grace_deadline)
    now = f"{status}, due by the grace deadline, {deadline}" + (
        ": past it, so listed as non-compliant for the Director" if passed else ""
    )
    granted = (
        f"{status}: the same hours, due by the new deadline instead; not listed as non-compliant "
        "until that deadline passes"
    )
    return ExtensionEffect(now, granted)


# Records on a transcript: does each count? ---------------------------------------------------


@dataclass(frozen=True)
class LineCounting:
    """Why lines of an officer's period do not count (by line id), and the lines a cap may hold
    back in part (the officer's hours under that cap exceed it), with the cap in words."""

    not_counted: dict[int, list[str]] = field(default_factory=dict)
    held_back: dict[int, list[str]] = field(default_factory=dict)

    def label(self, record: TrainingRecord, line_ids: Iterable[int]) -> str:
        """A record's status as a person should read it: never a plain "Accepted" for training
        the rules do not count."""
        ids = list(line_ids)
        shown = record.get_status_display()
        if record.status != TrainingRecord.Status.ACCEPTED or not ids:
            return shown
        if all(i in self.not_counted for i in ids):
            return f"{shown}, does not count"
        if any(i in self.not_counted or i in self.held_back for i in ids):
            return f"{shown}, may not all count"
        return shown


def line_counting(officer_id: int, period: ReportingPeriod) -> LineCounting:
    """What the rules engine says of the officer's lines in ``period``, read as the stored
    result is computed."""
    result, credits = _evaluate(period, officer_id)
    counting = LineCounting()
    for note in result.not_counted:
        if note.credit_id.startswith("line-"):
            line = int(note.credit_id.removeprefix("line-"))
            counting.not_counted.setdefault(line, []).append(human_dates(note.reason))
    for cap in _held_back(period_pack(period), credits):
        for credit in credits:
            if credit.id.startswith("line-") and _matches(cap.where, credit.source, credit.delivery):
                line = int(credit.id.removeprefix("line-"))
                counting.held_back.setdefault(line, []).append(_cap_reason(cap))
    return counting
