"""Rule books and rule packs: the rules as data, loaded and checked.

A **rule book** is one YAML file per jurisdiction (``packs/<jurisdiction>.yaml``) holding the
rules of every reporting period as dated histories, in OpenFisca's manner: each value lists the
entries it has had, each with the dates it is in effect and a ``reference`` to the rule section
or seed document it comes from. The **pack** of one period (``RulePack``, what the engine
evaluates) is read off the book for that period. A one-period pack file, the same pack written
out, is read too (``clee check --pack``).

Loading refuses a malformed file with the file, the key and the reason, so a bad rule never
reaches an officer's result.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
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
    # A fingerprint of the rules themselves (not of the version or file): two versions of a book
    # give a period the same digest when they decide it alike.
    digest: str = ""

    @property
    def ident(self) -> str:
        return f"{self.jurisdiction}-{self.period}-{'draft' if self.version == 0 else f'v{self.version}'}"

    def contains(self, day: dt.date) -> bool:
        return self.starts <= day <= self.ends


MONTH_DAY_EXAMPLE = "03-15"


class RuleBook:
    """A jurisdiction's rules for every reporting period, as dated histories (checked on
    loading). ``pack(period)`` reads one period's pack off it."""

    __slots__ = ("_document", "_packs", "first", "jurisdiction", "last", "path", "title", "version")

    def __init__(
        self,
        *,
        jurisdiction: str,
        version: int,
        title: str,
        first: int,
        last: int | None,
        document: Mapping[str, Any],
        path: str,
    ) -> None:
        self.jurisdiction, self.version, self.title = jurisdiction, version, title
        self.first, self.last, self.path = first, last, path
        self._document = document
        self._packs: dict[str, RulePack] = {}

    def __repr__(self) -> str:
        return f"<RuleBook {self.jurisdiction} v{self.version} from {self.first}>"

    @property
    def span(self) -> str:
        """The periods the book has, in words: "2017 on" or "2017 to 2027"."""
        return f"{self.first} on" if self.last is None else f"{self.first} to {self.last}"

    def covers(self, period: str) -> bool:
        if not period.isdigit():
            return False
        year = int(period)
        return self.first <= year and (self.last is None or year <= self.last)

    def latest_change(self) -> int:
        """The year of the latest dated entry that starts a period-level value."""
        years = [self.first]
        for _, entries in _histories(self._document):
            years.extend(entry["from"].year for entry in entries)
        return max(years)

    def periods(self, *, through: int | None = None) -> list[str]:
        """The book's periods up to its last (or ``through``; or its latest change)."""
        end = self.last if self.last is not None else max(through or self.latest_change(), self.first)
        if through is not None:
            end = min(end, through)
        return [str(year) for year in range(self.first, end + 1)]

    def pack(self, period: str) -> RulePack:
        """The pack of ``period``; NoPackError names the periods the book has."""
        found = self._packs.get(period)
        if found is not None:
            return found
        if not self.covers(period):
            raise NoPackError(
                f"no rule pack for {self.jurisdiction} {period}: {self.jurisdiction} has a reporting "
                f"period each calendar year from {self.span}"
            )
        found = _Reader(self.path).pack(self.period_document(period), context=f"period {period}")
        self._packs[period] = found
        return found

    def period_document(self, period: str) -> dict[str, Any]:
        """The one-period pack document of ``period`` (the format of a pack file)."""
        year = int(period)
        starts, ends = dt.date(year, 1, 1), dt.date(year, 12, 31)
        root = self._document

        def pick(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
            found = _entry_for(entries, starts, ends)
            if found is None:
                return None
            entry, last = found
            picked = {"value": entry["value"], "from": entry["from"], "reference": entry["reference"]}
            if last is not None:
                picked["until"] = last
            return picked

        grace = pick(root["grace_deadline"])
        assert grace is not None  # the reader checked every period has one
        month, day = _month_day(grace["value"])
        grace["value"] = dt.date(year + 1, month, day)
        requirements = []
        for item in root["requirements"]:
            minimum = pick(item["minimum"])
            if minimum is not None:
                requirements.append(
                    {"key": item["key"], "label": item["label"], "minimum": minimum, "where": item["where"]}
                )
        caps = []
        for item in root.get("caps") or ():
            maximum = pick(item["maximum"])
            if maximum is not None:
                caps.append(
                    {"key": item["key"], "label": item["label"], "maximum": maximum, "where": item["where"]}
                )
        sources: dict[str, Any] = {}
        for name, item in root["sources"].items():
            source = {k: v for k, v in item.items() if k != "hours_per_unit"}
            source["hours_per_unit"] = pick(item["hours_per_unit"])
            sources[name] = source
        exemptions = []
        for item in root.get("exemptions") or ():
            entry = pick(item["in_effect"])
            if entry is not None:
                exemptions.append(
                    {
                        "key": item["key"],
                        "label": item["label"],
                        "officer_field": item["officer_field"],
                        **entry,
                    }
                )
        # A copy: the caller may change it (a draft) without touching the book.
        return copy.deepcopy(
            {
                "jurisdiction": self.jurisdiction,
                "period": period,
                "version": self.version,
                "title": f"{self.title} {period} reporting period",
                "starts": starts,
                "ends": ends,
                "grace_deadline": grace,
                "topics": dict(root["topics"]),
                "requirements": requirements,
                "caps": caps,
                "sources": sources,
                "exemptions": exemptions,
            }
        )


def _histories(root: Mapping[str, Any]) -> list[tuple[str, Sequence[Mapping[str, Any]]]]:
    """Every period-level dated history of a checked book document, with its key."""
    found: list[tuple[str, Sequence[Mapping[str, Any]]]] = [("grace_deadline", root["grace_deadline"])]
    for index, item in enumerate(root["requirements"]):
        found.append((f"requirements[{index}].minimum", item["minimum"]))
    for index, item in enumerate(root.get("caps") or ()):
        found.append((f"caps[{index}].maximum", item["maximum"]))
    for name, item in root["sources"].items():
        found.append((f"sources.{name}.hours_per_unit", item["hours_per_unit"]))
    for index, item in enumerate(root.get("exemptions") or ()):
        found.append((f"exemptions[{index}].in_effect", item["in_effect"]))
    return found


def _ends_of(entries: Sequence[Mapping[str, Any]]) -> list[dt.date | None]:
    """Each entry's last day: its own ``until``, else the day before the next entry, else open."""
    ends: list[dt.date | None] = []
    for index, entry in enumerate(entries):
        if entry.get("until") is not None:
            ends.append(entry["until"])
        elif index + 1 < len(entries):
            ends.append(entries[index + 1]["from"] - dt.timedelta(days=1))
        else:
            ends.append(None)
    return ends


def _entry_for(
    entries: Sequence[Mapping[str, Any]], starts: dt.date, ends: dt.date
) -> tuple[Mapping[str, Any], dt.date | None] | None:
    """The entry in effect for the whole of ``starts`` to ``ends`` with its last day (None:
    open), or None when no entry is."""
    for entry, last in zip(entries, _ends_of(entries), strict=True):
        if entry["from"] <= starts and (last is None or last >= ends):
            return entry, last
    return None


def _month_day(value: str) -> tuple[int, int]:
    month, day = (int(part) for part in value.split("-"))
    return month, day


def available_packs(*, through: int | None = None) -> list[tuple[str, str]]:
    """Every (jurisdiction, period) the shipped rule books have, sorted. A book without a last
    period goes on for ever: it is listed up to ``through`` (default: its latest change, and at
    least its first period)."""
    found: list[tuple[str, str]] = []
    for book in shipped_books():
        found.extend((book.jurisdiction, period) for period in book.periods(through=through))
    return sorted(found)


def shipped_books() -> list[RuleBook]:
    """The rule books shipped in ``clee/rules/packs/`` (one per jurisdiction), by jurisdiction."""
    return [load_book(path.stem) for path in sorted(PACKS_DIR.glob("*.yaml"))]


def load_book(jurisdiction: str) -> RuleBook:
    """The shipped rule book of ``jurisdiction``; NoPackError names the jurisdictions there are."""
    path = PACKS_DIR / f"{jurisdiction.lower()}.yaml"
    if not jurisdiction.isalnum() or not path.is_file():
        known = sorted(p.stem.upper() for p in PACKS_DIR.glob("*.yaml"))
        raise NoPackError(
            f"no rule pack for {jurisdiction}: rules exist for the jurisdictions {', '.join(known)}"
        )
    return _load_book_cached(str(path))


@functools.lru_cache(maxsize=16)
def _load_book_cached(path: str) -> RuleBook:
    rules = load_rules_file(path)
    if not isinstance(rules, RuleBook):
        raise PackError(path, "periods", "a shipped rule file must be a rule book (with periods)")
    return rules


def load_pack(jurisdiction: str, period: str) -> RulePack:
    """The shipped pack of ``jurisdiction`` for ``period``; NoPackError names the periods that
    exist instead."""
    try:
        book = load_book(jurisdiction)
    except NoPackError as error:
        raise NoPackError(str(error).replace(f"{jurisdiction}:", f"{jurisdiction} {period}:", 1)) from None
    return book.pack(period)


def load_rules_file(path: str | Path, *, version: int | None = None) -> RuleBook | RulePack:
    """Load and check a rule file: a rule book (every period, as dated histories) or the pack of
    one period. ``version`` overrides the book's own (a version stored by POST)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise PackError(name, "", f"cannot be read ({error.strerror})") from error
    return rules_from_text(text, name, version=version)


def rules_from_text(text: str, name: str, *, version: int | None = None) -> RuleBook | RulePack:
    """A rule book or one period's pack read from YAML ``text``; ``name`` is how errors name it."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PackError(name, "", f"is not valid YAML{where}") from error
    if isinstance(document, Mapping) and "periods" in document:
        return _BookReader(name).book(document, version=version)
    return _Reader(name).pack(document)


def book_from_text(text: str, name: str, *, version: int | None = None) -> RuleBook:
    """A rule book read from YAML ``text``; a one-period pack is refused (POST publishes books)."""
    rules = rules_from_text(text, name, version=version)
    if not isinstance(rules, RuleBook):
        raise PackError(name, "periods", "is missing: a rule book gives every period (periods: first, kind)")
    return rules


def load_pack_file(path: str | Path, *, expect: tuple[str, str] | None = None) -> RulePack:
    """The pack in a rule file: a one-period pack, or a book's pack for ``expect``'s period."""
    rules = load_rules_file(path)
    if isinstance(rules, RuleBook):
        if expect is None:
            raise PackError(str(path), "periods", "this rule book holds every period: name the period")
        if rules.jurisdiction != expect[0]:
            raise PackError(str(path), "jurisdiction", f"the file is for {rules.jurisdiction}")
        try:
            return rules.pack(expect[1])
        except NoPackError as error:
            raise PackError(str(path), "periods", str(error)) from None
    if expect and (rules.jurisdiction, rules.period) != expect:
        raise PackError(str(path), "period", f"the file is for {rules.jurisdiction} {rules.period}")
    return rules


def pack_for(rules: RuleBook | RulePack, jurisdiction: str, period: str) -> RulePack:
    """The pack ``rules`` give a scenario of ``jurisdiction`` and ``period``: a one-period pack
    as it is (a draft decides whatever it is given), a book's pack for that period."""
    if isinstance(rules, RulePack):
        return rules
    if rules.jurisdiction != jurisdiction.upper():
        raise NoPackError(
            f"no rule pack for {jurisdiction} {period}: the rules given are for {rules.jurisdiction}"
        )
    return rules.pack(period)


_recognized_packs: dict[tuple[RulePack, tuple[Dated[frozenset[str]], ...]], RulePack] = {}


def with_recognized(pack: RulePack, recognized: tuple[Dated[frozenset[str]], ...]) -> RulePack:
    """``pack`` with the recognized out-of-state list replaced by ``recognized`` (the list POST
    keeps in force, read on each credit's completion date). The same arguments give the same
    pack object, so compiled packs are reused."""
    key = (pack, recognized)
    found = _recognized_packs.get(key)
    if found is not None:
        return found
    rule = pack.sources.get("out_of_state")
    if rule is None:
        return pack
    sources = dict(pack.sources)
    sources["out_of_state"] = dataclasses.replace(rule, recognized=recognized)
    found = dataclasses.replace(pack, sources=sources)
    if len(_recognized_packs) >= 256:
        _recognized_packs.clear()
    _recognized_packs[key] = found
    return found


class _Reader:
    """Turns a parsed YAML document into a RulePack, failing with the key path and reason."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.context = ""

    def fail(self, key: str, reason: str) -> PackError:
        return PackError(self.path, f"{self.context}: {key}" if self.context else key, reason)

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

    def pack(self, document: Any, *, context: str = "") -> RulePack:
        """A one-period pack document as a RulePack; ``context`` prefixes error keys (the period
        of a book it was read off)."""
        self.context = context
        root = self.mapping(document, "")
        jurisdiction = self.text(root, "jurisdiction", "").upper()
        period = self.text(root, "period", "")
        version = self.field(root, "version", "")
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            raise self.fail("version", f"must be a whole number (0 for a draft), got {version!r}")
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
            digest=_digest(_decision_view(root)),
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


class _BookReader(_Reader):
    """Turns a parsed rule book into a RuleBook, failing with the key path and reason. Every
    key is checked (an unknown one is refused: a misspelt rule must not be silently absent)."""

    def strict(self, raw: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> None:
        for name in raw:
            if name not in allowed:
                where = f"{key}.{name}" if key else str(name)
                raise self.fail(where, f"is not a key of a rule book here ({', '.join(allowed)})")

    def history(
        self, parent: Mapping[str, Any], name: str, key: str, check: Any, *, whole: bool = True
    ) -> list[dict[str, Any]]:
        """A dated history: a list of entries {value, from, until?, reference}, in date order and
        not overlapping. ``whole``: a value changes only from a period's first day."""
        full = f"{key}.{name}" if key else name
        raw = self.field(parent, name, key)
        if not isinstance(raw, list) or not raw:
            raise self.fail(
                full, f"must be a list of dated values (value, from, reference), got {_kind(raw)}"
            )
        entries: list[dict[str, Any]] = []
        for index, item in enumerate(raw):
            entry_key = f"{full}[{index}]"
            entry_raw = self.mapping(item, entry_key)
            self.strict(entry_raw, entry_key, ("value", "from", "until", "reference"))
            dated = self.dated_entry(entry_raw, entry_key)
            value = check(dated.value, f"{entry_key}.value")
            if whole and (dated.start.month, dated.start.day) != (1, 1):
                raise self.fail(
                    f"{entry_key}.from",
                    f"a rule changes only from a reporting period's first day (January 1), got {dated.start}",
                )
            if whole and dated.until is not None and (dated.until.month, dated.until.day) != (12, 31):
                raise self.fail(
                    f"{entry_key}.until",
                    f"a rule ends only on a reporting period's last day (December 31), got {dated.until}",
                )
            if entries:
                previous = entries[-1]
                if dated.start <= previous["from"]:
                    raise self.fail(
                        f"{entry_key}.from",
                        f"{dated.start} is not after the entry before it ({previous['from']})",
                    )
                if previous.get("until") is not None and dated.start <= previous["until"]:
                    raise self.fail(
                        f"{entry_key}.from",
                        f"{dated.start} overlaps the entry before it (in effect until {previous['until']})",
                    )
            entry: dict[str, Any] = {"value": value, "from": dated.start, "reference": dated.reference}
            if dated.until is not None:
                entry["until"] = dated.until
            entries.append(entry)
        return entries

    def covering(self, entries: list[dict[str, Any]], key: str, first: int, last: int | None) -> None:
        """Refuse a history that leaves a period of the book without a value."""
        year = first
        for entry, ends in zip(entries, _ends_of(entries), strict=True):
            if entry["from"] > dt.date(year, 1, 1):
                raise self.fail(key, f"has no value for the {year} reporting period")
            if ends is None:
                return
            year = max(year, ends.year + 1)
            if last is not None and year > last:
                return
        raise self.fail(key, f"has no value for the {year} reporting period")

    def hours_value(self, value: Any, key: str) -> float:
        return self.number(value, key)

    def flag(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, got {value!r}")
        return value

    def month_day(self, value: Any, key: str) -> str:
        text = str(value) if isinstance(value, str) else None
        try:
            if text is None or len(text) != 5 or text[2] != "-":
                raise ValueError
            month, day = _month_day(text)
            dt.date(2023, month, day)  # a year without February 29
        except ValueError:
            raise self.fail(
                key,
                f"must be the month and day of the next year as MM-DD, such as "
                f"{MONTH_DAY_EXAMPLE!r}, got {value!r}",
            ) from None
        return text

    def codes(self, value: Any, key: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(c, str) and c.strip() for c in value):
            raise self.fail(key, "must be a list of state codes (or IADLEST)")
        return [code.strip().upper() for code in value]

    def limits(
        self, root: Mapping[str, Any], name: str, bound: str, topics: Mapping[str, str]
    ) -> list[dict[str, Any]]:
        """Requirements (a ``minimum`` each) or caps (a ``maximum``), checked."""
        found = []
        for index, raw in enumerate(self.items(root, name, required=name == "requirements")):
            key = f"{name}[{index}]"
            item = self.mapping(raw, key)
            self.strict(item, key, ("key", "label", "where", bound))
            where = self.where(self.field(item, "where", key), f"{key}.where", topics)
            if bound == "minimum" and "source" in where and "course" not in where["source"]:
                raise self.fail(f"{key}.where.source", "new training (a course) must be able to meet it")
            found.append(
                {
                    "key": self.text(item, "key", key),
                    "label": self.text(item, "label", key),
                    "where": item["where"],
                    bound: self.history(item, bound, key, self.hours_value),
                }
            )
        self.unique([limit["key"] for limit in found], name)
        return found

    def book(self, document: Any, *, version: int | None = None) -> RuleBook:
        root = self.mapping(document, "")
        self.strict(
            root,
            "",
            (
                "jurisdiction",
                "version",
                "title",
                "periods",
                "grace_deadline",
                "topics",
                "requirements",
                "caps",
                "sources",
                "exemptions",
            ),
        )
        jurisdiction = self.text(root, "jurisdiction", "").upper()
        if not jurisdiction.isalnum():
            raise self.fail("jurisdiction", f"must be letters and digits, such as MO, got {jurisdiction!r}")
        if version is None:
            stated = root.get("version", 0)
            if isinstance(stated, bool) or not isinstance(stated, int) or stated < 0:
                raise self.fail("version", f"must be a whole number, got {stated!r}")
            version = stated
        title = self.text(root, "title", "")

        periods = self.mapping(self.field(root, "periods", ""), "periods")
        self.strict(periods, "periods", ("kind", "first", "last", "reference"))
        if periods.get("kind", "calendar_year") != "calendar_year":
            raise self.fail(
                "periods.kind",
                f"must be calendar_year (one period each calendar year), got {periods['kind']!r}",
            )
        first = self.year(self.field(periods, "first", "periods"), "periods.first")
        last = None if periods.get("last") is None else self.year(periods["last"], "periods.last")
        if last is not None and last < first:
            raise self.fail("periods.last", f"{last} is before the first period ({first})")
        self.text(periods, "reference", "periods")

        checked: dict[str, Any] = {"jurisdiction": jurisdiction, "title": title}
        checked["grace_deadline"] = self.history(root, "grace_deadline", "", self.month_day)
        self.covering(checked["grace_deadline"], "grace_deadline", first, last)

        topics_raw = self.mapping(self.field(root, "topics", ""), "topics")
        topics = {str(k): self.text(topics_raw, k, "topics") for k in topics_raw}
        if "none" in topics:
            raise self.fail("topics.none", "'none' is reserved for hours outside any topic")
        checked["topics"] = topics

        checked["requirements"] = self.limits(root, "requirements", "minimum", topics)
        checked["caps"] = self.limits(root, "caps", "maximum", topics)

        sources_raw = self.mapping(self.field(root, "sources", ""), "sources")
        sources: dict[str, Any] = {}
        for name, value in sources_raw.items():
            key = f"sources.{name}"
            if name not in SOURCES:
                raise self.fail(key, f"is not a credit source ({', '.join(SOURCES)})")
            item = self.mapping(value, key)
            self.strict(item, key, ("provider_class", "unit", "hours_per_unit", "recognized"))
            provider_class = self.text(item, "provider_class", key)
            if provider_class not in (*PROVIDER_CLASSES, "from_credit"):
                raise self.fail(f"{key}.provider_class", "must be approved, licensed or from_credit")
            unit = str(item.get("unit", "hours"))
            if unit not in ("hours", "semester_hours"):
                raise self.fail(f"{key}.unit", "must be hours or semester_hours")
            source: dict[str, Any] = {"provider_class": provider_class, "unit": unit}
            source["hours_per_unit"] = self.history(item, "hours_per_unit", key, self.hours_value)
            self.covering(source["hours_per_unit"], f"{key}.hours_per_unit", first, last)
            if "recognized" in item:
                # Read on each credit's completion date: any dates, not only whole periods.
                source["recognized"] = self.history(item, "recognized", key, self.codes, whole=False)
            sources[name] = source
        checked["sources"] = sources

        exemptions: list[dict[str, Any]] = []
        for index, raw in enumerate(self.items(root, "exemptions", required=False)):
            key = f"exemptions[{index}]"
            item = self.mapping(raw, key)
            self.strict(item, key, ("key", "label", "officer_field", "in_effect"))
            field = self.text(item, "officer_field", key)
            if field not in ("licensed_on", "license_upgraded_on", "basic_training_completed_on"):
                raise self.fail(f"{key}.officer_field", f"{field!r} is not an officer date field")
            exemptions.append(
                {
                    "key": self.text(item, "key", key),
                    "label": self.text(item, "label", key),
                    "officer_field": field,
                    "in_effect": self.history(item, "in_effect", key, self.flag),
                }
            )
        self.unique([e["key"] for e in exemptions], "exemptions")
        checked["exemptions"] = exemptions
        book = RuleBook(
            jurisdiction=jurisdiction,
            version=version,
            title=title,
            first=first,
            last=last,
            document=checked,
            path=self.path,
        )
        # Every period the book has reads off as a pack; an open-ended book is read up to the
        # year after its latest change (later periods read the same values).
        for period in book.periods(through=max(book.latest_change() + 1, first)):
            book.pack(period)
        return book

    def year(self, value: Any, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2999:
            raise self.fail(key, f"must be a year such as 2017, got {value!r}")
        return value


def _decision_view(root: Mapping[str, Any]) -> dict[str, Any]:
    """What of a one-period pack document decides results: its values without their dates and
    citations (the recognized list keeps its dates: they are read per credit), nor the version."""

    def plain(node: Any, key: str = "") -> Any:
        if isinstance(node, Mapping):
            if "value" in node and "from" in node and key != "recognized":
                return {k: plain(v, k) for k, v in node.items() if k not in ("from", "until", "reference")}
            return {k: plain(v, k) for k, v in node.items() if k not in ("version", "title")}
        if isinstance(node, list):
            return [plain(item, key) for item in node]
        return node

    view: dict[str, Any] = plain(root)
    return view


def _digest(document: Mapping[str, Any]) -> str:
    text = json.dumps(document, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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
