"""Synthetic Missouri officers for the 2023 reporting period (benchmark input, no real persons).

Deterministic: officer ``i`` of seed ``s`` is always the same officer, whatever else is
generated, so a stream, a list, a JSONL file and a sample of the same seed agree.

    >>> from synthetic import scenarios, scenario_dicts, jsonl_lines
    >>> for scenario in scenarios(800_000, seed=2023): ...   # clee.rules.Scenario, streamed
    >>> for document in scenario_dicts(17_000): ...            # the scenario contract, as dicts
    >>> for line in jsonl_lines(17_000): ...                   # ... as JSONL lines (bytes)

The mix (about ``CREDITS_PER_OFFICER`` credits each): mostly courses from licensed or approved
providers, many computer-based; a live firearms qualification; topic portions (racial profiling,
implicit bias, de-escalation) inside course hours; occasional college (semester hours), hours
taught, military training and out-of-state courses (mostly recognized states, some not, e.g.
FL); a few credits outside the period. About 1 officer in 10 has a cap that binds (more than 22
computer-based hours, or more than 8 college hours). Outcomes are a mix of compliant, nearly
compliant (a small gap) and deficient officers, and about 2% are exempt (licensed in 2023).
The hard mix (``capped_share=HARD_CAPPED_SHARE``, ``--hard``) gives three officers in four a
binding cap instead, and takes some capped college credit online (under both caps at once).

Run ``python bench/synthetic.py --check 5000`` to check the generated dicts against the
engine's own parser and print the mix; ``--jsonl FILE --count N`` writes a JSONL file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import orjson

from clee.rules import Credit, Officer, Scenario

JURISDICTION = "MO"
PERIOD = "2023"
CREDITS_PER_OFFICER = 30
COLLEGE_HOURS_PER_SEMESTER_HOUR = 2.0  # MO 2023 pack: sources.college.hours_per_unit
COMPUTER_BASED_CAP = 22.0
COLLEGE_CAP = 8.0

# Shares of officers (the rest are ordinary officers whose caps do not bind).
EXEMPT_SHARE = 0.02
CAPPED_SHARE = 0.10  # of the non-exempt officers
# The hard mix (``capped_share=HARD_CAPPED_SHARE``): three in four officers have a binding cap.
HARD_CAPPED_SHARE = 0.765
CAPPED_COMPUTER_SHARE = 0.7  # of the capped ones; the rest have too many college hours
COMPLIANT_SHARE = 0.72
NEARLY_COMPLIANT_SHARE = 0.14  # the rest are deficient

RECOGNIZED_STATES = ("AR", "CA", "CT", "GA", "IL", "IN", "KY", "MD", "MN", "NC", "OK", "TN", "TX", "VA")
UNRECOGNIZED_STATES = ("FL", "CO", "WA", "AZ", "NY", "LA")

_DAY0 = dt.date(2023, 1, 1)
DAYS_2023 = tuple(_DAY0 + dt.timedelta(days=d) for d in range(365))
# Credits completed outside the period: late 2022, or early 2024 (sent in for the wrong year).
DAYS_OUTSIDE = tuple(dt.date(2022, 9, 1) + dt.timedelta(days=d) for d in range(122)) + tuple(
    dt.date(2024, 1, 1) + dt.timedelta(days=d) for d in range(75)
)
SEMESTER_ENDS = (dt.date(2023, 5, 12), dt.date(2023, 8, 4), dt.date(2023, 12, 15))
LICENSE_DAYS = tuple(dt.date(1988, 1, 1) + dt.timedelta(days=d) for d in range(0, 12_784, 7))  # to 2022

LEGAL, TECHNICAL, INTERPERSONAL, SKILL = (
    "legal_studies",
    "technical_studies",
    "interpersonal_perspectives",
    "skill_development",
)
AREAS = (LEGAL, TECHNICAL, INTERPERSONAL, SKILL)
FILLER_AREAS = (
    LEGAL,
    LEGAL,
    TECHNICAL,
    TECHNICAL,
    TECHNICAL,
    INTERPERSONAL,
    INTERPERSONAL,
    SKILL,
    SKILL,
    SKILL,
)
# Relative sizes of the ordinary credits (short online modules to full-day courses).
FILLER_WEIGHTS = (0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.5, 2.0, 2.0, 3.0, 4.0, 8.0)
IDS = tuple(f"c{n:02d}" for n in range(1, 100))
RP, IB, DE = "racial_profiling", "implicit_bias", "de_escalation"

T = TypeVar("T")

# A credit spec before sorting by date and numbering:
# [day, hours, core_area, source, provider_class, delivery, subject, topics, state, semester_hours]
Spec = list[Any]


def _quarter(hours: float) -> float:
    """Round to a quarter hour, at least half an hour."""
    return max(0.5, round(hours * 4.0) / 4.0)


def _spec(
    day: dt.date,
    hours: float,
    area: str,
    source: str = "course",
    provider: str | None = None,
    delivery: str = "live",
    subject: str | None = None,
    topics: tuple[tuple[str, float], ...] = (),
    state: str | None = None,
    semester_hours: float | None = None,
) -> Spec:
    return [day, hours, area, source, provider, delivery, subject, topics, state, semester_hours]


def officer_scenario(
    index: int, seed: int = 2023, capped_share: float = CAPPED_SHARE
) -> tuple[Scenario, str]:
    """Officer ``index`` of ``seed`` and the profile it was drawn from.

    Profiles: ``exempt``, or ``<outcome>`` / ``<outcome>+capped_cb`` / ``<outcome>+capped_college``
    with outcome ``compliant``, ``nearly`` or ``deficient`` (the intended outcome; the engine
    decides the real one).
    """
    rng = random.Random(seed * 10_000_019 + index)
    rand = rng.random

    def choice(options: Sequence[T]) -> T:  # Random.choice, without its overhead
        return options[int(rand() * len(options))]

    def randint(low: int, high: int) -> int:
        return low + int(rand() * (high - low + 1))

    days = DAYS_2023
    specs: list[Spec] = []

    if rand() < EXEMPT_SHARE:  # licensed during the period: nothing required yet
        officer = Officer(licensed_on=choice(days[:330]))
        for _ in range(randint(10, 30)):
            provider_class = "approved" if rand() < 0.5 else "licensed"
            delivery = "computer_based" if rand() < 0.5 else "live"
            hours = choice((0.5, 1.0, 1.0, 2.0))
            specs.append(_spec(choice(days), hours, choice(FILLER_AREAS), "course", provider_class, delivery))
        return _build(officer, specs), "exempt"

    officer = Officer(licensed_on=choice(LICENSE_DAYS))
    capped = ""
    if rand() < capped_share:
        capped = "capped_cb" if rand() < CAPPED_COMPUTER_SHARE else "capped_college"
    u = rand()
    if u < COMPLIANT_SHARE:
        outcome = "compliant"
    elif u < COMPLIANT_SHARE + NEARLY_COMPLIANT_SHARE:
        outcome = "nearly"
    else:
        outcome = "deficient"

    # Target hours that count, and the number of credits (before the ones that will not count).
    flaws: set[str] = set()
    if outcome == "compliant":
        target = 26.0 + _quarter(rand() * 24.0) if rand() < 0.85 else 24.0 + _quarter(rand() * 4.0)
        count = randint(31, 43)
    elif outcome == "nearly":  # one small gap
        flaw = choice(("total", "total", "firearms", "topic", "approved", "area"))
        flaws.add(flaw)
        target = 22.0 + _quarter(rand() * 1.5) if flaw == "total" else 24.0 + _quarter(rand() * 8.0)
        count = randint(26, 36)
    else:
        flaws.update(rng.sample(("firearms", "topic", "approved", "area"), randint(1, 3)))
        target = 8.0 + _quarter(rand() * 14.0)
        count = randint(14, 30)
    if capped == "capped_cb":
        target = max(target, 25.0 + _quarter(rand() * 12.0)) if outcome != "deficient" else target + 14.0
    cb_share = 0.97 if capped == "capped_cb" else 0.5 + 0.2 * rand()
    cb_limit = 1e9 if capped == "capped_cb" else COMPUTER_BASED_CAP - 0.5
    cb = 0.0  # computer-based hours that count (in the period, counted source)

    def delivery_for(hours: float) -> str:
        nonlocal cb
        if rand() < cb_share and cb + hours <= cb_limit:
            cb += hours
            return "computer_based"
        return "live"

    def provider() -> str:
        return "licensed" if "approved" in flaws or rand() < 0.55 else "approved"

    # Firearms qualification: live, hands-on, usually at the agency's range (licensed provider).
    if "firearms" not in flaws or rand() < 0.5:
        short = "firearms" in flaws
        hours = choice((1.0, 1.5)) if short else choice((2.0, 2.0, 3.0, 4.0, 8.0))
        delivery = "computer_based" if short and rand() < 0.4 and cb + hours <= cb_limit else "live"
        cb += hours if delivery == "computer_based" else 0.0
        range_provider = "licensed" if rand() < 0.8 else "approved"
        specs.append(_spec(choice(days), hours, SKILL, "course", range_provider, delivery, "firearms"))
    # Topic portions inside course hours, usually from approved providers (academies, POST).
    topics_needed = [RP, IB, DE]
    if "topic" in flaws:
        topics_needed.remove(choice(topics_needed))
    topic_provider = "licensed" if "approved" in flaws else "approved"
    if RP in topics_needed and IB in topics_needed and rand() < 0.35:
        portions: tuple[tuple[str, float], ...] = ((RP, 1.0), (IB, 1.0))
        if DE in topics_needed and rand() < 0.4:
            portions += ((DE, 1.0),)
            topics_needed.remove(DE)
        topics_needed.remove(RP)
        topics_needed.remove(IB)
        hours = choice((4.0, 4.0, 8.0))
        delivery = delivery_for(hours)
        specs.append(
            _spec(choice(days), hours, INTERPERSONAL, "course", topic_provider, delivery, None, portions)
        )
    for topic in topics_needed:
        hours = choice((1.0, 2.0, 2.0, 3.0))
        area = SKILL if topic == DE and rand() < 0.5 else INTERPERSONAL
        portion = 1.0 if hours == 1.0 or rand() < 0.7 else 1.5
        delivery = delivery_for(hours)
        specs.append(
            _spec(choice(days), hours, area, "course", topic_provider, delivery, None, ((topic, portion),))
        )
    # Legal and technical studies minimums (one short area when flawed).
    short_area = choice((LEGAL, TECHNICAL, INTERPERSONAL)) if "area" in flaws else None
    for area in (LEGAL, TECHNICAL):
        hours = 1.0 if area == short_area else choice((2.0, 2.0, 3.0, 4.0))
        specs.append(_spec(choice(days), hours, area, "course", provider(), delivery_for(hours)))
    if short_area == INTERPERSONAL:  # the topic courses must not cover it either
        for spec in specs:
            if spec[2] == INTERPERSONAL:
                spec[2] = TECHNICAL
        specs.append(_spec(choice(days), 1.0, INTERPERSONAL, "course", provider()))

    # Alternate ways: college, hours taught, military training, out-of-state courses.
    semesters: tuple[float, ...] = ()
    if capped == "capped_college":
        semesters = choice(((3.0, 3.0), (3.0, 2.0), (4.0, 3.0), (5.0,), (3.0, 3.0, 3.0)))
    elif rand() < 0.04 and "approved" not in flaws:
        semesters = (choice((1.0, 2.0, 3.0, 3.0, 4.0)),)
    # In the hard mix some capped college credit is taken online: under both caps at once,
    # which only the linear program answers.
    online_college = capped == "capped_college" and capped_share >= HARD_CAPPED_SHARE and rand() < 0.3
    for semester_hours in semesters:
        hours = semester_hours * COLLEGE_HOURS_PER_SEMESTER_HOUR
        area = choice((LEGAL, TECHNICAL, INTERPERSONAL))  # assigned by POST
        delivery = "computer_based" if online_college else "live"
        specs.append(
            _spec(
                choice(SEMESTER_ENDS),
                hours,
                area,
                "college",
                delivery=delivery,
                semester_hours=semester_hours,
            )
        )
    if rand() < 0.06:  # instructors: hours taught, 1:1
        for _ in range(randint(1, 3)):
            hours = choice((2.0, 4.0, 4.0, 8.0))
            specs.append(_spec(choice(days), hours, choice(AREAS), "instruction", provider()))
    if rand() < 0.02:  # military training: licensed provider credit
        specs.append(_spec(choice(days), choice((4.0, 8.0, 16.0)), choice(AREAS), "military"))
    extra: list[Spec] = []  # credits that will not count: not part of the hours target
    if rand() < 0.12 and "approved" not in flaws:
        for _ in range(randint(1, 2)):
            hours = choice((2.0, 4.0, 8.0))
            if rand() < 0.8:
                state = choice(RECOGNIZED_STATES) if rand() < 0.95 else "IADLEST"
                specs.append(_spec(choice(days), hours, choice(AREAS), "out_of_state", state=state))
            else:
                state = choice(UNRECOGNIZED_STATES)
                extra.append(_spec(choice(days), hours, choice(AREAS), "out_of_state", state=state))
    if rand() < 0.3:  # completed outside the period
        for _ in range(randint(1, 3)):
            delivery = "computer_based" if rand() < 0.5 else "live"
            day, hours, area = choice(DAYS_OUTSIDE), choice(FILLER_WEIGHTS), choice(FILLER_AREAS)
            extra.append(_spec(day, hours, area, "course", provider(), delivery))

    # Ordinary courses up to the officer's hours and credit count.
    so_far = sum(spec[1] for spec in specs)
    fill = count - len(specs) - len(extra)
    remaining = target - so_far
    college = sum(spec[1] for spec in specs if spec[3] == "college")
    remaining += max(0.0, college - COLLEGE_CAP)  # college hours above the cap do not count
    if remaining < 0.5 * fill:
        fill = max(0, int(remaining / 0.5))
    if fill > 0:
        weights = [choice(FILLER_WEIGHTS) for _ in range(fill)]
        scale = remaining / sum(weights)
        sizes = [_quarter(weight * scale) for weight in weights]
        _trim(sizes, sum(sizes) - remaining)
        for hours in sizes:
            area = choice(FILLER_AREAS)
            if area == short_area:
                area = SKILL
            specs.append(
                [choice(days), hours, area, "course", provider(), delivery_for(hours), None, (), None, None]
            )
    if capped == "capped_cb" and cb <= COMPUTER_BASED_CAP:
        hours = COMPUTER_BASED_CAP + 1.0 - cb
        specs.append(_spec(choice(days), hours, TECHNICAL, "course", provider(), "computer_based"))
    if outcome != "deficient" and "approved" not in flaws:
        # At least 8 approved hours: move ordinary licensed courses to approved providers.
        approved = sum(
            spec[1] for spec in specs if spec[4] == "approved" or spec[3] in ("college", "out_of_state")
        )
        for spec in specs:
            if approved >= 8.0:
                break
            if spec[3] == "course" and spec[4] == "licensed" and spec[6] is None:
                spec[4] = "approved"
                approved += spec[1]
    specs.extend(extra)
    profile = outcome + ("+" + capped if capped else "")
    return _build(officer, specs), profile


def _trim(sizes: list[float], excess: float) -> None:
    """Take ``excess`` hours off the largest sizes (none below half an hour), or add a deficit."""
    if excess < 0:
        sizes[sizes.index(max(sizes))] -= excess
        return
    for position in sorted(range(len(sizes)), key=sizes.__getitem__, reverse=True):
        if excess <= 0:
            break
        cut = min(excess, sizes[position] - 0.5)
        sizes[position] -= cut
        excess -= cut


def _build(officer: Officer, specs: list[Spec]) -> Scenario:
    specs.sort(key=_day)
    credits = tuple(
        Credit(IDS[n], day, hours, area, source, provider, delivery, subject, topics, state, semester)
        for n, (day, hours, area, source, provider, delivery, subject, topics, state, semester) in enumerate(
            specs
        )
    )
    return Scenario(JURISDICTION, PERIOD, officer, credits)


def _day(spec: Spec) -> dt.date:
    day: dt.date = spec[0]
    return day


def scenarios(
    count: int, seed: int = 2023, start: int = 0, capped_share: float = CAPPED_SHARE
) -> Iterator[Scenario]:
    """Officers ``start`` to ``start + count - 1`` of ``seed``, as engine Scenarios (streamed)."""
    for index in range(start, start + count):
        yield officer_scenario(index, seed, capped_share)[0]


def profiled_scenarios(
    count: int, seed: int = 2023, start: int = 0, capped_share: float = CAPPED_SHARE
) -> Iterator[tuple[Scenario, str]]:
    """Like ``scenarios``, with each officer's profile (see ``officer_scenario``)."""
    for index in range(start, start + count):
        yield officer_scenario(index, seed, capped_share)


def _number(value: float) -> float | int:
    return int(value) if value == int(value) else value


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """A Scenario as a document of the scenario contract (``shared/examples/README.md``)."""
    credits = []
    for credit in scenario.credits:
        document: dict[str, Any] = {"id": credit.id, "date": credit.date.isoformat()}
        if credit.semester_hours is not None:
            document["semester_hours"] = _number(credit.semester_hours)
        else:
            document["hours"] = _number(credit.hours)
        document["core_area"] = credit.core_area
        if credit.subject is not None:
            document["subject"] = credit.subject
        if credit.topics:
            document["topics"] = {topic: _number(hours) for topic, hours in credit.topics}
        if credit.provider_class is not None:
            document["provider_class"] = credit.provider_class
        document["delivery"] = credit.delivery
        document["source"] = credit.source
        if credit.state is not None:
            document["state"] = credit.state
        credits.append(document)
    officer: dict[str, Any] = {"licensed_on": scenario.officer.licensed_on.isoformat()}
    return {
        "jurisdiction": scenario.jurisdiction,
        "period": scenario.period,
        "officer": officer,
        "credits": credits,
    }


def scenario_dicts(
    count: int, seed: int = 2023, start: int = 0, capped_share: float = CAPPED_SHARE
) -> Iterator[dict[str, Any]]:
    """The same officers as ``scenarios``, as scenario-contract dicts (streamed)."""
    for scenario in scenarios(count, seed, start, capped_share):
        yield scenario_to_dict(scenario)


def jsonl_lines(
    count: int, seed: int = 2023, start: int = 0, capped_share: float = CAPPED_SHARE
) -> Iterator[bytes]:
    """The same officers as JSONL lines (bytes, each ending in a newline)."""
    for document in scenario_dicts(count, seed, start, capped_share):
        yield orjson.dumps(document) + b"\n"


def write_jsonl(path: str, count: int, seed: int = 2023, capped_share: float = CAPPED_SHARE) -> int:
    """Write ``count`` officers to ``path`` as JSONL; the number of bytes written."""
    size = 0
    with open(path, "wb") as out:
        for line in jsonl_lines(count, seed, capped_share=capped_share):
            out.write(line)
            size += len(line)
    return size


def check(count: int, seed: int, capped_share: float = CAPPED_SHARE) -> int:
    """Parse every generated dict with the engine's parser, compare, and print the mix."""
    from clee.rules import evaluate_many, load_pack, parse_scenario

    pack = load_pack(JURISDICTION, PERIOD)
    generated = list(profiled_scenarios(count, seed, capped_share=capped_share))
    mismatches = 0
    for scenario, _ in generated:
        document = orjson.loads(orjson.dumps(scenario_to_dict(scenario)))
        if parse_scenario(document, pack) != scenario:
            mismatches += 1
    again = [s for s, _ in profiled_scenarios(min(count, 200), seed, capped_share=capped_share)]
    deterministic = again == [s for s, _ in generated[: len(again)]]
    profiles: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    by_profile: dict[str, Counter[str]] = {}
    credits, sources, not_counted = 0, Counter[str](), 0
    additional: list[float] = []
    results = evaluate_many(s for s, _ in generated)
    for (scenario, profile), result in zip(generated, results, strict=True):
        profiles[profile] += 1
        statuses[result.status] += 1
        by_profile.setdefault(profile, Counter())[f"{result.status}/{result.solved_by}"] += 1
        credits += len(scenario.credits)
        sources.update(c.source for c in scenario.credits)
        not_counted += len(result.not_counted)
        if result.status == "deficient":
            additional.append(result.additional_hours_needed)
    print(f"{count} officers (seed {seed}): {mismatches} differ from parse_scenario")
    print(f"deterministic: {deterministic}")
    print(f"credits per officer: {credits / count:.1f}; sources: {dict(sources)}; not counted: {not_counted}")
    print(f"statuses: {dict(statuses)}")
    if additional:
        additional.sort()
        small = sum(1 for a in additional if a <= 4.0)
        print(f"deficient: {len(additional)}, of which {small} need at most 4 more hours (nearly compliant)")
    for profile, tally in sorted(by_profile.items()):
        print(f"  {profile:<28} {profiles[profile]:>6}  {dict(tally)}")
    return 1 if mismatches or not deterministic else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--count", type=int, default=17_000)
    parser.add_argument("--jsonl", metavar="FILE", help="write --count officers to FILE as JSONL")
    parser.add_argument("--check", type=int, metavar="N", help="check N officers against the parser")
    parser.add_argument("--hard", action="store_true", help="the hard mix: three in four officers capped")
    args = parser.parse_args(argv)
    share = HARD_CAPPED_SHARE if args.hard else CAPPED_SHARE
    if args.check:
        return check(args.check, args.seed, share)
    if args.jsonl:
        size = write_jsonl(args.jsonl, args.count, args.seed, share)
        print(f"wrote {args.count} officers, {size / 1e6:.1f} MB, to {args.jsonl}", file=sys.stderr)
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
