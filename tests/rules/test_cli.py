"""The ``clee`` command line: --explain, check-batch, packs, --pack with a draft, periods without a pack.

Every test runs the installed console script in a subprocess, as POST staff would.
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

import clee.rules

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
BOOK = Path(clee.rules.__file__).resolve().parent / "packs" / "mo.yaml"
MO_PERIODS = [str(year) for year in range(2017, 2028)]


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


def scenario(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SCENARIOS / f"{name}.json").read_text())
    return document


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


# --- clee check --explain ----------------------------------------------------------------------


def test_explain_prints_a_table_of_requirements_and_what_is_still_needed(tmp_path: Path) -> None:
    # Military 18 h is licensed credit: approved 2 + 2 = 4 of 8 (hand-derived, see the scenario).
    path = SCENARIOS / "military_training_is_licensed_provider_credit.json"
    completed = run_clee("check", "--explain", str(path))
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert "DEFICIENT" in out
    header = next(line for line in out.splitlines() if "Required" in line)
    assert "Counted" in header
    assert "Short" in header
    assert re.search(r"^Total hours\s+24\s+24\s+-\s*$", out, re.MULTILINE), out
    assert re.search(r"^Hours from an approved provider\s+8\s+4\s+4\s*$", out, re.MULTILINE), out
    # Counted: one allocation of the hours, each requirement up to its minimum (18 technical
    # hours count, 2 toward the technical minimum).
    assert re.search(r"^Technical Studies\s+2\s+2\s+-\s*$", out, re.MULTILINE), out
    still_needed = out.strip().splitlines()[-1]
    assert still_needed.startswith("You need 4 more hours")
    assert "approved provider" in still_needed
    assert not out.lstrip().startswith("{")


def test_explain_says_nothing_more_is_needed_when_compliant() -> None:
    completed = run_clee("check", "--explain", str(SCENARIOS / "greedy_chronological_would_fail.json"))
    assert completed.returncode == 0, completed.stderr
    assert "COMPLIANT" in completed.stdout
    assert re.search(r"^Total hours\s+24\s+28\s+-\s*$", completed.stdout, re.MULTILINE)
    assert "Nothing more is needed" in completed.stdout.strip().splitlines()[-1]


def test_explain_lists_a_year_without_the_2022_topics_without_those_rows() -> None:
    completed = run_clee("check", "--explain", str(SCENARIOS / "period_2021_no_new_topics_compliant.json"))
    assert completed.returncode == 0, completed.stderr
    assert "Racial profiling" in completed.stdout
    assert "Implicit bias" not in completed.stdout
    assert "De-escalation" not in completed.stdout


# --- clee check-batch --------------------------------------------------------------------------


def test_check_batch_writes_one_line_per_input_line_in_order_with_errors_in_place(tmp_path: Path) -> None:
    compliant = scenario("compliant_exact_minimums_2023")
    short_one = scenario("one_hour_short_of_total")
    invalid = scenario("compliant_exact_minimums_2023")
    invalid["credits"][1] = {**invalid["credits"][1], "id": "batch-bad-area", "core_area": "ethics"}
    future = {**scenario("compliant_exact_minimums_2023"), "period": "2016"}
    lines = [
        '{"jurisdiction": "MO", "period": "2023", ',  # 1: malformed JSON
        json.dumps(compliant),  # 2
        json.dumps(invalid),  # 3: unknown core area
        json.dumps(short_one),  # 4
        json.dumps(future),  # 5: no 2016 pack (periods run from 2017)
        json.dumps(compliant),  # 6
    ]
    batch = tmp_path / "officers.jsonl"
    batch.write_text("\n".join(lines) + "\n")

    completed = run_clee("check-batch", str(batch))

    assert completed.returncode == 0, completed.stderr
    out = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [row["line"] for row in out] == [1, 2, 3, 4, 5, 6]
    for number in (1, 3, 5):
        assert set(out[number - 1]) == {"line", "error"}
        assert out[number - 1]["error"]
    assert "batch-bad-area" in out[2]["error"]
    assert "core_area" in out[2]["error"]
    assert "2016" in out[4]["error"]
    assert out[1]["status"] == "compliant"
    assert out[1]["counted_hours"] == 24.0
    assert out[3]["status"] == "deficient"
    assert out[3]["shortfalls"] == {"total": 1.0}
    assert out[3]["additional_hours_needed"] == 1.0
    assert out[5]["status"] == "compliant"
    assert "error" not in out[1]
    assert "error" not in out[3]


def test_check_batch_keeps_going_when_the_last_line_is_bad(tmp_path: Path) -> None:
    batch = tmp_path / "tail.jsonl"
    batch.write_text(json.dumps(scenario("greedy_chronological_would_fail")) + "\nnot json at all\n")
    completed = run_clee("check-batch", str(batch))
    assert completed.returncode == 0, completed.stderr
    out = [json.loads(line) for line in completed.stdout.splitlines()]
    assert len(out) == 2
    assert out[0]["line"] == 1
    assert out[0]["status"] == "compliant"
    assert out[0]["counted_hours"] == 28.0
    assert out[1]["line"] == 2
    assert set(out[1]) == {"line", "error"}


# --- clee packs --------------------------------------------------------------------------------


def test_packs_lists_the_missouri_book_and_every_period_from_2017_through_the_year_asked() -> None:
    completed = run_clee("packs", "--through", "2027")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("MO  rule book v1: periods from 2017 on")
    listed = [tuple(line.split()[:2]) for line in lines[1:] if line.strip()]
    assert [period for jurisdiction, period in listed if jurisdiction == "MO"] == MO_PERIODS
    assert ("MO", "2016") not in listed
    # 2026 and 2027 carry the 2023 requirement (seed 001), implicit bias and de-escalation included.
    assert lines[-1].startswith("MO  2027  v1  2027-01-01 to 2027-12-31  grace 2028-03-15")
    assert "implicit_bias 1, de_escalation 1]" in lines[-1]


# --- clee check --pack DRAFT.yaml --------------------------------------------------------------


def draft_with_total(tmp_path: Path, total: int) -> Path:
    text = BOOK.read_text()
    block = re.search(r"- key: total\n.*?value: 24\n", text, re.DOTALL)
    assert block, "the rule book's total minimum is not where this test expects it"
    draft = (
        text[: block.start()] + block.group(0).replace("value: 24", f"value: {total}") + text[block.end() :]
    )
    path = tmp_path / "draft_2023_total_30.yaml"
    path.write_text(draft)
    return path


def test_check_with_a_draft_pack_evaluates_under_the_draft(tmp_path: Path) -> None:
    path = SCENARIOS / "compliant_exact_minimums_2023.json"
    shipped = run_clee("check", str(path))
    assert shipped.returncode == 0, shipped.stderr
    assert json.loads(shipped.stdout)["status"] == "compliant"

    drafted = run_clee("check", "--pack", str(draft_with_total(tmp_path, 30)), str(path))

    assert drafted.returncode == 0, drafted.stderr
    result = json.loads(drafted.stdout)
    # 24 hours against a 30-hour minimum, everything else as before: 6 hours short on total only.
    assert result["status"] == "deficient"
    assert result["counted_hours"] == 24.0
    assert result["shortfalls"] == {"total": 6.0}
    assert result["additional_hours_needed"] == 6.0
    total = next(r for r in result["requirements"] if r["key"] == "total")
    assert total["required"] == 30


def test_check_batch_with_a_draft_pack_evaluates_every_line_under_the_draft(tmp_path: Path) -> None:
    batch = tmp_path / "two.jsonl"
    batch.write_text(
        json.dumps(scenario("compliant_exact_minimums_2023"))
        + "\n"
        + json.dumps(scenario("greedy_chronological_would_fail"))
        + "\n"
    )
    completed = run_clee("check-batch", "--pack", str(draft_with_total(tmp_path, 30)), str(batch))
    assert completed.returncode == 0, completed.stderr
    out = [json.loads(line) for line in completed.stdout.splitlines()]
    # 24 counted hours: 6 short. 28 counted hours (22 computer-based + 6 live): 2 short.
    assert [(r["status"], r["shortfalls"]) for r in out] == [
        ("deficient", {"total": 6.0}),
        ("deficient", {"total": 2.0}),
    ]


def test_check_refuses_a_draft_pack_that_is_not_a_rule_pack(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("jurisdiction: MO\nperiod: [unclosed\n")
    completed = run_clee(
        "check", "--pack", str(broken), str(SCENARIOS / "compliant_exact_minimums_2023.json")
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert len(completed.stderr.splitlines()) == 1
    assert "broken.yaml" in completed.stderr


# --- periods without a pack --------------------------------------------------------------------


def test_a_2026_and_a_2027_scenario_are_decided_under_the_2023_requirement(tmp_path: Path) -> None:
    for year in ("2026", "2027"):
        document = scenario("compliant_exact_minimums_2023")
        document["period"] = year
        for credit in document["credits"]:
            credit["date"] = credit["date"].replace("2023", year)
        completed = run_clee("check", str(write_json(tmp_path / f"s{year}.json", document)))
        assert completed.returncode == 0, completed.stderr
        result = json.loads(completed.stdout)
        assert (result["status"], result["pack"]) == ("compliant", f"MO-{year}-v1")
        assert [r["key"] for r in result["requirements"]][-2:] == ["implicit_bias", "de_escalation"]


@pytest.mark.parametrize("period", ["2016", "1999", "twenty"])
def test_it_refuses_a_period_the_missouri_rules_do_not_have_naming_those_they_do(
    tmp_path: Path, period: str
) -> None:
    document = {**scenario("no_credits_2017"), "period": period}
    completed = run_clee("check", str(write_json(tmp_path / "s.json", document)))
    assert completed.returncode == 2
    assert completed.stdout == ""
    [line] = completed.stderr.splitlines()
    assert line == (
        f"error: no rule pack for MO {period}: MO has a reporting period each calendar year from 2017 on"
    )


def test_check_reads_a_scenario_from_standard_input() -> None:
    text = (SCENARIOS / "one_hour_short_of_total.json").read_text()
    completed = subprocess.run(
        [clee_executable(), "check", "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["status"] == "deficient"
    assert result["shortfalls"] == {"total": 1.0}


def test_check_reads_yaml_whose_dates_are_written_plainly(tmp_path: Path) -> None:
    # YAML reads an unquoted 2023-02-01 as a date, not text: it is a date all the same.
    path = tmp_path / "officer.yaml"
    path.write_text(
        "jurisdiction: MO\n"
        "period: 2023\n"
        "officer: {licensed_on: 2012-08-01}\n"
        "credits:\n"
        "  - {id: c1, date: 2023-02-01, hours: 3, core_area: legal_studies, provider_class: approved,\n"
        "     topics: {racial_profiling: 1}}\n"
        "  - {id: c2, date: 2024-01-02, hours: 2, core_area: legal_studies, provider_class: approved}\n"
    )
    completed = run_clee("check", str(path))
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert (result["status"], result["counted_hours"]) == ("deficient", 3.0)
    assert [note["id"] for note in result["not_counted"]] == ["c2"]
    path.write_text(path.read_text().replace("topics:", "topic:"))
    refused = run_clee("check", str(path))
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.strip() == (
        "error: credit 'c1': topic: is not a field of a credit (its fields are id, date, hours, "
        "semester_hours, core_area, subject, topics, provider_class, delivery, source, state, applied_from, "
        "applied_to, recognized_by)"
    )


def test_a_shortfall_above_the_stated_tolerance_is_a_shortfall_however_small(tmp_path: Path) -> None:
    # 24 hours less 0.00004: more than the 1e-6 tolerance, so deficient, and the hours needed
    # are reported rounded up (never 0 for a deficient officer).
    document = scenario("fractional_hours_add_up_exactly")
    hours = document["credits"][0]["hours"]
    document["credits"][0]["hours"] = hours - 0.00004
    completed = run_clee("check", str(write_json(tmp_path / "short.json", document)))
    result = json.loads(completed.stdout)
    assert result["status"] == "deficient"
    assert result["additional_hours_needed"] == 0.0001
    assert result["shortfalls"]["total"] == 0.0001
    document["credits"][0]["hours"] = hours - 0.0000004  # within the tolerance: float noise
    completed = run_clee("check", str(write_json(tmp_path / "noise.json", document)))
    assert json.loads(completed.stdout)["status"] == "compliant"
