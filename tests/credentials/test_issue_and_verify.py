"""Issuing Open Badges 3.0 credentials and checking them: CLEE's own verifier, from what CLEE
publishes (DID document, status lists), on good, changed, expired, revoked and foreign
credentials."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from clee.compliance.models import ComplianceResult
from clee.compliance.recompute import compliance_recompute
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.credentials.keys import key_file, signing_key_generate, signing_key_withdraw
from clee.credentials.models import IssuedCredential, SigningKey, StatusList
from clee.credentials.services import (
    course_credential_issue,
    credentials_revoke_stale,
    credit_reverse,
    period_credential_issue,
)
from clee.credentials.verification import credential_check

pytestmark = pytest.mark.django_db


def _failed(outcome: Any) -> dict[str, str]:
    return {check.name: check.detail for check in outcome.checks if not check.passed}


def test_a_course_credential_names_the_course_its_hours_areas_class_and_delivery(
    world: dict[str, Any], compliant_year: dict[str, Any], signing_key: SigningKey
) -> None:
    credential = course_credential_issue(record=compliant_year["short_record"], acting_user=world["alice"])
    document = json.loads(credential.document)
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"]["id"] == "did:web:127.0.0.1%3A8000"
    subject = document["credentialSubject"]
    assert {i["identityType"]: i["identityHash"] for i in subject["identifier"]} == {
        "name": "Alice Avery",
        "identifier": "P1000001",
    }
    assert subject["creditsEarned"] == 4.0
    achievement = subject["achievement"]
    assert (achievement["name"], achievement["humanCode"], achievement["achievementType"]) == (
        "Legal update and de-escalation",
        "CMA-101",
        "Course",
    )
    assert {a["targetName"]: a["targetDescription"] for a in achievement["alignment"]} == {
        "Legal Studies": "2 hours",
        "Interpersonal Perspectives": "2 hours including 1 h on de-escalation",
    }
    assert "Approved provider" in achievement["tag"]
    assert "Live, in person" in achievement["tag"]
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert document["credentialStatus"]["statusListCredential"].endswith(
        f"/credentials/status/{credential.status_list_id}"
    )
    # Asking again gives the same credential.
    again = course_credential_issue(record=compliant_year["short_record"], acting_user=world["alice"])
    assert again.pk == credential.pk
    assert again.document == credential.document
    assert AuditEvent.objects.filter(action="credentials.issue", object_id=str(credential.pk)).count() == 1


def test_clee_verifies_its_own_credential_and_says_what_is_wrong_with_a_changed_one(
    world: dict[str, Any], compliant_year: dict[str, Any], signing_key: SigningKey
) -> None:
    credential = course_credential_issue(record=compliant_year["short_record"], acting_user=world["alice"])
    outcome = credential_check(credential.document)
    assert outcome.valid, _failed(outcome)
    assert [check.name for check in outcome.checks] == ["Issuer", "Signature", "Dates", "Status"]
    changed = json.loads(credential.document)
    changed["credentialSubject"]["creditsEarned"] = 40.0
    outcome = credential_check(json.dumps(changed))
    assert not outcome.valid
    assert "changed after it was signed" in _failed(outcome)["Signature"]
    changed = json.loads(credential.document)
    changed["issuer"]["id"] = "did:web:elsewhere.example"
    assert "not by this program" in _failed(credential_check(json.dumps(changed)))["Issuer"]
    assert "not JSON" in credential_check("{not json").refused
    assert "not a W3C" in credential_check('{"type": ["Something"]}').refused


def test_a_credential_past_its_valid_until_is_expired(
    world: dict[str, Any], compliant_year: dict[str, Any], signing_key: SigningKey
) -> None:
    credential = course_credential_issue(record=compliant_year["short_record"], acting_user=world["alice"])
    assert credential.valid_until.year == 2029  # kept six years after 2023 (11 CSR 75-15.020)
    with time_machine.travel(dt.datetime(2030, 1, 2, tzinfo=dt.UTC)):
        outcome = credential_check(credential.document)
    assert "expired on December 31, 2029" in _failed(outcome)["Dates"]


def test_reversing_a_credit_revokes_its_credential_and_the_period_credential_it_made(
    world: dict[str, Any], compliant_year: dict[str, Any], signing_key: SigningKey
) -> None:
    course = course_credential_issue(record=compliant_year["short_record"], acting_user=world["alice"])
    period = period_credential_issue(
        officer=world["officer"], period=world["period"], acting_user=world["alice"]
    )
    assert json.loads(period.document)["credentialSubject"]["achievement"]["version"] == "MO-2023-v1"
    with pytest.raises(ServiceError, match="only POST staff"):
        credit_reverse(record=compliant_year["short_record"], reason="error", acting_user=world["dave"])
    with pytest.raises(ServiceError, match="say why"):
        credit_reverse(record=compliant_year["short_record"], reason="  ", acting_user=world["erin"])
    credit_reverse(
        record=compliant_year["short_record"],
        reason="entered for the wrong officer",
        acting_user=world["erin"],
    )
    course.refresh_from_db()
    assert course.revoked
    assert "wrong officer" in course.revoked_reason
    outcome = credential_check(course.document)
    assert outcome.revoked
    assert "REVOKED" in _failed(outcome)["Status"]
    # The period credential stands until the result changes; the recompute makes it deficient.
    assert credential_check(period.document).valid
    compliance_recompute(period=world["period"], officer_ids=[world["officer"].pk])
    assert (
        ComplianceResult.objects.get(officer=world["officer"], period=world["period"]).status == "deficient"
    )
    sweep = credentials_revoke_stale()
    assert sweep.revoked_periods == [str(period.credential_id)]
    assert "now deficient" in IssuedCredential.objects.get(pk=period.pk).revoked_reason
    assert credential_check(period.document).revoked
    assert credentials_revoke_stale().as_summary()["revoked"] == 0  # safe to run twice


def test_credentials_are_issued_only_for_accepted_records_and_certified_periods(
    world: dict[str, Any], compliant_year: dict[str, Any], signing_key: SigningKey
) -> None:
    record = compliant_year["short_record"]
    with pytest.raises(ServiceError, match="issued to the officer it names"):
        course_credential_issue(record=record, acting_user=world["bob"])
    credit_reverse(record=record, reason="duplicate entry", acting_user=world["erin"])
    with pytest.raises(ServiceError, match="rejected"):
        course_credential_issue(record=record, acting_user=world["alice"])
    compliance_recompute(period=world["period"], officer_ids=[world["officer"].pk])
    with pytest.raises(ServiceError, match="2023 is deficient"):
        period_credential_issue(officer=world["officer"], period=world["period"], acting_user=world["alice"])


def test_keys_live_in_files_outside_the_database_and_rotate(
    world: dict[str, Any], compliant_year: dict[str, Any], keys_dir: Path
) -> None:
    with pytest.raises(ServiceError, match="no signing key yet"):
        course_credential_issue(record=compliant_year["short_record"], acting_user=world["alice"])
    first = signing_key_generate()
    path = key_file(first.key_id)
    assert path.parent == keys_dir
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in path.read_bytes()
    assert "PRIVATE" not in first.public_key_multibase
    old = course_credential_issue(record=compliant_year["short_record"], acting_user=world["alice"])
    second = signing_key_generate()
    first.refresh_from_db()
    assert (first.status, second.status) == ("retired", "active")
    new = course_credential_issue(record=compliant_year["annual_record"], acting_user=world["alice"])
    assert json.loads(new.document)["proof"]["verificationMethod"].endswith(f"#{second.key_id}")
    assert credential_check(old.document).valid  # the retired key is still published
    signing_key_withdraw(key=first, reason="the backup tape was lost")
    assert "does not publish" in _failed(credential_check(old.document))["Signature"]
    assert credential_check(new.document).valid
    # Asked again, a credential signed with the withdrawn key is replaced by one that verifies.
    renewed = course_credential_issue(record=compliant_year["short_record"], acting_user=world["alice"])
    assert renewed.pk != old.pk
    assert credential_check(renewed.document).valid
    assert "signing key was withdrawn" in IssuedCredential.objects.get(pk=old.pk).revoked_reason
    # A key file that is not the registered key is refused, not used.
    key_file(second.key_id).unlink()
    key_file(first.key_id).rename(key_file(second.key_id))
    with pytest.raises(ServiceError, match="is not the registered signing key"):
        period_credential_issue(officer=world["officer"], period=world["period"], acting_user=world["alice"])


def test_the_did_document_and_status_list_are_published_for_anyone(
    client: Client, world: dict[str, Any], compliant_year: dict[str, Any], signing_key: SigningKey
) -> None:
    credential = course_credential_issue(record=compliant_year["short_record"], acting_user=world["alice"])
    did = client.get("/.well-known/did.json")
    assert did.status_code == 200
    assert did["Access-Control-Allow-Origin"] == "*"
    document = did.json()
    assert document["id"] == "did:web:127.0.0.1%3A8000"
    assert document["assertionMethod"] == [f"did:web:127.0.0.1%3A8000#{signing_key.key_id}"]
    listed = client.get(f"/credentials/status/{credential.status_list_id}")
    assert listed.status_code == 200
    assert "max-age=60" in listed["Cache-Control"]
    status_list = json.loads(listed.content)
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["credentialSubject"]["statusPurpose"] == "revocation"
    before = status_list["credentialSubject"]["encodedList"]
    credit_reverse(record=compliant_year["short_record"], reason="roster error", acting_user=world["erin"])
    after = json.loads(client.get(f"/credentials/status/{credential.status_list_id}").content)
    assert after["credentialSubject"]["encodedList"] != before
    assert StatusList.objects.get().published_revision == 1
    assert client.get("/credentials/status/999").status_code == 404


def test_the_key_command_generates_lists_ensures_and_withdraws(keys_dir: Path, db: Any) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("credential_keys", "ensure", stdout=out)
    key = SigningKey.objects.get()
    assert key_file(key.key_id).exists()
    call_command("credential_keys", "ensure", stdout=out)
    assert SigningKey.objects.count() == 1  # an active key with its file: nothing new
    call_command("credential_keys", "generate", stdout=out)
    call_command("credential_keys", "list", stdout=out)
    assert f"{key.key_id}  retired" in out.getvalue()
    call_command("credential_keys", "withdraw", key.key_id, "--reason", "exposed in a ticket", stdout=out)
    assert SigningKey.objects.get(pk=key.pk).status == "withdrawn"
    with pytest.raises(CommandError, match="already withdrawn"):
        call_command("credential_keys", "withdraw", key.key_id, "--reason", "again")
    with pytest.raises(CommandError, match="no signing key"):
        call_command("credential_keys", "withdraw", "key-nope", "--reason", "x")
