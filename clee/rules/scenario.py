"""Scenario files: one officer, one reporting period, the credits claimed (plain data in).

``parse_scenario`` checks every field and raises ScenarioError naming the credit ``id`` and
the field, so ``clee check`` can print one precise line and exit 2. The contract is in
``shared/examples/README.md``; the names and meanings there are fixed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol, cast

from clee.rules.pack import Dated, RulePack, SourceRule
from clee.rules.vocabulary import (
    CORE_AREAS,
    DELIVERIES,
    PROVIDER_CLASSES,
    SOURCES,
    SUBJECT_CORE_AREA,
    SUBJECTS,
)

# The fields a scenario document may have, one constant per level (the contract's, plus this
# project's additions: an officer's hand-granted ``exemption``; a credit's ``applied_from``, the
# real completion date of make-up training the engine reads as dated the period's last day).
# Any other key is refused, naming it: a misspelt ``topic`` must not be silently ignored.
SCENARIO_KEYS: Final = ("jurisdiction", "period", "officer", "credits", "recognized_sources")
OFFICER_KEYS: Final = ("licensed_on", "license_upgraded_on", "basic_training_completed_on", "exemption")
CREDIT_KEYS: Final = (
    "id",
    "date",
    "hours",
    "semester_hours",
    "core_area",
    "subject",
    "topics",
    "provider_class",
    "delivery",
    "source",
    "state",
    "applied_from",
    "applied_to",
    "recognized_by",
)


class ScenarioError(ValueError):
    """Invalid scenario input; ``credit_id`` is None for fields outside the credits."""

    def __init__(self, field: str, reason: str, *, credit_id: str | None = None) -> None:
        self.field, self.reason, self.credit_id = field, reason, credit_id
        where = f"credit {credit_id!r}: " if credit_id is not None else ""
        super().__init__(f"{where}{field}: {reason}")


class OfficerLike(Protocol):
    """What the engine reads of an officer (``Officer`` or a decoded wire struct)."""

    @property
    def licensed_on(self) -> dt.date: ...
    @property
    def license_upgraded_on(self) -> dt.date | None: ...
    @property
    def basic_training_completed_on(self) -> dt.date | None: ...
    @property
    def exemption(self) -> str | None: ...


class CreditLike(Protocol):
    """What the engine reads of a credit. ``topics`` is topic -> hours, as pairs or a mapping."""

    @property
    def id(self) -> str: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def hours(self) -> float | None: ...
    @property
    def core_area(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def provider_class(self) -> str | None: ...
    @property
    def delivery(self) -> str: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def topics(self) -> tuple[tuple[str, float], ...] | Mapping[str, float] | None: ...
    @property
    def state(self) -> str | None: ...
    @property
    def applied_to(self) -> str | None: ...
    @property
    def recognized_by(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Officer:
    licensed_on: dt.date
    license_upgraded_on: dt.date | None = None
    basic_training_completed_on: dt.date | None = None
    # An exemption POST granted by hand, with its reason (an added field of the contract).
    exemption: str | None = None


@dataclass(frozen=True, slots=True)
class Credit:
    """One claimed credit. ``hours`` are credit hours after the source's conversion."""

    id: str
    date: dt.date
    hours: float
    core_area: str
    source: str = "course"
    provider_class: str | None = None
    delivery: str = "live"
    subject: str | None = None
    topics: tuple[tuple[str, float], ...] = ()
    state: str | None = None
    semester_hours: float | None = None
    # The period this credit is applied to when that is not the period of its date: training
    # completed in the grace window (January 1 to March 15) or later, applied to the period it
    # makes up (11 CSR 75-15.080(2)). It counts there and in no other period.
    applied_to: str | None = None
    # POST recognized this out-of-state course by a decision of its own (the reason), though its
    # source was not on the recognized list for its date.
    recognized_by: str | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    jurisdiction: str
    period: str
    officer: Officer
    credits: tuple[Credit, ...]
    # The recognized out-of-state list POST keeps, replacing the pack's (None: the pack's).
    recognized: tuple[Dated[frozenset[str]], ...] | None = None


def scenario_pack_key(data: Any) -> tuple[str, str]:
    """The (jurisdiction, period) a scenario document asks for, checked."""
    if not isinstance(data, Mapping):
        raise ScenarioError("scenario", "must be a JSON object")
    _known_keys(data, SCENARIO_KEYS, "a scenario")
    jurisdiction = data.get("jurisdiction")
    if not isinstance(jurisdiction, str) or not jurisdiction:
        raise ScenarioError("jurisdiction", _missing_or(jurisdiction, "text such as MO"))
    period = data.get("period")
    if isinstance(period, int) and not isinstance(period, bool):
        period = str(period)
    if not isinstance(period, str) or not period:
        raise ScenarioError("period", _missing_or(period, "a period such as 2023"))
    return jurisdiction.upper(), period


def parse_scenario(data: Any, pack: RulePack) -> Scenario:
    """Check a scenario document against the contract and ``pack``'s vocabulary."""
    jurisdiction, period = scenario_pack_key(data)
    officer_raw = data.get("officer")
    if not isinstance(officer_raw, Mapping):
        raise ScenarioError("officer", _missing_or(officer_raw, "an object"))
    _known_keys(officer_raw, OFFICER_KEYS, "the officer", prefix="officer.")
    officer = Officer(
        licensed_on=_date(officer_raw.get("licensed_on"), "officer.licensed_on", None),
        license_upgraded_on=_optional_date(officer_raw, "license_upgraded_on"),
        basic_training_completed_on=_optional_date(officer_raw, "basic_training_completed_on"),
        exemption=_optional_text(officer_raw, "exemption"),
    )
    credits_raw = data.get("credits")
    if not isinstance(credits_raw, list):
        raise ScenarioError("credits", _missing_or(credits_raw, "a list"))
    credits = []
    seen: set[str] = set()
    for index, raw in enumerate(credits_raw):
        credit = parse_credit(raw, index, pack)
        if credit.id in seen:
            raise ScenarioError("id", "appears on two credits", credit_id=credit.id)
        seen.add(credit.id)
        credits.append(credit)
    recognized = None
    if data.get("recognized_sources") is not None:
        recognized = parse_recognized(data["recognized_sources"])
    return Scenario(jurisdiction, period, officer, tuple(credits), recognized)


def parse_recognized(raw: Any) -> tuple[Dated[frozenset[str]], ...]:
    """The scenario's ``recognized_sources``: the recognized out-of-state list in force, each
    entry ``{"codes": [...], "from": date, "until": date or null, "reference": text}``."""
    if not isinstance(raw, list):
        raise ScenarioError("recognized_sources", _missing_or(raw, "a list of dated entries"))
    entries = []
    for index, item in enumerate(raw):
        field = f"recognized_sources[{index}]"
        if not isinstance(item, Mapping):
            raise ScenarioError(field, "must be an object (codes, from, until, reference)")
        codes = item.get("codes")
        if (
            not isinstance(codes, list)
            or not codes
            or not all(isinstance(c, str) and c.strip() for c in codes)
        ):
            raise ScenarioError(f"{field}.codes", _missing_or(codes, "a list of state codes (or IADLEST)"))
        start = _date(item.get("from"), f"{field}.from", None)
        until = None if item.get("until") is None else _date(item["until"], f"{field}.until", None)
        if until is not None and until < start:
            raise ScenarioError(f"{field}.until", f"{until} is before from ({start})")
        reference = item.get("reference") or ""
        if not isinstance(reference, str):
            raise ScenarioError(f"{field}.reference", f"must be text, got {reference!r}")
        entries.append(Dated(frozenset(c.strip().upper() for c in codes), start, until, reference))
    return tuple(entries)


def parse_credit(raw: Any, index: int, pack: RulePack) -> Credit:
    """One credit, checked; its hours converted by its source's rule (college: per semester hour)."""
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise ScenarioError("credit", "must be a JSON object", credit_id=f"#{index + 1}")
    get = raw.get
    credit_id = get("id")
    if type(credit_id) is not str or not credit_id:
        if isinstance(credit_id, int) and not isinstance(credit_id, bool):
            credit_id = str(credit_id)
        else:
            raise ScenarioError("id", _missing_or(credit_id, "text"), credit_id=f"#{index + 1}")
    if len(raw) > len(CREDIT_KEYS) or not raw.keys() <= _CREDIT_KEY_SET:
        _known_keys(raw, CREDIT_KEYS, "a credit", credit_id=credit_id)

    source = get("source", "course")
    core_area = get("core_area")
    subject = get("subject")
    provider_class = get("provider_class")
    delivery = get("delivery", "live")
    shape = (pack, source, core_area, subject, provider_class, delivery)
    try:
        rule = _checked_shapes[shape]
    except (KeyError, TypeError):  # TypeError: an unhashable value such as a list
        rule = _check_shape(pack, source, core_area, subject, provider_class, delivery, credit_id)
        if len(_checked_shapes) > 100_000:
            _checked_shapes.clear()
        _checked_shapes[shape] = rule

    day = _date(get("date"), "date", credit_id)
    semester_hours = None
    if rule.unit == "semester_hours":
        if "hours" in raw and "semester_hours" not in raw:
            raise ScenarioError(
                "semester_hours", f"missing ({source} credit is given in semester_hours)", credit_id=credit_id
            )
        semester_hours = _positive(get("semester_hours"), "semester_hours", credit_id)
        hours = semester_hours * rule.hours_per_unit.value
    else:
        hours = _positive(get("hours"), "hours", credit_id) * rule.hours_per_unit.value

    state = get("state")
    if rule.recognized is not None or state is not None:
        if not isinstance(state, str) or not state.strip():
            raise ScenarioError("state", _missing_or(state, "a state code such as MN"), credit_id=credit_id)
        state = state.strip().upper()

    applied_from = get("applied_from")
    if applied_from is not None:
        _date(applied_from, "applied_from", credit_id)

    topics: tuple[tuple[str, float], ...] = ()
    topics_raw = get("topics")
    if topics_raw is not None:
        topics = _topics(topics_raw, hours, pack, credit_id)

    applied_to = get("applied_to")
    if applied_to is not None:
        if isinstance(applied_to, int) and not isinstance(applied_to, bool):
            applied_to = str(applied_to)
        if not isinstance(applied_to, str) or not applied_to.strip():
            raise ScenarioError(
                "applied_to", f"must be a period such as 2023, got {applied_to!r}", credit_id=credit_id
            )
        applied_to = applied_to.strip()
    recognized_by = get("recognized_by")
    if recognized_by is not None:
        if not isinstance(recognized_by, str) or not recognized_by.strip():
            raise ScenarioError(
                "recognized_by", f"must be POST's reason as text, got {recognized_by!r}", credit_id=credit_id
            )
        if source != "out_of_state":
            raise ScenarioError(
                "recognized_by", "only an out-of-state credit is recognized by POST", credit_id=credit_id
            )
        recognized_by = recognized_by.strip()

    return Credit(
        credit_id,
        day,
        hours,
        cast(str, core_area),  # checked by _check_shape
        source,
        provider_class,
        delivery,
        subject,
        topics,
        state,
        semester_hours,
        applied_to,
        recognized_by,
    )


_CREDIT_KEY_SET = frozenset(CREDIT_KEYS)


def _known_keys(
    raw: Mapping[Any, Any],
    known: tuple[str, ...],
    what: str,
    *,
    prefix: str = "",
    credit_id: str | None = None,
) -> None:
    """Refuse the first key of ``raw`` that is not one of ``known``, naming it."""
    for key in raw:
        if key not in known:
            raise ScenarioError(
                f"{prefix}{key}",
                f"is not a field of {what} (its fields are {', '.join(known)})",
                credit_id=credit_id,
            )


# (pack, source, core_area, subject, provider_class, delivery) combinations already checked.
_checked_shapes: dict[tuple[Any, ...], SourceRule] = {}


def _check_shape(
    pack: RulePack,
    source: Any,
    core_area: Any,
    subject: Any,
    provider_class: Any,
    delivery: Any,
    credit_id: str,
) -> SourceRule:
    """The source rule of a credit, once its categorical fields are checked."""
    if source not in SOURCES:
        raise ScenarioError("source", _not_one_of(source, SOURCES), credit_id=credit_id)
    rule = pack.sources.get(source)
    if rule is None:
        raise ScenarioError(
            "source", f"{source!r} is not a credit source in the {pack.period} rules", credit_id=credit_id
        )
    if core_area not in CORE_AREAS:
        raise ScenarioError("core_area", _not_one_of(core_area, CORE_AREAS), credit_id=credit_id)
    if subject is not None:
        if subject not in SUBJECTS:
            raise ScenarioError("subject", _not_one_of(subject, SUBJECTS), credit_id=credit_id)
        if core_area != SUBJECT_CORE_AREA[subject]:
            raise ScenarioError(
                "subject",
                f"{subject} is a subject of {SUBJECT_CORE_AREA[subject]}, not {core_area}",
                credit_id=credit_id,
            )
    needs_class = rule.provider_class == "from_credit" or provider_class is not None
    if needs_class and provider_class not in PROVIDER_CLASSES:
        raise ScenarioError(
            "provider_class", _not_one_of(provider_class, PROVIDER_CLASSES), credit_id=credit_id
        )
    if delivery not in DELIVERIES:
        raise ScenarioError("delivery", _not_one_of(delivery, DELIVERIES), credit_id=credit_id)
    return rule


def _topics(raw: Any, hours: float, pack: RulePack, credit_id: str) -> tuple[tuple[str, float], ...]:
    if not isinstance(raw, Mapping):
        raise ScenarioError("topics", "must be an object of topic: hours", credit_id=credit_id)
    parsed = []
    for topic, topic_hours in raw.items():
        if topic not in pack.topics:
            raise ScenarioError(
                f"topics.{topic}", _not_one_of(topic, tuple(pack.topics)), credit_id=credit_id
            )
        parsed.append((topic, _positive(topic_hours, f"topics.{topic}", credit_id)))
    total = sum(h for _, h in parsed)
    if total > hours + 1e-9:
        raise ScenarioError(
            "topics",
            f"topic hours ({_fmt(total)}) are more than the credit's hours ({_fmt(hours)})",
            credit_id=credit_id,
        )
    return tuple(parsed)


_dates: dict[str, dt.date] = {}


def _date(value: Any, field: str, credit_id: str | None) -> dt.date:
    day = _dates.get(value) if type(value) is str else None
    if day is not None:
        return day
    if type(value) is dt.date:  # YAML reads an unquoted 2023-02-01 as a date
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if len(_dates) < 100_000:
                _dates[value] = day
            return day
    reason = "missing" if value is None else f"must be a date as YYYY-MM-DD, got {value!r}"
    raise ScenarioError(field, reason, credit_id=credit_id)


def _optional_date(officer: Mapping[str, Any], name: str) -> dt.date | None:
    value = officer.get(name)
    return None if value is None else _date(value, f"officer.{name}", None)


def _optional_text(officer: Mapping[str, Any], name: str) -> str | None:
    value = officer.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(f"officer.{name}", f"must be text, got {value!r}")
    return value.strip()


# More hours than a year has in one credit is a typing error, not training (and sums of absurd
# values would overflow): refused like any other bad value.
MAX_HOURS: Final = 8760


def _positive(value: Any, field: str, credit_id: str) -> float:
    kind = type(value)
    if (kind is int or kind is float) and 0 < value <= MAX_HOURS:
        return float(value)
    if value is None:
        raise ScenarioError(field, "missing", credit_id=credit_id)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(field, f"must be a number of hours, got {value!r}", credit_id=credit_id)
    if value <= 0:
        raise ScenarioError(field, f"must be greater than 0, got {value!r}", credit_id=credit_id)
    raise ScenarioError(field, f"must be at most {MAX_HOURS}, got {value!r}", credit_id=credit_id)


def _missing_or(value: Any, expected: str) -> str:
    return "missing" if value is None else f"must be {expected}, got {value!r}"


def _not_one_of(value: Any, allowed: tuple[str, ...]) -> str:
    if value is None:
        return "missing"
    return f"{value!r} is not one of {', '.join(allowed)}"


def _fmt(hours: float) -> str:
    return f"{hours:g}"
