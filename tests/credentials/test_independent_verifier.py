"""CLEE's credentials checked by another implementation: Digital Bazaar's verifier from the npm
registry (tests/credentials/verify_vc.mjs), reading the DID document and status list CLEE
serves, over HTTP, from the live test server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clee.compliance.recompute import compliance_recompute
from clee.credentials.models import SigningKey
from clee.credentials.services import (
    course_credential_issue,
    credentials_revoke_stale,
    credit_reverse,
    period_credential_issue,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served(settings: Any, live_server: Any) -> str:
    """Credentials name the live server as their site (and so their did:web)."""
    settings.CLEE_SITE_URL = live_server.url
    return str(live_server.url)


def test_the_independent_verifier_accepts_clee_credentials_and_sees_their_revocation(
    served: str,
    world: dict[str, Any],
    compliant_year: dict[str, Any],
    signing_key: SigningKey,
    independent_verifier: Any,
) -> None:
    course = course_credential_issue(record=compliant_year["short_record"], acting_user=world["alice"])
    period = period_credential_issue(
        officer=world["officer"], period=world["period"], acting_user=world["alice"]
    )
    assert json.loads(course.document)["issuer"]["id"].startswith("did:web:localhost%3A")
    for credential in (course, period):
        answer = independent_verifier(credential.document)
        assert answer == {"verified": True, "revoked": False, "error": ""}, answer

    changed = json.loads(course.document)
    changed["credentialSubject"]["achievement"]["creditsAvailable"] = 40.0
    answer = independent_verifier(json.dumps(changed))
    assert answer["verified"] is False
    assert answer["error"]

    credit_reverse(
        record=compliant_year["short_record"],
        reason="the roster named the wrong officer",
        acting_user=world["erin"],
    )
    compliance_recompute(period=world["period"], officer_ids=[world["officer"].pk])
    credentials_revoke_stale()
    for credential in (course, period):
        answer = independent_verifier(credential.document)
        assert answer["revoked"] is True, answer
