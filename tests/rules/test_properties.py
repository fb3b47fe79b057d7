"""Properties of the engine on random officers (hypothesis), checked against an independent
brute force (``tests/rules/bruteforce.py``) and against the engine's own two paths.

Officers are small and random: credits in any core area, firearms on some Skill Development
credits, topic portions inside the hours, approved or licensed providers, plenty of
computer-based hours (so the 22-hour cap often binds), college credit (2 h per semester hour,
capped at 8), out-of-state credit from recognized and unrecognized states, hours in whole and
half hours, now and then a credit outside the period or an officer exempt for it.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import random
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, event, example, find, given, settings
from hypothesis import strategies as st

from clee.rules import (
    Credit,
    Officer,
    Result,
    RulePack,
    compiled_for,
    evaluate_officers,
    load_pack,
    load_pack_file,
    parse_scenario,
)
from tests.rules.bruteforce import brute_force, held_lines
from tests.rules.examples import EXAMPLES
from tests.rules.packs import period_pack_document

PACKS = {period: load_pack("MO", period) for period in ("2023", "2019")}
CORE_AREAS = ("legal_studies", "technical_studies", "interpersonal_perspectives", "skill_development")


def implicit_bias_only_in_interpersonal_perspectives() -> RulePack:
    """A draft 2023 pack whose implicit-bias hour must be in Interpersonal Perspectives: a
    requirement on area and topic at once, which the closed form cannot answer (every officer
    goes through the LP, and the brute force must agree there too)."""
    document = period_pack_document(2023)
    for requirement in document["requirements"]:
        if requirement["key"] == "implicit_bias":
            requirement["where"]["core_area"] = "interpersonal_perspectives"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2023-draft.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return load_pack_file(path)


DRAFT = implicit_bias_only_in_interpersonal_perspectives()
STATES = ("MN", "IL", "TX", "IADLEST", "FL", "MO", "ny", " ar ")
CLOSE = 1e-6


# CLEE_PROPERTY_SCALE=20 runs twenty times as many examples (a longer hunt for disagreements).
SCALE = float(os.environ.get("CLEE_PROPERTY_SCALE", "1"))


def tuned(examples: int) -> settings:
    return settings(
        max_examples=max(1, round(examples * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- strategies ---------------------------------------------------------------------------------


def half_hours(low: int, high: int) -> st.SearchStrategy[float | int]:
    """Whole hours most of the time, half-hours sometimes (in ``low..high`` half-hour units)."""
    return st.one_of(
        st.integers(max(1, (low + 1) // 2), high // 2),
        st.integers(low, high).map(lambda units: units / 2),
    )


def rare(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in ``one_in`` draws (the common case is the simplest, 1)."""
    return draw(st.integers(1, one_in)) == one_in


@st.composite
def credit_docs(
    draw: st.DrawFn,
    pack: RulePack,
    index: int,
    *,
    min_units: int = 1,
    max_units: int = 24,
    max_topics: int = 3,
    core_area: str | None = None,
    subject: str | None = None,
    topics: Sequence[str] | None = None,
    delivery: str | None = None,
    tenths: bool = False,
) -> dict[str, Any]:
    """One credit of a scenario document, as the contract writes it (hours in whole and half
    hours; with ``tenths``, sometimes in tenths of an hour, whose float sums are inexact)."""
    source = draw(st.sampled_from(("course",) * 5 + ("instruction", "college", "military", "out_of_state")))
    area = core_area or draw(st.sampled_from(CORE_AREAS))
    if rare(draw, 20):
        day = draw(st.sampled_from((pack.starts - dt.timedelta(days=1), pack.ends + dt.timedelta(days=1))))
    else:
        day = draw(st.dates(pack.starts, pack.ends))
    doc: dict[str, Any] = {"id": f"c{index}", "date": day.isoformat(), "core_area": area, "source": source}
    if source == "college":
        semester_hours = draw(st.sampled_from((0.5, 1, 1.5, 2, 3, 4)))
        doc["semester_hours"] = semester_hours
        units = round(semester_hours * 4)
    else:
        hours = draw(half_hours(min_units, max_units))
        if tenths and rare(draw, 2):
            hours = draw(st.integers(min_units * 5, max_units * 5)) / 10
        doc["hours"] = hours
        units = int(hours * 2 + 1e-9)  # whole half-hours inside it
    if subject is not None or (area == "skill_development" and draw(st.booleans())):
        doc["subject"] = "firearms"
    if source in ("course", "instruction") or draw(st.booleans()):
        doc["provider_class"] = draw(st.sampled_from(("approved", "licensed")))
    doc["delivery"] = delivery or draw(st.sampled_from(("computer_based", "computer_based", "live")))
    if source == "out_of_state":
        doc["state"] = draw(st.sampled_from(STATES))
    wanted = (
        list(topics)
        if topics is not None
        else draw(st.lists(st.sampled_from(list(pack.topics)), unique=True, max_size=max_topics))
    )
    portions = {}
    for topic in wanted:
        if units <= 0:
            break
        topic_units = draw(st.integers(min(units, min_units, 2), min(units, 4)))
        portions[topic] = topic_units / 2 if topic_units % 2 else topic_units // 2
        units -= topic_units
        if tenths and topic_units > 1 and rare(draw, 2):
            portions[topic] -= 0.1 * draw(st.integers(1, 4))  # 0.6, 1.7, ... (inexact floats)
    if portions:
        doc["topics"] = portions
    return doc


@st.composite
def kit_credits(draw: st.DrawFn, pack: RulePack, first_index: int) -> list[dict[str, Any]]:
    """Credits aimed at the minimums (so that many officers are compliant or nearly)."""
    interpersonal_topics = [t for t in ("implicit_bias", "de_escalation") if t in pack.topics]
    aims: list[tuple[str, str | None, list[str]]] = [
        ("legal_studies", None, ["racial_profiling"]),
        ("technical_studies", None, []),
        ("interpersonal_perspectives", None, interpersonal_topics),
        ("skill_development", "firearms", []),
    ]
    credits = []
    for offset, (area, subject, topics) in enumerate(aims):
        if rare(draw, 6):
            continue  # leave a gap now and then
        # Firearms training is mostly live (it counts toward the firearms minimum only then).
        delivery = "live" if subject == "firearms" and not rare(draw, 4) else None
        credit = draw(
            credit_docs(
                pack,
                first_index + offset,
                min_units=4,
                max_units=20,
                core_area=area,
                subject=subject,
                topics=topics,
                delivery=delivery,
            )
        )
        credits.append(credit)
    return credits


@st.composite
def scenario_docs(
    draw: st.DrawFn,
    *,
    max_credits: int = 8,
    max_units: int = 24,
    max_topics: int = 3,
    kit: bool = True,
    always_kit: bool = False,
    tenths: bool = False,
    period: str | None = None,
) -> dict[str, Any]:
    """A scenario document for MO 2023 (mostly) or 2019."""
    period = period or draw(st.sampled_from(("2023", "2023", "2023", "2019")))
    pack = PACKS[period]
    credits = draw(kit_credits(pack, 100)) if always_kit or (kit and not rare(draw, 3)) else []
    count = draw(st.integers(0, max_credits))
    credits += [
        draw(credit_docs(pack, index, max_units=max_units, max_topics=max_topics, tenths=tenths))
        for index in range(count)
    ]
    officer = {"licensed_on": "2009-06-15"}
    if rare(draw, 25):
        officer["licensed_on"] = draw(st.dates(pack.starts, pack.ends)).isoformat()
    elif rare(draw, 25):
        officer["license_upgraded_on"] = draw(st.dates(pack.starts, pack.ends)).isoformat()
    return {"jurisdiction": "MO", "period": period, "officer": officer, "credits": credits}


# --- helpers ------------------------------------------------------------------------------------


def parsed(doc: Mapping[str, Any]) -> tuple[Officer, tuple[Credit, ...]]:
    scenario = parse_scenario(doc, PACKS[doc["period"]])
    return scenario.officer, scenario.credits


def run(doc: Mapping[str, Any], *, force_lp: bool = False, pack: RulePack | None = None) -> Result:
    pack = pack or PACKS[doc["period"]]
    return evaluate_officers(compiled_for(pack), [parsed(doc)], force_lp=force_lp)[0]


def counted(result: Result) -> dict[str, float]:
    """The most hours that could count toward each requirement (the rows' ``most``)."""
    return {r.key: r.most for r in result.requirements}


def with_credit(doc: Mapping[str, Any], credit: Mapping[str, Any]) -> dict[str, Any]:
    grown = copy.deepcopy(dict(doc))
    grown["credits"] = [*grown["credits"], dict(credit)]
    return grown


# --- properties ---------------------------------------------------------------------------------


@tuned(150)
@given(st.data())
def test_adding_a_credit_never_turns_a_compliant_officer_deficient_nor_lowers_any_count(
    data: st.DataObject,
) -> None:
    doc = data.draw(scenario_docs(max_credits=6, tenths=True))
    extra = data.draw(credit_docs(PACKS[doc["period"]], 999, tenths=True))
    before, after = run(doc), run(with_credit(doc, extra))
    event(f"before: {before.status}")
    if before.status == "compliant":
        assert after.status == "compliant"
    assert after.status == before.status or before.status == "deficient"
    assert after.counted_hours >= before.counted_hours - CLOSE
    assert after.additional_hours_needed <= before.additional_hours_needed + CLOSE
    for key, hours in counted(before).items():
        assert counted(after)[key] >= hours - CLOSE, key


def comparable(result: Result) -> dict[str, Any]:
    """The whole result, with the list that follows the credits' order made order-free."""
    answer = result.to_dict()
    answer["not_counted"] = sorted((n["id"], n["reason"]) for n in answer["not_counted"])
    return answer


@tuned(100)
@given(st.data())
def test_the_order_of_the_credits_never_changes_the_result(data: st.DataObject) -> None:
    doc = data.draw(scenario_docs(max_credits=8, tenths=True))
    shuffled = dict(doc, credits=data.draw(st.permutations(doc["credits"])))
    assert comparable(run(shuffled)) == comparable(run(doc))
    assert comparable(run(shuffled, force_lp=True)) == comparable(run(doc, force_lp=True))


GREEDY_TRAP = {
    # Chronological counting takes the licensed computer-based bundle first and fills the cap;
    # the approved computer-based hours must be counted instead.
    "jurisdiction": "MO",
    "period": "2023",
    "officer": {"licensed_on": "2010-01-01"},
    "credits": [
        {"id": "a", "date": "2023-01-02", "hours": 16, "core_area": "technical_studies",
         "provider_class": "licensed", "delivery": "computer_based"},
        {"id": "b", "date": "2023-02-02", "hours": 8, "core_area": "legal_studies",
         "provider_class": "approved", "delivery": "computer_based", "topics": {"racial_profiling": 1}},
        {"id": "c", "date": "2023-03-02", "hours": 2, "core_area": "skill_development",
         "subject": "firearms", "provider_class": "licensed"},
        {"id": "d", "date": "2023-04-02", "hours": 2, "core_area": "interpersonal_perspectives",
         "provider_class": "licensed", "delivery": "computer_based",
         "topics": {"implicit_bias": 1, "de_escalation": 1}},
    ],
}  # fmt: skip
COLLEGE_AND_ONLINE = {
    # Computer-based college hours sit under both caps at once.
    "jurisdiction": "MO",
    "period": "2023",
    "officer": {"licensed_on": "2010-01-01"},
    "credits": [
        {"id": "a", "date": "2023-01-02", "semester_hours": 4, "core_area": "legal_studies",
         "source": "college", "delivery": "computer_based"},
        {"id": "b", "date": "2023-01-03", "semester_hours": 3, "core_area": "technical_studies",
         "source": "college"},
        {"id": "c", "date": "2023-01-04", "hours": 12, "core_area": "interpersonal_perspectives",
         "provider_class": "licensed", "delivery": "computer_based",
         "topics": {"implicit_bias": 1, "de_escalation": 1.5, "racial_profiling": 0.5}},
        {"id": "d", "date": "2023-01-05", "hours": 6, "core_area": "skill_development",
         "subject": "firearms", "provider_class": "approved", "delivery": "computer_based"},
    ],
}  # fmt: skip


def test_the_greedy_trap_is_compliant_when_the_approved_online_hours_are_the_ones_counted() -> None:
    # 26 computer-based hours, 22 may count: all 8 approved ones, the 2 on implicit bias and
    # de-escalation, 12 of the bundle; with the 2 live firearms hours that is exactly 24.
    result = run(GREEDY_TRAP)
    assert (result.status, result.counted_hours, result.solved_by) == ("compliant", 24.0, "caps")
    assert counted(result)["approved_provider"] == 8.0


# Small enough for the brute force: few credits, at most one topic on the random ones.
SMALL = st.one_of(
    scenario_docs(max_credits=4, max_units=32, max_topics=1),
    scenario_docs(max_credits=2, max_units=32, max_topics=1, always_kit=True),  # often compliant
)
MAX_HELD = 7  # lines a cap may hold back; the brute force's search grows fast beyond


def assert_agrees_with_brute_force(doc: Mapping[str, Any], result: Result, pack: RulePack) -> None:
    expected = brute_force(pack, doc)
    assert result.status == expected.status
    assert result.counted_hours == pytest.approx(expected.counted_hours, abs=CLOSE)
    assert result.additional_hours_needed == pytest.approx(expected.additional_hours_needed, abs=CLOSE)
    assert counted(result) == pytest.approx(expected.counted, abs=CLOSE)
    assert result.shortfalls == pytest.approx(expected.shortfalls, abs=CLOSE)


@tuned(150)
@given(SMALL)
@example(GREEDY_TRAP)
@example(COLLEGE_AND_ONLINE)
def test_the_lp_agrees_with_an_independent_brute_force(doc: dict[str, Any]) -> None:
    assume(held_lines(PACKS[doc["period"]], doc) <= MAX_HELD)
    result = run(doc, force_lp=True)
    event(f"{result.status}, cap binds: {run(doc).solved_by != 'sums'}")
    assert_agrees_with_brute_force(doc, result, PACKS[doc["period"]])


@tuned(60)
@given(SMALL)
def test_the_engine_as_called_normally_agrees_with_the_brute_force(doc: dict[str, Any]) -> None:
    assume(held_lines(PACKS[doc["period"]], doc) <= MAX_HELD)
    assert_agrees_with_brute_force(doc, run(doc), PACKS[doc["period"]])


@tuned(60)
@given(scenario_docs(max_credits=4, max_units=24, max_topics=1, period="2023"))
@example(GREEDY_TRAP)
def test_under_a_draft_pack_the_closed_form_cannot_answer_the_lp_agrees_with_the_brute_force(
    doc: dict[str, Any],
) -> None:
    assume(held_lines(DRAFT, doc) <= MAX_HELD)
    assert compiled_for(DRAFT).groups is None  # the premise: every officer goes to the LP
    assert_agrees_with_brute_force(doc, run(doc, pack=DRAFT), DRAFT)


@pytest.mark.parametrize("name", ["compliant_mixed", "deficient_online_only"])
def test_the_brute_force_gives_the_hand_derived_results_of_the_worked_examples(name: str) -> None:
    doc = json.loads((EXAMPLES / f"{name}.json").read_text())
    expected = json.loads((EXAMPLES / f"{name}.expected.json").read_text())
    found = brute_force(PACKS["2023"], doc)
    assert {
        "status": found.status,
        "shortfalls": found.shortfalls,
        "counted_hours": found.counted_hours,
        "additional_hours_needed": found.additional_hours_needed,
    } == expected


def test_the_brute_force_cases_include_deficient_officers_whose_cap_binds() -> None:
    doc = find(
        SMALL,
        lambda d: run(d).solved_by != "sums" and run(d).status == "deficient",
        settings=settings(max_examples=300, database=None, phases=[Phase.generate]),
    )
    assert run(doc).solved_by != "sums"


def test_the_brute_force_cases_include_compliant_officers_whose_cap_binds() -> None:
    doc = find(
        SMALL,
        lambda d: run(d).solved_by != "sums" and run(d).status == "compliant",
        settings=settings(max_examples=1000, database=None, phases=[Phase.generate]),
    )
    assert run(doc).status == "compliant"


NOTHING_COUNTS = {
    "jurisdiction": "MO",
    "period": "2023",
    "officer": {"licensed_on": "2010-01-01"},
    "credits": [
        {"id": "last-year", "date": "2022-12-31", "hours": 3, "core_area": "legal_studies",
         "provider_class": "approved"},
    ],
}  # fmt: skip


# Regression: these raised RuntimeError ("the compliance LP did not solve: Empty") until
# fa8196c, when no officer of an LP block had a countable line (HiGHS was given a model with
# no columns).
@pytest.mark.parametrize("credits", [[], NOTHING_COUNTS["credits"]], ids=["no credits", "outside the period"])
def test_the_lp_answers_for_an_officer_none_of_whose_credits_count(credits: list[dict[str, Any]]) -> None:
    doc = dict(NOTHING_COUNTS, credits=credits)
    result = run(doc, force_lp=True)
    assert (result.status, result.counted_hours, result.additional_hours_needed) == ("deficient", 0.0, 24.0)
    assert_agrees_with_brute_force(doc, result, PACKS["2023"])


@pytest.mark.parametrize("credits", [[], NOTHING_COUNTS["credits"]], ids=["no credits", "outside the period"])
def test_a_draft_pack_the_closed_form_cannot_answer_evaluates_an_officer_none_of_whose_credits_count(
    credits: list[dict[str, Any]],
) -> None:
    doc = dict(NOTHING_COUNTS, credits=credits)
    result = run(doc, pack=DRAFT)  # no force_lp: such a pack sends every officer to the LP
    assert result.solved_by == "lp"
    assert_agrees_with_brute_force(doc, result, DRAFT)


# --- the fast path and the LP -------------------------------------------------------------------


@tuned(80)
@given(st.lists(scenario_docs(max_credits=10, tenths=True), min_size=1, max_size=25))
@example([GREEDY_TRAP, COLLEGE_AND_ONLINE, NOTHING_COUNTS])
def test_the_fast_path_agrees_with_the_lp_whenever_it_is_taken(docs: list[dict[str, Any]]) -> None:
    by_period: dict[str, list[int]] = {}
    for index, doc in enumerate(docs):
        by_period.setdefault(doc["period"], []).append(index)
    for period, indexes in by_period.items():
        officers = [parsed(docs[index]) for index in indexes]
        compiled = compiled_for(PACKS[period])
        fast = evaluate_officers(compiled, officers, force_lp=False)
        exact = evaluate_officers(compiled, officers, force_lp=True)
        for quick, lp in zip(fast, exact, strict=True):
            event(f"solved by {quick.solved_by}")
            assert lp.solved_by == "lp"
            assert quick.status == lp.status
            assert quick.counted_hours == pytest.approx(lp.counted_hours, abs=CLOSE)
            assert quick.additional_hours_needed == pytest.approx(lp.additional_hours_needed, abs=CLOSE)
            assert quick.shortfalls == pytest.approx(lp.shortfalls, abs=CLOSE)
            assert counted(quick) == pytest.approx(counted(lp), abs=CLOSE)
            # The table's allocation and the breakdown too, to the letter: the closed forms and
            # the LP each find the same officer's own numbers.
            closed, exact = quick.to_dict(), lp.to_dict()
            closed.pop("solved_by"), exact.pop("solved_by")
            assert closed == exact


# --- "what you still need" turned into real credits ---------------------------------------------


def extra_attributes(core_area: str, subject: str | None, topic: str) -> dict[str, str]:
    return {
        "core_area": core_area,
        "subject": subject or "none",
        "topic": topic,
        "provider_class": "approved",
        "delivery": "live",
        "source": "course",
    }


def matches(where: Mapping[str, frozenset[str]], attrs: Mapping[str, str]) -> bool:
    return all(attrs[name] in wanted for name, wanted in where.items())


def credits_for_needs(
    pack: RulePack, result: Result, rnd: random.Random, day: dt.date
) -> list[dict[str, Any]]:
    """Live, approved-provider course credits that do what ``result.needs`` says, nothing more.

    Where the description leaves a choice (which core area for "any core area", which new
    credit carries which topic hours), ``rnd`` makes it: every choice must work.
    """
    requirements = {r.key: r for r in pack.requirements}
    caps = {c.key: c for c in pack.caps}
    credits: list[dict[str, Any]] = []
    parts, within = result.needs.parts, result.needs.within
    if result.needs.jointly:  # the conditions alone are not enough: the example plan is
        areas = {r.key for r in pack.requirements if "core_area" in r.where and "topic" not in r.where}
        parts = [p for p in result.needs.example if p.requirement is None or p.requirement in areas]
        within = [p for p in result.needs.example if p not in parts]
    for number, part in enumerate(parts):
        if part.requirement is None:  # "in any core area"
            area, subject = rnd.choice(CORE_AREAS), None
        else:
            where = requirements[part.requirement].where
            area = sorted(where["core_area"])[0]
            subject = "firearms" if "firearms" in where.get("subject", ()) else None
            assert matches(where, extra_attributes(area, subject, "none")), part
        credit: dict[str, Any] = {
            "id": f"extra-{number}",
            "date": day.isoformat(),
            "hours": part.hours,
            "core_area": area,
            "provider_class": "approved",
            "delivery": "live",
            "source": "course",
        }
        if subject:
            credit["subject"] = subject
        credits.append(credit)
    topic_hours: list[tuple[str, float]] = []
    plain = extra_attributes("legal_studies", None, "none")
    for condition in within:
        if condition.requirement in requirements and "topic" in requirements[condition.requirement].where:
            (topic,) = requirements[condition.requirement].where["topic"]
            topic_hours.append((topic, condition.hours))
        elif condition.requirement in requirements:
            # A condition every new hour meets (approved provider): nothing to place.
            assert matches(requirements[condition.requirement].where, plain), condition
        else:
            # A cap the new hours stay out of (they are live, not computer-based).
            assert condition.requirement in caps, condition
            assert not matches(caps[condition.requirement].where, plain), condition
    # Topic hours go inside the new hours, credit after credit in a random order, never
    # overlapping (a credit's topic hours never exceed its hours).
    order = rnd.sample(range(len(credits)), len(credits))
    room = {index: credits[index]["hours"] for index in order}
    for topic, hours in topic_hours:
        for index in order:
            portion = min(hours, room[index])
            if portion > CLOSE:
                topics = credits[index].setdefault("topics", {})
                topics[topic] = topics.get(topic, 0) + portion
                room[index] -= portion
                hours -= portion
        assert hours <= CLOSE, f"{topic}: the topic hours do not fit inside the extra hours"
    return credits


ONLINE_ONLY = json.loads((EXAMPLES / "deficient_online_only.json").read_text())


@tuned(150)
@given(scenario_docs(max_credits=8, tenths=True), st.randoms(use_true_random=False))
@example(ONLINE_ONLY, random.Random(0))
@example(GREEDY_TRAP, random.Random(1))
@example(COLLEGE_AND_ONLINE, random.Random(2))
def test_adding_the_described_additional_hours_makes_the_officer_compliant(
    doc: dict[str, Any], rnd: random.Random
) -> None:
    result = run(doc)
    assume(result.status == "deficient")
    needs = result.needs
    assert needs.hours == pytest.approx(result.additional_hours_needed, abs=CLOSE)
    assert sum(p.hours for p in needs.parts) == pytest.approx(result.additional_hours_needed, abs=CLOSE)
    if needs.jointly:
        example = [p.hours for p in needs.example if p.requirement is None or "hours of" in p.what]
        assert sum(example) == pytest.approx(result.additional_hours_needed, abs=CLOSE)
    pack = PACKS[doc["period"]]
    extra = credits_for_needs(pack, result, rnd, pack.starts + dt.timedelta(days=rnd.randrange(365)))
    assert sum(c["hours"] for c in extra) == pytest.approx(result.additional_hours_needed, abs=CLOSE)
    grown = dict(doc, credits=[*doc["credits"], *extra])
    after = run(grown)
    assert after.status == "compliant", (needs.sentence, extra, after.to_dict())
    assert run(grown, force_lp=True).status == "compliant"
