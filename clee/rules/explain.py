"""What an officer still needs, in words an officer understands.

The numbers come from the evaluation: the fewest extra hours and, for each condition the pack
allows (hours toward a requirement, hours outside a cap), the least hours of that kind every
plan of the fewest extra hours contains. Each stated condition is therefore necessary: a plan
of the same size without it leaves the officer short. This module only phrases them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clee.rules.compiled import CompiledPack

TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class NeedPart:
    hours: float
    what: str
    requirement: str | None = None  # the requirement (or cap) key this part is about, if one


@dataclass(frozen=True, slots=True)
class Plan:
    """The numbers behind a breakdown: the fewest extra ``hours``; per condition of the pack
    (``CompiledPack.conditions``), the least hours of its kinds every such plan contains; the
    caps that bind; and, when those conditions are not enough together (``joint``), one plan
    that works: its hours toward each requirement (``example``) and how many must be live."""

    hours: float
    least: tuple[float, ...] = ()
    caps: tuple[int, ...] = ()
    joint: bool = False
    example: tuple[float, ...] | None = None
    example_live: float = 0.0
    # Requirements whose condition asks more than their own shortfall: a cap keeps some of
    # the officer's hours toward them from counting.
    held_back: tuple[int, ...] = ()


@dataclass(slots=True)
class Needs:
    hours: float
    parts: list[NeedPart] = field(default_factory=list)  # hours that add up to ``hours``
    within: list[NeedPart] = field(default_factory=list)  # conditions on some of those hours
    sentence: str = ""
    jointly: bool = False  # the conditions are not enough together: ``example`` works
    example: list[NeedPart] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "hours": self.hours,
            "parts": [_part(p) for p in self.parts],
            "within": [_part(p) for p in self.within],
            "jointly": self.jointly,
            "example": [_part(p) for p in self.example],
            "sentence": self.sentence,
        }


def _part(part: NeedPart) -> dict[str, object]:
    return {"hours": part.hours, "what": part.what, "requirement": part.requirement}


def shown_hours(hours: float, *, up: bool) -> str:
    """Hours as a person reads them: whole, half and quarter hours as they are (``1.5``); any
    other value to two decimals, rounded so the statement stays true (hours needed upward,
    hours a plan must contain at least downward)."""
    quarters = hours * 4
    if not math.isfinite(quarters):  # absurd input (1e308 hours) overflows the sums
        return f"{hours:g}"
    if abs(quarters - round(quarters)) <= TOLERANCE:
        return f"{round(quarters) / 4:g}"
    cents = math.ceil(hours * 100 - TOLERANCE) if up else math.floor(hours * 100 + TOLERANCE)
    return f"{cents / 100:g}"


def hours_text(hours: float, noun: str = "hour", *, up: bool = False) -> str:
    """``2 hours``, ``1 hour``, ``1.5 hours``, ``2 live hours``."""
    shown = shown_hours(hours, up=up)
    return f"{shown} {noun}" + ("" if shown == "1" else "s")


def describe_needs(compiled: CompiledPack, plan: Plan) -> Needs:
    """Phrase ``plan``: the conditions every plan of the fewest extra hours meets."""
    key = (plan.hours, plan.least, plan.caps, plan.joint, plan.example, plan.example_live, plan.held_back)
    cached = compiled.describe_cache.get(key)
    if cached is None:
        if len(compiled.describe_cache) > 10_000:
            compiled.describe_cache.clear()
        cached = compiled.describe_cache[key] = _describe(compiled, plan)
    assert isinstance(cached, Needs)
    return cached


def _describe(compiled: CompiledPack, plan: Plan) -> Needs:
    pack = compiled.pack
    additional = plan.hours
    if additional <= TOLERANCE:
        return Needs(0.0, sentence=f"Nothing more is needed for the {pack.period} reporting period.")
    parts: list[NeedPart] = []
    within: list[NeedPart] = []
    least = dict(zip(((c.on, c.index) for c in compiled.conditions), plan.least, strict=True))
    for (on, index), hours in least.items():
        if hours <= TOLERANCE or on != "requirement":
            continue
        part = _requirement_part(compiled, index, hours, additional)
        (parts if index in compiled.part_requirements else within).append(part)
    listed = sum(p.hours for p in parts)
    rest = round(additional - listed, 4)
    if rest > TOLERANCE:
        parts.append(NeedPart(rest, f"{hours_text(rest, up=True)} in any core area"))
    if compiled.plan_cap is not None:
        live_hours = least.get(("cap", compiled.plan_cap), 0.0)
        implied = sum(least.get(("requirement", r), 0.0) for r in compiled.live_requirements)
        if live_hours > implied + TOLERANCE:
            within.append(_live_part(compiled, live_hours, additional, implied))
    sentence = _opening(additional, parts, within)
    if plan.held_back and not plan.joint:
        labels = _joined([pack.requirements[r].label for r in plan.held_back])
        sentence += f" Some of your hours toward {labels} cannot count: {_caps_text(compiled, plan.caps)}."
    example: list[NeedPart] = []
    if plan.joint:
        example = _example(compiled, plan)
        sentence += (
            f" Because {_caps_text(compiled, plan.caps)}, your hours cannot count toward every "
            "requirement at once, so these hours must also make up for whichever requirement is left "
            "short by the hours that do count"
        )
        sentence += f"; for example: {'; '.join(p.what for p in example)}." if example else "."
    return Needs(additional, parts, within, sentence, plan.joint, example)


def _requirement_part(
    compiled: CompiledPack, index: int, hours: float, additional: float, *, up: bool = False
) -> NeedPart:
    """A condition (at least these hours: shown rounded down) or, with ``up``, a part of an
    example plan (these hours do it: shown rounded up)."""
    requirement = compiled.pack.requirements[index]
    dimension = compiled.requirement_dimension[index]
    if index in compiled.part_requirements:
        noun = "live hour" if index in compiled.live_requirements else "hour"
        return NeedPart(hours, f"{hours_text(hours, noun, up=up)} of {requirement.label}", requirement.key)
    if dimension == "topic":
        return NeedPart(hours, f"{hours_text(hours, up=up)} on {requirement.label.lower()}", requirement.key)
    if requirement.where.get("provider_class") == frozenset({"approved"}):
        what = "from an approved provider"
    else:
        what = f"toward {requirement.label}"
    if hours >= additional - TOLERANCE:
        return NeedPart(hours, f"all of them {what}", requirement.key)
    return NeedPart(hours, f"at least {shown_hours(hours, up=up)} of these hours {what}", requirement.key)


def _live_part(
    compiled: CompiledPack, hours: float, additional: float, implied: float, *, up: bool = False
) -> NeedPart:
    cap = compiled.pack.caps[compiled.plan_cap or 0]
    limit = f"(no more than {_cap_amount(cap.maximum.value, cap.label)} count)"
    key = cap.key
    if hours >= additional - TOLERANCE:
        return NeedPart(hours, f"all of them live, in person {limit}", key)
    among = ", the firearms hours among them" if implied > TOLERANCE else ""
    shown = shown_hours(hours, up=up)
    return NeedPart(hours, f"at least {shown} of these hours live, in person{among} {limit}", key)


def _cap_amount(maximum: float, label: str) -> str:
    """``22 computer-based hours``, ``8 hours of college credit``."""
    if label.lower().endswith("hours"):
        return f"{maximum:g} {label.lower()}"
    return f"{maximum:g} hours of {label.lower()}"


def _caps_text(compiled: CompiledPack, caps: Sequence[int]) -> str:
    shown = [_cap_amount(compiled.pack.caps[c].maximum.value, compiled.pack.caps[c].label) for c in caps]
    return f"no more than {_joined(shown)} count" if shown else "the caps hold some of your hours back"


def _joined(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _opening(additional: float, parts: list[NeedPart], within: list[NeedPart]) -> str:
    need = hours_text(additional, "more hour", up=True)
    if len(parts) == 1 and parts[0].requirement is None:
        sentence = f"You need {need} in any core area"
        return sentence + (": " + "; ".join(p.what for p in within) + "." if within else ".")
    return f"You need {need}: " + "; ".join(p.what for p in (*parts, *within)) + "."


def _example(compiled: CompiledPack, plan: Plan) -> list[NeedPart]:
    """One plan that works, from the deficits of the allocation behind the table."""
    if plan.example is None:
        return []
    parts: list[NeedPart] = []
    others: list[NeedPart] = []
    for index, hours in enumerate(plan.example):
        if hours <= TOLERANCE or index in compiled.everywhere:
            continue
        part = _requirement_part(compiled, index, hours, plan.hours, up=True)
        (parts if index in compiled.part_requirements else others).append(part)
    rest = round(plan.hours - sum(p.hours for p in parts), 4)
    if rest > TOLERANCE and (parts or others):
        parts.append(NeedPart(rest, f"{hours_text(rest, up=True)} in any core area"))
    if plan.example_live > TOLERANCE and compiled.plan_cap is not None:
        others.append(_live_part(compiled, plan.example_live, plan.hours, 0.0, up=True))
    return [*parts, *others]
