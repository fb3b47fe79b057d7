"""Rule packs: one YAML file per jurisdiction and reporting period, loaded and checked.

A pack is data, not code. Each value carries the dates it is in effect and a ``reference``
to the rule section or seed document it comes from. Loading refuses a malformed file with
the file, the key and the reason, so a bad pack never reaches an officer's result.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml

from clee.rules.vocabulary import PROVIDER_CLASSES, SOURCES, WHERE_ATTRIBUTES

PACKS_DIR = Path(__file__).parent / "packs"

T = TypeVar("T")


class PackError(ValueError):
    """A rule pack file that cannot be used; the message names the file, key and reason."""

    def __init__(self, path: str, key: str, reason: str) -> None:
        self.path, self.key, self.reason = path, key, reason
        super().__init__(f"{path}: {key}: {reason}" if key else f"{path}: {reason}")


class NoPackError(LookupError):
    """No rule pack exists for the requested jurisdiction and period."""


@dataclass(frozen=True, slots=True)
class Dated(Generic[T]):
    """A rule value with the dates it is in effect (``until`` inclusive, None = open)."""

    value: T
    start: dt.date
    until: dt.date | None
    reference: str

    def in_effect_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True, slots=True)
class Requirement:
    """A minimum: at least ``minimum`` counted hours among the credit lines ``where`` matches."""

    key: str
    label: str
    minimum: Dated[float]
    where: Mapping[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Cap:
    """A maximum: at most ``maximum`` counted hours among the credit lines ``where`` matches."""

    key: str
    label: str
    maximum: Dated[float]
    where: Mapping[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class SourceRule:
    """How one credit source turns into credit hours and which provider class it counts as."""

    key: str
    provider_class: str  # "approved", "licensed" or "from_credit"
    unit: str  # "hours" or "semester_hours"
    hours_per_unit: Dated[float]
    recognized: tuple[Dated[frozenset[str]], ...] | None

    def recognizes(self, code: str, day: dt.date) -> bool:
        """Whether ``code`` (a state or IADLEST) is a recognized source on ``day``."""
        return any(entry.in_effect_on(day) and code in entry.value for entry in self.recognized or ())


@dataclass(frozen=True, slots=True)
class Exemption:
    """An officer is exempt for the period when ``officer_field`` is a date inside it."""

    key: str
    label: str
    officer_field: str
    reference: str


@dataclass(frozen=True, slots=True, eq=False)
class RulePack:
    """One jurisdiction's rules for one reporting period (compared by identity: packs are cached)."""

    jurisdiction: str
    period: str
    version: int
    title: str
    starts: dt.date
    ends: dt.date
    grace_deadline: Dated[dt.date]
    topics: Mapping[str, str]
    requirements: tuple[Requirement, ...]
    caps: tuple[Cap, ...]
    sources: Mapping[str, SourceRule]
    exemptions: tuple[Exemption, ...]
    path: str

    @property
    def ident(self) -> str:
        return f"{self.jurisdiction}-{self.period}-v{self.version}"

    def contains(self, day: dt.date) -> bool:
        return self.starts <= day <= self.ends


def available_packs() -> list[tuple[str, str]]:
    """Every (jurisdiction, period) that has a pack file, sorted."""
    found = []
    for path in PACKS_DIR.glob("*/*.yaml"):
        found.append((path.parent.name.upper(), path.stem))
    return sorted(found)


def load_pack(jurisdiction: str, period: str) -> RulePack:
    """The pack for ``jurisdiction`` and ``period``; NoPackError names what exists instead."""
    path = PACKS_DIR / jurisdiction.lower() / f"{period}.yaml"
    if not jurisdiction.isalnum() or not period.isalnum() or not path.is_file():
        periods = [p for j, p in available_packs() if j == jurisdiction.upper()]
        if periods:
            known = f"packs exist for {jurisdiction.upper()} {', '.join(periods)}"
        else:
            jurisdictions = sorted({j for j, _ in available_packs()})
            known = f"packs exist for the jurisdictions {', '.join(jurisdictions)}"
        raise NoPackError(
            f"no rule pack for {jurisdiction} {period}: {known}; a period is added by "
            f"adding clee/rules/packs/{jurisdiction.lower()}/{period}.yaml"
        )
    return _load_cached(str(path))


@functools.lru_cache(maxsize=64)
def _load_cached(path: str) -> RulePack:
    return load_pack_file(path)


def load_pack_file(path: str | Path, *, expect: tuple[str, str] | None = None) -> RulePack:
    """Load and check one pack file (a shipped pack or a draft given by POST staff)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise PackError(name, "", f"cannot be read ({error.strerror})") from error
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PackError(name, "", f"is not valid YAML{where}") from error
    pack = _Reader(name).pack(document)
    if expect and (pack.jurisdiction, pack.period) != expect:
        raise PackError(name, "period", f"the file is for {pack.jurisdiction} {pack.period}")
    return pack


class _Reader:
    """Turns a parsed YAML document into a RulePack, failing with the key path and reason."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, reason: str) -> PackError:
        return PackError(self.path, key, reason)

    def mapping(self, value: Any, key: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(key, f"must be a mapping, got {_kind(value)}")
        return value

    def field(self, parent: Mapping[str, Any], name: str, key: str) -> Any:
        if name not in parent:
            raise self.fail(f"{key}.{name}" if key else name, "is missing")
        return parent[name]

    def text(self, parent: Mapping[str, Any], name: str, key: str) -> str:
        value = self.field(parent, name, key)
        if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
            raise self.fail(f"{key}.{name}" if key else name, f"must be text, got {_kind(value)}")
        return str(value)

    def date(self, value: Any, key: str) -> dt.date:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
            raise self.fail(key, f"must be a date (YYYY-MM-DD), got {_kind(value)}")
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise self.fail(key, f"must be a date (YYYY-MM-DD), got {value!r}") from None
        return value

    def number(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(key, f"must be a number of hours (0 or more), got {value!r}")
        return float(value)

    def dated(self, parent: Mapping[str, Any], name: str, key: str) -> Dated[Any]:
        full = f"{key}.{name}" if key else name
        raw = self.mapping(self.field(parent, name, key), full)
        return self.dated_entry(raw, full)

    def dated_entry(self, raw: Mapping[str, Any], key: str) -> Dated[Any]:
        start = self.date(self.field(raw, "from", key), f"{key}.from")
        until = self.date(raw["until"], f"{key}.until") if raw.get("until") is not None else None
        if until is not None and until < start:
            raise self.fail(f"{key}.until", f"{until} is before from ({start})")
        reference = self.text(raw, "reference", key)
        return Dated(self.field(raw, "value", key), start, until, reference)

    def in_effect(self, value: Dated[Any], starts: dt.date, ends: dt.date, key: str) -> None:
        if not (value.start <= starts and (value.until is None or value.until >= ends)):
            raise self.fail(key, f"is not in effect for the whole period {starts} to {ends}")

    def where(self, raw: Any, key: str, topics: Mapping[str, str]) -> dict[str, frozenset[str]]:
        conditions: dict[str, frozenset[str]] = {}
        for attribute, wanted in self.mapping(raw, key).items():
            if attribute not in WHERE_ATTRIBUTES:
                known = ", ".join(WHERE_ATTRIBUTES)
                raise self.fail(f"{key}.{attribute}", f"is not a credit attribute ({known})")
            allowed = (*topics, "none") if attribute == "topic" else WHERE_ATTRIBUTES[attribute]
            values = wanted if isinstance(wanted, list) else [wanted]
            for value in values:
                if value not in allowed:
                    raise self.fail(
                        f"{key}.{attribute}",
                        f"{value!r} is not one of {', '.join(allowed)}",
                    )
            conditions[attribute] = frozenset(values)
        return conditions

    def pack(self, document: Any) -> RulePack:
        root = self.mapping(document, "")
        jurisdiction = self.text(root, "jurisdiction", "").upper()
        period = self.text(root, "period", "")
        version = self.field(root, "version", "")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail("version", f"must be a whole number from 1, got {version!r}")
        starts = self.date(self.field(root, "starts", ""), "starts")
        ends = self.date(self.field(root, "ends", ""), "ends")
        if ends < starts:
            raise self.fail("ends", f"{ends} is before starts ({starts})")

        grace = self.dated(root, "grace_deadline", "")
        grace = Dated(self.date(grace.value, "grace_deadline.value"), *_tail(grace))
        if grace.value <= ends:
            raise self.fail("grace_deadline.value", "must fall after the period ends")

        topics_raw = self.mapping(self.field(root, "topics", ""), "topics")
        topics = {str(k): self.text(topics_raw, k, "topics") for k in topics_raw}
        if "none" in topics:
            raise self.fail("topics.none", "'none' is reserved for hours outside any topic")

        requirements = []
        for index, raw in enumerate(self.items(root, "requirements")):
            key = f"requirements[{index}]"
            item = self.mapping(raw, key)
            minimum = self.dated(item, "minimum", key)
            minimum = Dated(self.number(minimum.value, f"{key}.minimum.value"), *_tail(minimum))
            self.in_effect(minimum, starts, ends, f"{key}.minimum")
            where = self.where(self.field(item, "where", key), f"{key}.where", topics)
            if "source" in where and "course" not in where["source"]:
                raise self.fail(f"{key}.where.source", "new training (a course) must be able to meet it")
            requirements.append(
                Requirement(self.text(item, "key", key), self.text(item, "label", key), minimum, where)
            )
        self.unique([r.key for r in requirements], "requirements")

        caps = []
        for index, raw in enumerate(self.items(root, "caps", required=False)):
            key = f"caps[{index}]"
            item = self.mapping(raw, key)
            maximum = self.dated(item, "maximum", key)
            maximum = Dated(self.number(maximum.value, f"{key}.maximum.value"), *_tail(maximum))
            self.in_effect(maximum, starts, ends, f"{key}.maximum")
            where = self.where(self.field(item, "where", key), f"{key}.where", topics)
            caps.append(Cap(self.text(item, "key", key), self.text(item, "label", key), maximum, where))
        self.unique([c.key for c in caps], "caps")

        sources = self.sources(self.mapping(self.field(root, "sources", ""), "sources"), starts, ends)

        exemptions = []
        for index, raw in enumerate(self.items(root, "exemptions", required=False)):
            key = f"exemptions[{index}]"
            item = self.mapping(raw, key)
            entry = self.dated_entry(item, key)
            self.in_effect(entry, starts, ends, key)
            field = self.text(item, "officer_field", key)
            if field not in ("licensed_on", "license_upgraded_on", "basic_training_completed_on"):
                raise self.fail(f"{key}.officer_field", f"{field!r} is not an officer date field")
            if entry.value is not True:
                continue  # an exemption switched off for this period
            exemptions.append(
                Exemption(
                    self.text(item, "key", key),
                    self.text(item, "label", key),
                    field,
                    entry.reference,
                )
            )
        return RulePack(
            jurisdiction=jurisdiction,
            period=period,
            version=version,
            title=self.text(root, "title", ""),
            starts=starts,
            ends=ends,
            grace_deadline=grace,
            topics=topics,
            requirements=tuple(requirements),
            caps=tuple(caps),
            sources=sources,
            exemptions=tuple(exemptions),
            path=self.path,
        )

    def sources(self, raw: Mapping[str, Any], starts: dt.date, ends: dt.date) -> dict[str, SourceRule]:
        sources = {}
        for name, value in raw.items():
            key = f"sources.{name}"
            if name not in SOURCES:
                raise self.fail(key, f"is not a credit source ({', '.join(SOURCES)})")
            item = self.mapping(value, key)
            provider_class = self.text(item, "provider_class", key)
            if provider_class not in (*PROVIDER_CLASSES, "from_credit"):
                raise self.fail(f"{key}.provider_class", "must be approved, licensed or from_credit")
            unit = str(item.get("unit", "hours"))
            if unit not in ("hours", "semester_hours"):
                raise self.fail(f"{key}.unit", "must be hours or semester_hours")
            rate = self.dated(item, "hours_per_unit", key)
            rate = Dated(self.number(rate.value, f"{key}.hours_per_unit.value"), *_tail(rate))
            self.in_effect(rate, starts, ends, f"{key}.hours_per_unit")
            recognized = None
            if "recognized" in item:
                entries = item["recognized"]
                if not isinstance(entries, list):
                    raise self.fail(f"{key}.recognized", "must be a list of dated lists")
                recognized_entries = []
                for index, entry_raw in enumerate(entries):
                    entry_key = f"{key}.recognized[{index}]"
                    entry = self.dated_entry(self.mapping(entry_raw, entry_key), entry_key)
                    codes = entry.value
                    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                        raise self.fail(f"{entry_key}.value", "must be a list of state codes")
                    recognized_entries.append(Dated(frozenset(codes), *_tail(entry)))
                recognized = tuple(recognized_entries)
            sources[name] = SourceRule(name, provider_class, unit, rate, recognized)
        return sources

    def items(self, root: Mapping[str, Any], name: str, *, required: bool = True) -> list[Any]:
        if name not in root and not required:
            return []
        value = self.field(root, name, "")
        if not isinstance(value, list):
            raise self.fail(name, f"must be a list, got {_kind(value)}")
        return value

    def unique(self, keys: list[str], name: str) -> None:
        seen: set[str] = set()
        for index, key in enumerate(keys):
            if key in seen:
                raise self.fail(f"{name}[{index}].key", f"{key!r} appears twice")
            seen.add(key)


def _tail(value: Dated[Any]) -> tuple[dt.date, dt.date | None, str]:
    return value.start, value.until, value.reference


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
