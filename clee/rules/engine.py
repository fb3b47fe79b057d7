"""Evaluation: credits into lines, lines into class hours, class hours into results.

Almost every officer takes the fast path: when no cap binds, counting every hour is optimal and
the answer is plain sums. Officers whose caps bind go to the exact LP (``solver.solve_block``),
all of a batch's at once. ``evaluate_many`` streams results in input order.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from clee.rules.compiled import CompiledPack, FloatArray, compile_pack
from clee.rules.explain import Needs, describe_needs
from clee.rules.pack import RulePack, load_pack
from clee.rules.scenario import Credit, Officer, Scenario
from clee.rules.solver import solve_block

# Hours are compared with this tolerance and reported to 4 decimal places, so float sums of
# fractional hours (0.1 + 0.2) never turn a compliant officer deficient.
TOLERANCE = 1e-6
DECIMALS = 4


@dataclass(frozen=True, slots=True)
class RequirementResult:
    key: str
    label: str
    required: float
    counted: float
    short: float


@dataclass(frozen=True, slots=True)
class CreditNote:
    """Why a credit does not count (credits that count carry no note)."""

    credit_id: str
    reason: str


@dataclass(slots=True)
class Result:
    status: str  # "compliant", "deficient" or "exempt"
    counted_hours: float
    additional_hours_needed: float
    shortfalls: dict[str, float]
    requirements: list[RequirementResult]
    needs: Needs
    pack: str
    exemption: str | None = None
    not_counted: list[CreditNote] = field(default_factory=list)
    solved_by: str = "sums"  # "sums" (fast path) or "lp"

    def to_dict(self) -> dict[str, object]:
        """The scenario contract's result, plus the explanation."""
        return {
            "status": self.status,
            "counted_hours": self.counted_hours,
            "additional_hours_needed": self.additional_hours_needed,
            "shortfalls": self.shortfalls,
            "requirements": [
                {
                    "key": r.key,
                    "label": r.label,
                    "required": r.required,
                    "counted": r.counted,
                    "short": r.short,
                }
                for r in self.requirements
            ],
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
    """Credit lines of a batch, column-wise: officer index, class, hours."""

    __slots__ = ("codes", "hours", "notes", "officers")

    def __init__(self) -> None:
        self.officers: list[int] = []
        self.codes: list[int] = []
        self.hours: list[float] = []
        self.notes: dict[int, list[CreditNote]] = {}


def _add_credits(
    compiled: CompiledPack, officer_index: int, credits: Sequence[Credit], lines: _Lines
) -> None:
    """Normalize one officer's credits into lines; record why a credit does not count."""
    pack = compiled.pack
    starts, ends = pack.starts, pack.ends
    stride = compiled.topic_stride
    topic_index = {topic: index for index, topic in enumerate(compiled.topics)}
    cache = compiled._line_code_cache
    officers, codes, hours_out = lines.officers, lines.codes, lines.hours
    for credit in credits:
        if not (starts <= credit.date <= ends):
            lines.notes.setdefault(officer_index, []).append(
                CreditNote(
                    credit.id,
                    f"completed {credit.date}, outside the {pack.period} reporting period "
                    f"({starts} to {ends})",
                )
            )
            continue
        rule = pack.sources[credit.source]
        if rule.recognized is not None and not rule.recognizes(credit.state or "", credit.date):
            lines.notes.setdefault(officer_index, []).append(
                CreditNote(
                    credit.id,
                    f"{credit.state} was not a recognized out-of-state source on {credit.date}",
                )
            )
            continue
        provider = credit.provider_class if rule.provider_class == "from_credit" else rule.provider_class
        area = "firearms" if credit.subject == "firearms" else credit.core_area
        key = (area, provider or "licensed", credit.delivery, credit.source, "")
        base = cache.get(key)
        if base is None:
            base = cache[key] = compiled.base_code(
                area, provider or "licensed", credit.delivery, credit.source
            )
        remainder = credit.hours
        for topic, topic_hours in credit.topics:
            officers.append(officer_index)
            codes.append(base + topic_index[topic] * stride)
            hours_out.append(topic_hours)
            remainder -= topic_hours
        if remainder > TOLERANCE:
            officers.append(officer_index)
            codes.append(base)
            hours_out.append(remainder)


def _exemption(pack: RulePack, officer: Officer) -> str | None:
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
    officers: Sequence[tuple[Officer, Sequence[Credit]]],
    *,
    force_lp: bool = False,
) -> list[Result]:
    """Results for many officers under one compiled pack, in order.

    ``force_lp`` sends every officer through the LP (tests compare it with the fast path).
    """
    lines = _Lines()
    for index, (_, credits) in enumerate(officers):
        _add_credits(compiled, index, credits, lines)
    count = len(officers)
    hours = class_hours(compiled, count, lines.officers, lines.codes, lines.hours)
    answers = _answers(compiled, hours, force_lp=force_lp)
    exemptions = [_exemption(compiled.pack, officer) for officer, _ in officers]
    return _results(compiled, answers, exemptions, lines.notes)


def class_hours(
    compiled: CompiledPack,
    count: int,
    officers: Sequence[int],
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


@dataclass
class _Answers:
    requirement_max: FloatArray
    total_max: FloatArray
    additional: FloatArray
    deficits: FloatArray
    cap_usage: FloatArray
    by_lp: np.ndarray


def _answers(compiled: CompiledPack, hours: FloatArray, *, force_lp: bool = False) -> _Answers:
    """Fast path (plain sums) where no cap binds; the LP for the rest."""
    cap_usage = hours @ compiled.cap_members.T
    requirement_max = hours @ compiled.requirement_members.T
    total_max = hours.sum(axis=1)
    deficits = np.maximum(0.0, compiled.minimums - requirement_max)
    by_lp: npt.NDArray[np.bool_]
    if compiled.groups is None:
        by_lp = np.ones(len(hours), dtype=bool)
        additional = np.zeros(len(hours))
    else:
        by_lp = np.asarray((cap_usage > compiled.maximums + TOLERANCE).any(axis=1), dtype=bool)
        additional = (
            np.max([deficits[:, list(group)].sum(axis=1) for group in compiled.groups], axis=0)
            if (compiled.groups)
            else np.zeros(len(hours))
        )
    if force_lp:
        by_lp[:] = True
    if by_lp.any():
        block = solve_block(compiled, hours[by_lp])
        requirement_max[by_lp] = block.requirement_max
        total_max[by_lp] = block.total_max
        additional[by_lp] = block.additional
        deficits[by_lp] = block.deficits
        cap_usage[by_lp] = block.cap_usage
    return _Answers(requirement_max, total_max, additional, deficits, cap_usage, by_lp)


def _round(value: float) -> float:
    return round(float(value), DECIMALS) + 0.0


def _results(
    compiled: CompiledPack,
    answers: _Answers,
    exemptions: Sequence[str | None],
    notes: dict[int, list[CreditNote]],
) -> list[Result]:
    pack = compiled.pack
    keys = compiled.requirement_keys
    labels = [r.label for r in pack.requirements]
    minimums = [_round(m) for m in compiled.minimums]
    counted_all = np.round(answers.requirement_max, DECIMALS).tolist()
    short_all = np.round(np.maximum(0.0, compiled.minimums - answers.requirement_max), DECIMALS).tolist()
    deficits_all = np.round(answers.deficits, DECIMALS).tolist()
    room_all = np.round(compiled.maximums - answers.cap_usage, DECIMALS).tolist()
    totals = np.round(answers.total_max, DECIMALS).tolist()
    additional_all = np.round(answers.additional, DECIMALS).tolist()
    by_lp = answers.by_lp.tolist()
    results = []
    nothing = describe_needs(compiled, 0.0, [0.0] * len(keys), [])
    for index, exemption in enumerate(exemptions):
        counted, short = counted_all[index], short_all[index]
        requirements = [
            RequirementResult(keys[r], labels[r], minimums[r], counted[r] + 0.0, short[r] + 0.0)
            for r in range(len(keys))
        ]
        additional = additional_all[index] + 0.0
        shortfalls: dict[str, float] = {}
        if exemption is not None:
            # Nothing is required of an exempt officer: show progress, no shortfall.
            requirements = [
                RequirementResult(r.key, r.label, r.required, r.counted, 0.0) for r in requirements
            ]
            status, additional, needs = "exempt", 0.0, nothing
        elif additional <= TOLERANCE:
            status, additional, needs = "compliant", 0.0, nothing
        else:
            status = "deficient"
            shortfalls = {keys[r]: short[r] + 0.0 for r in range(len(keys)) if short[r] > TOLERANCE}
            needs = describe_needs(compiled, additional, deficits_all[index], room_all[index])
        results.append(
            Result(
                status=status,
                counted_hours=totals[index] + 0.0,
                additional_hours_needed=additional,
                shortfalls=shortfalls,
                requirements=requirements,
                needs=needs,
                pack=pack.ident,
                exemption=exemption,
                not_counted=notes.get(index, []),
                solved_by="lp" if by_lp[index] else "sums",
            )
        )
    return results


def evaluate(scenario: Scenario, pack: RulePack | None = None) -> Result:
    """One officer's result for the scenario's period (or under ``pack``, e.g. a draft)."""
    pack = pack or load_pack(scenario.jurisdiction, scenario.period)
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
    for index, scenario in enumerate(chunk):
        scenario_pack = pack or load_pack(scenario.jurisdiction, scenario.period)
        by_pack.setdefault(scenario_pack, []).append(index)
    results: list[Result | None] = [None] * len(chunk)
    for scenario_pack, indexes in by_pack.items():
        part = evaluate_officers(
            compiled_for(scenario_pack), [(chunk[i].officer, chunk[i].credits) for i in indexes]
        )
        for index, result in zip(indexes, part, strict=True):
            results[index] = result
    return [r for r in results if r is not None]
