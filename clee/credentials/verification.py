"""Checking a credential the way another state or an employer would, from what CLEE publishes:
its DID document (the published keys) and its status lists, never from the table of issued
credentials. ``credential_check`` reads a pasted credential (JSON) and says, for each check,
whether it passed and why not: that it is CLEE's, its signature, its dates, its status.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from clee.credentials.bitstring import BitstringError, bit_at, decode
from clee.credentials.contexts import OB_V3, VC_V2
from clee.credentials.identity import issuer_did, site_url
from clee.credentials.keys import published_public_keys
from clee.credentials.models import StatusList
from clee.credentials.proofs import ProofError, parse_datetime, proof_verify
from clee.credentials.services import status_list_published

# A credential CLEE issues is a few kilobytes; anything much larger is not one.
MAX_CHARS = 64 * 1024
STATUS_PATH = re.compile(r"^/credentials/status/(\d+)$")


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class CredentialCheck:
    """The outcome: ``valid`` only when every check passed."""

    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    revoked: bool = False
    refused: str = ""  # the credential could not be read at all

    @property
    def valid(self) -> bool:
        return not self.refused and bool(self.checks) and all(check.passed for check in self.checks)

    def add(self, name: str, passed: bool, detail: str) -> bool:
        self.checks.append(Check(name, passed, detail))
        return passed

    # What the page shows of the credential.
    @property
    def subject(self) -> dict[str, Any]:
        subject = (self.credential or {}).get("credentialSubject")
        return subject if isinstance(subject, dict) else {}

    @property
    def identity(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for item in self.subject.get("identifier") or []:
            if isinstance(item, dict) and not item.get("hashed"):
                found[str(item.get("identityType"))] = str(item.get("identityHash", ""))
        return found

    @property
    def achievement(self) -> dict[str, Any]:
        achievement = self.subject.get("achievement")
        return achievement if isinstance(achievement, dict) else {}


def _parse(text: str) -> dict[str, Any] | str:
    if len(text) > MAX_CHARS:
        return f"this is {len(text):,} characters; a CLEE credential is at most {MAX_CHARS:,}"
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return f"this is not JSON (line {error.lineno}, column {error.colno}: {error.msg})"
    if not isinstance(document, dict):
        return "this is JSON, but not a credential (a credential is a JSON object)"
    return document


def credential_check(text: str, *, now: dt.datetime | None = None) -> CredentialCheck:
    """Check a credential given as JSON text."""
    now = now or timezone.now()
    outcome = CredentialCheck()
    document = _parse(text.strip())
    if isinstance(document, str):
        outcome.refused = document
        return outcome
    outcome.credential = document
    context = document.get("@context")
    types = document.get("type") or []
    if not (isinstance(context, list) and context[:1] == [VC_V2]) or "VerifiableCredential" not in types:
        outcome.refused = "this is not a W3C Verifiable Credential 2.0 (its @context or type is not one)"
        return outcome
    if OB_V3 not in context or "OpenBadgeCredential" not in types:
        outcome.refused = "this is a verifiable credential, but not an Open Badges 3.0 credential from CLEE"
        return outcome
    did = issuer_did()
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not outcome.add(
        "Issuer",
        issuer_id == did,
        f"issued by {did}, this program"
        if issuer_id == did
        else f"issued by {str(issuer_id)[:120]}, not by this program ({did})",
    ):
        return outcome
    _check_signature(outcome, document, did, now)
    _check_dates(outcome, document, now)
    _check_status(outcome, document, did, now)
    return outcome


def _check_signature(outcome: CredentialCheck, document: dict[str, Any], did: str, now: dt.datetime) -> None:
    try:
        checked = proof_verify(document, public_keys=published_public_keys(did), now=now)
    except ProofError as error:
        outcome.add("Signature", False, str(error)[:1].upper() + str(error)[1:])
        return
    key = checked.verification_method.rsplit("#", 1)[-1]
    outcome.add(
        "Signature",
        True,
        f"signed by the program's key {key} on {timezone.localtime(checked.created):%B %-d, %Y}",
    )


def _check_dates(outcome: CredentialCheck, document: dict[str, Any], now: dt.datetime) -> None:
    valid_from = parse_datetime(document.get("validFrom"))
    valid_until = parse_datetime(document.get("validUntil")) if "validUntil" in document else None
    if valid_from is None:
        outcome.add("Dates", False, "the credential has no valid validFrom date")
    elif valid_from > now + dt.timedelta(minutes=5):
        outcome.add(
            "Dates", False, f"the credential is not valid before {timezone.localtime(valid_from):%B %-d, %Y}"
        )
    elif "validUntil" in document and valid_until is None:
        outcome.add("Dates", False, "the credential's validUntil is not a date")
    elif valid_until is not None and valid_until < now:
        outcome.add("Dates", False, f"the credential expired on {timezone.localtime(valid_until):%B %-d, %Y}")
    else:
        until = f" until {timezone.localtime(valid_until):%B %-d, %Y}" if valid_until else ""
        outcome.add("Dates", True, f"valid from {timezone.localtime(valid_from):%B %-d, %Y}{until}")


def _check_status(outcome: CredentialCheck, document: dict[str, Any], did: str, now: dt.datetime) -> None:
    entry = document.get("credentialStatus")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        outcome.add(
            "Status", False, "the credential has no status entry, so it cannot be checked for revocation"
        )
        return
    url = str(entry.get("statusListCredential", ""))
    prefix = site_url()
    match = STATUS_PATH.match(url[len(prefix) :]) if url.startswith(prefix) else None
    status_list = StatusList.objects.filter(pk=int(match.group(1))).first() if match else None
    if status_list is None or entry.get("statusPurpose") != status_list.purpose:
        outcome.add("Status", False, "the credential's status list is not one this program publishes")
        return
    try:
        index = int(str(entry.get("statusListIndex")))
        published = json.loads(status_list_published(status_list=status_list))
        proof_verify(published, public_keys=published_public_keys(did), now=now)
        revoked = bit_at(decode(published["credentialSubject"]["encodedList"]), index)
    except (ValueError, KeyError, BitstringError, ProofError) as error:
        outcome.add("Status", False, f"the status list cannot be read: {error}")
        return
    outcome.revoked = revoked
    checked = f"status list {status_list.pk} as published at {timezone.localtime(now):%-I:%M %p}"
    if revoked:
        outcome.add("Status", False, f"REVOKED by the program ({checked})")
    else:
        outcome.add("Status", True, f"not revoked ({checked})")
