"""Evaluation: credits into lines, lines into class hours, class hours into results.

Almost every officer takes the fast path: when no cap binds, counting every hour is optimal and
the answer is plain sums. Officers whose caps bind go to the exact LP (``solver.solve_block``),
all of a batch's at once. ``evaluate_many`` streams results in input order.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from clee.rules.compiled import CompiledPack, FloatArray, IntArray, compile_pack
from clee.rules.explain import Needs, describe_needs
from clee.rules.pack import RulePack, load_pack, with_recognized
from clee.rules.scenario import CreditLike, OfficerLike, Scenario
from clee.rules.solver import fewest_extra_hours, maxima_by_lp

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


class Result:
    """One officer's result for one period. The requirement table and the "still needed"
    explanation are built when first read, so a batch pays for them only where it looks."""

    __slots__ = (
        "_compiled",
        "_counted",
        "_deficits",
        "_needs",
        "_room",
        "_short",
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
        compiled: CompiledPack,
        status: str,
        counted_hours: float,
        additional_hours_needed: float,
        shortfalls: dict[str, float],
        counted: list[float],
        short: list[float],
        deficits: list[float],
        cap_room: list[float],
        exemption: str | None = None,
        not_counted: list[CreditNote] | None = None,
        solved_by: str = "sums",
    ) -> None:
        self._compiled = compiled
        self.status = status  # "compliant", "deficient" or "exempt"
        self.counted_hours = counted_hours
        self.additional_hours_needed = additional_hours_needed
        self.shortfalls = shortfalls
        self._counted, self._short, self._deficits, self._room = counted, short, deficits, cap_room
        self.exemption = exemption
        self.not_counted = not_counted or []
        self.solved_by = solved_by  # "sums" (fast path) or "lp"
        self.pack = compiled.pack.ident
        self._needs: Needs | None = None

    @property
    def requirements(self) -> list[RequirementResult]:
        """Per requirement: required, the most hours that can count, hours short."""
        return [
            RequirementResult(requirement.key, requirement.label, minimum, counted, short)
            for requirement, minimum, counted, short in zip(
                self._compiled.pack.requirements,
                self._compiled.minimum_list,
                self._counted,
                self._short,
                strict=True,
            )
        ]

    @property
    def needs(self) -> Needs:
        """The fewest extra hours, broken down into what they must be."""
        if self._needs is None:
            if self.status == "deficient":
                self._needs = describe_needs(
                    self._compiled, self.additional_hours_needed, self._deficits, self._room
                )
            else:
                self._needs = describe_needs(self._compiled, 0.0, self._deficits, self._room)
        return self._needs

    def to_dict(self) -> dict[str, object]:
        """The scenario contract's result, plus the explanation."""
        return {
            "status": self.status,
            "counted_hours": self.counted_hours,
            "additional_hours_needed": self.additional_hours_needed,
            "shortfalls": self.shortfalls,
            "requirements": [
                {"key": key, "label": label, "required": minimum, "counted": counted, "short": short}
                for key, label, minimum, counted, short in zip(
                    self._compiled.requirement_keys,
                    self._compiled.requirement_labels,
                    self._compiled.minimum_list,
                    self._counted,
                    self._short,
                    strict=True,
                )
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

    ``force_lp`` sends every officer through the LP (tests compare it with the fast path).
    """
    lines = _Lines()
    _add_credits(compiled, [credits for _, credits in officers], lines)
    count = len(officers)
    officer_of_line = np.repeat(np.arange(count, dtype=np.int64), lines.counts)
    hours = class_hours(compiled, count, officer_of_line, lines.codes, lines.hours)
    answers = _answers(compiled, hours, force_lp=force_lp)
    exemptions = [_exemption(compiled.pack, officer) for officer, _ in officers]
    return _results(compiled, answers, exemptions, lines.notes)


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


@dataclass
class _Answers:
    requirement_max: FloatArray
    total_max: FloatArray
    additional: FloatArray
    deficits: FloatArray
    cap_usage: FloatArray
    by_lp: np.ndarray


def _answers(compiled: CompiledPack, hours: FloatArray, *, force_lp: bool = False) -> _Answers:
    """Plain sums where no cap binds; exact answers where one does.

    Where caps bind but share no credit line (computer-based and college hours apart, the
    usual case), each requirement's maximum has a closed form: a cap admits that
    requirement's own hours up to its limit. The joint question, the fewest extra hours,
    always goes to the LP then: which hours to count under a cap is a real choice.
    """
    caps = compiled.cap_members
    cap_usage = hours @ caps.T
    requirement_max = hours @ compiled.requirement_members.T
    total_max = hours.sum(axis=1)
    binding = (cap_usage > compiled.maximums + TOLERANCE).any(axis=1)
    by_lp = np.asarray(binding | (compiled.groups is None) | force_lp, dtype=bool)
    shared_lines = ((caps.sum(axis=0) > 1) & (hours > 0)).any(axis=1)
    closed_form = binding & ~shared_lines & (not force_lp)
    if closed_form.any():
        capped = hours[closed_form]
        in_any_cap = caps.any(axis=0)
        part = capped @ (compiled.requirement_members * ~in_any_cap).T
        total = capped @ (~in_any_cap).astype(float)
        for cap, limit in zip(caps, compiled.maximums, strict=True):
            part += np.minimum(limit, capped @ (compiled.requirement_members * cap).T)
            total += np.minimum(limit, capped @ cap)
        requirement_max[closed_form], total_max[closed_form] = part, total
    deficits = np.maximum(0.0, compiled.minimums - requirement_max)
    group_sums = [deficits[:, list(group)].sum(axis=1) for group in compiled.groups or ()]
    additional = np.max(group_sums, axis=0) if group_sums else np.zeros(len(hours))
    if by_lp.any():
        maxima_rows = by_lp & ~closed_form
        if maxima_rows.any():
            requirement_max[maxima_rows], total_max[maxima_rows] = maxima_by_lp(compiled, hours[maxima_rows])
        additional[by_lp], deficits[by_lp], cap_usage[by_lp] = fewest_extra_hours(compiled, hours[by_lp])
    return _Answers(requirement_max, total_max, additional, deficits, cap_usage, by_lp)


def _round(value: float) -> float:
    return round(float(value), DECIMALS) + 0.0


def _results(
    compiled: CompiledPack,
    answers: _Answers,
    exemptions: Sequence[str | None],
    notes: dict[int, list[CreditNote]],
) -> list[Result]:
    keys = compiled.requirement_keys
    short_matrix = np.maximum(0.0, compiled.minimums - answers.requirement_max)
    counted_all = (np.round(answers.requirement_max, DECIMALS) + 0.0).tolist()
    short_all = (np.round(short_matrix, DECIMALS) + 0.0).tolist()
    deficits_all = (np.round(answers.deficits, DECIMALS) + 0.0).tolist()
    room_all = (np.round(compiled.maximums - answers.cap_usage, DECIMALS) + 0.0).tolist()
    totals = (np.round(answers.total_max, DECIMALS) + 0.0).tolist()
    additional_all = (np.round(answers.additional, DECIMALS) + 0.0).tolist()
    by_lp = answers.by_lp.tolist()
    zeros = [0.0] * len(keys)
    results = []
    for index, exemption in enumerate(exemptions):
        short = short_all[index]
        additional = additional_all[index]
        shortfalls: dict[str, float] = {}
        if exemption is not None:
            # Nothing is required of an exempt officer: show progress, no shortfall.
            status, additional, short = "exempt", 0.0, zeros
        elif additional <= TOLERANCE:
            status, additional = "compliant", 0.0
        else:
            status = "deficient"
            shortfalls = {key: hours for key, hours in zip(keys, short, strict=True) if hours > TOLERANCE}
        results.append(
            Result(
                compiled=compiled,
                status=status,
                counted_hours=totals[index],
                additional_hours_needed=additional,
                shortfalls=shortfalls,
                counted=counted_all[index],
                short=short,
                deficits=deficits_all[index],
                cap_room=room_all[index],
                exemption=exemption,
                not_counted=notes.get(index),
                solved_by="lp" if by_lp[index] else "sums",
            )
        )
    return results


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
