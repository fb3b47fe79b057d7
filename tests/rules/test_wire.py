"""The fast JSON path (msgspec) and the careful validator accept, refuse and read alike."""

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clee.rules import NoPackError, ScenarioError, evaluate_document, evaluate_officers
from clee.rules.engine import compiled_for
from clee.rules.scenario import CREDIT_KEYS, OFFICER_KEYS, SCENARIO_KEYS
from clee.rules.wire import WireCredit, WireOfficer, WireScenario, read_line

GOOD_CREDIT = {
    "id": "c1",
    "date": "2023-03-01",
    "hours": 3,
    "core_area": "interpersonal_perspectives",
    "provider_class": "approved",
    "delivery": "live",
    "source": "course",
    "topics": {"implicit_bias": 1},
}
FIELD_VALUES = {
    "id": ["c9", "", 7, None, True],
    "date": ["2023-12-31", "2024-01-01", "2023-02-30", "2023-W01-1", "yesterday", 20230101, None],
    "hours": [0.5, 2, 0, -1, "3", True, None, 1e308],
    "semester_hours": [1, 4.5, 0, "2", None],
    "core_area": ["legal_studies", "skill_development", "ethics", None, 3],
    "provider_class": ["approved", "licensed", "state", None],
    "delivery": ["live", "computer_based", "online", None],
    "source": ["course", "instruction", "college", "military", "out_of_state", "seminar", None],
    "subject": ["firearms", "driving", None],
    "topics": [{"racial_profiling": 1}, {"de_escalation": 5}, {"ethics": 1}, {"implicit_bias": 0}, [], None],
    "state": ["MN", " tx ", "FL", "", 5, None],
    "applied_to": ["2022", "2023", 2022, "", None],
    "recognized_by": ["POST decision of 2026-01-05", " ", 3, None],
}
RECOGNIZED_LISTS = [
    None,
    [{"codes": ["FL"], "from": "2023-01-01", "until": None, "reference": "POST list"}],
    [{"codes": ["MN"], "from": "2023-06-01", "until": "2023-06-30"}],
    [{"codes": [], "from": "2023-01-01"}],
    [{"codes": ["FL"], "from": "someday"}],
    "MN",
]
MISSING = object()


def outcome(document: dict[str, object]) -> tuple[str, object]:
    """What the careful path makes of a document: ("error", message) or ("ok", result)."""
    try:
        return "ok", evaluate_document(document).to_dict()
    except (ScenarioError, NoPackError) as error:
        return "error", str(error)


def fast_outcome(document: dict[str, object]) -> tuple[str, object]:
    try:
        officer, credits, pack = read_line(orjson.dumps(document))
    except (ScenarioError, NoPackError) as error:
        return "error", str(error)
    return "ok", evaluate_officers(compiled_for(pack), [(officer, credits)])[0].to_dict()


@st.composite
def documents(draw: st.DrawFn) -> dict[str, object]:
    credits = []
    for index in range(draw(st.integers(1, 4))):
        credit = dict(GOOD_CREDIT, id=f"c{index}")
        for field in draw(st.lists(st.sampled_from(sorted(FIELD_VALUES)), max_size=3, unique=True)):
            value = draw(st.sampled_from([*FIELD_VALUES[field], MISSING]))
            if value is MISSING:
                credit.pop(field, None)
            else:
                credit[field] = value
        credits.append(credit)
    document: dict[str, object] = {
        "jurisdiction": draw(st.sampled_from(["MO", "mo", "ZZ"])),
        "period": draw(st.sampled_from(["2023", 2023, "2019", "2026", "2016"])),
        "officer": {"licensed_on": draw(st.sampled_from(["2010-01-01", "2023-05-01", "soon"]))},
        "credits": credits,
    }
    recognized = draw(st.sampled_from(RECOGNIZED_LISTS))
    if recognized is not None:
        document["recognized_sources"] = recognized
    return document


@settings(max_examples=400, deadline=None)
@given(documents())
def test_the_fast_path_and_the_careful_validator_agree_on_any_document(document: dict[str, object]) -> None:
    assert fast_outcome(document) == outcome(document)


def test_it_reads_a_college_credit_as_two_hours_per_semester_hour() -> None:
    document = {
        "jurisdiction": "MO",
        "period": "2023",
        "officer": {"licensed_on": "2010-01-01"},
        "credits": [
            {
                "id": "cj",
                "date": "2023-09-01",
                "semester_hours": 3,
                "core_area": "legal_studies",
                "source": "college",
            }
        ],
    }
    _, credits, _ = read_line(orjson.dumps(document))
    assert [c.hours for c in credits] == [6.0]
    assert fast_outcome(document) == outcome(document)


def test_it_words_a_bad_line_exactly_as_the_careful_validator_does() -> None:
    document = {
        "jurisdiction": "MO",
        "period": "2023",
        "officer": {"licensed_on": "2010-01-01"},
        "credits": [dict(GOOD_CREDIT, hours=-1)],
    }
    with pytest.raises(ScenarioError) as error:
        read_line(orjson.dumps(document))
    assert str(error.value) == "credit 'c1': hours: must be greater than 0, got -1"


def test_the_fast_path_knows_exactly_the_fields_the_careful_validator_knows() -> None:
    # One constant per level (clee.rules.scenario) names the fields; msgspec's structs must
    # match it, or a field would be refused on one path and read on the other.
    assert WireScenario.__struct_fields__ == SCENARIO_KEYS
    assert set(WireOfficer.__struct_fields__) == set(OFFICER_KEYS)
    assert set(WireCredit.__struct_fields__) == set(CREDIT_KEYS)


@pytest.mark.parametrize(
    ("where", "field"),
    [("credit", "subjects"), ("credit", "topic"), ("officer", "rank"), ("scenario", "notes")],
)
def test_both_paths_refuse_an_unknown_field_naming_it(where: str, field: str) -> None:
    document: dict[str, object] = {
        "jurisdiction": "MO",
        "period": "2023",
        "officer": {"licensed_on": "2010-01-01"},
        "credits": [dict(GOOD_CREDIT)],
    }
    target = {"credit": document["credits"][0], "officer": document["officer"], "scenario": document}[where]  # type: ignore[index]
    target[field] = "x"  # type: ignore[index]
    kind, message = outcome(document)
    assert kind == "error"
    assert f"{field}: is not a field of" in str(message)
    assert fast_outcome(document) == (kind, message)
