"""An independent, exhaustive evaluator for small scenarios, to check the engine's LP against.

It reads only the rule pack's *values* (dates, minimums, maxima, ``where`` conditions, source
rules) and the raw scenario document; it does not use ``clee.rules.compiled``, ``solver`` or
``engine``. Hours are counted in half-hour units, and every quantity an allocation chooses is a
whole number of units. For the questions asked here (caps over at most two sets of lines with
0/1 coefficients, minimums over 0/1 sets) the constraint structure has integral optima, so the
exhaustive search over whole units gives the same numbers as the continuous LP.

Method, in plain terms:

* a credit becomes lines (its topic portions and the remainder), each with the six attributes
  a ``where`` may test; credits outside the period or from an unrecognized state make no line;
* lines with identical attributes are merged (they are interchangeable);
* a line that no cap can hold back (no cap, or only caps whose lines all fit under them) is
  counted in full (counting more never breaks a cap and never lowers any requirement's hours);
* for capped lines every whole number of units 0..h is tried, line after line, keeping every
  distinct reachable state (cap usage, hours per requirement, each kept up to its minimum);
  states that break a cap are dropped, and so is a state whose cap usage is at least another's
  with the same hours (whatever can follow it can follow the other); a cap none of whose lines
  is left to try is forgotten;
* the fewest extra hours for a state is found by trying every sequence of steps over the
  hours still missing (memoized), where one step is one extra unit of one kind (an area, at
  most one topic, approved, live, a course), with the requirements every kind meets (total,
  approved provider) handled by "the extra hours must be at least that many".
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clee.rules.pack import RulePack

UNIT = 2  # units per hour: half-hours are whole units
CORE_AREAS = ("legal_studies", "technical_studies", "interpersonal_perspectives", "skill_development")


@dataclass(frozen=True)
class Line:
    attributes: tuple[tuple[str, str], ...]
    units: int

    def attrs(self) -> dict[str, str]:
        return dict(self.attributes)


@dataclass(frozen=True)
class Expected:
    status: str
    counted_hours: float
    additional_hours_needed: float
    counted: dict[str, float]  # requirement key -> the most hours that can count toward it
    shortfalls: dict[str, float]  # only where short > 0; empty when exempt


def to_units(hours: float) -> int:
    units = hours * UNIT
    if abs(units - round(units)) > 1e-9:
        raise ValueError(f"{hours} is not a whole number of half-hours")
    return round(units)


def matches(where: Mapping[str, frozenset[str]], attrs: Mapping[str, str]) -> bool:
    return all(attrs[name] in wanted for name, wanted in where.items())


def _in_effect(start: dt.date, until: dt.date | None, day: dt.date) -> bool:
    return start <= day and (until is None or day <= until)


def credit_lines(pack: RulePack, document: Mapping[str, Any]) -> list[Line]:
    """The lines of a scenario document's credits, from the raw fields."""
    lines = []
    for credit in document["credits"]:
        day = dt.date.fromisoformat(credit["date"])
        if not (pack.starts <= day <= pack.ends):
            continue
        source = credit.get("source", "course")
        rule = pack.sources[source]
        if rule.recognized is not None:
            state = credit["state"].strip().upper()
            if not any(_in_effect(e.start, e.until, day) and state in e.value for e in rule.recognized):
                continue
        if rule.unit == "semester_hours":
            hours = credit["semester_hours"] * rule.hours_per_unit.value
        else:
            hours = credit["hours"] * rule.hours_per_unit.value
        provider = (
            credit.get("provider_class") if rule.provider_class == "from_credit" else rule.provider_class
        )
        base = {
            "core_area": credit["core_area"],
            "subject": credit.get("subject") or "none",
            "provider_class": provider,
            "delivery": credit.get("delivery", "live"),
            "source": source,
        }
        remainder = to_units(hours)
        for topic, topic_hours in (credit.get("topics") or {}).items():
            units = to_units(topic_hours)
            lines.append(Line(tuple(sorted({**base, "topic": topic}.items())), units))
            remainder -= units
        if remainder > 0:
            lines.append(Line(tuple(sorted({**base, "topic": "none"}.items())), remainder))
    return lines


def is_exempt(pack: RulePack, officer: Mapping[str, Any]) -> bool:
    """Licensed on or after the period's first day; upgraded or basic-trained during it."""
    licensed = dt.date.fromisoformat(officer["licensed_on"])
    if licensed >= pack.starts:
        return True
    for name in ("license_upgraded_on", "basic_training_completed_on"):
        if officer.get(name) and pack.starts <= dt.date.fromisoformat(officer[name]) <= pack.ends:
            return True
    return False


def _cap_vector(pack: RulePack, attrs: Mapping[str, str]) -> tuple[int, ...]:
    return tuple(int(matches(cap.where, attrs)) for cap in pack.caps)


def _cap_limits(pack: RulePack) -> tuple[int, ...]:
    return tuple(to_units(cap.maximum.value) for cap in pack.caps)


def _split(pack: RulePack, lines: Sequence[Line]) -> tuple[list[Line], list[Line]]:
    """Lines no cap can hold back (counted in full) and the others, with lines of identical
    attributes merged (they are interchangeable). A cap holds back nothing when all the lines
    it covers fit under it."""
    merged: dict[tuple[tuple[str, str], ...], int] = {}
    for line in lines:
        merged[line.attributes] = merged.get(line.attributes, 0) + line.units
    limits = _cap_limits(pack)
    loads = [0] * len(limits)
    for attributes, units in merged.items():
        for index, member in enumerate(_cap_vector(pack, dict(attributes))):
            loads[index] += member * units
    binding = [load > limit for load, limit in zip(loads, limits, strict=True)]
    free, capped = [], []
    for attributes, units in merged.items():
        caps = _cap_vector(pack, dict(attributes))
        held = any(c and b for c, b in zip(caps, binding, strict=True))
        (capped if held else free).append(Line(attributes, units))
    return free, capped


def most_hours(pack: RulePack, lines: Sequence[Line], where: Mapping[str, frozenset[str]]) -> int:
    """The most units toward ``where`` under the caps, by trying every whole allocation."""
    limits = _cap_limits(pack)
    # Lines outside ``where`` are left out: counting them would only use cap room.
    free, capped = _split(pack, [line for line in lines if matches(where, line.attrs())])
    best: dict[tuple[int, ...], int] = {tuple(0 for _ in limits): 0}
    for line in capped:
        caps = _cap_vector(pack, line.attrs())
        following: dict[tuple[int, ...], int] = {}
        for usage, value in best.items():
            for amount in range(line.units + 1):
                used = tuple(u + amount * c for u, c in zip(usage, caps, strict=True))
                if any(u > limit for u, limit in zip(used, limits, strict=True)):
                    break
                if following.get(used, -1) < value + amount:
                    following[used] = value + amount
        best = following
    return sum(line.units for line in free) + max(best.values())


def reachable_sums(pack: RulePack, lines: Sequence[Line]) -> set[tuple[int, ...]]:
    """Every vector of requirement hours (each capped at its minimum) some allocation reaches."""
    limits = _cap_limits(pack)
    minimums = tuple(to_units(r.minimum.value) for r in pack.requirements)

    def members(line: Line) -> tuple[int, ...]:
        return tuple(int(matches(r.where, line.attrs())) for r in pack.requirements)

    free, capped = _split(pack, lines)
    start = [0] * len(minimums)
    for line in free:
        start = [s + m * line.units for s, m in zip(start, members(line), strict=True)]
    # Lines of the cap with the fewest lines first (lines in several caps before the others),
    # so that caps are finished early: once no line left is in a cap, its usage no longer
    # matters and is forgotten, which merges states.
    cap_vectors = {line: _cap_vector(pack, line.attrs()) for line in capped}
    by_size = sorted(range(len(limits)), key=lambda c: sum(v[c] for v in cap_vectors.values()))
    capped = sorted(capped, key=lambda line: tuple(-cap_vectors[line][c] for c in by_size))
    # Sums vector -> the cap usages that reach it. A usage at least as large as another one
    # reaching the same sums in every cap is dropped: whatever follows it can follow the other.
    states: dict[tuple[int, ...], list[tuple[int, ...]]] = {
        tuple(min(s, m) for s, m in zip(start, minimums, strict=True)): [tuple(0 for _ in limits)]
    }
    for position, line in enumerate(capped):
        caps, line_members = cap_vectors[line], members(line)
        open_caps = [
            any(cap_vectors[later][c] for later in capped[position + 1 :]) for c in range(len(limits))
        ]
        counts_toward = [index for index, member in enumerate(line_members) if member]
        following: dict[tuple[int, ...], set[tuple[int, ...]]] = {}
        for sums, usages in states.items():
            # Beyond ``full`` units, every sum the line counts toward is at its minimum: more
            # would only use cap room.
            full = max(minimums[index] - sums[index] for index in counts_toward)
            for usage in usages:
                room = min(
                    (limit - used for used, limit, member in zip(usage, limits, caps, strict=True) if member),
                    default=line.units,
                )
                for amount in range(min(line.units, room, max(full, 0)) + 1):
                    after = list(sums)
                    for index in counts_toward:
                        after[index] = min(sums[index] + amount, minimums[index])
                    kept = tuple(
                        (used + amount * member) if still else 0
                        for used, member, still in zip(usage, caps, open_caps, strict=True)
                    )
                    following.setdefault(tuple(after), set()).add(kept)
        states = {sums: _least(usages) for sums, usages in following.items()}
    return set(states)


def _least(usages: set[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """The usages no other usage is below (or equal to) in every cap."""
    ordered = sorted(usages)
    kept: list[tuple[int, ...]] = []
    for usage in ordered:
        if not any(all(k <= u for k, u in zip(other, usage, strict=True)) for other in kept):
            kept.append(usage)
    return kept


def extra_kinds(pack: RulePack) -> list[dict[str, str]]:
    """The attributes an extra hour may have: one area (firearms: live skill development), at
    most one topic, from an approved provider, live, a course."""
    kinds = []
    areas = [(area, "none") for area in CORE_AREAS] + [("skill_development", "firearms")]
    for area, subject in areas:
        for topic in ("none", *pack.topics):
            kinds.append(
                {
                    "core_area": area,
                    "subject": subject,
                    "topic": topic,
                    "provider_class": "approved",
                    "delivery": "live",
                    "source": "course",
                }
            )
    return kinds


class ExtraHours:
    """The fewest extra units that close a vector of missing units, for one pack."""

    def __init__(self, pack: RulePack) -> None:
        kinds = extra_kinds(pack)
        self.members = [tuple(int(matches(r.where, kind)) for r in pack.requirements) for kind in kinds]
        count = len(pack.requirements)
        # Requirements every kind of extra hour counts toward (total, approved provider): k extra
        # units close up to k missing units of each of them.
        self.everywhere = [r for r in range(count) if all(m[r] for m in self.members)]
        self.partial = [r for r in range(count) if r not in self.everywhere]
        self.steps = sorted(
            {tuple(m[r] for r in self.partial) for m in self.members if any(m[r] for r in self.partial)}
        )

    def fewest(self, missing: Sequence[int]) -> float:
        """Fewest extra units; infinity when no kind of extra hour can close a gap."""
        at_least = max((missing[r] for r in self.everywhere), default=0)
        return max(at_least, self._cover(tuple(missing[r] for r in self.partial)))

    @functools.cache  # noqa: B019 - one instance per pack, kept for the session
    def _cover(self, missing: tuple[int, ...]) -> float:
        """Fewest unit steps from ``missing`` to nothing missing, trying every kind of step."""
        if not any(missing):
            return 0
        best = float("inf")
        for step in self.steps:
            after = tuple(max(0, s - d) for s, d in zip(missing, step, strict=True))
            if after != missing:
                best = min(best, 1 + self._cover(after))
        return best


@functools.lru_cache(maxsize=16)
def _extra_hours(pack: RulePack) -> ExtraHours:
    return ExtraHours(pack)


def brute_force(pack: RulePack, document: Mapping[str, Any]) -> Expected:
    """What the contract says the result is, found by exhaustive search."""
    lines = credit_lines(pack, document)
    counted = {r.key: most_hours(pack, lines, r.where) / UNIT for r in pack.requirements}
    counted_hours = most_hours(pack, lines, {}) / UNIT
    if is_exempt(pack, document["officer"]):
        return Expected("exempt", counted_hours, 0.0, counted, {})
    minimums = [to_units(r.minimum.value) for r in pack.requirements]
    extra = _extra_hours(pack)
    fewest = min(
        extra.fewest([m - s for m, s in zip(minimums, sums, strict=True)])
        for sums in reachable_sums(pack, lines)
    )
    shortfalls = {
        r.key: r.minimum.value - counted[r.key]
        for r in pack.requirements
        if r.minimum.value - counted[r.key] > 0
    }
    if fewest == 0:
        return Expected("compliant", counted_hours, 0.0, counted, {})
    return Expected("deficient", counted_hours, fewest / UNIT, counted, shortfalls)


def held_lines(pack: RulePack, document: Mapping[str, Any]) -> int:
    """How many (merged) lines a cap may hold back: the size of the search."""
    return len(_split(pack, credit_lines(pack, document))[1])
