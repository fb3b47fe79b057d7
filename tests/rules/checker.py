"""An independent checker of "what you still need", with scipy's linear programming.

It reads the rule pack's values (minimums, maxima, ``where`` conditions, source rules) and the
raw scenario document, never ``clee.rules.compiled``, ``allocation``, ``solver`` or
``engine``. Each credit becomes lines (topic portions and the rest) with their six attributes;
one variable per line says how many of its hours count (lines are not merged). A plan of new
training is hours of kinds: one core area (Skill Development with or without the firearms
subject), at most one topic, either provider class, live or computer-based, a course. Caps hold
over the officer's counted hours and the plan's hours alike; minimums are met by both.

* ``fewest()``: the fewest plan hours that make the officer compliant;
* ``least(kinds, hours)``: the fewest hours of those kinds in any compliant plan of ``hours``
  hours (a stated condition "at least N of these kinds" is necessary exactly when this is at
  least N);
* ``compliant(plan)``: whether a given plan makes the officer compliant.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

from clee.rules.pack import RulePack

CORE_AREAS = ("legal_studies", "technical_studies", "interpersonal_perspectives", "skill_development")
SLACK = 1e-7


def matches(where: Mapping[str, frozenset[str]], attributes: Mapping[str, str]) -> bool:
    return all(attributes[name] in wanted for name, wanted in where.items())


def document_lines(pack: RulePack, document: Mapping[str, Any]) -> list[tuple[dict[str, str], float]]:
    """(attributes, hours) of every line that may count: in the period, from a recognized source."""
    lines = []
    for credit in document["credits"]:
        day = dt.date.fromisoformat(str(credit["date"]))
        if not (pack.starts <= day <= pack.ends):
            continue
        source = credit.get("source", "course")
        rule = pack.sources[source]
        if rule.recognized is not None:
            state = str(credit["state"]).strip().upper()
            if not any(
                entry.start <= day and (entry.until is None or day <= entry.until) and state in entry.value
                for entry in rule.recognized
            ):
                continue
        amount = credit["semester_hours"] if rule.unit == "semester_hours" else credit["hours"]
        hours = float(amount) * rule.hours_per_unit.value
        provider = (
            credit.get("provider_class") if rule.provider_class == "from_credit" else rule.provider_class
        )
        base = {
            "core_area": credit["core_area"],
            "subject": credit.get("subject") or "none",
            "provider_class": str(provider),
            "delivery": credit.get("delivery", "live"),
            "source": source,
        }
        rest = hours
        for topic, topic_hours in (credit.get("topics") or {}).items():
            lines.append(({**base, "topic": topic}, float(topic_hours)))
            rest -= float(topic_hours)
        if rest > 1e-9:
            lines.append(({**base, "topic": "none"}, rest))
    return lines


def plan_kinds(pack: RulePack) -> list[dict[str, str]]:
    kinds = []
    areas = [(area, "none") for area in CORE_AREAS] + [("skill_development", "firearms")]
    for (area, subject), topic, provider, delivery in itertools.product(
        areas, ("none", *pack.topics), ("approved", "licensed"), ("live", "computer_based")
    ):
        kinds.append(
            {
                "core_area": area,
                "subject": subject,
                "topic": topic,
                "provider_class": provider,
                "delivery": delivery,
                "source": "course",
            }
        )
    return kinds


@dataclass
class Checker:
    """The officer of ``document`` under ``pack``, as one linear program."""

    pack: RulePack
    document: Mapping[str, Any]

    def __post_init__(self) -> None:
        pack = self.pack
        self.lines = document_lines(pack, self.document)
        self.kinds = plan_kinds(pack)
        line_count, kind_count = len(self.lines), len(self.kinds)
        self.size = line_count + kind_count
        rows, bounds = [], []
        for cap in pack.caps:
            row = [1.0 if matches(cap.where, a) else 0.0 for a, _ in self.lines]
            row += [1.0 if matches(cap.where, k) else 0.0 for k in self.kinds]
            rows.append(row)
            bounds.append(cap.maximum.value)
        for requirement in pack.requirements:  # Σ ≥ m written as -Σ ≤ -m
            row = [-1.0 if matches(requirement.where, a) else 0.0 for a, _ in self.lines]
            row += [-1.0 if matches(requirement.where, k) else 0.0 for k in self.kinds]
            rows.append(row)
            bounds.append(-requirement.minimum.value)
        self.rows = np.array(rows).reshape(len(rows), self.size)
        self.bounds = np.array(bounds)
        self.variable_bounds = [(0.0, hours) for _, hours in self.lines] + [(0.0, None)] * kind_count
        self.line_count = line_count

    def _solve(
        self, cost: Sequence[float], extra_rows: Sequence[Sequence[float]] = (), extra: Sequence[float] = ()
    ) -> Any:
        rows = np.vstack([self.rows, *([np.array(extra_rows)] if len(extra_rows) else [])])
        bounds = np.concatenate([self.bounds, np.array(extra, dtype=float)])
        return linprog(cost, A_ub=rows, b_ub=bounds, bounds=self.variable_bounds, method="highs")

    def _plan_cost(self, kinds: Sequence[bool]) -> list[float]:
        return [0.0] * self.line_count + [1.0 if chosen else 0.0 for chosen in kinds]

    def fewest(self) -> float:
        solved = self._solve(self._plan_cost([True] * len(self.kinds)))
        assert solved.status == 0, solved.message
        return float(solved.fun)

    def least(self, kinds: Sequence[bool], hours: float) -> tuple[float, list[float]]:
        """The fewest hours of ``kinds`` in a compliant plan of at most ``hours`` hours, and
        that plan (hours per kind of ``self.kinds``)."""
        size_row = self._plan_cost([True] * len(self.kinds))
        solved = self._solve(self._plan_cost(kinds), [size_row], [hours + SLACK])
        assert solved.status == 0, solved.message
        return float(solved.fun), list(solved.x[self.line_count :])

    def compliant(self, plan: Sequence[tuple[Mapping[str, str], float]]) -> bool:
        """Whether the officer is compliant with ``plan`` (attributes, hours) added."""
        extra_lines = [(dict(attributes), hours) for attributes, hours in plan]
        grown = Checker.__new__(Checker)
        grown.pack, grown.document = self.pack, self.document
        grown.lines = [*self.lines, *extra_lines]
        grown.kinds = []
        line_count = len(grown.lines)
        rows, bounds = [], []
        for cap in self.pack.caps:
            rows.append([1.0 if matches(cap.where, a) else 0.0 for a, _ in grown.lines])
            bounds.append(cap.maximum.value)
        for requirement in self.pack.requirements:
            rows.append([-1.0 if matches(requirement.where, a) else 0.0 for a, _ in grown.lines])
            bounds.append(-requirement.minimum.value + SLACK)
        solved = linprog(
            [0.0] * line_count,
            A_ub=np.array(rows).reshape(len(rows), line_count),
            b_ub=np.array(bounds),
            bounds=[(0.0, hours) for _, hours in grown.lines],
            method="highs",
        )
        return bool(solved.status == 0)

    def kinds_of(self, key: str) -> list[bool]:
        """The kinds a stated condition is about: hours toward a requirement, or outside a cap."""
        for requirement in self.pack.requirements:
            if requirement.key == key:
                return [matches(requirement.where, kind) for kind in self.kinds]
        for cap in self.pack.caps:
            if cap.key == key:
                return [not matches(cap.where, kind) for kind in self.kinds]
        raise KeyError(key)
