"""The shipped Missouri rule packs, and the loader's refusal of malformed ones."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from clee.rules import NoPackError, PackError, available_packs, load_pack, load_pack_file
from clee.rules.pack import PACKS_DIR

YEARS = [str(year) for year in range(2017, 2026)]
RECOGNIZED = {"AR", "CA", "CT", "GA", "IL", "IN", "KY", "MD", "MN", "NC", "OK", "TN", "TX", "VA", "IADLEST"}
SOURCE_2023 = PACKS_DIR / "mo" / "2023.yaml"


def test_a_pack_is_shipped_for_every_missouri_period_from_2017_to_2025() -> None:
    assert available_packs() == [("MO", year) for year in YEARS]


@pytest.mark.parametrize("year", YEARS)
def test_every_shipped_pack_loads_and_covers_its_calendar_year(year: str) -> None:
    pack = load_pack("MO", year)
    assert (pack.jurisdiction, pack.period) == ("MO", year)
    assert (pack.starts, pack.ends) == (dt.date(int(year), 1, 1), dt.date(int(year), 12, 31))
    assert load_pack_file(pack.path, expect=("MO", year)).ident == pack.ident


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


def dated_values(node: Any, key: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping in a pack document that carries a ``value`` (a dated rule value)."""
    if isinstance(node, dict):
        if "value" in node:
            yield key, node
        for name, child in node.items():
            yield from dated_values(child, f"{key}.{name}" if key else str(name))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from dated_values(child, f"{key}[{index}]")


@pytest.mark.parametrize("year", YEARS)
def test_every_value_in_a_pack_file_has_a_from_date_and_a_reference(year: str) -> None:
    document = yaml.safe_load((PACKS_DIR / "mo" / f"{year}.yaml").read_text(encoding="utf-8"))
    values = list(dated_values(document))
    # grace deadline, each requirement's minimum, each cap's maximum, each source's rate,
    # the recognized out-of-state list, each exemption
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
def test_the_out_of_state_list_is_the_seed_list_in_effect_2021_to_2023(year: str) -> None:
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


@pytest.mark.parametrize("year", YEARS)
def test_the_grace_deadline_is_march_15_of_the_next_year(year: str) -> None:
    assert load_pack("MO", year).grace_deadline.value == dt.date(int(year) + 1, 3, 15)


# --- malformed packs ----------------------------------------------------------------------------


def source_document() -> dict[str, Any]:
    document = yaml.safe_load(SOURCE_2023.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def requirement(document: dict[str, Any], key: str) -> dict[str, Any]:
    (found,) = [r for r in document["requirements"] if r["key"] == key]
    return found


def drop_minimum(document: dict[str, Any]) -> None:
    del requirement(document, "legal_studies")["minimum"]


def minimum_in_words(document: dict[str, Any]) -> None:
    requirement(document, "legal_studies")["minimum"]["value"] = "two"


def unknown_where_attribute(document: dict[str, Any]) -> None:
    requirement(document, "legal_studies")["where"] = {"colour": "blue"}


def unknown_where_value(document: dict[str, Any]) -> None:
    requirement(document, "legal_studies")["where"] = {"core_area": "basket_weaving"}


def duplicate_requirement_key(document: dict[str, Any]) -> None:
    requirement(document, "implicit_bias")["key"] = "racial_profiling"


def until_before_from(document: dict[str, Any]) -> None:
    requirement(document, "total")["minimum"]["until"] = dt.date(2022, 12, 31)


def not_in_effect_for_the_period(document: dict[str, Any]) -> None:
    requirement(document, "total")["minimum"]["from"] = dt.date(2023, 7, 1)


def unknown_source(document: dict[str, Any]) -> None:
    document["sources"]["carrier_pigeon"] = copy.deepcopy(document["sources"]["course"])


def drop_ends(document: dict[str, Any]) -> None:
    del document["ends"]


# (how it is broken, key path, words of the reason); requirements[2] is legal_studies,
# requirements[7] implicit_bias, requirements[0] total in 2023.yaml.
BROKEN: list[tuple[Callable[[dict[str, Any]], None], str, str]] = [
    (drop_ends, "ends", "is missing"),
    (drop_minimum, "requirements[2].minimum", "is missing"),
    (minimum_in_words, "requirements[2].minimum.value", "must be a number of hours (0 or more), got 'two'"),
    (unknown_where_attribute, "requirements[2].where.colour", "is not a credit attribute"),
    (unknown_where_value, "requirements[2].where.core_area", "'basket_weaving' is not one of"),
    (duplicate_requirement_key, "requirements[7].key", "'racial_profiling' appears twice"),
    (until_before_from, "requirements[0].minimum.until", "2022-12-31 is before from (2023-01-01)"),
    (not_in_effect_for_the_period, "requirements[0].minimum", "is not in effect for the whole period"),
    (unknown_source, "sources.carrier_pigeon", "is not a credit source"),
]


def test_an_unbroken_copy_of_the_2023_pack_loads(tmp_path: Path) -> None:
    path = tmp_path / "2023.yaml"
    path.write_text(yaml.safe_dump(source_document(), sort_keys=False), encoding="utf-8")
    pack = load_pack_file(path)
    assert [r.key for r in pack.requirements] == [r.key for r in load_pack("MO", "2023").requirements]


@pytest.mark.parametrize(("breakage", "key", "reason"), BROKEN, ids=[b[0].__name__ for b in BROKEN])
def test_a_malformed_pack_is_refused_naming_the_file_the_key_and_the_reason(
    tmp_path: Path, breakage: Callable[[dict[str, Any]], None], key: str, reason: str
) -> None:
    document = source_document()
    breakage(document)
    path = tmp_path / "2023.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack_file(path)
    error = caught.value
    assert error.path == str(path)
    assert error.key == key
    assert reason in error.reason
    assert str(error) == f"{path}: {key}: {error.reason}"


def test_a_pack_that_is_not_yaml_is_refused_naming_the_file_and_the_line(tmp_path: Path) -> None:
    lines = SOURCE_2023.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("topics:"))
    lines.insert(number + 1, "  racial_profiling: [Racial profiling")  # an unclosed list
    path = tmp_path / "2023.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack_file(path)
    assert caught.value.path == str(path)
    assert caught.value.reason.startswith("is not valid YAML at line ")
    assert str(caught.value).startswith(f"{path}: is not valid YAML at line ")


def test_a_pack_for_another_period_than_expected_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "2024.yaml"
    path.write_text(SOURCE_2023.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack_file(path, expect=("MO", "2024"))
    assert (caught.value.path, caught.value.key) == (str(path), "period")
    assert "MO 2023" in caught.value.reason


def test_a_period_without_a_pack_raises_no_pack_error_naming_the_periods_that_exist() -> None:
    with pytest.raises(NoPackError) as caught:
        load_pack("MO", "2026")
    message = str(caught.value)
    assert "no rule pack for MO 2026" in message
    assert f"packs exist for MO {', '.join(YEARS)}" in message
    assert "clee/rules/packs/mo/2026.yaml" in message


def test_a_jurisdiction_without_packs_raises_no_pack_error_naming_the_jurisdictions() -> None:
    with pytest.raises(NoPackError) as caught:
        load_pack("KS", "2023")
    assert "no rule pack for KS 2023" in str(caught.value)
    assert "jurisdictions MO" in str(caught.value)
