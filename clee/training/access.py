"""What an officer may reach of their training: their own records, credit requests and
certificates; what a provider may reach: the rosters it sent; what POST staff may reach: every
record and request.

Each helper returns the object or raises the same 404 for "missing" and "not yours": one
officer learns nothing about another's requests from the difference.
"""

from __future__ import annotations

from django.http import Http404

from clee.accounts.access import NOT_FOUND, access_as_post_staff
from clee.accounts.models import User
from clee.officers.access import access_linked_officer
from clee.providers.access import access_own_provider
from clee.training.models import Certificate, CreditRequest, ImportBatch, TrainingRecord


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
