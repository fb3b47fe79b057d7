"""Uploaded documents, served only to those allowed to see them.

POST staff and the Director see every document; an officer the documents of their own credit
requests and records; an agency administrator those of the officers it commissions now and
those of its in-service courses; a provider's staff those of its own courses. Anyone else gets
the same 404 as for a document that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from clee.accounts.access import NOT_FOUND, acting_user, is_post
from clee.accounts.models import User
from clee.core.models import Document
from clee.officers.selectors import agency_sees
from clee.providers.models import CourseDocument
from clee.training.models import RequestDocument, TrainingRecord


def access_document(user: User, document_id: int) -> Document:
    """The document if ``user`` may see it; otherwise 404."""
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


@require_GET
@login_required
@xframe_options_sameorigin  # review pages show documents in place, in a frame of this site
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    """The file; ``?inline=1`` shows it in the browser (reviewers read documents in place)."""
    user = acting_user(request)
    document = access_document(user, document_id)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=request.GET.get("inline") != "1",
        filename=document.original_name,
        content_type=document.content_type,
    )
    # Never sniffed into something else; shown in a sandbox with no scripts.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"
    )
    response["Cache-Control"] = "private, no-store"
    return response
