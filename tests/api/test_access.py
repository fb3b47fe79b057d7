"""Who may read what through the API: each token sees its own provider's or agency's things
only; anything else is the same 404 as a missing object, another kind of caller's endpoint a
403, no token or a revoked one a 401."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from clee.api.services import token_revoke
from clee.providers.models import Course
from tests import factories
from tests.api.conftest import Api, error_of, make_token


def other_provider_course() -> Course:
    other = factories.provider(number="LP-0099", name="Northern Regional Academy", credit_class="approved")
    return factories.course(provider=other, number="NRA-1", title="Report writing", hours=2)


def test_a_request_without_a_token_is_refused_with_401(world: dict[str, Any], anonymous_api: Api) -> None:
    response = anonymous_api.get("/api/v1/courses/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert error_of(response)["code"] == "not_authenticated"


def test_an_unknown_token_is_refused_with_401(world: dict[str, Any]) -> None:
    response = Api("clee_abcdefgh_not-a-real-secret").get("/api/v1/courses/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_a_revoked_token_is_refused(world: dict[str, Any]) -> None:
    from clee.api.models import ApiToken

    secret = make_token(world["dave"])
    api = Api(secret)
    assert api.get("/api/v1/courses/").status_code == 200
    token_revoke(token=ApiToken.objects.get(created_by=world["dave"]), acting_user=world["dave"])
    response = api.get("/api/v1/courses/")
    assert response.status_code == 401
    assert "revoked" in error_of(response)["message"]


def test_a_token_stops_working_when_its_creator_leaves_the_provider(world: dict[str, Any]) -> None:
    api = Api(make_token(world["dave"]))
    dave = world["dave"]
    dave.is_active = False
    dave.save(update_fields=["is_active"])
    assert api.get("/api/v1/courses/").status_code == 401


def test_a_providers_token_cannot_read_an_agencys_officers(world: dict[str, Any], provider_api: Api) -> None:
    for path in ("/api/v1/officers/", "/api/v1/officers/P1000001/"):
        response = provider_api.get(path)
        assert response.status_code == 403, path
        assert error_of(response)["code"] == "forbidden"
        assert "Alice" not in response.content.decode()


def test_an_agencys_token_cannot_use_a_providers_course_endpoints(
    world: dict[str, Any], agency_api: Api
) -> None:
    assert agency_api.get("/api/v1/courses/").status_code == 403
    assert agency_api.get(f"/api/v1/courses/{world['course'].pk}/").status_code == 403
    assert agency_api.get("/api/v1/offerings/").status_code == 403


def test_an_agencys_token_sees_only_the_officers_it_commissions_now(
    world: dict[str, Any], agency_api: Api, agency_b_api: Api
) -> None:
    former = factories.officer(
        license_number="P1000002",
        first_name="Ben",
        last_name="Boyd",
        date_of_birth=dt.date(1980, 1, 1),
        licensed_on=dt.date(2005, 1, 1),
    )
    factories.commission(
        officer=former, agency=world["agency_a"], start=dt.date(2010, 1, 1), end=dt.date(2019, 1, 1)
    )
    factories.commission(officer=former, agency=world["agency_b"], start=dt.date(2019, 1, 2))

    listed = agency_api.get("/api/v1/officers/").json()
    assert [o["license_number"] for o in listed["results"]] == ["P1000001"]
    assert agency_api.get("/api/v1/officers/P1000002/").status_code == 404

    other = agency_b_api.get("/api/v1/officers/").json()
    assert [o["license_number"] for o in other["results"]] == ["P1000002"]
    missing = agency_b_api.get("/api/v1/officers/P1000001/")
    never = agency_b_api.get("/api/v1/officers/NOSUCH1/")
    assert missing.status_code == never.status_code == 404
    assert missing.json() == never.json()


def test_another_providers_course_is_the_same_404_as_a_missing_one(
    world: dict[str, Any], provider_api: Api
) -> None:
    theirs = other_provider_course()
    response = provider_api.get(f"/api/v1/courses/{theirs.pk}/")
    missing = provider_api.get("/api/v1/courses/987654/")
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()
    listed = provider_api.get("/api/v1/courses/").json()
    assert [c["number"] for c in listed["results"]] == ["CMA-101"]


def test_another_callers_roster_submission_is_a_404(
    world: dict[str, Any], provider_api: Api, agency_api: Api
) -> None:
    rows = {
        "rows": [{"license_number": "P1000001", "course_number": "CMA-101", "completion_date": "2023-03-01"}]
    }
    created = provider_api.post("/api/v1/rosters/", rows, key="roster-1")
    assert created.status_code == 201
    submission_id = created.json()["id"]
    assert provider_api.get(f"/api/v1/rosters/{submission_id}/").status_code == 200
    assert agency_api.get(f"/api/v1/rosters/{submission_id}/").status_code == 404
    assert agency_api.get("/api/v1/rosters/").json()["count"] == 0
    other = other_provider_course().provider
    from clee.accounts.models import User

    stranger = User.objects.create_user(username="olga", password="x" * 20, role="provider", provider=other)
    assert Api(make_token(stranger)).get(f"/api/v1/rosters/{submission_id}/").status_code == 404


def test_the_license_lookup_gives_no_more_than_a_roster_needs(
    world: dict[str, Any], provider_api: Api
) -> None:
    response = provider_api.get("/api/v1/licenses/", {"number": ["p1000001", "P9999999"]})
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "license_number": "P1000001",
            "found": True,
            "first_initial": None,  # no name to a caller that does not commission the officer
            "last_name": None,
            "active": True,
        },
        {
            "license_number": "P9999999",
            "found": False,
            "first_initial": None,
            "last_name": None,
            "active": False,
        },
    ]
    assert "1988" not in response.content.decode()
    assert "alice@" not in response.content.decode()


def test_an_officer_reads_their_own_transcript_with_their_session(
    world: dict[str, Any], provider_api: Api, django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    rows = {
        "rows": [{"license_number": "P1000001", "course_number": "CMA-101", "completion_date": "2023-05-01"}]
    }
    with django_capture_on_commit_callbacks(execute=True):  # marked stale; a worker recomputes it
        assert provider_api.post("/api/v1/rosters/", rows, key="may").status_code == 201
    run_worker()
    client = Client()
    assert client.get("/api/v1/me/").status_code == 401
    client.force_login(world["alice"])
    body = client.get("/api/v1/me/").json()
    assert body["license_number"] == "P1000001"
    assert body["period"]["year"] == 2023
    assert [r["course_number"] for r in body["records"]] == ["CMA-101"]
    assert body["records"][0]["hours"] == "4.00"
    assert body["result"]["counted_hours"] == "4.00"


def test_other_roles_sessions_and_tokens_cannot_read_an_officers_own_record(
    world: dict[str, Any], agency_api: Api
) -> None:
    client = Client()
    client.force_login(world["bob"])
    assert client.get("/api/v1/me/").status_code == 403
    # The officer endpoint takes a session only: a token is not a way in.
    assert agency_api.get("/api/v1/me/").status_code == 401
    # And the token endpoints take no session: a signed-in administrator's browser is not a token.
    assert client.get("/api/v1/officers/").status_code == 401
