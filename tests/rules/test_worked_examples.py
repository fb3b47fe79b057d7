"""The two worked examples of the scenario contract give exactly their expected results."""

import json

import pytest

from clee.rules import evaluate_document
from tests.rules.examples import COPY, EXAMPLES, SHARED

CONTRACT_KEYS = ("status", "shortfalls", "counted_hours", "additional_hours_needed")


def example_names() -> list[str]:
    return sorted(p.name.removesuffix(".expected.json") for p in EXAMPLES.glob("*.expected.json"))


def test_the_shared_examples_are_present() -> None:
    assert example_names() == ["compliant_mixed", "deficient_online_only"]


def test_the_copy_in_the_repository_is_the_shared_source() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not beside this checkout: the copy in {COPY} is read")
    shared = {p.name: p.read_bytes() for p in SHARED.glob("*.json")}
    copied = {p.name: p.read_bytes() for p in COPY.glob("*.json")}
    assert copied == shared


@pytest.mark.parametrize("name", example_names())
def test_worked_example_gives_exactly_its_expected_result(name: str) -> None:
    scenario = json.loads((EXAMPLES / f"{name}.json").read_text())
    expected = json.loads((EXAMPLES / f"{name}.expected.json").read_text())
    result = evaluate_document(scenario).to_dict()
    assert {key: result[key] for key in expected} == expected
