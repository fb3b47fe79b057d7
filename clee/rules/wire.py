"""Fast reading of scenario documents from JSON bytes (batch path).

msgspec decodes and type-checks a document in one pass in C, refusing any field the scenario
contract does not name (the structs' fields are ``scenario.SCENARIO_KEYS``, ``OFFICER_KEYS`` and
``CREDIT_KEYS``; a test holds them equal). Whatever it cannot check (the
pack's sources and topics, fields that depend on the source) is checked here; any failure is
handed to ``parse_scenario``, the one place that words errors, so a message never depends on
which path read the line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Literal, cast

import msgspec
import orjson

from clee.rules.pack import RuleBook, RulePack, SourceRule, load_pack, pack_for, with_recognized
from clee.rules.scenario import (
    MAX_HOURS,
    CreditLike,
    OfficerLike,
    ScenarioError,
    parse_scenario,
    scenario_pack_key,
)
from clee.rules.vocabulary import SUBJECT_CORE_AREA

Hours = Annotated[float, msgspec.Meta(gt=0, le=MAX_HOURS)]


class WireCredit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A credit as read from JSON; ``hours`` become credit hours once checked (college: x2)."""

    id: Annotated[str, msgspec.Meta(min_length=1)]
    date: dt.date
    core_area: Literal[
        "legal_studies", "technical_studies", "interpersonal_perspectives", "skill_development"
    ]
    hours: Hours | None = None
    semester_hours: Hours | None = None
    source: Literal["course", "instruction", "college", "military", "out_of_state"] = "course"
    provider_class: Literal["approved", "licensed"] | None = None
    delivery: Literal["live", "computer_based"] = "live"
    subject: Literal["firearms"] | None = None
    topics: dict[str, Hours] | None = None
    state: str | None = None
    applied_to: str | None = None
    recognized_by: str | None = None
    applied_from: dt.date | None = None  # informational: the engine reads ``date``


class WireOfficer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    licensed_on: dt.date
    license_upgraded_on: dt.date | None = None
    basic_training_completed_on: dt.date | None = None
    exemption: Annotated[str, msgspec.Meta(pattern=r"\S")] | None = None


class WireScenario(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    jurisdiction: Annotated[str, msgspec.Meta(min_length=1)]
    period: str | int
    officer: WireOfficer
    credits: list[WireCredit]
    recognized_sources: list[dict[str, object]] | None = None


_decoder = msgspec.json.Decoder(WireScenario)


Rules = RulePack | RuleBook


def _pack(key: tuple[str, str], draft: Rules | None, packs: dict[tuple[str, str], RulePack]) -> RulePack:
    """The pack of a scenario's (jurisdiction, period): the draft's, or the shipped one."""
    found = packs.get(key)
    if found is None:
        found = packs[key] = load_pack(*key) if draft is None else pack_for(draft, *key)
    return found


def read_line(
    raw: bytes, *, draft: Rules | None = None, packs: dict[tuple[str, str], RulePack] | None = None
) -> tuple[OfficerLike, Sequence[CreditLike], RulePack]:
    """Officer, credits and pack of one JSON scenario document.

    Raises orjson.JSONDecodeError for text that is not JSON, ScenarioError or NoPackError
    for a document that breaks the contract.
    """
    packs = {} if packs is None else packs
    try:
        document = _decoder.decode(raw)
    except msgspec.DecodeError:
        return _careful(raw, draft, packs)
    if document.recognized_sources is not None:
        return _careful(raw, draft, packs)  # rare: read by the one parser of that list
    key = (document.jurisdiction.upper(), str(document.period))
    pack = _pack(key, draft, packs)
    credits = document.credits
    if len({wire.id for wire in credits}) != len(credits):
        return _careful(raw, draft, packs)
    shapes = _shapes.get(pack)
    if shapes is None:
        shapes = _shapes[pack] = {}
    for wire in credits:
        shape = (wire.source, wire.core_area, wire.subject, wire.provider_class)
        rule = shapes.get(shape)
        if rule is None:
            rule = shapes[shape] = _shape_rule(pack, *shape)
        if rule is False:
            return _careful(raw, draft, packs)
        if rule.unit == "hours":
            if wire.hours is None:
                return _careful(raw, draft, packs)
            if rule.hours_per_unit.value != 1.0:
                wire.hours *= rule.hours_per_unit.value
        else:
            if wire.semester_hours is None:
                return _careful(raw, draft, packs)
            wire.hours = wire.semester_hours * rule.hours_per_unit.value
        if wire.state is not None or rule.recognized is not None:
            if wire.state is None or not wire.state.strip():
                return _careful(raw, draft, packs)
            wire.state = wire.state.strip().upper()
        if wire.topics:
            topics = wire.topics
            if any(t not in pack.topics for t in topics) or sum(topics.values()) > wire.hours + 1e-9:
                return _careful(raw, draft, packs)
        if wire.applied_to is not None and not wire.applied_to.strip():
            return _careful(raw, draft, packs)
        if wire.recognized_by is not None and (
            wire.source != "out_of_state" or not wire.recognized_by.strip()
        ):
            return _careful(raw, draft, packs)
    return document.officer, cast("list[CreditLike]", credits), pack


# Per pack: (source, core_area, subject, provider_class) -> its source rule, or False if invalid.
_shapes: dict[RulePack, dict[tuple[str, str, str | None, str | None], SourceRule | Literal[False]]] = {}


def _shape_rule(
    pack: RulePack, source: str, core_area: str, subject: str | None, provider_class: str | None
) -> SourceRule | Literal[False]:
    rule = pack.sources.get(source)
    if rule is None:
        return False
    if subject is not None and core_area != SUBJECT_CORE_AREA[subject]:
        return False
    if provider_class is None and rule.provider_class == "from_credit":
        return False
    return rule


def _careful(
    raw: bytes, draft: Rules | None, packs: dict[tuple[str, str], RulePack]
) -> tuple[OfficerLike, Sequence[CreditLike], RulePack]:
    """The slow, wording path: raises the precise error, or reads what msgspec was strict about."""
    document = orjson.loads(raw)
    pack = _pack(scenario_pack_key(document), draft, packs)
    scenario = parse_scenario(document, pack)
    if scenario.recognized is not None:
        pack = with_recognized(pack, scenario.recognized)
    return scenario.officer, scenario.credits, pack


__all__ = ["ScenarioError", "read_line"]
