"""Hostile spreadsheets and request bodies (security review, issue 13): a file that declares a
huge dimension, rows far below the last, XML that does not parse or declares entities, more
cells than a roster holds. Each is refused with the import's own clear error on every path a
person or a system sends files by (the provider and agency portals, a stored upload's preview,
the API, the command), never a 500 and never a worker pinned for minutes. Deeply nested JSON
gets a 400 on the API.

How long the worst of these files takes is measured by bench/hostile_files_bench.py."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clee.api.models import RosterSubmission
from clee.imports.tables import MAX_ROWS, TableError, read_table
from clee.providers.models import RosterUpload
from clee.training.models import ImportBatch, TrainingRecord
from tests.api.conftest import Api, agency_api, error_of, provider_api
from tests.imports import hostile
from tests.imports.files import csv_file, xlsx_file
from tests.portals.test_agency_training import client_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The ones the review named, and the kinds behind them: sent through every path.
THROUGH_EVERY_PATH = (
    "declared huge, one far row",
    "declared huge, 20,000 rows with a value in column XFD",
    "undefined entity",
    "entity expansion",
)
__all__ = ["agency_api", "provider_api"]  # fixtures, used by name


@functools.cache
def built(name: str) -> tuple[bytes, str]:
    """The hostile file called ``name`` (built once) and what its refusal says."""
    build, reason = hostile.HOSTILE[name]
    return build(), reason


def read_or_refused(content: bytes) -> TableError | None:
    try:
        read_table(content)
    except TableError as error:
        return error
    return None


# Built at full size by the benchmark; here against smaller limits (below), to keep the suite quick.
BUILT_SMALLER = {
    "a row of 4,000,000 empty cells",
    "inflates to 320 MB",
    "CSV: one row of 20 million fields",
    "CSV: 20 million blank lines",
}


@pytest.mark.parametrize("name", [name for name in hostile.HOSTILE if name not in BUILT_SMALLER])
def test_the_reader_refuses_each_hostile_file_with_a_clear_reason(name: str) -> None:
    content, reason = built(name)
    with pytest.raises(TableError) as refused:
        read_table(content)
    assert reason in str(refused.value)
    assert all(error.field == "file" for error in refused.value.errors)


def test_a_row_of_more_empty_cells_than_the_budget_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("clee.imports.tables.MAX_CELLS", 20_000)
    with pytest.raises(TableError, match="more than 20,000 cells"):
        read_table(hostile.many_empty_cells(30_000))


def test_a_sheet_that_inflates_beyond_the_limit_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("clee.imports.tables.MAX_SHEET_BYTES", 2**20)
    content = hostile.workbook(hostile.sheet_xml([hostile.row_xml(1, hostile.HEADER), "<c/>" * 2**19]))
    with pytest.raises(TableError, match="unpacks to more than 1 MB"):
        read_table(content)


def test_a_huge_declared_dimension_over_ordinary_rows_reads_just_those_rows() -> None:
    table = read_table(hostile.declared_huge_many_rows(500))
    assert len(table.rows) == 500
    assert table.columns == hostile.HEADER
    assert table.rows[0].values == dict(zip(hostile.HEADER, hostile.ROW, strict=True))


def test_blank_rows_count_toward_the_row_limit_in_a_csv_too() -> None:
    content = csv_file(hostile.HEADER) + b"\r\n" * (MAX_ROWS + 5) + b"P1000001,CMA-101,2023-03-01\r\n"
    with pytest.raises(TableError, match="at most 100,000 rows"):
        read_table(content)


def test_a_csv_row_wider_than_any_roster_is_refused() -> None:
    content = csv_file(hostile.HEADER, (*hostile.ROW, *([""] * 150), "x"))
    with pytest.raises(TableError, match="at most 100 columns"):
        read_table(content)


def test_a_valid_workbook_with_shared_strings_dates_and_numbers_still_reads() -> None:
    """The reader reads what Excel writes (shared strings, date styles, numbers)."""
    table = read_table(
        xlsx_file(("license_number", "completion_date", "hours"), ("P1000001", dt.date(2023, 3, 1), 4))
    )
    assert table.rows[0].values == {
        "license_number": "P1000001",
        "completion_date": dt.datetime(2023, 3, 1),
        "hours": 4,
    }


# --- through the portals --------------------------------------------------------------------


@pytest.mark.parametrize("name", THROUGH_EVERY_PATH)
def test_the_provider_portal_stores_the_file_and_its_preview_shows_the_error(
    world: dict[str, Any], name: str
) -> None:
    content, reason = built(name)
    dave = client_of("dave")
    response = dave.post("/provider/rosters/", {"file": SimpleUploadedFile("roster.xlsx", content, XLSX)})
    assert response.status_code == 302
    stored = RosterUpload.objects.get()
    for _ in range(2):  # opened again, the stored upload shows the same error
        page = dave.get(f"/provider/rosters/uploads/{stored.pk}/")
        assert page.status_code == 200
        assert reason in page.content.decode()
        assert "Record the completions" not in page.content.decode()
    refused = dave.post(f"/provider/rosters/uploads/{stored.pk}/confirm/", {"sha256": stored.sha256})
    assert refused.status_code == 400
    assert reason in refused.content.decode()
    assert not TrainingRecord.objects.exists()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("name", THROUGH_EVERY_PATH)
def test_the_agency_portal_previews_the_file_with_its_error(world: dict[str, Any], name: str) -> None:
    content, reason = built(name)
    bob = client_of("bob")
    response = bob.post(
        "/agency/training/roster/",
        {"file": SimpleUploadedFile("roster.xlsx", content, XLSX), "scope": "agency"},
        follow=True,
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    again = bob.get("/agency/training/roster/preview/")
    assert again.status_code == 200
    assert reason in again.content.decode()
    assert not TrainingRecord.objects.exists()


# --- through the API ------------------------------------------------------------------------


@pytest.mark.parametrize("name", THROUGH_EVERY_PATH)
def test_the_api_answers_400_for_each_file_and_keeps_no_submission(
    world: dict[str, Any], provider_api: Api, name: str
) -> None:
    content, reason = built(name)
    dry = provider_api.post("/api/v1/rosters/?dry_run=true", content, content_type=XLSX)
    assert dry.status_code == 400
    assert error_of(dry)["code"] == "unreadable_file"
    assert reason in error_of(dry)["message"]
    assert error_of(dry)["rows"][0]["field"] == "file"
    sent = provider_api.post("/api/v1/rosters/", content, content_type=XLSX, key="hostile-1")
    assert sent.status_code == 400
    assert reason in error_of(sent)["message"]
    assert not RosterSubmission.objects.exists()
    assert not ImportBatch.objects.exists()


def test_after_an_unreadable_file_the_same_key_carries_the_corrected_roster(
    world: dict[str, Any], provider_api: Api
) -> None:
    assert (
        provider_api.post(
            "/api/v1/rosters/", hostile.undefined_entity(), content_type=XLSX, key="k"
        ).status_code
        == 400
    )
    good = csv_file(hostile.HEADER, ("P1000001", "CMA-101", "2023-03-01"))
    response = provider_api.post("/api/v1/rosters/", good, content_type="text/csv", key="k")
    assert response.status_code == 201, response.content
    assert TrainingRecord.objects.count() == 1


def test_a_file_over_the_cell_budget_is_a_400(
    world: dict[str, Any], provider_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("clee.imports.tables.MAX_CELLS", 5_000)
    response = provider_api.post(
        "/api/v1/rosters/?dry_run=true", hostile.many_empty_cells(6_000), content_type=XLSX
    )
    assert response.status_code == 400
    assert "more than 5,000 cells" in error_of(response)["message"]


def test_a_csv_body_with_far_too_many_blank_lines_is_a_400(world: dict[str, Any], agency_api: Api) -> None:
    content = csv_file(hostile.HEADER) + b"\n" * (MAX_ROWS + 10) + b"P1000001,CMA-101,2023-03-01\n"
    response = agency_api.post("/api/v1/rosters/?dry_run=true", content, content_type="text/csv")
    assert response.status_code == 400
    assert "at most 100,000 rows" in error_of(response)["message"]


@pytest.mark.parametrize("path", ["/api/v1/rosters/?dry_run=true", "/api/v1/courses/"])
def test_json_nested_100_000_deep_is_a_400(world: dict[str, Any], provider_api: Api, path: str) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = provider_api.post(path, body)
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed"
    assert "nested more than" in error_of(response)["message"]


def test_json_nested_deeper_than_any_request_but_under_the_interpreters_limit_is_a_400(
    world: dict[str, Any], provider_api: Api
) -> None:
    deep: Any = "x"
    for _ in range(500):
        deep = [deep]
    response = provider_api.post("/api/v1/rosters/?dry_run=true", json.dumps({"rows": deep}))
    assert response.status_code == 400
    assert "nested more than 16 levels" in error_of(response)["message"]


def test_json_that_is_not_json_is_a_400(world: dict[str, Any], provider_api: Api) -> None:
    for body in ('{"rows": [NaN]}', b"\xff\xfe\x00garbage", '{"rows": [1,]}'):
        response = provider_api.post("/api/v1/rosters/?dry_run=true", body)
        assert response.status_code == 400, body
        assert error_of(response)["code"] == "malformed"


# --- the command ----------------------------------------------------------------------------


def test_the_command_refuses_a_hostile_file_with_its_reason(world: dict[str, Any], tmp_path: Any) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(hostile.entity_expansion())
    with pytest.raises(CommandError):
        call_command("import_file", "roster", str(path), "--provider", "LP-0042", stderr=io.StringIO())


# --- fuzzing the readers --------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "<row>",
        "</row>",
        '<row r="3">',
        '<row r="1048576">',
        '<c r="A2" t="s"><v>0</v></c>',
        '<c r="B2" t="inlineStr"><is><t>x</t></is></c>',
        '<c r="XFD2"><v>1</v></c>',
        '<c t="b"><v>1</v></c>',
        '<c s="1"><v>45000</v></c>',
        '<c t="d"><v>2023-13-45</v></c>',
        "<c><v>1e999</v></c>",
        '<c r="2A"/>',
        "&amp;",
        "&bogus;",
        "<![CDATA[x]]>",
        "<!-- c -->",
        "<sheetData>",
        "</sheetData>",
        "<is><r><t>a</t></r></is>",
    ]
)


def _sheet_of(fragments: list[str]) -> bytes:
    return hostile.workbook(hostile.sheet_xml([hostile.row_xml(1, hostile.HEADER), *fragments]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=30))
def test_fuzzed_sheets_are_read_or_refused_never_crash(fragments: list[str]) -> None:
    refused = read_or_refused(_sheet_of(fragments))
    assert refused is None or all(e.field == "file" and e.reason for e in refused.errors)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=1, max_size=400), st.integers(min_value=0, max_value=3000))
def test_fuzzed_bytes_inside_a_workbook_are_read_or_refused(noise: bytes, at: int) -> None:
    content = bytearray(hostile.declared_huge_many_rows(3))
    at = at % len(content)
    content[at : at + len(noise)] = noise
    refused = read_or_refused(bytes(content))
    assert refused is None or refused.errors


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list('ab,;\t"\r\n 1-/\x00é')), max_size=300))
def test_fuzzed_csv_is_read_or_refused(body: str) -> None:
    refused = read_or_refused(("license_number,course_number\n" + body).encode())
    assert refused is None or refused.errors


def test_a_part_that_is_not_xml_at_all_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", hostile.CONTENT_TYPES)
        archive.writestr("_rels/.rels", b"\x00\x01binary")
    with pytest.raises(TableError, match="malformed"):
        read_table(buffer.getvalue())


def test_a_file_that_takes_longer_than_the_time_limit_to_read_is_refused(settings: Any) -> None:
    settings.CLEE_IMPORT_READ_SECONDS = 0
    with pytest.raises(TableError, match="takes more than 0 seconds to read"):
        read_table(hostile.declared_huge_many_rows(3_000))
