"""The shipped Missouri rule book, the pack it gives each period, and the refusal of malformed
books and pack files (naming the file, the key and the reason)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from clee.rules import (
    NoPackError,
    PackError,
    RuleBook,
    available_packs,
    book_from_text,
    load_book,
    load_pack,
    load_pack_file,
    load_rules_file,
)
from clee.rules.pack import PACKS_DIR
from tests.rules.packs import period_pack_document

YEARS = [str(year) for year in range(2017, 2028)]
RECOGNIZED = {"AR", "CA", "CT", "GA", "IL", "IN", "KY", "MD", "MN", "NC", "OK", "TN", "TX", "VA", "IADLEST"}
BOOK = PACKS_DIR / "mo.yaml"


def test_one_rule_book_is_shipped_for_missouri_with_periods_from_2017_on() -> None:
    book = load_book("MO")
    assert isinstance(book, RuleBook)
    assert (book.jurisdiction, book.version, book.first, book.last) == ("MO", 1, 2017, None)
    assert book.span == "2017 on"
    assert [p.name for p in PACKS_DIR.glob("*.yaml")] == ["mo.yaml"]
    assert available_packs(through=2027) == [("MO", year) for year in YEARS]


@pytest.mark.parametrize("year", YEARS)
def test_every_period_reads_off_the_book_and_covers_its_calendar_year(year: str) -> None:
    pack = load_pack("MO", year)
    assert (pack.jurisdiction, pack.period, pack.ident) == ("MO", year, f"MO-{year}-v1")
    assert (pack.starts, pack.ends) == (dt.date(int(year), 1, 1), dt.date(int(year), 12, 31))
    assert pack.title == f"Missouri CLEE {year} reporting period"
    assert load_pack_file(BOOK, expect=("MO", year)).digest == pack.digest


@pytest.mark.parametrize("year", YEARS)
def test_a_period_written_out_as_a_one_period_pack_reads_back_the_same(tmp_path: Path, year: str) -> None:
    path = tmp_path / f"{year}.yaml"
    path.write_text(yaml.safe_dump(period_pack_document(year), sort_keys=False), encoding="utf-8")
    pack = load_pack_file(path, expect=("MO", year))
    assert pack.digest == load_pack("MO", year).digest
    assert pack.ident == f"MO-{year}-v1"


@pytest.mark.parametrize("year", YEARS)
def test_implicit_bias_and_de_escalation_are_required_from_2022_only(year: str) -> None:
    keys = [r.key for r in load_pack("MO", year).requirements]
    common = [
        "total",
        "approved_provider",
        "legal_studies",
        "technical_studies",
        "interpersonal_perspectives",
        "firearms",
        "racial_profiling",
    ]
    if int(year) >= 2022:
        assert keys == [*common, "implicit_bias", "de_escalation"]
    else:
        assert keys == common


@pytest.mark.parametrize("year", YEARS)
def test_the_minimums_and_caps_are_the_seed_numbers(year: str) -> None:
    pack = load_pack("MO", year)
    minimums = {r.key: r.minimum.value for r in pack.requirements}
    assert minimums["total"] == 24
    assert minimums["approved_provider"] == 8
    assert {minimums[k] for k in ("legal_studies", "technical_studies", "interpersonal_perspectives")} == {2}
    assert minimums["firearms"] == 2
    assert minimums["racial_profiling"] == 1
    assert {c.key: c.maximum.value for c in pack.caps} == {"computer_based": 22, "college": 8}
    assert pack.sources["college"].unit == "semester_hours"
    assert pack.sources["college"].hours_per_unit.value == 2
    assert pack.sources["college"].provider_class == "approved"
    assert pack.sources["military"].provider_class == "licensed"


@pytest.mark.parametrize("year", ["2026", "2027"])
def test_2026_and_2027_have_the_2023_requirement(year: str) -> None:
    """Seed 001 (2023) stands until POST changes it: the later packs decide exactly alike."""
    pack, then = load_pack("MO", year), load_pack("MO", "2023")
    assert [(r.key, r.label, r.minimum.value, dict(r.where)) for r in pack.requirements] == [
        (r.key, r.label, r.minimum.value, dict(r.where)) for r in then.requirements
    ]
    assert [(c.key, c.maximum.value) for c in pack.caps] == [(c.key, c.maximum.value) for c in then.caps]
    assert [e.key for e in pack.exemptions] == [e.key for e in then.exemptions]
    assert pack.grace_deadline.value == dt.date(int(year) + 1, 3, 15)


def dated_values(node: Any, key: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping in a rule document that carries a ``value`` (a dated rule value)."""
    if isinstance(node, dict):
        if "value" in node:
            yield key, node
        for name, child in node.items():
            yield from dated_values(child, f"{key}.{name}" if key else str(name))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from dated_values(child, f"{key}[{index}]")


def test_every_value_in_the_book_has_a_from_date_and_a_reference() -> None:
    document = yaml.safe_load(BOOK.read_text(encoding="utf-8"))
    values = list(dated_values(document))
    # grace deadline, each requirement's minimum, each cap's maximum, each source's rate,
    # the recognized out-of-state list, each exemption: one entry each in the shipped book
    expected = (
        1
        + len(document["requirements"])
        + len(document["caps"])
        + len(document["sources"])
        + 1
        + len(document["exemptions"])
    )
    assert len(values) == expected
    for key, value in values:
        assert isinstance(value.get("from"), dt.date), key
        reference = value.get("reference")
        assert isinstance(reference, str), key
        assert "seed" in reference or "CSR" in reference, (key, reference)


@pytest.mark.parametrize("year", YEARS)
def test_every_loaded_value_is_in_effect_for_the_whole_period_and_cites_its_source(year: str) -> None:
    pack = load_pack("MO", year)
    dated = [
        pack.grace_deadline,
        *(r.minimum for r in pack.requirements),
        *(c.maximum for c in pack.caps),
        *(s.hours_per_unit for s in pack.sources.values()),
    ]
    for value in dated:
        assert value.in_effect_on(pack.starts), value
        assert value.in_effect_on(pack.ends), value
        assert value.reference.strip(), value
    assert len(pack.exemptions) == 3
    assert all(e.reference.strip() for e in pack.exemptions)


@pytest.mark.parametrize("year", YEARS)
def test_the_shipped_out_of_state_list_is_the_seed_list_in_effect_2021_to_2023(year: str) -> None:
    rule = load_pack("MO", year).sources["out_of_state"]
    assert rule.provider_class == "approved"
    assert rule.recognized is not None
    (entry,) = rule.recognized
    assert set(entry.value) == RECOGNIZED
    assert (entry.start, entry.until) == (dt.date(2021, 1, 1), dt.date(2023, 12, 31))
    assert rule.recognizes("MN", dt.date(2021, 1, 1))
    assert rule.recognizes("IADLEST", dt.date(2023, 12, 31))
    assert not rule.recognizes("MN", dt.date(2020, 12, 31))
    assert not rule.recognizes("MN", dt.date(2024, 1, 1))
    assert not rule.recognizes("MO", dt.date(2022, 6, 1))
    assert not rule.recognizes("FL", dt.date(2022, 6, 1))


# --- versions of a book: which periods a change touches -------------------------------------------


def book_document() -> dict[str, Any]:
    document = yaml.safe_load(BOOK.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def requirement(document: dict[str, Any], key: str) -> dict[str, Any]:
    (found,) = [r for r in document["requirements"] if r["key"] == key]
    return found


def as_book(document: dict[str, Any], version: int | None = None) -> RuleBook:
    return book_from_text(yaml.safe_dump(document, sort_keys=False), "draft.yaml", version=version)


def test_a_change_from_2027_leaves_every_earlier_period_decided_alike() -> None:
    document = book_document()
    requirement(document, "firearms")["minimum"].append(
        {"value": 4, "from": dt.date(2027, 1, 1), "reference": "a draft: four firearms hours from 2027"}
    )
    changed, shipped = as_book(document, version=2), load_book("MO")
    assert changed.version == 2
    assert load_pack("MO", "2026").ident == "MO-2026-v1"
    assert changed.pack("2026").ident == "MO-2026-v2"
    for year in YEARS[:-1]:
        assert changed.pack(year).digest == shipped.pack(year).digest, year
    assert changed.pack("2027").digest != shipped.pack("2027").digest
    firearms = next(r for r in changed.pack("2027").requirements if r.key == "firearms")
    assert firearms.minimum.value == 4
    earlier = next(r for r in changed.pack("2026").requirements if r.key == "firearms")
    assert (earlier.minimum.value, earlier.minimum.until) == (2, dt.date(2026, 12, 31))


def test_a_book_with_a_last_period_has_no_pack_after_it() -> None:
    document = book_document()
    document["periods"]["last"] = 2026
    book = as_book(document)
    assert book.periods() == [str(year) for year in range(2017, 2027)]
    with pytest.raises(NoPackError) as caught:
        book.pack("2027")
    assert str(caught.value) == (
        "no rule pack for MO 2027: MO has a reporting period each calendar year from 2017 to 2026"
    )


def test_a_citation_change_alone_decides_alike() -> None:
    document = book_document()
    requirement(document, "total")["minimum"][0]["reference"] = "11 CSR 75-15.010(1) as amended"
    assert as_book(document).pack("2025").digest == load_pack("MO", "2025").digest


# --- malformed books ------------------------------------------------------------------------------

BookBreak = Callable[[dict[str, Any]], None]


def drop_minimum(document: dict[str, Any]) -> None:
    del requirement(document, "legal_studies")["minimum"]


def minimum_in_words(document: dict[str, Any]) -> None:
    requirement(document, "legal_studies")["minimum"][0]["value"] = "two"


def minimum_not_a_history(document: dict[str, Any]) -> None:
    requirement(document, "legal_studies")["minimum"] = {"value": 2, "from": dt.date(2017, 1, 1)}


def unknown_where_attribute(document: dict[str, Any]) -> None:
    requirement(document, "legal_studies")["where"] = {"colour": "blue"}


def unknown_where_value(document: dict[str, Any]) -> None:
    requirement(document, "legal_studies")["where"] = {"core_area": "basket_weaving"}


def duplicate_requirement_key(document: dict[str, Any]) -> None:
    requirement(document, "implicit_bias")["key"] = "racial_profiling"


def until_before_from(document: dict[str, Any]) -> None:
    requirement(document, "total")["minimum"][0]["until"] = dt.date(2016, 12, 31)


def changes_in_the_middle_of_a_period(document: dict[str, Any]) -> None:
    requirement(document, "total")["minimum"].append(
        {"value": 30, "from": dt.date(2026, 7, 1), "reference": "a draft"}
    )


def entries_out_of_order(document: dict[str, Any]) -> None:
    requirement(document, "total")["minimum"].append(
        {"value": 30, "from": dt.date(2016, 1, 1), "reference": "a draft"}
    )


def a_gap_in_a_rate(document: dict[str, Any]) -> None:
    document["sources"]["college"]["hours_per_unit"][0]["until"] = dt.date(2024, 12, 31)
    document["sources"]["college"]["hours_per_unit"].append(
        {"value": 2, "from": dt.date(2026, 1, 1), "reference": "a draft"}
    )


def grace_as_a_date(document: dict[str, Any]) -> None:
    document["grace_deadline"][0]["value"] = dt.date(2024, 3, 15)


def unknown_source(document: dict[str, Any]) -> None:
    document["sources"]["carrier_pigeon"] = copy.deepcopy(document["sources"]["course"])


def misspelt_key(document: dict[str, Any]) -> None:
    document["requirments"] = document.pop("requirements")


def no_reference(document: dict[str, Any]) -> None:
    del document["caps"][0]["maximum"][0]["reference"]


def exemption_not_a_flag(document: dict[str, Any]) -> None:
    document["exemptions"][1]["in_effect"][0]["value"] = "yes"


def last_before_first(document: dict[str, Any]) -> None:
    document["periods"]["last"] = 2010


# (how it is broken, key path, words of the reason); requirements[2] is legal_studies,
# requirements[7] implicit_bias, requirements[0] total.
BROKEN: list[tuple[BookBreak, str, str]] = [
    (drop_minimum, "requirements[2].minimum", "is missing"),
    (
        minimum_in_words,
        "requirements[2].minimum[0].value",
        "must be a number of hours (0 or more), got 'two'",
    ),
    (minimum_not_a_history, "requirements[2].minimum", "must be a list of dated values"),
    (unknown_where_attribute, "requirements[2].where.colour", "is not a credit attribute"),
    (unknown_where_value, "requirements[2].where.core_area", "'basket_weaving' is not one of"),
    (duplicate_requirement_key, "requirements[7].key", "'racial_profiling' appears twice"),
    (until_before_from, "requirements[0].minimum[0].until", "2016-12-31 is before from (2017-01-01)"),
    (
        changes_in_the_middle_of_a_period,
        "requirements[0].minimum[1].from",
        "a rule changes only from a reporting period's first day (January 1), got 2026-07-01",
    ),
    (entries_out_of_order, "requirements[0].minimum[1].from", "2016-01-01 is not after the entry before it"),
    (a_gap_in_a_rate, "sources.college.hours_per_unit", "has no value for the 2025 reporting period"),
    (grace_as_a_date, "grace_deadline[0].value", "must be the month and day of the next year as MM-DD"),
    (unknown_source, "sources.carrier_pigeon", "is not a credit source"),
    (misspelt_key, "requirments", "is not a key of a rule book here"),
    (no_reference, "caps[0].maximum[0].reference", "is missing"),
    (exemption_not_a_flag, "exemptions[1].in_effect[0].value", "must be true or false, got 'yes'"),
    (last_before_first, "periods.last", "2010 is before the first period (2017)"),
]


def test_an_unbroken_copy_of_the_book_loads(tmp_path: Path) -> None:
    path = tmp_path / "mo.yaml"
    path.write_text(yaml.safe_dump(book_document(), sort_keys=False), encoding="utf-8")
    book = load_rules_file(path)
    assert isinstance(book, RuleBook)
    assert book.pack("2023").digest == load_pack("MO", "2023").digest


@pytest.mark.parametrize(("breakage", "key", "reason"), BROKEN, ids=[b[0].__name__ for b in BROKEN])
def test_a_malformed_book_is_refused_naming_the_file_the_key_and_the_reason(
    tmp_path: Path, breakage: BookBreak, key: str, reason: str
) -> None:
    document = book_document()
    breakage(document)
    path = tmp_path / "draft-book.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_rules_file(path)
    error = caught.value
    assert error.path == str(path)
    assert error.key == key
    assert reason in error.reason
    assert str(error) == f"{path}: {key}: {error.reason}"


def test_a_book_that_is_not_yaml_is_refused_naming_the_file_and_the_line(tmp_path: Path) -> None:
    lines = BOOK.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("topics:"))
    lines.insert(number + 1, "  racial_profiling: [Racial profiling")  # an unclosed list
    path = tmp_path / "mo.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_rules_file(path)
    assert caught.value.path == str(path)
    assert caught.value.reason.startswith("is not valid YAML at line ")


def test_a_one_period_pack_is_not_a_book() -> None:
    text = yaml.safe_dump(period_pack_document(2023), sort_keys=False)
    with pytest.raises(PackError) as caught:
        book_from_text(text, "2023.yaml")
    assert (caught.value.path, caught.value.key) == ("2023.yaml", "periods")
    assert "a rule book gives every period" in caught.value.reason


# --- malformed one-period pack files (clee check --pack) ------------------------------------------


def one_period_breaks() -> list[tuple[BookBreak, str, str]]:
    def drop_ends(document: dict[str, Any]) -> None:
        del document["ends"]

    def minimum_in_words_here(document: dict[str, Any]) -> None:
        requirement(document, "legal_studies")["minimum"]["value"] = "two"

    def not_in_effect(document: dict[str, Any]) -> None:
        requirement(document, "total")["minimum"]["from"] = dt.date(2023, 7, 1)

    return [
        (drop_ends, "ends", "is missing"),
        (minimum_in_words_here, "requirements[2].minimum.value", "must be a number of hours (0 or more)"),
        (not_in_effect, "requirements[0].minimum", "is not in effect for the whole period"),
    ]


@pytest.mark.parametrize(
    ("breakage", "key", "reason"), one_period_breaks(), ids=["ends", "words", "in_effect"]
)
def test_a_malformed_one_period_pack_is_refused_naming_the_key(
    tmp_path: Path, breakage: BookBreak, key: str, reason: str
) -> None:
    document = period_pack_document(2023)
    breakage(document)
    path = tmp_path / "2023.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack_file(path)
    assert (caught.value.key, caught.value.path) == (key, str(path))
    assert reason in caught.value.reason


def test_a_pack_for_another_period_than_expected_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "2024.yaml"
    path.write_text(yaml.safe_dump(period_pack_document(2023), sort_keys=False), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack_file(path, expect=("MO", "2024"))
    assert (caught.value.path, caught.value.key) == (str(path), "period")
    assert "MO 2023" in caught.value.reason


# --- periods and jurisdictions without rules -------------------------------------------------------


@pytest.mark.parametrize("period", ["2016", "1990", "20x6"])
def test_a_period_without_rules_raises_no_pack_error_naming_the_periods_that_exist(period: str) -> None:
    with pytest.raises(NoPackError) as caught:
        load_pack("MO", period)
    assert str(caught.value) == (
        f"no rule pack for MO {period}: MO has a reporting period each calendar year from 2017 on"
    )


def test_a_jurisdiction_without_rules_raises_no_pack_error_naming_the_jurisdictions() -> None:
    with pytest.raises(NoPackError) as caught:
        load_pack("KS", "2023")
    assert "no rule pack for KS 2023" in str(caught.value)
    assert "jurisdictions MO" in str(caught.value)
