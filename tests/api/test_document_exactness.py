"""The places where the OpenAPI document and the server disagreed (security review, issue 13),
each now said by the document and done by the server: a query string too long is a 414 in the
API's shape, the Idempotency-Key is required and never empty, hours are a decimal string (never
""), a roster body is never empty, JSON rows use the roster's column names only. Schemathesis
checks the rest (test_openapi_conformance.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import Api, error_of, provider_api
from tests.api.test_courses import submission

pytestmark = pytest.mark.django_db
__all__ = ["provider_api"]  # a fixture, used by name

ROW = {"license_number": "P1000001", "course_number": "CMA-101", "completion_date": "2023-03-14"}


def document() -> dict[str, Any]:
    response = Client(HTTP_HOST="localhost").get("/api/schema/?format=json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def test_a_query_string_too_long_is_a_documented_414(world: dict[str, Any], provider_api: Api) -> None:
    response = provider_api.get("/api/v1/courses/?status=" + "x" * 8001)
    assert response.status_code == 414
    assert error_of(response)["code"] == "uri_too_long"
    operations = document()["paths"]
    assert all("414" in operation["responses"] for path in operations.values() for operation in path.values())


def test_two_hundred_license_numbers_fit_in_the_query_string(
    world: dict[str, Any], provider_api: Api
) -> None:
    numbers = [f"P{n:019d}" for n in range(200)]  # the longest license numbers the document allows
    response = provider_api.get("/api/v1/licenses/", {"number": numbers})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 200


@pytest.mark.parametrize("key", ["", "has space", "é" * 3, "x" * 256])
def test_an_idempotency_key_is_required_and_visible_ascii(
    world: dict[str, Any], provider_api: Api, key: str
) -> None:
    response = provider_api.post("/api/v1/rosters/", {"rows": [ROW]}, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert "Idempotency-Key" in error_of(response)["fields"]
    parameters = document()["paths"]["/api/v1/rosters/"]["post"]["parameters"]
    key_parameter = next(p for p in parameters if p["name"] == "Idempotency-Key")
    assert key_parameter["required"] is True
    assert key_parameter["schema"]["minLength"] == 1


def test_a_dry_run_needs_a_key_too(world: dict[str, Any]) -> None:
    from tests.api.conftest import make_token

    client = Client()
    response = client.post(
        "/api/v1/rosters/?dry_run=true",
        {"rows": [ROW]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {make_token(world['dave'])}"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("hours", ["", " 4", "4.567", "0", "0.00", "10000", 4])
def test_hours_are_a_decimal_string_as_the_document_says(
    world: dict[str, Any], provider_api: Api, hours: Any
) -> None:
    response = provider_api.post("/api/v1/courses/", submission(hours=hours))
    assert response.status_code == 400
    assert "hours" in error_of(response)["fields"]


def test_an_empty_roster_file_is_a_400_and_the_document_says_a_file_is_not_empty(
    world: dict[str, Any], provider_api: Api
) -> None:
    response = provider_api.post("/api/v1/rosters/", b"", content_type="text/csv", key="empty")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = document()["paths"]["/api/v1/rosters/"]["post"]["requestBody"]["content"]
    assert body["text/csv"]["schema"]["minLength"] == 1


def test_json_rows_use_the_rosters_column_names_only(world: dict[str, Any], provider_api: Api) -> None:
    response = provider_api.post("/api/v1/rosters/", {"rows": [{**ROW, "hours ": "4"}]}, key="k1")
    assert response.status_code == 400
    rows = document()["components"]["schemas"]["RosterRowsRequest"]
    assert rows["additionalProperties"] is False
    assert rows["properties"]["rows"]["items"]["additionalProperties"] is False
