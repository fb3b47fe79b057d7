"""Credit requests: an officer's claim for training outside the approved courses (out-of-state,
college, military, courses taught), and POST's decision on it.

A workflow (issue 15): submitting reads the recognized out-of-state list (``clee.compliance``),
and approving records the training (``clee.compliance.records``) and tells what it does to the
officer's periods (``clee.compliance.preview``), in the decision's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from clee.compliance.preview import Effect, effect_now, preview, results_now
from clee.compliance.recognized import recognition_issue
from clee.compliance.records import training_records_add
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.documents import document_store
from clee.core.errors import ServiceError
from clee.core.models import Document
from clee.training.models import CreditRequest, RequestDocument
from clee.training.services import LineSpec, RecordEntry

if TYPE_CHECKING:
    from clee.accounts.models import User


# Documents a credit request must carry, by kind (seeds 000 and 001): an out-of-state course
# needs the certificate, the other state's affirmation and an agenda; a college course the
# transcript and a course description; military training the certificate and a statement
# (seed 001 says the statement "may" be needed; it is asked up front so the Director, who
# decides eligibility, never has to write back for it).
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "out_of_state": ("certificate", "affirmation", "agenda"),
    "college": ("transcript", "agenda"),
    "military": ("certificate", "statement"),
    "instruction": (),
}


@dataclass(frozen=True)
class RequestUpload:
    """A file sent with a credit request: its kind (a ``RequestDocument.Kind``), name and bytes."""

    kind: str
    name: str
    content: bytes


@transaction.atomic
def credit_request_submit(
    *,
    officer: Any,
    kind: str,
    title: str,
    completed_on: dt.date,
    documents: Sequence[tuple[str, Document]] = (),
    uploads: Sequence[RequestUpload] = (),
    hours: Decimal | None = None,
    semester_hours: Decimal | None = None,
    state: str = "",
    provider_name: str = "",
    details: str = "",
    acting_user: User | None,
) -> CreditRequest:
    """An officer's claim (out-of-state, college, military, courses taught) for POST to review,
    with documents already stored (``documents``) or files to store (``uploads``, checked by
    content and size). Nothing is written when anything is refused."""
    if kind not in CreditRequest.Kind.values:
        raise ServiceError(f"{kind!r} is not a kind of credit request", field="kind")
    if not title.strip():
        raise ServiceError("a course title is required", field="title")
    if completed_on > timezone.localdate():
        raise ServiceError("the completion date is in the future", field="completed_on")
    if kind == CreditRequest.Kind.COLLEGE:
        if semester_hours is None or semester_hours <= 0:
            raise ServiceError("semester hours are required for a college course", field="semester_hours")
    elif hours is None or hours <= 0:
        raise ServiceError("the hours must be more than 0", field="hours")
    state = state.strip().upper()
    issue = ""
    if kind == CreditRequest.Kind.OUT_OF_STATE:
        if not state:
            raise ServiceError("the state (or IADLEST) that recognized the course is required", field="state")
        if not (state.isalpha() and (len(state) == 2 or state == "IADLEST")):
            raise ServiceError("give the state's two-letter code (such as MN) or IADLEST", field="state")
        # Never refused at the door: a source not on the list for the date goes to staff marked.
        issue = recognition_issue(state, completed_on)
    for upload in uploads:
        if upload.kind not in RequestDocument.Kind.values:
            raise ServiceError(f"{upload.kind!r} is not a kind of request document", field="documents")
    given = {document_kind for document_kind, _ in documents} | {upload.kind for upload in uploads}
    missing = [k for k in REQUIRED_DOCUMENTS[kind] if k not in given]
    if missing:
        labels = ", ".join(RequestDocument.Kind(k).label.lower() for k in missing)
        raise ServiceError(f"missing documents: {labels}", field="documents")
    request = CreditRequest.objects.create(
        officer=officer,
        kind=kind,
        title=title.strip(),
        completed_on=completed_on,
        hours=hours,
        semester_hours=semester_hours,
        state=state,
        provider_name=provider_name.strip(),
        details=details.strip(),
        submitted_by=acting_user,
        recognition_issue=issue[:300],
    )
    stored = list(documents)
    for upload in uploads:
        try:
            document = document_store(content=upload.content, original_name=upload.name, actor=acting_user)
        except ServiceError as error:
            raise ServiceError(error.message, field=upload.kind) from error
        stored.append((upload.kind, document))
    RequestDocument.objects.bulk_create(
        [RequestDocument(request=request, kind=document_kind, document=doc) for document_kind, doc in stored]
    )
    record_event(
        actor=acting_user,
        action=AuditAction.TRAINING_CREDIT_REQUEST_SUBMIT,
        target=request,
        summary=f"{request.get_kind_display()} submitted: {request.title}"
        + (f" (for staff: {issue})" if issue else ""),
        data={
            "documents": [f"{document_kind}: {doc.original_name}" for document_kind, doc in stored],
            "recognition_issue": issue,
        },
    )
    return request


# The source and credit class a decided request's record gets (seed 001; 11 CSR 75-15.050).
REQUEST_SOURCE: dict[str, tuple[str, str]] = {
    "out_of_state": ("out_of_state", "approved"),
    "college": ("college", "approved"),
    "military": ("military", "licensed"),
}


@transaction.atomic
def credit_request_decide(
    *,
    request: CreditRequest,
    approve: bool,
    reason: str,
    lines: Sequence[LineSpec] = (),
    delivery: str = "live",
    credit_class: str = "licensed",
    recognition_reason: str = "",
    acting_user: User | None,
) -> CreditRequest:
    """Approve (with the reviewer's core areas and hours) or deny a request, with a reason the
    officer sees. An approved request becomes an accepted training record.

    Approving credit the rules will not count (all or part of it: outside any period on file,
    from a source not recognized on its date, beyond a cap) is refused without a reason for
    approving it anyway; with one, the officer is told plainly what does not count and why
    (``effect_note``). An out-of-state course from a source not on the recognized list for its
    date counts when POST recognizes that course by its own decision: ``recognition_reason``,
    kept on the record (11 CSR 75-15.050). Returns the decided request."""
    request = CreditRequest.objects.select_for_update().select_related("officer").get(pk=request.pk)
    if request.status != CreditRequest.Status.SUBMITTED:
        raise ServiceError(f"this request was already {request.get_status_display().lower()}")
    if not reason.strip() and not approve:
        raise ServiceError("a reason is required to deny a request", field="reason")
    recognition_reason = " ".join(recognition_reason.split())
    issue = ""
    if request.kind == CreditRequest.Kind.OUT_OF_STATE:
        issue = recognition_issue(request.state, request.completed_on)
    if len(recognition_reason) > 300:
        raise ServiceError(
            f"the recognition reason must be at most 300 characters (it has {len(recognition_reason)})",
            field="recognition_reason",
        )
    if approve:
        before = results_now(request.officer_id, [request.completed_on.year])
        request.record_id = _approved_record(
            request=request,
            lines=lines,
            delivery=delivery,
            credit_class=credit_class,
            recognized_by=recognition_reason if issue else "",
            acting_user=acting_user,
        )
        effect = effect_now(request.officer_id, before, [request.record_id])
        if not effect.counts_fully:
            explained = effect.not_counting(whose="the officer's")
            if not reason.strip():
                hint = (
                    f" Or give the reason POST recognizes the course though {request.state} is not on the "
                    "list for that date, or add it to the list first."
                    if issue and not recognition_reason
                    else ""
                )
                raise ServiceError(
                    f"{explained} Give the reason for approving it anyway: the officer sees it with "
                    f"this explanation.{hint}",
                    field="reason",
                )
            request.effect_note = effect.not_counting()
        request.counts = (
            CreditRequest.Counts.ALL
            if effect.counts_fully
            else CreditRequest.Counts.PART
            if effect.counts_at_all
            else CreditRequest.Counts.NONE
        )
    request.status = CreditRequest.Status.APPROVED if approve else CreditRequest.Status.DENIED
    request.decided_by = acting_user
    request.decided_at = timezone.now()
    request.decision_reason = reason.strip()
    request.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "counts",
            "effect_note",
            "record",
            "updated_at",
        ]
    )
    record_event(
        actor=acting_user,
        action=AuditAction.TRAINING_CREDIT_REQUEST_DECIDE,
        target=request,
        summary=f"credit request {request.status}: {reason.strip() or 'approved'}"
        + (
            f"; recognized by POST's decision: {recognition_reason}"
            if approve and issue and recognition_reason
            else ""
        )
        + (f" ({request.effect_note})" if request.effect_note else ""),
        data={"recognition_issue": issue, "recognition_reason": recognition_reason if issue else ""},
    )
    return request


def credit_request_preview(
    *,
    request: CreditRequest,
    lines: Sequence[LineSpec],
    delivery: str = "live",
    credit_class: str = "licensed",
    recognition_reason: str = "",
    acting_user: User | None,
) -> Effect:
    """What approving ``request`` with these lines (and POST's own recognition of an unlisted
    out-of-state course, when given) would do to the officer's periods, found by recording it in
    a transaction that is rolled back (nothing is kept)."""
    recognized_by = ""
    if request.kind == CreditRequest.Kind.OUT_OF_STATE and recognition_issue(
        request.state, request.completed_on
    ):
        recognized_by = " ".join(recognition_reason.split())
    return preview(
        officer_id=request.officer_id,
        years=[request.completed_on.year],
        change=lambda: [
            _approved_record(
                request=request,
                lines=lines,
                delivery=delivery,
                credit_class=credit_class,
                recognized_by=recognized_by,
                acting_user=acting_user,
            )
        ],
    )


def _approved_record(
    *,
    request: CreditRequest,
    lines: Sequence[LineSpec],
    delivery: str,
    credit_class: str,
    recognized_by: str = "",
    acting_user: User | None,
) -> int:
    """Record the approved request's training; the new record's id."""
    if not lines:
        raise ServiceError("an approval needs the core areas and hours", field="lines")
    source, record_class = REQUEST_SOURCE.get(str(request.kind), ("instruction", credit_class))
    total = sum((line.hours for line in lines), Decimal(0))
    outcome = training_records_add(
        entries=[
            RecordEntry(
                officer_id=request.officer_id,
                completed_on=request.completed_on,
                hours=total,
                source=source,
                credit_class=record_class,
                delivery=delivery,
                lines=tuple(lines),
                description=request.title,
                state=request.state,
                semester_hours=request.semester_hours,
                recognized_by=recognized_by,
            )
        ],
        actor=acting_user,
        summary=f"credit request {request.pk} approved",
    )
    return outcome.record_ids[0]
