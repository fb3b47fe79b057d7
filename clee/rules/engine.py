"""Evaluation: credits into lines, lines into class hours, class hours into results.

Almost every officer takes the fast path: when no cap binds, counting every hour is optimal and
the answer is plain sums. Where a cap binds, one allocation usually reaches every requirement's
bound and closed forms answer exactly (``allocation``); the others go to the exact LP
(``solver``), all of a batch's at once. ``evaluate_many`` streams results in input order.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from clee.rules.allocation import allocate, group_need, plan_room, requirement_bounds
from clee.rules.compiled import BoolArray, CompiledPack, FloatArray, IntArray, compile_pack
from clee.rules.explain import Needs, Plan, describe_needs
from clee.rules.pack import RulePack, load_pack, with_recognized
from clee.rules.scenario import CreditLike, OfficerLike, Scenario
from clee.rules.solver import Details, exact_details, fewest_extra_hours, maxima_by_lp

# Hours are compared with this tolerance: a shortfall of more than a millionth of an hour is a
# shortfall (float sums of fractional hours, 0.1 + 0.2, stay far below it). Hours are reported
# to 4 decimal places, rounded so that a statement stays true: hours needed upward, hours
# counted downward (a value within ``SNAP`` of a reported step is that step).
TOLERANCE = 1e-6
DECIMALS = 4
SNAP = 1e-6


@dataclass(frozen=True, slots=True)
class RequirementResult:
    """One row of the requirement table: ``counted`` and ``short`` come from one allocation of
    the officer's hours (the one behind the breakdown); ``most`` is the most hours that could
    count toward this requirement alone; ``jointly`` marks a requirement short in that
    allocation although it could be met on its own (the caps make the hours count toward one
    requirement or another)."""

    key: str
    label: str
    required: float
    counted: float
    short: float
    most: float = 0.0
    jointly: bool = False


@dataclass(frozen=True, slots=True)
class CreditNote:
    """Why a credit does not count (credits that count carry no note)."""

    credit_id: str
    reason: str


def hours_up(values: FloatArray) -> FloatArray:
    """Hours needed, to ``DECIMALS`` places, rounded up (never below what is needed)."""
    return _rounded(values, np.ceil)


def hours_down(values: FloatArray) -> FloatArray:
    """Hours counted or required at least, to ``DECIMALS`` places, rounded down."""
    return _rounded(values, np.floor)


def _rounded(values: FloatArray, direction: object) -> FloatArray:
    scale = 10.0**DECIMALS
    nearest = np.round(values, DECIMALS)
    with np.errstate(over="ignore", invalid="ignore"):  # absurd hours (1e308) stay as they are
        moved = direction(values * scale) / scale  # type: ignore[operator]
    result: FloatArray = np.where(np.abs(values - nearest) <= SNAP, nearest, moved) + 0.0
    return result


class Result:
    """One officer's result for one period. The requirement table and the "still needed"
    explanation are built when first read, for the whole batch at once, so a batch pays for
    them only where it looks."""

    __slots__ = (
        "_evaluation",
        "_index",
        "_needs",
        "additional_hours_needed",
        "counted_hours",
        "exemption",
        "not_counted",
        "pack",
        "shortfalls",
        "solved_by",
        "status",
    )

    def __init__(
        self,
        *,
        evaluation: _Evaluation,
        index: int,
        status: str,
        counted_hours: float,
        additional_hours_needed: float,
        shortfalls: dict[str, float],
        exemption: str | None = None,
        not_counted: list[CreditNote] | None = None,
        solved_by: str = "sums",
    ) -> None:
        self._evaluation, self._index = evaluation, index
        self.status = status  # "compliant", "deficient" or "exempt"
        self.counted_hours = counted_hours
        self.additional_hours_needed = additional_hours_needed
        self.shortfalls = shortfalls
        self.exemption = exemption
        self.not_counted = not_counted or []
        # "sums": no cap binds; "caps": a cap binds and closed forms answer exactly; "lp": the
        # linear program answers.
        self.solved_by = solved_by
        self.pack = evaluation.compiled.pack.ident
        self._needs: Needs | None = None

    @property
    def requirements(self) -> list[RequirementResult]:
        """Per requirement: required, counted and short in one allocation, the most alone."""
        return self._evaluation.table(self._index, self.status == "exempt")

    @property
    def needs(self) -> Needs:
        """The fewest extra hours, broken down into what every such plan must contain."""
        if self._needs is None:
            self._needs = self._evaluation.needs(self._index, self.status)
        return self._needs

    def to_dict(self) -> dict[str, object]:
        """The scenario contract's result, plus the explanation."""
        return {
            "status": self.status,
            "counted_hours": self.counted_hours,
            "additional_hours_needed": self.additional_hours_needed,
            "shortfalls": self.shortfalls,
            "requirements": self._evaluation.table_rows(self._index, self.status == "exempt"),
            "still_needed": self.needs.to_dict(),
            "exemption": self.exemption,
            "not_counted": [{"id": n.credit_id, "reason": n.reason} for n in self.not_counted],
            "pack": self.pack,
            "solved_by": self.solved_by,
        }


@functools.lru_cache(maxsize=64)
def compiled_for(pack: RulePack) -> CompiledPack:
    return compile_pack(pack)


class _Lines:
    """Credit lines of a batch, column-wise: raw class and hours, and how many per officer."""

    __slots__ = ("codes", "counts", "hours", "notes")

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.hours: list[float] = []
        self.counts: list[int] = []
        self.notes: dict[int, list[CreditNote]] = {}

    def note(self, officer_index: int, credit_id: str, reason: str) -> None:
        self.notes.setdefault(officer_index, []).append(CreditNote(credit_id, reason))


def _add_credits(compiled: CompiledPack, officers: Sequence[Sequence[CreditLike]], lines: _Lines) -> None:
    """Normalize every officer's credits into lines; record why a credit does not count.

    The hot loop of a batch: one dictionary lookup per credit finds its line classes.
    """
    pack = compiled.pack
    starts, ends = pack.starts, pack.ends
    line_classes = compiled.line_classes
    codes, hours_out, counts = lines.codes, lines.hours, lines.counts
    add_code, add_hours = codes.append, hours_out.append
    period = pack.period
    for officer_index, credits in enumerate(officers):
        before = len(codes)
        for credit in credits:
            day = credit.date
            # Most credits carry no ``applied_to`` (a plain object may lack the attribute).
            applied_to = getattr(credit, "applied_to", None)
            if applied_to is None or (applied_to == period and day <= ends):
                if day < starts or day > ends:
                    lines.note(
                        officer_index,
                        credit.id,
                        f"completed {day}, outside the {period} reporting period ({starts} to {ends})",
                    )
                    continue
            elif applied_to != period:
                lines.note(officer_index, credit.id, f"applied to the {applied_to} reporting period")
                continue
            elif day < starts:
                lines.note(
                    officer_index,
                    credit.id,
                    f"completed {day}, before the {period} reporting period it is applied to",
                )
                continue
            key = (credit.core_area, credit.subject, credit.provider_class, credit.delivery, credit.source)
            entry = line_classes.get(key) or compiled.line_classes_for(*key)
            plain, by_topic, recognizing = entry
            if (
                recognizing is not None
                and not recognizing.recognizes(credit.state or "", day)
                and not getattr(credit, "recognized_by", None)
            ):
                lines.note(
                    officer_index,
                    credit.id,
                    f"{credit.state} was not a recognized out-of-state source on {day}",
                )
                continue
            topics = credit.topics
            if not topics:
                add_code(plain)
                add_hours(credit.hours or 0.0)
                continue
            remainder = credit.hours or 0.0
            for topic, topic_hours in topics.items() if isinstance(topics, Mapping) else topics:
                add_code(by_topic[topic])
                add_hours(topic_hours)
                remainder -= topic_hours
            if remainder > TOLERANCE:
                add_code(plain)
                add_hours(remainder)
        counts.append(len(codes) - before)


def _exemption(pack: RulePack, officer: OfficerLike) -> str | None:
    if officer.exemption:
        return officer.exemption.strip()
    for exemption in pack.exemptions:
        day: dt.date | None = getattr(officer, exemption.officer_field)
        if day is None:
            continue
        # Licensed on or after the period's first day: not required that period (seed 001).
        after_start = day >= pack.starts
        if after_start and (exemption.officer_field == "licensed_on" or day <= pack.ends):
            return exemption.label
    return None


def evaluate_officers(
    compiled: CompiledPack,
    officers: Sequence[tuple[OfficerLike, Sequence[CreditLike]]],
    *,
    force_lp: bool = False,
) -> list[Result]:
    """Results for many officers under one compiled pack, in order.

    ``force_lp`` sends every officer through the LP (tests compare it with the closed forms).
    """
    lines = _Lines()
    _add_credits(compiled, [credits for _, credits in officers], lines)
    count = len(officers)
    officer_of_line = np.repeat(np.arange(count, dtype=np.int64), lines.counts)
    hours = class_hours(compiled, count, officer_of_line, lines.codes, lines.hours)
    evaluation = _Evaluation(compiled, hours, force_lp=force_lp)
    exemptions = [_exemption(compiled.pack, officer) for officer, _ in officers]
    return evaluation.results(exemptions, lines.notes)


def class_hours(
    compiled: CompiledPack,
    count: int,
    officers: Sequence[int] | IntArray,
    codes: Sequence[int],
    hours: Sequence[float],
) -> FloatArray:
    """Hours per officer and class, shape (count, classes)."""
    classes = (
        compiled.raw_to_class[np.asarray(codes, dtype=np.int64)] if len(codes) else np.zeros(0, np.int64)
    )
    flat = np.asarray(officers, dtype=np.int64) * compiled.class_count + classes
    summed = np.bincount(flat, weights=np.asarray(hours, dtype=float), minlength=count * compiled.class_count)
    result: FloatArray = summed.astype(float).reshape(count, compiled.class_count)
    return result


class _Evaluation:
    """One batch of officers under one pack: the answers at once, the table and the breakdown
    when first read (for the whole batch: the LP solves every officer it must in one block).

    Each officer is answered by the closed forms (``sums``, ``caps``) where they are exact for
    that officer, else by the LP; which one depends on the officer alone, and both give the
    same numbers, so a result never depends on the officers beside it.
    """

    def __init__(self, compiled: CompiledPack, hours: FloatArray, *, force_lp: bool) -> None:
        self.compiled, self.hours = compiled, hours
        count = len(hours)
        limits = np.tile(compiled.maximums, (count, 1))
        self.binding = hours @ compiled.cap_columns > limits + TOLERANCE
        binds = self.binding.any(axis=1)
        # The most each requirement (and the total) can count alone: plain sums when no cap
        # binds, else a closed form (or the LP, for caps a closed form cannot handle).
        most = hours @ compiled.counts_toward
        total = hours.sum(axis=1)
        width = len(compiled.minimum_list)
        if compiled.bound_form is not None and binds.any():
            bounds = requirement_bounds(compiled, hours[binds], limits[binds])
            most[binds], total[binds] = bounds[:, :width], bounds[:, width]
        elif binds.any():
            most[binds], total[binds] = maxima_by_lp(compiled, hours[binds])
        self.most, self.total = most, total
        self.bound_deficits = np.maximum(0.0, compiled.minimums - most)
        # One allocation reaching every requirement's bound: then the closed forms answer.
        closed = np.zeros(count, dtype=bool)
        if compiled.closed and compiled.bound_form is not None and not force_lp:
            closed = np.asarray(~binds)
            rows = np.flatnonzero(binds)
            if len(rows):
                allocation, fits = allocate(compiled, hours[rows], limits[rows], self.binding[rows])
                reached = np.maximum(0.0, compiled.minimums - allocation @ compiled.counts_toward)
                fits &= (np.abs(reached - self.bound_deficits[rows]) <= TOLERANCE).all(axis=1)
                # ... and the most hours in all (the table's total row is that allocation's).
                fits &= allocation.sum(axis=1) >= total[rows] - TOLERANCE
                closed[rows] = fits
        self.closed = closed
        additional = np.zeros(count)
        if closed.any():
            additional[closed] = group_need(compiled, self.bound_deficits[closed])
        if (~closed).any():
            additional[~closed] = fewest_extra_hours(compiled, hours[~closed])[0]
        self.additional = np.maximum(0.0, additional)
        self.solved_by = np.where(closed, np.where(binds, "caps", "sums"), "lp")
        self._details: _Breakdown | None = None

    def results(self, exemptions: Sequence[str | None], notes: dict[int, list[CreditNote]]) -> list[Result]:
        keys = self.compiled.requirement_keys
        short_all = hours_up(self.bound_deficits).tolist()
        totals = hours_down(self.total).tolist()
        additional_all = hours_up(self.additional).tolist()
        raw_additional = self.additional.tolist()
        raw_short = self.bound_deficits.tolist()
        solved_by = self.solved_by.tolist()
        results = []
        for index, exemption in enumerate(exemptions):
            shortfalls: dict[str, float] = {}
            additional = additional_all[index]
            if exemption is not None:
                status, additional = "exempt", 0.0  # nothing is required of an exempt officer
            elif raw_additional[index] <= TOLERANCE:
                status, additional = "compliant", 0.0
            else:
                status = "deficient"
                short = short_all[index]
                shortfalls = {
                    key: short[r]
                    for r, (key, raw) in enumerate(zip(keys, raw_short[index], strict=True))
                    if raw > TOLERANCE
                }
            results.append(
                Result(
                    evaluation=self,
                    index=index,
                    status=status,
                    counted_hours=totals[index],
                    additional_hours_needed=additional,
                    shortfalls=shortfalls,
                    exemption=exemption,
                    not_counted=notes.get(index),
                    solved_by=solved_by[index],
                )
            )
        return results

    @property
    def details(self) -> _Breakdown:
        if self._details is None:
            self._details = _Breakdown(self)
        return self._details

    def table(self, index: int, exempt: bool) -> list[RequirementResult]:
        return [RequirementResult(**row) for row in self.table_rows(index, exempt)]

    def table_rows(self, index: int, exempt: bool) -> list[dict[str, Any]]:
        """The requirement table of one officer, as the rows of ``to_dict``."""
        details = self.details
        compiled = self.compiled
        counted, most = details.table_counted[index], details.most[index]
        if exempt:  # nothing is required of an exempt officer: progress, no shortfall
            return [
                {
                    "key": k,
                    "label": lb,
                    "required": m,
                    "counted": c,
                    "short": 0.0,
                    "most": a,
                    "jointly": False,
                }
                for k, lb, m, c, a in zip(
                    compiled.requirement_keys,
                    compiled.requirement_labels,
                    compiled.minimum_list,
                    counted,
                    most,
                    strict=True,
                )
            ]
        return [
            {
                "key": k,
                "label": lb,
                "required": m,
                "counted": c,
                "short": sh,
                "most": a,
                "jointly": sh > 0 and a >= m,
            }
            for k, lb, m, c, sh, a in zip(
                compiled.requirement_keys,
                compiled.requirement_labels,
                compiled.minimum_list,
                counted,
                details.table_short[index],
                most,
                strict=True,
            )
        ]

    def needs(self, index: int, status: str) -> Needs:
        compiled = self.compiled
        if status != "deficient":
            return describe_needs(compiled, Plan(0.0))
        return describe_needs(compiled, self.details.plan(index))


class _Breakdown:
    """The table's allocation and the breakdown's conditions for a whole batch.

    Closed forms where exact (the deficits each at their bound; the least live hours from
    ``plan_room``), the LP for the rest (``solver.exact_details``). Values are rounded the way
    they are stated: hours needed upward, hours a plan must contain at least downward.
    """

    def __init__(self, evaluation: _Evaluation) -> None:
        compiled = evaluation.compiled
        self.compiled = compiled
        count = len(evaluation.hours)
        deficient = evaluation.additional > TOLERANCE
        closed = evaluation.closed
        deficits = evaluation.bound_deficits.copy()
        total = evaluation.total.copy()
        room = np.full(count, np.inf)
        exact = closed.copy()
        rows = np.flatnonzero(closed & deficient)
        if len(rows) and compiled.plan_cap is not None:
            room[rows], exact[rows] = plan_room(
                compiled, evaluation.hours[rows], deficits[rows], evaluation.additional[rows]
            )
        additional = evaluation.additional.copy()
        least = np.zeros((count, len(compiled.conditions)))
        for position, condition in enumerate(compiled.conditions):
            if condition.on == "requirement":
                least[:, position] = deficits[:, condition.index]
            else:
                least[:, position] = additional - np.minimum(additional, room)
        joint = np.zeros(count, dtype=bool)
        plan_cap_room = room.copy()
        lp_rows = np.flatnonzero(~closed | (deficient & ~exact))
        if len(lp_rows):
            found = exact_details(compiled, evaluation.hours[lp_rows])
            if found.joint.any():  # one allocation for the table, chosen in pack order
                again = exact_details(compiled, evaluation.hours[lp_rows[found.joint]], lexicographic=True)
                found.deficits[found.joint] = again.deficits
                found.total[found.joint] = again.total
                found.plan_room[found.joint] = again.plan_room
            additional[lp_rows] = found.additional
            least[lp_rows] = found.least
            deficits[lp_rows] = found.deficits
            total[lp_rows] = found.total
            plan_cap_room[lp_rows] = found.plan_room
            joint[lp_rows] = _insufficient(compiled, found)
        self.additional = additional
        self.least = least
        self.joint = joint & deficient
        self.plan_cap_room = plan_cap_room
        self.binding = evaluation.binding
        self.alone = evaluation.bound_deficits
        self.table_short = hours_up(deficits).tolist()
        minimums = compiled.minimums
        counted = np.maximum(0.0, minimums - hours_up(deficits))
        for r in compiled.everywhere:
            counted[:, r] = hours_down(total)
        self.table_counted = (counted + 0.0).tolist()
        self.deficits = deficits
        self.most = hours_down(evaluation.most).tolist()
        self.least_down = hours_down(least)
        self.additional_up = hours_up(additional)

    def plan(self, index: int) -> Plan:
        """The officer's plan: the fewest hours, the conditions every such plan meets, and,
        where those are not enough together, one plan that works."""
        compiled = self.compiled
        hours = float(self.additional_up[index])
        least = tuple(float(v) for v in self.least_down[index])
        caps = tuple(c for c in range(len(compiled.pack.caps)) if self.binding[index, c])
        held_back = tuple(
            condition.index
            for position, condition in enumerate(compiled.conditions)
            if condition.on == "requirement"
            and self.least[index, position] > self.alone[index, condition.index] + TOLERANCE
        )
        if not self.joint[index]:
            return Plan(hours, least, caps, held_back=held_back)
        example: tuple[float, ...] | None = None
        live = 0.0
        if compiled.groups is not None:
            example = tuple(float(v) for v in hours_up(self.deficits[index]))
            live = max(0.0, float(self.additional[index] - self.plan_cap_room[index]))
        return Plan(
            hours,
            least,
            caps,
            joint=True,
            example=example,
            example_live=float(hours_up(np.array(live))),
            held_back=held_back,
        )


def _insufficient(compiled: CompiledPack, found: Details) -> BoolArray:
    """Officers for whom the stated conditions are not enough together: no best allocation
    leaves every requirement no shorter than its condition with room for the plan's
    computer-based hours (checked on the allocation the LP chose, whose deficits are each as
    small as they can be in pack order)."""
    insufficient = np.zeros(len(found.additional), dtype=bool)
    for position, condition in enumerate(compiled.conditions):
        if condition.on == "requirement":
            insufficient |= found.deficits[:, condition.index] > found.least[:, position] + TOLERANCE
        else:
            may_fall_under = found.additional - found.least[:, position]
            insufficient |= found.plan_room < may_fall_under - TOLERANCE
    return insufficient


def scenario_pack(scenario: Scenario, pack: RulePack | None = None) -> RulePack:
    """The pack that decides ``scenario``: ``pack`` (e.g. a draft) or its period's, with the
    scenario's own recognized out-of-state list when it gives one."""
    pack = pack or load_pack(scenario.jurisdiction, scenario.period)
    return pack if scenario.recognized is None else with_recognized(pack, scenario.recognized)


def evaluate(scenario: Scenario, pack: RulePack | None = None) -> Result:
    """One officer's result for the scenario's period (or under ``pack``, e.g. a draft)."""
    pack = scenario_pack(scenario, pack)
    return evaluate_officers(compiled_for(pack), [(scenario.officer, scenario.credits)])[0]


def evaluate_many(
    scenarios: Iterable[Scenario], *, pack: RulePack | None = None, chunk_size: int = 4000
) -> Iterator[Result]:
    """Results for many officers, streamed in input order, ``chunk_size`` officers at a time.

    Each scenario is evaluated under its own period's pack, or all under ``pack`` when given
    (a draft pack for the rule-change impact preview). Memory stays bounded by the chunk.
    """
    chunk: list[Scenario] = []
    for scenario in scenarios:
        chunk.append(scenario)
        if len(chunk) >= chunk_size:
            yield from _evaluate_chunk(chunk, pack)
            chunk = []
    if chunk:
        yield from _evaluate_chunk(chunk, pack)


def _evaluate_chunk(chunk: list[Scenario], pack: RulePack | None) -> list[Result]:
    by_pack: dict[RulePack, list[int]] = {}
    packs: dict[tuple[str, str], RulePack] = {}
    for index, scenario in enumerate(chunk):
        chosen = pack
        if chosen is None:
            key = (scenario.jurisdiction, scenario.period)
            chosen = packs.get(key) or packs.setdefault(key, load_pack(*key))
        if scenario.recognized is not None:
            chosen = with_recognized(chosen, scenario.recognized)
        by_pack.setdefault(chosen, []).append(index)
    results: list[Result | None] = [None] * len(chunk)
    for chosen, indexes in by_pack.items():
        part = evaluate_officers(
            compiled_for(chosen), [(chunk[i].officer, chunk[i].credits) for i in indexes]
        )
        for index, result in zip(indexes, part, strict=True):
            results[index] = result
    return [r for r in results if r is not None]
