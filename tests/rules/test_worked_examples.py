"""The two worked examples of the scenario contract give exactly their expected results."""

import json
from pathlib import Path

import pytest

from clee.rules import evaluate_document

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples" / "scenarios"
CONTRACT_KEYS = ("status", "shortfalls", "counted_hours", "additional_hours_needed")


def example_names() -> list[str]:
    return sorted(p.name.removesuffix(".expected.json") for p in EXAMPLES.glob("*.expected.json"))


def test_the_shared_examples_are_present() -> None:
    assert example_names() == ["compliant_mixed", "deficient_online_only"]


@pytest.mark.parametrize("name", example_names())
def test_worked_example_gives_exactly_its_expected_result(name: str) -> None:
    scenario = json.loads((EXAMPLES / f"{name}.json").read_text())
    expected = json.loads((EXAMPLES / f"{name}.expected.json").read_text())
    result = evaluate_document(scenario).to_dict()
    assert {key: result[key] for key in expected} == expected
