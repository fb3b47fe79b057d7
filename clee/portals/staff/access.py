"""What POST staff may open. Staff review every provider's courses and every officer's
requests, so these helpers check the role and the key: a missing object and a wrong role give
the same 404."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.accounts.models import User
from clee.compliance.models import Extension
from clee.officers.models import Officer
from clee.providers.models import Course, Provider, RecognizedCourse
from clee.training.models import CreditRequest, TrainingRecord

M = TypeVar("M", bound=Model)


def _one(user: User, queryset: QuerySet[M], key: int) -> M:
    """The object with this key, if ``user`` is active POST staff; otherwise 404."""
    if user.role != User.Role.POST_STAFF or not user.is_active:
        raise Http404(NOT_FOUND)
    found = queryset.filter(pk=key).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


def access_course(user: User, course_id: int) -> Course:
    """A course (any status) with its provider."""
    return _one(user, Course.objects.select_related("provider", "submitted_by", "decided_by"), course_id)


def access_credit_request(user: User, request_id: int) -> CreditRequest:
    """An officer's credit request (any status) with its officer."""
    return _one(
        user,
        CreditRequest.objects.select_related("officer", "submitted_by", "decided_by", "record"),
        request_id,
    )


def access_extension(user: User, extension_id: int) -> Extension:
    """An extension or waiver with its officer and period."""
    return _one(user, Extension.objects.select_related("officer", "period", "requested_by"), extension_id)


def access_provider(user: User, provider_id: int) -> Provider:
    return _one(user, Provider.objects.select_related("agency"), provider_id)


def access_catalog_entry(user: User, entry_id: int) -> RecognizedCourse:
    """An entry of the catalog of recognized out-of-state courses."""
    return _one(user, RecognizedCourse.objects.all(), entry_id)


def access_officer(user: User, officer_id: int) -> Officer:
    """Any officer (POST staff see every record)."""
    return _one(user, Officer.objects.all(), officer_id)


def access_record(user: User, record_id: int) -> TrainingRecord:
    """Any officer's training record, with its officer and course."""
    return _one(user, TrainingRecord.objects.select_related("officer", "course__provider"), record_id)


def access_held_record(user: User, record_id: int) -> TrainingRecord:
    """A record of agency training held for POST's review (pending, reported by an agency by
    title, without a course)."""
    return _one(
        user,
        TrainingRecord.objects.filter(
            status=TrainingRecord.Status.PENDING, course__isnull=True, import_batch__agency__isnull=False
        ).select_related("import_batch__agency", "import_batch__submitted_by"),
        record_id,
    )
