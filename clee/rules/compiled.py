"""A rule pack compiled into arrays: credit-line classes, requirement and cap membership.

Every credit line has five attributes: area (a core area, with Skill Development – Firearms as
its own area), topic, provider class, delivery and source. Their combinations are numbered
("raw classes"); raw classes that no requirement or cap tells apart are merged into one
"class", so an officer's credits reduce to a short vector of hours per class. Requirements and
caps become 0/1 matrices over classes, and evaluating a whole batch of officers is matrix work.
"""

from __future__ import annotations

import itertools
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
        area = AREA_INDEX[extra.area]
        extra_members[:, index] = signature(
            {
                "core_area": AREA_CORE[area],
                "subject": AREA_SUBJECT[area],
                "topic": extra.topic,
                "provider_class": "approved",
                "delivery": "live",
                "source": "course",
            }
        )
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
    compiled.minimum_list = [float(m) for m in compiled.minimums]
    compiled.requirement_labels = tuple(r.label for r in pack.requirements)
    compiled.requirement_keys = tuple(r.key for r in pack.requirements)
    return compiled


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
