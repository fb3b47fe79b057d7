"""Completion rosters through the API: the import service's checks and all-or-nothing
writes, JSON rows or a CSV/XLSX body, and the Idempotency-Key that makes a retry safe."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection

from clee.api.models import RosterSubmission
from clee.core.models import AuditEvent
from clee.training.models import ImportBatch, TrainingRecord
from tests.api.conftest import Api, error_of
from tests.imports.files import ROSTER, csv_file, xlsx_file
from tests.threads import in_thread, result

ROW = {"license_number": "P1000001", "course_number": "CMA-101", "completion_date": "2023-03-01"}


def written() -> tuple[int, int, int]:
    return TrainingRecord.objects.count(), ImportBatch.objects.count(), RosterSubmission.objects.count()


def test_a_roster_of_json_rows_is_recorded_and_audited_as_the_tokens_creator(
    world: dict[str, Any], provider_api: Api
) -> None:
    response = provider_api.post("/api/v1/rosters/", {"rows": [ROW]}, key="2023-03-roster")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["rows"], body["added"], body["already_present"], body["errors"]) == (
        "applied",
        1,
        1,
        0,
        [],
    )
    assert response["Location"] == f"/api/v1/rosters/{body['id']}/"
    record = TrainingRecord.objects.get()
    assert (record.officer, record.course, record.entered_by) == (
        world["officer"],
        world["course"],
        world["dave"],
    )
    events = AuditEvent.objects.filter(action__in=["imports.roster_apply", "api.roster_submit"])
    assert {(e.action, e.actor) for e in events} == {
        ("imports.roster_apply", world["dave"]),
        ("api.roster_submit", world["dave"]),
    }
    assert provider_api.get(f"/api/v1/rosters/{body['id']}/").json() == body


def test_a_retried_roster_with_the_same_key_returns_the_first_result_and_adds_nothing(
    world: dict[str, Any], provider_api: Api
) -> None:
    first = provider_api.post("/api/v1/rosters/", {"rows": [ROW]}, key="retry-me")
    counts, audit = written(), AuditEvent.objects.count()
    # The same rows in other JSON spacing are the same request.
    again = provider_api.post("/api/v1/rosters/", json.dumps({"rows": [ROW]}, indent=4), key="retry-me")
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert (written(), AuditEvent.objects.count()) == (counts, audit)


def test_the_same_key_with_another_roster_is_refused(world: dict[str, Any], provider_api: Api) -> None:
    provider_api.post("/api/v1/rosters/", {"rows": [ROW]}, key="once")
    counts = written()
    response = provider_api.post(
        "/api/v1/rosters/", {"rows": [{**ROW, "completion_date": "2023-04-01"}]}, key="once"
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "idempotency_key_reused"
    assert written() == counts


def test_a_key_belongs_to_its_caller_not_to_everyone(
    world: dict[str, Any], provider_api: Api, agency_api: Api
) -> None:
    assert provider_api.post("/api/v1/rosters/", {"rows": [ROW]}, key="shared-name").status_code == 201
    agency_row = {
        "license_number": "P1000001",
        "title": "Roll call",
        "completion_date": "2023-03-02",
        "hours": "1",
        "legal_studies": "1",
    }
    response = agency_api.post("/api/v1/rosters/", {"rows": [agency_row]}, key="shared-name")
    assert response.status_code == 201, response.content
    assert TrainingRecord.objects.count() == 2


def test_a_roster_with_a_bad_row_records_nothing_and_names_every_error(
    world: dict[str, Any], provider_api: Api
) -> None:
    rows = [ROW, {**ROW, "license_number": "P7777777"}, {**ROW, "completion_date": "2023-02-30"}]
    response = provider_api.post("/api/v1/rosters/", {"rows": rows}, key="bad")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_rows"
    assert [(r["row"], r["field"]) for r in error["rows"]] == [(3, "license_number"), (4, "completion_date")]
    assert TrainingRecord.objects.count() == ImportBatch.objects.count() == 0
    status = provider_api.get(f"/api/v1/rosters/{error['submission_id']}/").json()
    assert (status["status"], status["added"], status["batch_id"]) == ("rejected", 0, None)
    assert status["errors"] == error["rows"]
    # Retried: the same refusal, still nothing written.
    again = provider_api.post("/api/v1/rosters/", {"rows": rows}, key="bad")
    assert (again.status_code, again.json()) == (422, response.json())
    assert TrainingRecord.objects.count() == 0


def test_a_csv_body_and_an_xlsx_body_are_read_like_an_upload(
    world: dict[str, Any], provider_api: Api
) -> None:
    as_csv = csv_file(ROSTER, ("P1000001", "CMA-101", "2023-03-01"))
    response = provider_api.post("/api/v1/rosters/", as_csv, key="csv", content_type="text/csv")
    assert (response.status_code, response.json()["added"]) == (201, 1)
    as_xlsx = xlsx_file(ROSTER, ("P1000001", "CMA-101", "2023-03-02"))
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = provider_api.post("/api/v1/rosters/", as_xlsx, key="xlsx", content_type=xlsx_type)
    assert (response.status_code, response.json()["added"]) == (201, 1)
    # A roster already on file, sent under a new key: accepted, nothing added.
    response = provider_api.post("/api/v1/rosters/", as_csv, key="csv-again", content_type="text/csv")
    assert (response.json()["added"], response.json()["already_present"]) == (0, 1)
    assert TrainingRecord.objects.count() == 2


def test_a_dry_run_checks_the_roster_and_records_nothing(world: dict[str, Any], provider_api: Api) -> None:
    response = provider_api.post(
        "/api/v1/rosters/?dry_run=true", {"rows": [ROW, {**ROW, "course_number": "NOPE"}]}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["rows"], body["would_add"]) == (True, 2, 1)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "course_number")]
    assert written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "key", "field"),
    [
        ({"rows": [ROW]}, None, "Idempotency-Key"),
        ({"rows": []}, "k", "rows"),
        ({"rows": [ROW], "extra": 1}, "k", "rows"),
        ({"rows": [{**ROW, "hours": True}]}, "k", "rows[0].hours"),
        ({"rows": [{"license_number": None}]}, "k", "rows[0].license_number"),
        ({"rows": [{"License Number": "P1"}]}, "k", "rows[0].License Number"),
        ({"rows": [{"hour": "2"}]}, "k", "rows[0].hour"),
        ({"rows": [{}]}, "k", "rows[0]"),
        ({"rows": [ROW, ["P1"]]}, "k", "rows[1]"),
    ],
)
def test_a_malformed_request_is_a_400_naming_the_input(
    world: dict[str, Any], provider_api: Api, body: Any, key: str | None, field: str
) -> None:
    response = provider_api.post("/api/v1/rosters/", body, key=key)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert written() == (0, 0, 0)


def test_a_request_without_a_body_is_a_400_saying_a_roster_is_missing(
    world: dict[str, Any], provider_api: Api
) -> None:
    """With no body (and so no content type) DRF reads an empty form: the answer names the missing
    roster, as for an empty file, and the document says the body is required."""
    from django.test import Client

    headers = {**provider_api.headers, "Idempotency-Key": "k"}
    for response in (
        Client().generic("POST", "/api/v1/rosters/", b"", content_type="", headers=headers),
        provider_api.post("/api/v1/rosters/", "", key="k", content_type="text/csv"),
    ):
        assert response.status_code == 400
        assert error_of(response)["fields"] == {
            "body": ["the request has no roster: send JSON rows, a CSV or an XLSX file"]
        }
    assert written() == (0, 0, 0)
    document = provider_api.client.get("/api/schema/?format=json").json()
    assert document["paths"]["/api/v1/rosters/"]["post"]["requestBody"]["required"] is True


def test_json_that_does_not_parse_is_a_400_and_another_media_type_a_415(
    world: dict[str, Any], provider_api: Api
) -> None:
    response = provider_api.post("/api/v1/rosters/", "{not json", key="k")
    assert (response.status_code, error_of(response)["code"]) == (400, "malformed")
    response = provider_api.post("/api/v1/rosters/", "<rows/>", key="k", content_type="application/xml")
    assert (response.status_code, error_of(response)["code"]) == (415, "unsupported_media_type")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_requests_with_one_key_at_once_record_the_roster_once(
    world: dict[str, Any], provider_api: Api
) -> None:
    rows = {"rows": [{**ROW, "completion_date": f"2023-03-{day:02d}"} for day in range(1, 29)]}
    first = in_thread(lambda: provider_api.post("/api/v1/rosters/", rows, key="twice"))
    second = in_thread(lambda: provider_api.post("/api/v1/rosters/", rows, key="twice"))
    responses = [result(*first), result(*second)]
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert (
        TrainingRecord.objects.count(),
        ImportBatch.objects.count(),
        RosterSubmission.objects.count(),
    ) == (28, 1, 1)


def test_a_roster_that_keeps_meeting_other_writers_is_a_409_and_records_nothing(
    world: dict[str, Any], provider_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    import clee.api.services as services

    def always_beaten(**kwargs: Any) -> Any:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "import_apply", always_beaten)
    response = provider_api.post("/api/v1/rosters/", {"rows": [ROW]}, key="busy")
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"
    assert written() == (0, 0, 0)


def test_a_request_larger_than_a_roster_can_be_is_refused_before_it_is_read(
    world: dict[str, Any], provider_api: Api
) -> None:
    response = provider_api.post(
        "/api/v1/rosters/",
        b"x",
        key="huge",
        content_type="text/csv",
        headers={"Content-Length": str(61 * 2**20)},
    )
    assert response.status_code == 400
    assert "at most 60 MB" in error_of(response)["fields"]["body"][0]


def test_json_rows_reach_the_import_service_as_sent_not_through_a_csv_file() -> None:
    from rest_framework.parsers import JSONParser
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from clee.api.rosters import roster_body

    tricky = 'CMA,"7"\r\nnext line'
    rows = [{**ROW, "license_number": "0012345", "hours": 4}, {**ROW, "course_number": tricky, "hours": 2.5}]
    request = APIRequestFactory().post("/api/v1/rosters/", {"rows": rows}, format="json")
    body = roster_body(Request(request, parsers=[JSONParser()]))
    table = body.table("API roster k.json")
    assert (table.format, table.name, body.is_file) == ("rows", "API roster k.json", False)
    assert [row.number for row in table.rows] == [2, 3]  # JSON row i is row i + 2
    assert [row.values for row in table.rows] == rows
    assert [type(row.get("hours")) for row in table.rows] == [int, float]


def test_a_json_value_with_commas_quotes_and_line_breaks_is_checked_as_sent(
    world: dict[str, Any], provider_api: Api
) -> None:
    tricky = 'CMA,"7"\nnext line'
    rows = [ROW, {**ROW, "course_number": tricky}]
    response = provider_api.post("/api/v1/rosters/?dry_run=true", {"rows": rows})
    assert response.status_code == 200
    assert response.json()["errors"] == [
        {
            "row": 3,
            "field": "course_number",
            "reason": f"provider {world['provider'].number} has no course numbered {tricky}",
        }
    ]
