"""The API against its own OpenAPI document (schemathesis): generated requests for every
operation, with a provider's token, an agency's token and an officer's session, never get a
500, and every response conforms to the document (status, content type, body).

With either kind of token every check of schemathesis runs, none excluded (issue 13): what the
document calls valid is accepted and what it calls invalid is refused. Two operations refuse
well-formed data by the rules and what is on file (a course whose split does not add up, a
roster naming an officer not on file): the document says so (422), and their positive check
counts that answer as the acceptance it is, as schemathesis itself counts 404 and 409. Roster
files are generated as CSV and XLSX tables (the document says a body is a file; a file that is
no table is the 400 of tests/imports/test_hostile_files.py)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import ignored_auth, negative_data_rejection

from tests.api.conftest import make_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


CSV = "text/csv"
COLUMNS = ("license_number", "course_number", "completion_date", "hours", "last_name", "title")
# Any value a roster cell may hold (the import judges it); never blank, so every row is a row.
CELLS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ./-]{0,11}", fullmatch=True)


@st.composite
def roster_rows(draw: Any) -> list[list[str]]:
    columns = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=len(COLUMNS), unique=True))
    rows = draw(
        st.lists(st.lists(CELLS, min_size=len(columns), max_size=len(columns)), min_size=1, max_size=4)
    )
    return [list(columns), *rows]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


schemathesis.openapi.media_type(CSV, roster_rows().map(_csv))
schemathesis.openapi.media_type(XLSX, roster_rows().map(_xlsx))

# Refused by the rules or what is on file, though well-formed (docs/api.md: 422).
RULE_CHECKED = ("/api/v1/courses/", "/api/v1/rosters/")
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-method": "POST",
                "include-path": path,
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
                    }
                },
            }
            for path in RULE_CHECKED
        ]
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), config=CONFIG)

EXAMPLES = 20


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
    """None with a token. With the officer's session cookie: the cookie is documented as the
    officer endpoint's credential, so schemathesis also sends requests without it or with a
    made-up one, expecting a refusal; the cookie given here is sent on every request and would
    turn those into valid ones. Refusals without a session are tested in test_access.py."""
    if "cookies" in credentials:
        return [ignored_auth, negative_data_rejection]
    return []


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
