"""Writes of the API: tokens created and revoked in the portals, and rosters submitted through
the API (once per ``Idempotency-Key``).

Tokens are ``clee_<8 characters>_<43 characters>``: the first part (the prefix, shown in the
portal) names the token, the rest is 256 random bits. Only the SHA-256 of the whole token is
stored: a stolen database gives no usable token, and a high-entropy secret needs no slow hash.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.api.models import ApiToken, RosterSubmission
from clee.api.rosters import RosterBody
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.imports.report import ImportReport
from clee.imports.services import import_apply
from clee.providers.courses import DocumentUpload, PortionSpec, course_submit
from clee.providers.models import Course, Provider
from clee.training.models import ImportBatch

TOKEN_START = "clee_"
PREFIX_CHARS = "abcdefghijkmnpqrstuvwxyz23456789"  # no look-alikes (l, 1, o, 0) in what people read
PREFIX_LENGTH = 8
# Errors listed in one response: a 100,000-row file with a wrong column on every row says so
# in its first errors and the count, not in a response of many megabytes.
MAX_ROW_ERRORS = 1000


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just created, with its secret: shown once, never stored."""

    token: ApiToken
    secret: str


@transaction.atomic
def token_create(*, name: str, acting_user: User) -> NewToken:
    """A token for the provider or agency ``acting_user`` works for; it acts as that account."""
    name = " ".join(name.split())
    if not name:
        raise ServiceError("give the token a name (what system will use it)", field="name")
    if len(name) > 100:
        raise ServiceError("the name is at most 100 characters", field="name")
    if acting_user.role == User.Role.PROVIDER and acting_user.provider_id is not None:
        owner: dict[str, Any] = {"kind": ApiToken.Kind.PROVIDER, "provider_id": acting_user.provider_id}
        Provider.objects.select_for_update().filter(pk=acting_user.provider_id).first()
    elif acting_user.role == User.Role.AGENCY_ADMIN and acting_user.agency_id is not None:
        owner = {"kind": ApiToken.Kind.AGENCY, "agency_id": acting_user.agency_id}
        Agency.objects.select_for_update().filter(pk=acting_user.agency_id).first()
    else:
        raise ServiceError("only a provider's staff or an agency's administrators create API tokens")
    # The owner's row is locked: two creations at once count each other.
    cap = settings.CLEE_API_TOKENS_PER_ORG
    if ApiToken.objects.filter(revoked_at__isnull=True, **owner).count() >= cap:
        raise ServiceError(
            f"your organisation already has {cap} live API tokens, the most it may hold: revoke one that is "
            "no longer used first",
            field="name",
        )
    prefix = TOKEN_START + "".join(secrets.choice(PREFIX_CHARS) for _ in range(PREFIX_LENGTH))
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        name=name, prefix=prefix, secret_sha256=token_hash(secret), created_by=acting_user, **owner
    )
    record_event(
        actor=acting_user,
        action=AuditAction.API_TOKEN_CREATE,
        target=token,
        summary=f"created API token {prefix} ({name})",
        data={"prefix": prefix, "name": name, "owner": token.caller},
    )
    return NewToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    """Revoke ``token`` at once; revoking a revoked token changes nothing."""
    stored = ApiToken.objects.select_for_update().get(pk=token.pk)
    if stored.revoked_at is not None:
        return stored
    stored.revoked_at, stored.revoked_by = timezone.now(), acting_user
    stored.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        actor=acting_user,
        action=AuditAction.API_TOKEN_REVOKE,
        target=stored,
        summary=f"revoked API token {stored.prefix} ({stored.name})",
        data={"prefix": stored.prefix},
    )
    return stored


class IdempotencyKeyReusedError(ServiceError):
    """The key was used before for a different request."""


class ConcurrentWriteError(ServiceError):
    """Other writers kept changing the same records; nothing was written: send it again."""


class UnreadableRosterError(ServiceError):
    """The roster sent is no table at all (not CSV or XLSX, damaged, beyond the limits): a
    malformed request, answered 400 and kept nowhere, so the same key can carry the fixed file."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            "the roster cannot be read: " + "; ".join(e.reason for e in report.errors), field="body"
        )
        self.rows = _rows(report)


@transaction.atomic
def course_submit_by_token(
    *, token: ApiToken, course: Course, portions: Sequence[PortionSpec], documents: Sequence[DocumentUpload]
) -> Course:
    """``course_submit`` as the token's creator, with an audit row naming the token."""
    saved = course_submit(course=course, portions=portions, documents=documents, acting_user=token.created_by)
    record_event(
        actor=token.created_by,
        action=AuditAction.API_COURSE_SUBMIT,
        target=saved,
        summary=f"course {saved.number} submitted through the API with token {token.prefix}",
        data={"token": token.prefix},
    )
    return saved


@dataclass(frozen=True)
class Submitted:
    submission: RosterSubmission
    replayed: bool  # True: an earlier request with this key; nothing was done this time


def roster_submit(
    *,
    token: ApiToken,
    idempotency_key: str,
    body: RosterBody,
    file_name: str,
) -> Submitted:
    """Apply a completion roster through the import service (every row checked, all or nothing)
    and keep the outcome under ``idempotency_key``.

    Sent again with the same key and the same request: the first outcome, nothing imported
    again. The same key with another request: ``IdempotencyKeyReusedError``. Two requests with one
    key at the same time: the second waits for the first (the import's locks, or the unique
    key) and then returns its outcome.
    """
    request_sha256 = body.sha256
    earlier = _earlier(token, idempotency_key, request_sha256)
    if earlier is not None:
        return Submitted(earlier, replayed=True)
    actor = token.created_by
    try:
        with transaction.atomic():
            report = import_apply(
                kind=ImportBatch.Kind.ROSTER,
                table=body.table(file_name),
                actor=actor,
                provider=token.provider,
                agency=token.agency,
            )
            if report.unreadable and body.is_file:
                # A file that is no table is a malformed request (JSON rows CLEE made into a table
                # itself are refused row by row, as any roster).
                raise UnreadableRosterError(report)
            submission = RosterSubmission.objects.create(
                caller=token.caller,
                idempotency_key=idempotency_key,
                request_sha256=request_sha256,
                token=token,
                submitted_by=actor,
                status=RosterSubmission.Status.APPLIED
                if report.applied
                else RosterSubmission.Status.REJECTED,
                rows=report.rows,
                batch=report.batch,
                response_status=201 if report.applied else 422,
                response_body={},
            )
            submission.response_body = _response_body(submission, report)
            submission.save(update_fields=["response_body"])
            record_event(
                actor=actor,
                action=AuditAction.API_ROSTER_SUBMIT,
                target=submission,
                summary=f"roster sent through the API with token {token.prefix}: {report.headline()}"[:300],
                data={"token": token.prefix, "idempotency_key": idempotency_key[:100], "rows": report.rows},
            )
    except IntegrityError:
        # Another request with this key committed first (its import ran, ours found every row
        # on file or was rolled back with this transaction): answer with its outcome.
        earlier = _earlier(token, idempotency_key, request_sha256)
        if earlier is None:
            raise ConcurrentWriteError(
                "other writers were recording the same completions at the same moment; nothing was "
                "written: send the roster again with the same key"
            ) from None
        return Submitted(earlier, replayed=True)
    return Submitted(submission, replayed=False)


def _earlier(token: ApiToken, key: str, request_sha256: str) -> RosterSubmission | None:
    earlier = RosterSubmission.objects.filter(caller=token.caller, idempotency_key=key).first()
    if earlier is not None and earlier.request_sha256 != request_sha256:
        raise IdempotencyKeyReusedError(
            "this Idempotency-Key was used for a different request: send a new key with a new roster",
            field="Idempotency-Key",
        )
    return earlier


def submission_view(submission: RosterSubmission, report: ImportReport | None = None) -> dict[str, Any]:
    """What ``GET /api/v1/rosters/<id>/`` says of a submission (also the body of a 201)."""
    batch = submission.batch
    errors = submission.response_body.get("error", {}).get("rows", []) if report is None else _rows(report)
    return {
        "id": submission.pk,
        "status": submission.status,
        "submitted_at": submission.created_at.isoformat(),
        "rows": submission.rows,
        "added": batch.added if batch else 0,
        "already_present": batch.already_present if batch else 0,
        "batch_id": batch.pk if batch else None,
        "errors": errors,
    }


def _rows(report: ImportReport) -> list[dict[str, Any]]:
    return [
        {"row": error.row, "field": error.field, "reason": error.reason}
        for error in report.errors[:MAX_ROW_ERRORS]
    ]


def _response_body(submission: RosterSubmission, report: ImportReport) -> dict[str, Any]:
    if report.applied:
        return submission_view(submission, report)
    count = len(report.errors)
    shown = "" if count <= MAX_ROW_ERRORS else f" (the first {MAX_ROW_ERRORS} are listed)"
    return {
        "error": {
            "code": "invalid_rows",
            "message": f"nothing was recorded: {count} error{'s' if count != 1 else ''} in the roster{shown}",
            "rows": _rows(report),
            "submission_id": submission.pk,
        }
    }
