"""A rule pack compiled into arrays: credit-line classes, requirement and cap membership.

Every credit line has five attributes: area (a core area, with Skill Development – Firearms as
its own area), topic, provider class, delivery and source. Their combinations are numbered
("raw classes"); raw classes that no requirement or cap tells apart are merged into one
"class", so an officer's credits reduce to a short vector of hours per class. Requirements and
caps become 0/1 matrices over classes, and evaluating a whole batch of officers is matrix work.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from clee.rules.pack import RulePack, SourceRule
from clee.rules.vocabulary import CORE_AREAS, DELIVERIES, PROVIDER_CLASSES, SOURCES

# Areas: the four core areas plus firearms (Skill Development with the firearms subject).
AREAS = (*CORE_AREAS, "firearms")
AREA_CORE = (*CORE_AREAS, "skill_development")
AREA_SUBJECT = ("none", "none", "none", "none", "firearms")
AREA_INDEX = {area: index for index, area in enumerate(AREAS)}
PROVIDER_INDEX = {name: index for index, name in enumerate(PROVIDER_CLASSES)}
DELIVERY_INDEX = {name: index for index, name in enumerate(DELIVERIES)}
SOURCE_INDEX = {name: index for index, name in enumerate(SOURCES)}

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Kind:
    """A kind of hour a plan of new training may contain: one area (and subject), at most one
    topic, a provider class and a delivery (a course). ``ExtraHour`` is the best of them."""

    area: str
    topic: str
    provider_class: str
    delivery: str


@dataclass(frozen=True)
class Condition:
    """What the "still needed" breakdown may state: the least hours of some kinds that every
    plan of the fewest extra hours contains. ``on`` a requirement: hours toward it; ``on`` a
    cap: hours outside it (live rather than computer-based). ``members`` marks the kinds it
    counts."""

    on: str  # "requirement" or "cap"
    index: int
    members: BoolArray


@dataclass(frozen=True)
class ExtraHour:
    """A kind of hour an officer could still take: the best attributes (approved provider,
    live, a course), one area and at most one topic (topic portions never overlap)."""

    area: str
    topic: str


@dataclass
class CompiledPack:
    pack: RulePack
    topics: tuple[str, ...]  # index 0 is "none"
    raw_to_class: IntArray
    class_count: int
    requirement_members: FloatArray  # (requirements, classes) 0/1
    cap_members: FloatArray  # (caps, classes) 0/1
    minimums: FloatArray
    maximums: FloatArray
    extra_hours: tuple[ExtraHour, ...]
    extra_requirement_members: FloatArray  # (requirements, extra kinds) 0/1
    extra_cap_members: FloatArray  # (caps, extra kinds) 0/1
    # Requirement groups for the closed form of "fewest extra hours" (None: use the LP).
    groups: tuple[tuple[int, ...], ...] | None
    # Per requirement: "area", "topic" or "any" — which part of an extra hour it asks for.
    requirement_dimension: tuple[str, ...]
    requirement_live: tuple[bool, ...]
    # Caps that would hold back extra computer-based hours (for "must be live" in the plan).
    delivery_caps: tuple[int, ...]
    # Every kind of hour a plan may contain, and which requirements and caps each meets.
    kinds: tuple[Kind, ...] = ()
    kind_requirement_members: BoolArray = field(default_factory=lambda: np.zeros((0, 0), bool))
    kind_cap_members: BoolArray = field(default_factory=lambda: np.zeros((0, 0), bool))
    # The conditions "still needed" may state, in the order they are phrased.
    conditions: tuple[Condition, ...] = ()
    # Requirements that every hour meets (the total): never a condition of their own.
    everywhere: tuple[int, ...] = ()
    # Requirements phrased as parts of the hours (disjoint areas), the rest as conditions.
    part_requirements: tuple[int, ...] = ()
    # True when the closed forms of ``clee.rules.allocation`` are exact for this pack: the
    # fewest extra hours is a largest group sum, each dimension of a new hour has a value no
    # requirement asks for, and at most one cap (on delivery) can hold back a new hour.
    closed: bool = False
    # The cap new computer-based hours fall under (None: new hours escape every cap).
    plan_cap: int | None = None
    # Requirements only live hours meet (the firearms hours).
    live_requirements: tuple[int, ...] = ()
    # Contiguous (classes, n) matrices for the batch products: ``hours @ counts_toward`` are the
    # hours toward each requirement; ``cap_columns`` the hours under each cap.
    counts_toward: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    cap_columns: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    # For the most each requirement (and the total, the last column) can count alone: blocks of
    # columns side by side, one product for all: hours outside every cap, then per cap its
    # hours (``bound_form`` "caps": the caps share no class), or, for two caps that share
    # classes ("pair"), the hours under both, under the first only, under the second only.
    # None: more than two caps sharing classes (the LP answers).
    bound_parts: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    bound_form: str | None = "caps"
    # Per cap: its classes, and per requirement the positions among them it counts.
    cap_classes: tuple[IntArray, ...] = ()
    cap_requirement_positions: tuple[tuple[IntArray, ...], ...] = ()
    # Per cap, among its classes: those in no other cap.
    cap_alone: tuple[BoolArray, ...] = ()
    # (core_area, subject, provider_class, delivery, source) -> the raw class of its hours
    # outside any topic, its raw class per topic, and its source rule if it must be recognized.
    line_classes: dict[tuple[object, ...], tuple[int, dict[str, int], SourceRule | None]] = field(
        default_factory=dict
    )
    minimum_list: list[float] = field(default_factory=list)
    requirement_labels: tuple[str, ...] = ()
    # "Still needed" descriptions already phrased, by (hours, deficits, cap room): officers
    # short of the same things share one.
    describe_cache: dict[tuple[object, ...], object] = field(default_factory=dict)

    # Requirement keys in pack order, kept as a field: read once per result.
    requirement_keys: tuple[str, ...] = ()

    def base_code(self, area: str, provider_class: str, delivery: str, source: str) -> int:
        """Raw class of a line with no topic; add ``topic_index * topic_stride`` for a topic."""
        return (
            (AREA_INDEX[area] * len(self.topics) * 2 + PROVIDER_INDEX[provider_class]) * 2
            + DELIVERY_INDEX[delivery]
        ) * len(SOURCES) + SOURCE_INDEX[source]

    @property
    def topic_stride(self) -> int:
        return 2 * 2 * len(SOURCES)

    def line_classes_for(
        self, core_area: str, subject: str | None, provider_class: str | None, delivery: str, source: str
    ) -> tuple[int, dict[str, int], SourceRule | None]:
        """Raw classes of a credit's lines (outside any topic, and per topic), cached."""
        rule = self.pack.sources[source]
        provider = provider_class if rule.provider_class == "from_credit" else rule.provider_class
        area = "firearms" if subject == "firearms" else core_area
        base = self.base_code(area, provider or "licensed", delivery, source)
        by_topic = {
            topic: base + index * self.topic_stride for index, topic in enumerate(self.topics) if index
        }
        entry = (base, by_topic, rule if rule.recognized is not None else None)
        self.line_classes[(core_area, subject, provider_class, delivery, source)] = entry
        return entry


def compile_pack(pack: RulePack) -> CompiledPack:
    """Number the line classes of ``pack`` and build its membership matrices."""
    topics = ("none", *pack.topics)
    attributes = []  # raw class index -> attribute dict, in the order of base_code
    for area, topic, provider, delivery, source in itertools.product(
        range(len(AREAS)), range(len(topics)), PROVIDER_CLASSES, DELIVERIES, SOURCES
    ):
        attributes.append(
            {
                "core_area": AREA_CORE[area],
                "subject": AREA_SUBJECT[area],
                "topic": topics[topic],
                "provider_class": provider,
                "delivery": delivery,
                "source": source,
            }
        )
    conditions = [r.where for r in pack.requirements] + [c.where for c in pack.caps]

    def signature(attrs: dict[str, str]) -> tuple[bool, ...]:
        return tuple(all(attrs[a] in values for a, values in where.items()) for where in conditions)

    signatures: dict[tuple[bool, ...], int] = {}
    raw_to_class = np.empty(len(attributes), dtype=np.int64)
    for raw, attrs in enumerate(attributes):
        raw_to_class[raw] = signatures.setdefault(signature(attrs), len(signatures))
    members = np.zeros((len(conditions), len(signatures)))
    for bits, index in signatures.items():
        members[:, index] = bits
    requirement_count = len(pack.requirements)

    extra_hours = tuple(ExtraHour(area, topic) for area in AREAS for topic in topics)
    extra_members = np.zeros((len(conditions), len(extra_hours)))
    for index, extra in enumerate(extra_hours):
        extra_members[:, index] = signature(_course_hour(extra.area, extra.topic, "approved", "live"))
    dimensions = tuple(_dimension(r.where) for r in pack.requirements)
    compiled = CompiledPack(
        pack=pack,
        topics=topics,
        raw_to_class=raw_to_class,
        class_count=len(signatures),
        requirement_members=members[:requirement_count],
        cap_members=members[requirement_count:],
        minimums=np.array([r.minimum.value for r in pack.requirements], dtype=float),
        maximums=np.array([c.maximum.value for c in pack.caps], dtype=float),
        extra_hours=extra_hours,
        extra_requirement_members=extra_members[:requirement_count],
        extra_cap_members=extra_members[requirement_count:],
        groups=None,
        requirement_dimension=dimensions,
        requirement_live=tuple(r.where.get("delivery") == frozenset({"live"}) for r in pack.requirements),
        delivery_caps=tuple(
            i for i, c in enumerate(pack.caps) if c.where.get("delivery") == frozenset({"computer_based"})
        ),
    )
    compiled.groups = _closed_form_groups(compiled)
    _plan_kinds(compiled, topics, signature, requirement_count)
    caps = compiled.cap_members.astype(bool)
    compiled.counts_toward = np.ascontiguousarray(compiled.requirement_members.T)
    compiled.cap_columns = np.ascontiguousarray(compiled.cap_members.T)
    toward = np.hstack([compiled.counts_toward, np.ones((compiled.class_count, 1))])  # + the total
    outside = ~caps.any(axis=0)
    shared = (caps.sum(axis=0) > 1).any()
    if len(caps) == 2 and shared:
        compiled.bound_form = "pair"
        masks = [outside, caps[0] & caps[1], caps[0] & ~caps[1], caps[1] & ~caps[0]]
    else:
        compiled.bound_form = None if shared else "caps"
        masks = [outside, *caps]
    compiled.bound_parts = np.ascontiguousarray(np.hstack([toward * mask[:, None] for mask in masks]))
    compiled.cap_classes = tuple(np.flatnonzero(cap) for cap in caps)
    compiled.cap_alone = tuple(caps.sum(axis=0)[classes] == 1 for classes in compiled.cap_classes)
    members = compiled.requirement_members.astype(bool)
    compiled.cap_requirement_positions = tuple(
        tuple(np.flatnonzero(members[r][classes]) for r in range(requirement_count))
        for classes in compiled.cap_classes
    )
    compiled.minimum_list = [float(m) for m in compiled.minimums]
    compiled.requirement_labels = tuple(r.label for r in pack.requirements)
    compiled.requirement_keys = tuple(r.key for r in pack.requirements)
    return compiled


def _course_hour(area: str, topic: str, provider_class: str, delivery: str) -> dict[str, str]:
    """The attributes a ``where`` tests of an hour of a new course."""
    index = AREA_INDEX[area]
    return {
        "core_area": AREA_CORE[index],
        "subject": AREA_SUBJECT[index],
        "topic": topic,
        "provider_class": provider_class,
        "delivery": delivery,
        "source": "course",
    }


def _plan_kinds(
    compiled: CompiledPack,
    topics: tuple[str, ...],
    signature: Callable[[dict[str, str]], tuple[bool, ...]],
    requirement_count: int,
) -> None:
    """The kinds of hour a plan may contain, the conditions on them, and whether the closed
    forms hold for this pack."""
    pack = compiled.pack
    kinds = tuple(
        Kind(area, topic, provider, delivery)
        for area in AREAS
        for topic in topics
        for provider in PROVIDER_CLASSES
        for delivery in DELIVERIES
    )
    members = np.zeros((requirement_count + len(pack.caps), len(kinds)), dtype=bool)
    for index, kind in enumerate(kinds):
        members[:, index] = signature(_course_hour(kind.area, kind.topic, kind.provider_class, kind.delivery))
    compiled.kinds = kinds
    requirement_kinds, cap_kinds = members[:requirement_count], members[requirement_count:]
    compiled.kind_requirement_members, compiled.kind_cap_members = requirement_kinds, cap_kinds
    compiled.everywhere = tuple(r for r in range(requirement_count) if requirement_kinds[r].all())
    # Requirements on disjoint sets of areas read as parts of the hours ("2 hours of Legal
    # Studies"); the others as conditions on some of them ("1 hour on implicit bias").
    parts: list[int] = []
    taken = np.zeros(len(kinds), dtype=bool)
    for index, dimension in enumerate(compiled.requirement_dimension):
        if dimension == "area" and not (requirement_kinds[index] & taken).any():
            parts.append(index)
            taken |= requirement_kinds[index]
    compiled.part_requirements = tuple(parts)
    conditions = [
        Condition("requirement", r, requirement_kinds[r])
        for r in (*parts, *(r for r in range(requirement_count) if r not in parts))
        if r not in compiled.everywhere and requirement_kinds[r].any()
    ]
    catching = [c for c in range(len(pack.caps)) if cap_kinds[c].any()]
    conditions += [Condition("cap", c, ~cap_kinds[c]) for c in catching if not cap_kinds[c].all()]
    compiled.conditions = tuple(conditions)
    compiled.live_requirements = tuple(
        r
        for r, requirement in enumerate(pack.requirements)
        if requirement.where.get("delivery") == frozenset({"live"})
    )
    compiled.plan_cap = catching[0] if len(catching) == 1 else None
    compiled.closed = _closed_forms_hold(compiled, catching)


def _closed_forms_hold(compiled: CompiledPack, catching: list[int]) -> bool:
    """Whether the closed forms are exact for this pack (see ``clee.rules.allocation``).

    They need the largest-group-sum form of the fewest extra hours; a value of each dimension
    of a new hour that no requirement of that dimension asks for (the rest of a plan can go
    there); conditions on provider class or delivery only where a requirement is on the
    provider class alone or asks for live hours; and at most one cap able to hold back a new
    hour, on its delivery alone, with no requirement met by the hours it holds back.
    """
    if compiled.groups is None or len(catching) > 1:
        return False
    pack = compiled.pack
    requirement_kinds = compiled.kind_requirement_members
    for index, requirement in enumerate(pack.requirements):
        where = requirement.where
        dimension = compiled.requirement_dimension[index]
        if dimension == "any" and set(where) - {"provider_class"} and index not in compiled.everywhere:
            return False
        if "delivery" in where and index not in compiled.live_requirements:
            return False
        if "source" in where:
            return False
    for dimension in ("area", "topic"):
        asked = [r for r, d in enumerate(compiled.requirement_dimension) if d == dimension]
        if asked and requirement_kinds[asked].any(axis=0).all():
            return False  # every value of this dimension is asked for: no neutral place
    if catching:
        cap = pack.caps[catching[0]]
        if set(cap.where) != {"delivery"} or "live" in cap.where["delivery"]:
            return False
    return True


def _dimension(where: dict[str, frozenset[str]] | object) -> str:
    """Which part of a new hour a requirement restricts: its area, its topic, or neither.

    Provider class and delivery are not restrictions for a new hour: it can be approved and live.
    """
    assert isinstance(where, dict)
    restricts = {a for a in where if a not in ("provider_class", "delivery", "source")}
    if not restricts:
        return "any"
    if restricts <= {"core_area", "subject"}:
        return "area"
    if restricts == {"topic"}:
        return "topic"
    return "mixed"


def _closed_form_groups(compiled: CompiledPack) -> tuple[tuple[int, ...], ...] | None:
    """Groups such that the fewest extra hours is the largest group sum of deficits.

    It holds when extra hours escape every cap, each requirement restricts one part of an
    hour (area or topic) and requirements on the same part ask for disjoint values: then
    area and topic of each new hour can be chosen independently. Otherwise None (the LP).
    """
    if compiled.extra_cap_members.any():
        return None
    groups: list[tuple[int, ...]] = []
    by_dimension: dict[str, list[int]] = {"area": [], "topic": []}
    for index, dimension in enumerate(compiled.requirement_dimension):
        if dimension == "mixed":
            return None
        if dimension == "any":
            if not compiled.extra_requirement_members[index].all():
                return None
            groups.append((index,))
        else:
            by_dimension[dimension].append(index)
    for indexes in by_dimension.values():
        covered = compiled.extra_requirement_members[indexes]
        if (covered.sum(axis=0) > 1).any():
            return None  # two requirements on the same part share a value
        if indexes:
            groups.append(tuple(indexes))
    return tuple(groups)
