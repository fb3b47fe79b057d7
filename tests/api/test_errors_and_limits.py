"""One error shape for every status; the rate limit per token; pages of at most 200; the
documentation page and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from clee.api.models import ApiToken, RateCount
from clee.api.throttling import parse_rate
from clee.officers.models import Commission, Officer
from tests.api.conftest import Api, error_of, make_token


def test_a_method_an_endpoint_does_not_take_is_a_405_in_the_one_shape(
    world: dict[str, Any], provider_api: Api
) -> None:
    response = provider_api.client.delete("/api/v1/courses/", headers=provider_api.headers)
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_an_unknown_path_under_the_api_is_a_json_404(world: dict[str, Any], provider_api: Api) -> None:
    response = provider_api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_an_unknown_query_parameter_is_refused_not_ignored(world: dict[str, Any], agency_api: Api) -> None:
    response = agency_api.get("/api/v1/officers/", {"stauts": "deficient"})
    assert response.status_code == 400
    assert "stauts" in error_of(response)["fields"]


def test_a_failure_of_the_server_is_a_500_in_the_one_shape(
    world: dict[str, Any], provider_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clee.api import selectors

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(selectors, "licenses", broken)
    response = provider_api.get("/api/v1/licenses/", {"number": "P1000001"})
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error"
    assert "disk on fire" not in error["message"]


def test_a_token_over_its_rate_is_told_when_to_come_back(world: dict[str, Any], settings: Any) -> None:
    settings.CLEE_API_RATE = "3/minute"
    api, other = Api(make_token(world["dave"])), Api(make_token(world["bob"]))
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC), tick=False):
        assert [api.get("/api/v1/courses/").status_code for _ in range(3)] == [200, 200, 200]
        response = api.get("/api/v1/courses/")
        assert response.status_code == 429
        assert error_of(response)["code"] == "throttled"
        assert response["Retry-After"] == "45"  # the next minute starts at 9:01:00
        # Counted per token: another token is not slowed down.
        assert other.get("/api/v1/officers/").status_code == 200
    # The count is in the database, shared by every web process: one row per token and window,
    # and one per organisation (provider or agency) and window.
    assert sorted(RateCount.objects.values_list("count", flat=True)) == [1, 1, 4, 4]
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 1, 0, tzinfo=dt.UTC), tick=False):
        assert api.get("/api/v1/courses/").status_code == 200
    # A new window clears the caller's older one.
    assert sorted(RateCount.objects.values_list("count", flat=True)) == [1, 1, 1, 1]


@pytest.mark.parametrize("rate", ["600/fortnight", "many/minute", "0/second", "600"])
def test_a_rate_setting_that_cannot_be_read_is_named(rate: str) -> None:
    with pytest.raises(ValueError, match="CLEE_API_RATE is"):
        parse_rate(rate)


def test_rates_are_read_in_any_period() -> None:
    assert parse_rate("600/minute") == (600, 60)
    assert parse_rate("10/second") == (10, 1)
    assert parse_rate("5000/hours") == (5000, 3600)
    assert parse_rate("100000/day") == (100000, 86400)


def test_last_use_is_written_at_most_once_a_minute(world: dict[str, Any], provider_api: Api) -> None:
    provider_api.get("/api/v1/courses/")
    first = ApiToken.objects.get().last_used_at
    provider_api.get("/api/v1/courses/")
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - dt.timedelta(minutes=2))  # type: ignore[operator]
    provider_api.get("/api/v1/courses/")
    assert ApiToken.objects.get().last_used_at > first  # type: ignore[operator]


def commission_officers(agency: Any, count: int) -> None:
    officers = Officer.objects.bulk_create(
        Officer(
            license_number=f"Q{n:07d}",
            first_name="Pat",
            last_name=f"Zeller{n:04d}",
            date_of_birth=dt.date(1990, 1, 1),
            licensed_on=dt.date(2015, 1, 1),
        )
        for n in range(count)
    )
    Commission.objects.bulk_create(
        Commission(officer=o, agency=agency, start=dt.date(2016, 1, 1)) for o in officers
    )


def test_officers_come_in_pages_of_at_most_200_in_name_order(
    world: dict[str, Any], agency_api: Api, django_assert_max_num_queries: Any
) -> None:
    commission_officers(world["agency_a"], 250)
    # token, its last use, the rate count, count, page: never one per officer
    with django_assert_max_num_queries(7):
        first = agency_api.get("/api/v1/officers/", {"page_size": 200}).json()
    assert (first["count"], len(first["results"])) == (251, 200)
    assert first["results"][0]["license_number"] == "P1000001"  # Avery before Zeller
    second = agency_api.get(first["next"]).json()
    assert len(second["results"]) == 51
    assert second["next"] is None
    too_big = agency_api.get("/api/v1/officers/", {"page_size": 201})
    assert too_big.status_code == 400
    assert "page_size" in error_of(too_big)["fields"]
    past_the_end = agency_api.get("/api/v1/officers/", {"page": 9})
    assert past_the_end.status_code == 404


def test_officers_are_filtered_by_their_result(world: dict[str, Any], agency_api: Api) -> None:
    from clee.compliance.recompute import compliance_recompute

    compliance_recompute(period=world["period"], officer_ids={world["officer"].pk})
    deficient = agency_api.get("/api/v1/officers/", {"status": "deficient"}).json()
    assert [o["license_number"] for o in deficient["results"]] == ["P1000001"]
    result = deficient["results"][0]["result"]
    assert result["status"] == "deficient"
    assert result["counted_hours"] == "0.00"
    assert agency_api.get("/api/v1/officers/", {"status": "compliant"}).json()["count"] == 0
    detail = agency_api.get("/api/v1/officers/P1000001/").json()
    assert detail["result"]["requirements"]
    assert detail["result"]["computed_at"]
    assert agency_api.get("/api/v1/officers/", {"period": 1999}).status_code == 404


def test_the_documentation_page_lists_every_endpoint_and_loads_nothing_from_elsewhere(
    world: dict[str, Any],
) -> None:
    page = Client().get("/api/docs/").content.decode()
    for path in (
        "/api/v1/licenses/",
        "/api/v1/courses/",
        "/api/v1/rosters/",
        "/api/v1/officers/",
        "/api/v1/me/",
    ):
        assert path in page
    assert "Idempotency-Key" in page
    assert "cdn" not in page.lower()
    assert 'src="http' not in page


def test_the_openapi_document_is_served_as_json_and_yaml(world: dict[str, Any]) -> None:
    document = Client().get("/api/schema/?format=json").json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/rosters/" in document["paths"]
    assert document["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    assert Client().get("/api/schema/").content.startswith(b"openapi: 3")
