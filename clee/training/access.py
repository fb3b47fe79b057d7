"""What an officer may reach of their training: their own records, credit requests and
certificates; what a provider may reach: the rosters it sent; what POST staff may reach: every
record and request; and who may see an uploaded document (of a request, a record or a course).

Each helper returns the object or raises the same 404 for "missing" and "not yours": one
officer learns nothing about another's requests from the difference.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from clee.accounts.access import NOT_FOUND, access_as_post_staff, is_post
from clee.accounts.models import User
from clee.core.models import Document
from clee.officers.access import access_linked_officer
from clee.officers.selectors import agency_sees
from clee.providers.access import access_own_provider
from clee.providers.models import CourseDocument
from clee.training.models import Certificate, CreditRequest, ImportBatch, RequestDocument, TrainingRecord


def access_own_credit_request(user: User, request_id: int) -> CreditRequest:
    """One of the signed-in officer's own credit requests, with its record's lines and its
    documents; 404 for another officer's request or one that does not exist."""
    officer = access_linked_officer(user)
    request = (
        CreditRequest.objects.filter(pk=request_id, officer=officer)
        .select_related("officer", "record", "decided_by")
        .prefetch_related("documents__document", "record__lines")
        .first()
    )
    if request is None:
        raise Http404(NOT_FOUND)
    return request


def access_own_record(user: User, record_id: int) -> TrainingRecord:
    """One of the signed-in officer's own training records; 404 for another's or none."""
    officer = access_linked_officer(user)
    record = TrainingRecord.objects.filter(pk=record_id, officer=officer).first()
    if record is None:
        raise Http404(NOT_FOUND)
    return record


def access_own_certificate(user: User, period_id: int) -> Certificate:
    """The certificate the signed-in officer was issued for period ``period_id``; 404 when none
    was. (The caller reaches the period: training sits below compliance.)"""
    officer = access_linked_officer(user)
    certificate = (
        Certificate.objects.filter(officer=officer, period_id=period_id).select_related("period").first()
    )
    if certificate is None:
        raise Http404(NOT_FOUND)
    return certificate


def access_own_roster_batch(user: User, batch_id: int) -> ImportBatch:
    """A roster the provider ``user`` works for sent."""
    provider = access_own_provider(user)
    batch = (
        ImportBatch.objects.select_related("submitted_by")
        .filter(pk=batch_id, provider=provider, kind=ImportBatch.Kind.ROSTER)
        .first()
    )
    if batch is None:
        raise Http404(NOT_FOUND)
    return batch


def access_credit_request(user: User, request_id: int) -> CreditRequest:
    """An officer's credit request (any status) with its officer, for POST staff."""
    return access_as_post_staff(
        user,
        CreditRequest.objects.select_related("officer", "submitted_by", "decided_by", "record"),
        request_id,
    )


def access_record(user: User, record_id: int) -> TrainingRecord:
    """Any officer's training record, with its officer and course, for POST staff."""
    return access_as_post_staff(
        user, TrainingRecord.objects.select_related("officer", "course__provider"), record_id
    )


def access_held_record(user: User, record_id: int) -> TrainingRecord:
    """A record of agency training held for POST's review (pending, reported by an agency by
    title, without a course), for POST staff."""
    return access_as_post_staff(
        user,
        TrainingRecord.objects.filter(
            status=TrainingRecord.Status.PENDING, course__isnull=True, import_batch__agency__isnull=False
        ).select_related("import_batch__agency", "import_batch__submitted_by"),
        record_id,
    )


def access_document(user: User, document_id: int) -> Document:
    """The document if ``user`` may see it; otherwise 404. POST staff and the Director see every
    document; an officer the documents of their own credit requests and records; an agency
    administrator those of the officers it commissions now and those of its in-service courses;
    a provider's staff those of its own courses."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None or not user.is_active:
        raise Http404(NOT_FOUND)
    if is_post(user):
        return document
    allowed = False
    if user.role == User.Role.OFFICER and user.officer_id is not None:
        allowed = _officers_document(document, {"officer_id": user.officer_id})
    elif user.role == User.Role.AGENCY_ADMIN and user.agency_id is not None:
        own_courses = CourseDocument.objects.filter(
            document=document, course__provider__agency_id=user.agency_id
        )
        allowed = _agency_sees(document, user.agency_id) or own_courses.exists()
    elif user.role == User.Role.PROVIDER and user.provider_id is not None:
        allowed = CourseDocument.objects.filter(
            document=document, course__provider_id=user.provider_id
        ).exists()
    if not allowed:
        raise Http404(NOT_FOUND)
    return document


def _agency_sees(document: Document, agency_id: int) -> bool:
    """Whether the document is one of a credit request or a record of an officer the agency
    commissions now, of training completed from the day its view of the officer begins (the
    commission's start, unless POST staff opened earlier records to it)."""
    requests = RequestDocument.objects.filter(document=document).filter(
        agency_sees(agency_id, officer="request__officer_id", day="request__completed_on")
    )
    records = TrainingRecord.objects.filter(documents=document).filter(agency_sees(agency_id))
    return bool(requests.exists() or records.exists())


def _officers_document(document: Document, officers: dict[str, Any]) -> bool:
    """Whether the document is one of a credit request or a record of these officers."""
    requests = {f"request__{lookup}": value for lookup, value in officers.items()}
    return (
        RequestDocument.objects.filter(document=document, **requests).exists()
        or TrainingRecord.objects.filter(documents=document, **officers).exists()
    )
