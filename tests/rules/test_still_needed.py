""" "What you still need" checked from outside: every stated condition is necessary, the
conditions are enough (or the breakdown says they are not and gives a plan that works), and
the answer is the officer's own, whatever the batch.

The officers are random and their caps bind (more than 22 computer-based hours, more than 8
hours of college credit, or both): the hard case, where which hours count is a choice. The
checker (``tests/rules/checker.py``) is scipy's linear programming on its own formulation,
built from the raw documents and the pack's values, not the engine's code.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

from clee.rules import RulePack, evaluate_document, load_pack
from tests.rules.checker import CORE_AREAS, Checker
from tests.rules.test_scenarios import clee_executable

pytestmark = pytest.mark.engine_only

PACKS = {period: load_pack("MO", period) for period in ("2023", "2019")}
OFFICERS = 2_000  # with a binding cap, at least
CLOSE = 1e-6
TOPICS = ("racial_profiling", "implicit_bias", "de_escalation")


def capped_officer(rng: random.Random, number: int) -> dict[str, Any]:
    """A random officer whose computer-based hours, college credit or both exceed their cap."""
    period = "2023" if rng.random() < 0.85 else "2019"
    pack = PACKS[period]
    topics = [t for t in TOPICS if t in pack.topics]
    online = rng.random() < 0.65
    college = not online or rng.random() < 0.3
    credits: list[dict[str, Any]] = []

    def hours() -> float:
        return rng.choice((0.5, 1, 1, 1.5, 2, 2, 3, 4, 0.25, 0.75, 1.2))

    def add(**fields: Any) -> None:
        day = f"{period}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        credits.append({"id": f"c{len(credits) + 1}", "date": day, **fields})

    def course(delivery: str) -> None:
        area = rng.choice(CORE_AREAS)
        fields: dict[str, Any] = {
            "hours": hours() * rng.choice((1, 1, 2, 3)),
            "core_area": area,
            "provider_class": rng.choice(("approved", "licensed", "licensed")),
            "delivery": delivery,
            "source": "course",
        }
        if area == "skill_development" and rng.random() < 0.4:
            fields["subject"] = "firearms"
        if topics and rng.random() < 0.35:
            topic = rng.choice(topics)
            fields["topics"] = {topic: min(fields["hours"], rng.choice((0.5, 1, 1)))}
        add(**fields)

    if online:  # more than 22 computer-based hours
        while sum(c["hours"] for c in credits if c.get("delivery") == "computer_based") <= 22.5:
            course("computer_based")
    if college and rng.random() < 0.3:
        # Courses in each area and on each topic, from college credit alone: more are needed
        # than its cap lets count, so which of them count is a choice between requirements.
        for area, topic in rng.sample(
            [(a, None) for a in CORE_AREAS[:3]] + [("skill_development", t) for t in topics],
            k=3 + len(topics),
        ):
            fields = {"semester_hours": rng.choice((1, 1, 1.5)), "core_area": area, "source": "college"}
            if topic:
                fields["topics"] = {topic: min(1, fields["semester_hours"] * 2)}
            add(**fields)
        add(hours=2, core_area="skill_development", subject="firearms", provider_class="licensed")
        add(hours=rng.choice((6, 10, 14)), core_area="skill_development", provider_class="licensed")
    elif college:  # more than 8 hours of college credit (2 h per semester hour)
        for _ in range(rng.randint(3, 7)):
            fields: dict[str, Any] = {
                "semester_hours": rng.choice((0.5, 1, 1, 1.5, 2)),
                "core_area": rng.choice(CORE_AREAS),
                "source": "college",
                "delivery": rng.choice(("live", "live", "computer_based")),
            }
            if topics and rng.random() < 0.4:
                fields["topics"] = {rng.choice(topics): 1}
            add(**fields)
    for _ in range(rng.randint(0, 6)):
        course("live")
    return {
        "jurisdiction": "MO",
        "period": period,
        "officer": {"licensed_on": "2010-03-01"},
        "credits": credits,
    }


def officers(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [capped_officer(rng, number) for number in range(count)]


def plan_from(
    pack: RulePack,
    parts: Sequence[Mapping[str, Any]],
    conditions: Sequence[Mapping[str, Any]],
    total: float,
    rng: random.Random,
) -> list[tuple[dict[str, str], float]]:
    """The worst plan of ``total`` hours that still does what the parts and conditions say:
    hours in the areas named, the rest in a random area; the topic, approved and live hours
    asked for and no more (the rest licensed and computer-based, outside any topic), placed
    at random among the hours."""
    requirements = {r.key: r for r in pack.requirements}
    cuts = {0.0, total}
    areas: list[tuple[float, float, str, str]] = []  # start, end, core area, subject
    position = 0.0
    firearms = 0.0
    for part in parts:
        key = part["requirement"]
        if key is None:
            area, subject = rng.choice(CORE_AREAS), "none"
        else:
            where = requirements[key].where
            area = sorted(where["core_area"])[0]
            subject = "firearms" if "firearms" in where.get("subject", ()) else "none"
            firearms += part["hours"] if subject == "firearms" else 0.0
        areas.append((position, position + part["hours"], area, subject))
        position += part["hours"]
    firearms_first = sorted(areas, key=lambda a: a[3] != "firearms")
    areas, position = [], 0.0
    for start, end, area, subject in firearms_first:
        areas.append((position, position + end - start, area, subject))
        position += end - start
    live_hours, approved_hours, topic_hours = firearms, 0.0, []
    for condition in conditions:
        key = condition["requirement"]
        if key in requirements and "topic" in requirements[key].where:
            (topic,) = requirements[key].where["topic"]
            topic_hours.append((topic, condition["hours"]))
        elif key in requirements:
            approved_hours = condition["hours"]
        else:
            live_hours = max(live_hours, condition["hours"])
    approved_start = rng.uniform(0.0, max(0.0, total - approved_hours))
    topic_spans: list[tuple[float, float, str]] = []
    offset = rng.uniform(0.0, total)
    for topic, hours in topic_hours:
        end = offset + hours
        if end <= total + 1e-12:
            topic_spans.append((offset, end, topic))
        else:
            topic_spans += [(offset, total, topic), (0.0, end - total, topic)]
        offset = end if end <= total else end - total
    for start, end, *_ in (*areas, *topic_spans):
        cuts.update((start, end))
    cuts.update((approved_start, approved_start + approved_hours, live_hours))
    points = sorted(c for c in cuts if -1e-12 <= c <= total + 1e-12)
    plan = []
    for start, end in itertools_pairs(points):
        if end - start <= 1e-9:
            continue
        middle = (start + end) / 2
        area = next(a for a in areas if a[0] <= middle <= a[1])
        topic = next((t for s, e, t in topic_spans if s <= middle <= e), "none")
        attributes = {
            "core_area": area[2],
            "subject": area[3],
            "topic": topic,
            "provider_class": "approved"
            if approved_start <= middle <= approved_start + approved_hours
            else "licensed",
            "delivery": "live" if middle <= live_hours else "computer_based",
            "source": "course",
        }
        plan.append((attributes, end - start))
    return plan


def itertools_pairs(points: Sequence[float]) -> list[tuple[float, float]]:
    return list(itertools.pairwise(points))


def stated(needs: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The conditions a breakdown states: every part that names a requirement, and every
    condition on some of the hours."""
    return [p for p in needs["parts"] if p["requirement"] is not None] + list(needs["within"])


NUMBER = re.compile(r"\d+(?:\.\d+)?")


def test_every_stated_condition_is_necessary_and_the_conditions_are_enough_on_random_capped_officers() -> (
    None
):
    rng = random.Random(11)
    tally: Counter[str] = Counter()
    for document in officers(2023, OFFICERS + 300):
        result = evaluate_document(document).to_dict()
        pack = PACKS[document["period"]]
        tally[f"solved by {result['solved_by']}"] += 1
        if result["solved_by"] != "sums":
            tally["caps bind"] += 1
        if result["status"] != "deficient":
            continue
        tally["deficient"] += 1
        checker = Checker(pack, document)
        fewest = checker.fewest()
        needs = result["still_needed"]
        assert result["additional_hours_needed"] == pytest.approx(fewest, abs=1e-4), document
        for condition in stated(needs):
            kinds = checker.kinds_of(condition["requirement"])
            least, _ = checker.least(kinds, fewest)
            tally["conditions"] += 1
            # Necessary: no compliant plan of the same size has fewer hours of these kinds.
            assert least >= condition["hours"] - CLOSE, (condition, least, needs["sentence"], document)
        # Enough: the worst plan that does what the breakdown says (or its example) works.
        if needs["jointly"]:
            tally["jointly"] += 1
            example = needs["example"]
            parts = [p for p in example if p["requirement"] is None or p["requirement"] in _part_keys(pack)]
            conditions = [p for p in example if p not in parts]
        else:
            parts, conditions = needs["parts"], needs["within"]
        for _ in range(2):
            plan = plan_from(pack, parts, conditions, result["additional_hours_needed"], rng)
            assert checker.compliant(plan), (needs, plan, document)
        # Hours as a person can act on them: never more than two decimals, never "1 hours".
        sentence = needs["sentence"]
        assert all(len(n.split(".")[1]) <= 2 for n in NUMBER.findall(sentence) if "." in n), sentence
        assert not re.search(r"(?<![\d.])1 (live |more )?hours\b", sentence), sentence
    assert tally["caps bind"] >= OFFICERS, tally
    assert tally["deficient"] >= OFFICERS // 2, tally
    assert tally["jointly"] > 0, tally  # the case the conditions alone do not settle is covered


def _part_keys(pack: RulePack) -> set[str]:
    return {r.key for r in pack.requirements if set(r.where) & {"core_area"} and "topic" not in r.where}


def _batch(path: Path, *options: str) -> list[bytes]:
    """``clee check-batch`` on ``path``: each result without its line number, in line order."""
    completed = subprocess.run(
        [clee_executable(), "check-batch", *options, str(path)], capture_output=True, check=True, timeout=600
    )
    results = []
    for number, line in enumerate(completed.stdout.splitlines(), start=1):
        result = orjson.loads(line)
        assert result.pop("line") == number
        results.append(orjson.dumps(result))
    return results


def test_the_result_is_the_same_in_any_batch_order_with_any_workers_and_one_by_one(tmp_path: Path) -> None:
    documents = officers(7, OFFICERS + 300)
    in_order = tmp_path / "officers.jsonl"
    in_order.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in documents))
    shuffle = list(range(len(documents)))
    random.Random(5).shuffle(shuffle)
    shuffled = tmp_path / "shuffled.jsonl"
    shuffled.write_bytes(b"".join(orjson.dumps(documents[i]) + b"\n" for i in shuffle))

    expected = _batch(in_order)  # as many workers as cores, blocks of 2,000 lines
    assert sum(orjson.loads(r)["solved_by"] != "sums" for r in expected) >= OFFICERS
    assert sum(orjson.loads(r)["solved_by"] == "lp" for r in expected) > 0
    assert _batch(in_order, "--workers", "1") == expected
    by_shuffle = _batch(shuffled, "--workers", "2")
    assert [by_shuffle[shuffle.index(i)] for i in range(len(documents))] == expected
    # One by one, as ``clee check`` evaluates a file (all in this process; a sample through the
    # command itself, whose JSON is indented but holds the same values).
    assert [orjson.dumps(evaluate_document(d).to_dict()) for d in documents] == expected
    for index in random.Random(9).sample(range(len(documents)), 12):
        path = tmp_path / f"officer-{index}.json"
        path.write_bytes(orjson.dumps(documents[index]))
        completed = subprocess.run([clee_executable(), "check", str(path)], capture_output=True, check=True)
        assert orjson.dumps(json.loads(completed.stdout)) == expected[index]
