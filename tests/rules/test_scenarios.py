"""Scenario files with hand-derived expected results, through the Python API and the real CLI.

Each ``scenarios/<name>.json`` is a scenario in the contract's input format
(``shared/examples/README.md``); ``<name>.expected.json`` holds only the keys to check, each
derived by hand from the rules (the derivation is in its ``_why`` key, which is not compared).
``requirements`` in an expected file maps requirement key -> the most hours that could count
toward it under the caps (each result row's ``most``); ``not_counted`` lists the ids of credits
that do not count.

``scenarios/invalid/`` holds inputs the contract rejects: ``clee check`` exits 2, prints exactly
one line on stderr naming the credit id and the field, and nothing on stdout.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clee.rules import NoPackError, ScenarioError, evaluate_document

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
INVALID = SCENARIOS / "invalid"
CONTRACT_KEYS = {"status", "counted_hours", "additional_hours_needed", "shortfalls"}
CHECKABLE_KEYS = CONTRACT_KEYS | {"requirements", "not_counted"}

# The smaller set that also goes through the real ``clee check`` subprocess: one of each kind.
CLI_SCENARIOS = [
    "greedy_chronological_would_fail",
    "college_five_semester_hours_only_eight_count",
    "out_of_state_minnesota_2024_does_not_count",
    "exempt_license_upgraded_during_period",
    "fractional_hours_add_up_exactly",
    "period_2022_requires_implicit_bias_and_de_escalation",
    "dates_at_the_period_edges",
    "one_extra_hour_closes_four_gaps",
]


def clee_executable() -> str:
    beside = Path(sys.executable).with_name("clee")
    if beside.exists():
        return str(beside)
    found = shutil.which("clee")
    assert found, "the clee console script is not installed"
    return found


def run_clee(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [clee_executable(), *args], capture_output=True, text=True, timeout=120, check=False
    )


def scenario_names(folder: Path) -> list[str]:
    return sorted(p.name.removesuffix(".expected.json") for p in folder.glob("*.expected.json"))


def load_expected(folder: Path, name: str) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads((folder / f"{name}.expected.json").read_text())
    return expected


def comparable(result: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """The result cut down to the expected file's keys, in the expected file's shapes."""
    picked: dict[str, Any] = {}
    for key in expected:
        if key.startswith("_"):
            continue
        if key == "requirements":
            picked[key] = {r["key"]: r["most"] for r in result["requirements"]}
        elif key == "not_counted":
            picked[key] = sorted(note["id"] for note in result["not_counted"])
        else:
            picked[key] = result[key]
    return picked


def without_notes(expected: dict[str, Any]) -> dict[str, Any]:
    checked = {k: v for k, v in expected.items() if not k.startswith("_")}
    if "not_counted" in checked:
        checked["not_counted"] = sorted(checked["not_counted"])
    return checked


def test_the_scenario_suite_is_present_and_every_expected_file_is_well_formed() -> None:
    names = scenario_names(SCENARIOS)
    assert len(names) >= 30
    assert "greedy_chronological_would_fail" in names
    assert set(CLI_SCENARIOS) <= set(names)
    for name in names:
        assert (SCENARIOS / f"{name}.json").is_file(), name
        expected = load_expected(SCENARIOS, name)
        assert expected.keys() >= CONTRACT_KEYS, name
        assert set(expected) - {"_why"} <= CHECKABLE_KEYS, name
        assert expected["_why"].strip(), name


@pytest.mark.parametrize("name", scenario_names(SCENARIOS))
def test_the_engine_gives_the_hand_derived_result_for_scenario(name: str) -> None:
    scenario = json.loads((SCENARIOS / f"{name}.json").read_text())
    expected = load_expected(SCENARIOS, name)
    result = evaluate_document(scenario).to_dict()
    assert comparable(result, expected) == without_notes(expected)


@pytest.mark.parametrize("name", CLI_SCENARIOS)
def test_clee_check_prints_the_hand_derived_result_as_json(name: str) -> None:
    expected = load_expected(SCENARIOS, name)
    completed = run_clee("check", str(SCENARIOS / f"{name}.json"))
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    result = json.loads(completed.stdout)
    assert comparable(result, expected) == without_notes(expected)


def test_every_requirement_row_is_one_allocation_consistent_with_the_shortfalls() -> None:
    """Each row: counted + short = required (counted up to the minimum; the total as counted);
    the rows' shorts are those of one allocation, so a deficient officer always has a row
    short; a row short beyond its own shortfall is marked short only jointly (a cap)."""
    for name in scenario_names(SCENARIOS):
        result = evaluate_document(json.loads((SCENARIOS / f"{name}.json").read_text())).to_dict()
        if result["status"] == "exempt":
            continue
        for row in result["requirements"]:
            assert row["short"] == pytest.approx(max(0.0, row["required"] - row["counted"])), name
            alone = result["shortfalls"].get(row["key"], 0.0)
            assert row["short"] >= alone - 1e-9, name
            assert row["jointly"] == (row["short"] > 0 and alone == 0), name
        assert (result["status"] == "deficient") == any(row["short"] > 0 for row in result["requirements"]), (
            name
        )
        assert (result["status"] == "compliant") == (result["additional_hours_needed"] == 0), name


def test_an_officer_short_only_because_a_cap_forces_a_choice_has_a_row_short_and_is_told_so() -> None:
    scenario = json.loads((SCENARIOS / "college_cap_forces_a_choice_between_requirements.json").read_text())
    result = evaluate_document(scenario).to_dict()
    assert (result["status"], result["shortfalls"]) == ("deficient", {})
    short = {row["key"]: row["short"] for row in result["requirements"] if row["short"] > 0}
    assert short
    assert all(row["jointly"] for row in result["requirements"] if row["short"] > 0)
    needs = result["still_needed"]
    assert needs["jointly"] is True
    assert needs["parts"] == [{"hours": 0.5, "what": "0.5 hours in any core area", "requirement": None}]
    assert needs["within"] == []
    assert "no more than 8 hours of college credit count" in needs["sentence"]
    assert [p["requirement"] for p in needs["example"]] == list(short)


# --- invalid input -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", scenario_names(INVALID))
def test_clee_check_refuses_invalid_input_with_one_line_naming_the_credit_and_field(name: str) -> None:
    expected = load_expected(INVALID, name)
    completed = run_clee("check", str(INVALID / f"{name}.json"))
    assert completed.returncode == expected["exit"] == 2
    assert completed.stdout == ""
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    line = lines[0]
    assert "Traceback" not in line
    if expected["credit_id"] is not None:
        assert expected["credit_id"] in line
    if expected["field"] is not None:
        assert re.search(rf"(?<![A-Za-z_]){re.escape(expected['field'])}(?![A-Za-z_])", line), line
    for word in expected.get("mentions", []):
        assert word in line


@pytest.mark.parametrize("name", [n for n in scenario_names(INVALID) if n != "unparseable_json"])
def test_the_python_api_raises_a_precise_error_for_invalid_input(name: str) -> None:
    expected = load_expected(INVALID, name)
    document = json.loads((INVALID / f"{name}.json").read_text())
    with pytest.raises((ScenarioError, NoPackError)) as caught:
        evaluate_document(document)
    error = caught.value
    if isinstance(error, ScenarioError):
        if expected["credit_id"] is not None:
            assert error.credit_id == expected["credit_id"]
        assert expected["field"] in error.field
    else:
        assert expected["field"] == "period"
        assert document["period"] in str(error)


def test_the_invalid_suite_covers_every_case_the_contract_names() -> None:
    names = set(scenario_names(INVALID))
    contract = {
        "unknown_core_area",
        "unknown_topic",
        "hours_zero",
        "hours_negative",
        "topic_hours_beyond_credit_hours",
        "missing_hours",
        "missing_date",
        "date_not_a_date_february_30",
        "unparseable_json",
    }
    assert contract <= names
    for name in names:
        assert (INVALID / f"{name}.json").is_file(), name
