"""The API against its own OpenAPI document (schemathesis): generated requests for every
operation, with a provider's token, an agency's token and an officer's session, never get a
500, and every response conforms to the document (status, content type, body)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, negative_data_rejection, positive_data_acceptance

from tests.api.conftest import make_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@schemathesis.serializer(XLSX)
def xlsx_body(ctx: Any, value: Any) -> bytes:
    """A generated XLSX body is bytes (or text) sent as it is: the API must refuse what is not
    a workbook with a clear error, never fail."""
    return value if isinstance(value, bytes) else str(value).encode()


schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())

EXAMPLES = 20
# A course or a roster can be well-formed and still refused by the rules (hours that do not add
# up, an officer not on file): 422, which the "schema-valid request accepted" check counts as a
# failure. Those two operations are checked by every other check, and their refusals by tests
# of their own (test_courses.py, test_rosters.py).
RULE_CHECKED = {("POST", "/api/v1/courses/"), ("POST", "/api/v1/rosters/")}
# A query parameter that is an array of strings: every value in a query string is text, so the
# "negative" values schemathesis makes of another type (false, null, 12) are well-formed license
# numbers that are simply not on file (schemathesis issue #3056). Which values hypothesis tries
# depends on the constants of the code base, so any change elsewhere could bring one up.
STRING_ARRAY_QUERY = {("GET", "/api/v1/licenses/")}


@pytest.fixture(autouse=True)
def one_connection_for_the_test() -> Any:
    """Requests go straight to the WSGI application, whose end-of-request signal would close
    the test's database connection (inside the test's transaction); Django's test client
    unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["provider", "agency", "officer"])
def credentials(request: pytest.FixtureRequest, world: dict[str, Any]) -> dict[str, Any]:
    """What each kind of caller sends: a token's header, or an officer's session cookie."""
    if request.param == "officer":
        client = Client()
        client.force_login(world["alice"])
        return {"cookies": {"sessionid": client.cookies["sessionid"].value}}
    user = world["dave"] if request.param == "provider" else world["bob"]
    return {"headers": {"Authorization": f"Bearer {make_token(user)}"}}


def excluded(case: Any, credentials: dict[str, Any]) -> list[Any]:
    checks = []
    if (case.method.upper(), case.path) in RULE_CHECKED:
        checks.append(positive_data_acceptance)
    if (case.method.upper(), case.path) in STRING_ARRAY_QUERY:
        checks.append(negative_data_rejection)
    if "cookies" in credentials:
        # The session cookie is documented as the officer endpoint's credential, so schemathesis
        # also sends requests without it or with a made-up one, expecting a refusal; the cookie
        # given here is sent on every request and would turn those into valid ones. Refusals
        # without a session are tested in test_access.py.
        checks += [ignored_auth, negative_data_rejection]
    return checks


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_response_conforms_to_the_document(
    case: Any, credentials: dict[str, Any], settings: Any
) -> None:
    settings.CLEE_API_RATE = "100000/minute"
    case.call_and_validate(**credentials, excluded_checks=excluded(case, credentials))
