"""Issuing, revoking and publishing verifiable credentials.

- ``course_credential_issue`` / ``period_credential_issue``: the officer's credential for an
  accepted record or a compliant (or exempt) period, signed with the active key; asking again
  returns the one in force.
- ``credential_revoke``: sets the credential's bit on its status list (the published list is
  signed again on its next read: at most a minute behind, ``STATUS_LIST_MAX_AGE``).
- ``credentials_revoke_stale``: the sweep (scheduled every minute, and run after a reversal)
  revoking every credential whose basis no longer holds: its record is no longer accepted, or
  its period's stored result is no longer the one certified. It compares the stored rows, so
  it works however and whenever results are recomputed.
- ``credit_reverse``: POST staff take back a credit; its course credentials are revoked in the
  same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.compliance.records import training_record_reverse
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.core.queue import Job, enqueue_on_commit
from clee.credentials import badges
from clee.credentials.bitstring import bits_set, encode
from clee.credentials.contexts import VC_V2
from clee.credentials.identity import issuer_did, status_list_url
from clee.credentials.keys import active_signer
from clee.credentials.models import IssuedCredential, SigningKey, StatusList
from clee.credentials.proofs import proof_add, timestamp
from clee.officers.models import Officer
from clee.training.models import TrainingRecord

if TYPE_CHECKING:
    from clee.accounts.models import User

CERTIFIED = (ComplianceResult.Status.COMPLIANT, ComplianceResult.Status.EXEMPT)
# The revocation sweep (``clee.credentials.tasks.revoke_stale_credentials``), queued by its name.
REVOKE_STALE_CREDENTIALS = Job("credentials.revoke_stale")
# A list is filled to this share of its bits (random free bits get rare near the end), then a
# new one is opened.
FILL = 0.75
ALLOCATION_TRIES = 20
# The published status list is signed again once older than this, even unchanged, so that
# verifiers can tell a fresh copy (validUntil) from one an attacker kept.
STATUS_LIST_VALIDITY = dt.timedelta(hours=24)
STATUS_LIST_RESIGN = dt.timedelta(hours=12)
# How long a verifier (and any cache) may keep the list: revocations show within this time.
STATUS_LIST_MAX_AGE = 60


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _open_list() -> StatusList:
    """The status list new credentials get bits on (locked), opening a new one when full."""
    current = StatusList.objects.select_for_update().order_by("-id").first()
    if current is None or current.credentials.count() >= current.size * FILL:
        current = StatusList.objects.create()
    return current


def _issue(
    *, officer: Officer, kind: str, build: Any, acting_user: User | None, **basis: Any
) -> IssuedCredential:
    """Allocate a random free bit, build the credential with it, sign it, store it and audit it."""
    signer = active_signer()
    status_list = _open_list()
    credential_id = uuid.uuid4()
    issued = timezone.now()
    for _ in range(ALLOCATION_TRIES):
        # A random bit, not the next one: neighbouring bits tell nothing about who got them.
        index = secrets.randbelow(status_list.size)
        document = build(credential_id=credential_id, issued=issued, status=(status_list.pk, index))
        signed = proof_add(
            document,
            private_key=signer.private_key,
            verification_method=f"{issuer_did()}#{signer.key_id}",
            created=issued,
        )
        try:
            with transaction.atomic():
                credential = IssuedCredential.objects.create(
                    credential_id=credential_id,
                    officer=officer,
                    kind=kind,
                    status_list=status_list,
                    status_index=index,
                    document=_json(signed),
                    key_id=signer.key_id,
                    title=document["name"][:300],
                    valid_until=badges.kept_until(basis.pop("kept_from")),
                    issued_by=acting_user,
                    **basis,
                )
        except IntegrityError:
            if IssuedCredential.objects.filter(status_list=status_list, status_index=index).exists():
                continue  # the bit was taken meanwhile: draw another
            raise
        record_event(
            actor=acting_user,
            action=AuditAction.CREDENTIALS_ISSUE,
            target=credential,
            summary=f"{credential.get_kind_display().lower()} credential issued: {credential.title}"
            + (f" ({credential.pack})" if credential.pack else ""),
            data={
                "record_id": credential.record_id,
                "period_id": credential.period_id,
                "status_list": status_list.pk,
                "index": index,
            },
        )
        return credential
    raise ServiceError("no free status bit was found: try again")  # pragma: no cover


def _still_good(existing: IssuedCredential, acting_user: User | None) -> bool:
    """Whether the credential in force may be handed out again: not when the key that signed it
    was withdrawn (it no longer verifies); it is then revoked, and a new one issued."""
    if SigningKey.objects.filter(key_id=existing.key_id, status=SigningKey.Status.WITHDRAWN).exists():
        _revoke(existing, "its signing key was withdrawn; a new credential was issued", acting_user)
        return False
    return True


def _may_issue_for(officer: Officer, acting_user: User | None) -> None:
    if getattr(acting_user, "officer_id", None) != officer.pk and not getattr(
        acting_user, "is_statewide", False
    ):
        raise ServiceError("a credential is issued to the officer it names, or by POST")


@transaction.atomic
def course_credential_issue(*, record: TrainingRecord, acting_user: User | None) -> IssuedCredential:
    """The credential of an accepted record (the one in force, or a new one)."""
    record = (
        TrainingRecord.objects.select_for_update(of=("self",))
        .select_related("officer", "course__provider")
        .get(pk=record.pk)
    )
    _may_issue_for(record.officer, acting_user)
    if record.status != TrainingRecord.Status.ACCEPTED:
        raise ServiceError(
            f"this record is {record.get_status_display().lower()}: "
            "a credential is issued for accepted training only"
        )
    existing = IssuedCredential.objects.filter(record=record, kind="course", revoked_at__isnull=True).first()
    if existing is not None and _still_good(existing, acting_user):
        return existing
    return _issue(
        officer=record.officer,
        kind=IssuedCredential.Kind.COURSE,
        build=partial(badges.course_credential, record=record, lines=list(record.lines.all())),
        acting_user=acting_user,
        record=record,
        basis_status=record.status,
        kept_from=record.completed_on,
    )


@transaction.atomic
def period_credential_issue(
    *, officer: Officer, period: ReportingPeriod, acting_user: User | None
) -> IssuedCredential:
    """The credential of a period the officer is compliant (or exempt) in, naming the rule
    book version the result was decided under."""
    _may_issue_for(officer, acting_user)
    result = ComplianceResult.objects.select_for_update().filter(officer=officer, period=period).first()
    if result is None or result.status not in CERTIFIED:
        shown = "not computed yet" if result is None else result.get_status_display().lower()
        raise ServiceError(
            "a credential is issued only for a period you are compliant or exempt in; "
            f"{period.year} is {shown}"
        )
    existing = IssuedCredential.objects.filter(
        officer=officer, period=period, kind="period", revoked_at__isnull=True
    ).first()
    if existing is not None and _still_good(existing, acting_user):
        return existing
    return _issue(
        officer=officer,
        kind=IssuedCredential.Kind.PERIOD,
        build=partial(badges.period_credential, officer=officer, period=period, result=result),
        acting_user=acting_user,
        period=period,
        basis_status=result.status,
        pack=result.pack,
        kept_from=period.ends,
    )


def _revoke(credential: IssuedCredential, reason: str, acting_user: User | None) -> bool:
    """Mark one credential revoked and its list changed; False when it already was."""
    now = timezone.now()
    changed = IssuedCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason[:300], revoked_by=acting_user, updated_at=now
    )
    if not changed:
        return False
    StatusList.objects.filter(pk=credential.status_list_id).update(revision=F("revision") + 1, updated_at=now)
    record_event(
        actor=acting_user,
        action=AuditAction.CREDENTIALS_REVOKE,
        target=credential,
        summary=f"credential revoked: {reason}",
        data={"status_list": credential.status_list_id, "index": credential.status_index},
    )
    return True


@transaction.atomic
def credential_revoke(
    *, credential: IssuedCredential, reason: str, acting_user: User | None
) -> IssuedCredential:
    """Revoke a credential (POST staff), saying why; returns it."""
    if not getattr(acting_user, "is_statewide", False):
        raise ServiceError("only POST revokes a credential")
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError("say why the credential is revoked", field="reason")
    if not _revoke(credential, reason, acting_user):
        raise ServiceError("this credential was already revoked")
    credential.refresh_from_db()
    return credential


@dataclass
class Sweep:
    revoked_courses: list[str] = field(default_factory=list)
    revoked_periods: list[str] = field(default_factory=list)

    def as_summary(self) -> dict[str, Any]:
        return {
            "revoked": len(self.revoked_courses) + len(self.revoked_periods),
            "courses": self.revoked_courses[:50],
            "periods": self.revoked_periods[:50],
        }


@transaction.atomic
def credentials_revoke_stale(*, acting_user: User | None = None) -> Sweep:
    """Revoke every credential in force whose basis changed. Safe to run twice, and by two
    workers at once (each credential is revoked by a conditional update, once)."""
    sweep = Sweep()
    live = IssuedCredential.objects.filter(revoked_at__isnull=True)
    courses = live.filter(kind=IssuedCredential.Kind.COURSE).exclude(
        record__status=TrainingRecord.Status.ACCEPTED
    )
    for credential in courses.select_related("record"):
        reason = "the training record was reversed or is no longer accepted"
        if _revoke(credential, reason, acting_user):
            sweep.revoked_courses.append(str(credential.credential_id))
    # Still certified: the officer's stored result for the period has the status certified.
    same_result = ComplianceResult.objects.filter(
        officer_id=OuterRef("officer_id"), period_id=OuterRef("period_id"), status=OuterRef("basis_status")
    )
    periods = live.filter(kind=IssuedCredential.Kind.PERIOD).exclude(Exists(same_result))
    for credential in periods.select_related("period"):
        assert credential.period is not None
        result = ComplianceResult.objects.filter(
            officer_id=credential.officer_id, period=credential.period
        ).first()
        shown = "no longer computed" if result is None else result.get_status_display().lower()
        reason = f"the {credential.period.year} result changed: it is now {shown}"
        if _revoke(credential, reason, acting_user):
            sweep.revoked_periods.append(str(credential.credential_id))
    return sweep


@transaction.atomic
def credit_reverse(*, record: TrainingRecord, reason: str, acting_user: User) -> TrainingRecord:
    """POST staff take back a credit (``training_record_reverse``) and revoke, in the same
    transaction, the course credentials issued for it. The officer's period credential, if its
    result changes with the recompute, is revoked by the sweep that runs after the commit."""
    record = training_record_reverse(record=record, reason=reason, acting_user=acting_user)
    for credential in IssuedCredential.objects.filter(record=record, revoked_at__isnull=True):
        _revoke(credential, f"the credit was reversed by POST: {' '.join(reason.split())}", acting_user)
    # After the commit (and the recompute the commit queues, when results are recomputed
    # after commit): the sweep sees the period result as it now is.
    enqueue_on_commit(REVOKE_STALE_CREDENTIALS)
    return record


# Publishing the status lists --------------------------------------------------------------


def status_list_document(status_list: StatusList, *, now: Any = None) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` of the list as it stands."""
    now = now or timezone.now()
    revoked = IssuedCredential.objects.filter(status_list=status_list, revoked_at__isnull=False).values_list(
        "status_index", flat=True
    )
    url = status_list_url(status_list.pk)
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": timestamp(now),
        "validUntil": timestamp(now + STATUS_LIST_VALIDITY),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": encode(bits_set(status_list.size, revoked)),
            "ttl": STATUS_LIST_MAX_AGE * 1000,
        },
    }


def status_list_published(*, status_list: StatusList) -> str:
    """The signed status list credential as published: the copy kept while it is current, else
    one signed now (and kept). Two processes signing at once both publish a correct list."""
    now = timezone.now()
    fresh = (
        status_list.published
        and status_list.published_revision == status_list.revision
        and status_list.published_at is not None
        and now - status_list.published_at < STATUS_LIST_RESIGN
    )
    if fresh:
        return status_list.published
    with transaction.atomic():
        revision = StatusList.objects.values_list("revision", flat=True).get(pk=status_list.pk)
        signer = active_signer()
        signed = _json(
            proof_add(
                status_list_document(status_list, now=now),
                private_key=signer.private_key,
                verification_method=f"{issuer_did()}#{signer.key_id}",
                created=now,
            )
        )
        StatusList.objects.filter(pk=status_list.pk).update(
            published=signed, published_revision=revision, published_at=now
        )
    status_list.published, status_list.published_revision, status_list.published_at = signed, revision, now
    return signed
