"""What an officer still needs, in words an officer understands, and the readable table.

The numbers come from the evaluation: the fewest extra hours and, for the allocation behind
that answer, how many hours each requirement still lacks. This module only phrases them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clee.rules.compiled import CompiledPack
    from clee.rules.engine import Result

TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class NeedPart:
    hours: float
    what: str
    requirement: str | None = None  # the requirement key this part closes, if one


@dataclass(slots=True)
class Needs:
    hours: float
    parts: list[NeedPart] = field(default_factory=list)  # hours that add up to ``hours``
    within: list[NeedPart] = field(default_factory=list)  # conditions on some of those hours
    sentence: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "hours": self.hours,
            "parts": [{"hours": p.hours, "what": p.what, "requirement": p.requirement} for p in self.parts],
            "within": [{"hours": p.hours, "what": p.what, "requirement": p.requirement} for p in self.within],
            "sentence": self.sentence,
        }


def hours_text(hours: float, noun: str = "hour") -> str:
    """``2 hours``, ``1 hour``, ``1.5 hours``."""
    return f"{hours:g} {noun}" + ("" if abs(hours - 1) < TOLERANCE else "s")


def describe_needs(
    compiled: CompiledPack, additional: float, deficits: Sequence[float], cap_room: Sequence[float]
) -> Needs:
    """Phrase ``additional`` extra hours that close every requirement's ``deficits``."""
    key = (additional, *deficits, *cap_room)
    cached = compiled.describe_cache.get(key)
    if cached is None:
        if len(compiled.describe_cache) > 10_000:
            compiled.describe_cache.clear()
        cached = compiled.describe_cache[key] = _describe(compiled, additional, deficits, cap_room)
    assert isinstance(cached, Needs)
    return cached


def _describe(
    compiled: CompiledPack, additional: float, deficits: Sequence[float], cap_room: Sequence[float]
) -> Needs:
    if additional <= TOLERANCE:
        return Needs(0.0, sentence=f"Nothing more is needed for the {compiled.pack.period} reporting period.")
    pack = compiled.pack
    parts: list[NeedPart] = []
    within: list[NeedPart] = []
    live_hours = 0.0
    for index, requirement in enumerate(pack.requirements):
        short = deficits[index]
        if short <= TOLERANCE:
            continue
        dimension = compiled.requirement_dimension[index]
        live = compiled.requirement_live[index]
        if dimension == "area":
            parts.append(
                NeedPart(
                    short,
                    f"{hours_text(short, 'live hour' if live else 'hour')} of {requirement.label}",
                    requirement.key,
                )
            )
            live_hours += short if live else 0.0
        elif dimension == "topic":
            within.append(
                NeedPart(short, f"{hours_text(short)} on {requirement.label.lower()}", requirement.key)
            )
        elif requirement.where:  # e.g. approved provider: a condition on some of the hours
            if requirement.where.get("provider_class") == frozenset({"approved"}):
                what = "from an approved provider"
            else:
                what = f"toward {requirement.label}"
            count = "all" if short >= additional - TOLERANCE else f"at least {short:g}"
            within.append(NeedPart(short, f"{count} of them {what}", requirement.key))
    listed = sum(p.hours for p in parts)
    if additional - listed > TOLERANCE:
        rest = additional - listed
        noun = "more hour" if not parts else "hour"
        parts.append(NeedPart(rest, f"{hours_text(rest, noun)} in any core area"))
    room = min((cap_room[c] for c in compiled.delivery_caps), default=None)
    if room is not None:
        must_be_live = additional - live_hours - max(0.0, room)
        if must_be_live > TOLERANCE:
            cap = pack.caps[compiled.delivery_caps[0]]
            count = (
                "all"
                if live_hours <= TOLERANCE and must_be_live >= additional - TOLERANCE
                else (f"at least {must_be_live:g}")
            )
            within.append(
                NeedPart(
                    must_be_live,
                    f"{count} of them live, in person (no more than {cap.maximum.value:g} "
                    f"{cap.label.lower()} count)",
                    cap.key,
                )
            )
    sentence = f"You need {hours_text(additional, 'more hour')}: " + "; ".join(p.what for p in parts)
    if within:
        sentence += "; " + "; ".join(p.what for p in within)
    return Needs(additional, parts, within, sentence + ".")


def explain_table(result: Result) -> str:
    """A plain-text table of the result for ``clee check --explain``."""
    lines = [f"Rule pack {result.pack}: {result.status.upper()}"]
    if result.exemption:
        lines.append(f"Exempt: {result.exemption}.")
    width = max((len(r.label) for r in result.requirements), default=10)
    lines.append("")
    lines.append(f"{'Requirement':<{width}}  {'Required':>8}  {'Counted':>8}  {'Short':>6}")
    lines.append(f"{'-' * width}  {'-' * 8}  {'-' * 8}  {'-' * 6}")
    for r in result.requirements:
        short = f"{r.short:g}" if r.short > TOLERANCE else "-"
        lines.append(f"{r.label:<{width}}  {r.required:>8g}  {r.counted:>8g}  {short:>6}")
    lines.append("")
    lines.append(f"Hours that count toward the period: {result.counted_hours:g}")
    for note in result.not_counted:
        lines.append(f"Not counted: {note.credit_id}: {note.reason}")
    lines.append("")
    if result.status == "exempt":
        lines.append("Nothing is required for this reporting period.")
    else:
        lines.append(result.needs.sentence)
    return "\n".join(lines)
