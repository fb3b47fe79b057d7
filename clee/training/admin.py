"""Back office: training records with their credit lines, credit requests and import batches,
all read-only: records are written by rosters, forms and reviews through the training
services, and are kept (11 CSR 75-15.020: at least six years), never deleted here."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from clee.core.admin_site import ReadOnlyAdmin, ReadOnlyInline, site
from clee.training.models import (
    Certificate,
    CreditLine,
    CreditRequest,
    ImportBatch,
    RequestDocument,
    TrainingRecord,
)


class CreditLineInline(ReadOnlyInline[CreditLine, TrainingRecord]):
    model = CreditLine
    fields = ("core_area", "subject", "hours", "topics")
    readonly_fields = fields
    verbose_name_plural = "credit lines (what the rules engine counts)"


@admin.register(TrainingRecord, site=site)
class TrainingRecordAdmin(ReadOnlyAdmin[TrainingRecord]):
    list_display = (
        "officer",
        "training",
        "completed_on",
        "hours",
        "source",
        "credit_class",
        "delivery",
        "status",
    )
    list_filter = ("status", "source", "credit_class", "delivery")
    date_hierarchy = "completed_on"
    search_fields = (
        "officer__license_number",
        "officer__last_name",
        "officer__first_name",
        "course__number",
        "course__title",
        "description",
    )
    list_select_related = ("officer", "course")
    show_full_result_count = False
    fields = (
        "officer",
        "course",
        "offering",
        "description",
        "completed_on",
        "hours",
        "semester_hours",
        "source",
        "credit_class",
        "delivery",
        "state",
        "status",
        "entered_by",
        "import_batch",
        "created_at",
        "audit_trail",
    )
    readonly_fields = fields
    inlines = (CreditLineInline,)

    @admin.display(description="training", ordering="course__title")
    def training(self, record: TrainingRecord) -> str:
        return record.course.title if record.course else record.description


class RequestDocumentInline(ReadOnlyInline[RequestDocument, CreditRequest]):
    model = RequestDocument
    fields = ("kind", "document")
    readonly_fields = fields


@admin.register(CreditRequest, site=site)
class CreditRequestAdmin(ReadOnlyAdmin[CreditRequest]):
    list_display = (
        "officer",
        "kind",
        "title",
        "completed_on",
        "hours",
        "semester_hours",
        "status",
        "created_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("officer__license_number", "officer__last_name", "title", "provider_name")
    list_select_related = ("officer",)
    readonly_fields = ("audit_trail",)
    inlines = (RequestDocumentInline,)


@admin.register(ImportBatch, site=site)
class ImportBatchAdmin(ReadOnlyAdmin[ImportBatch]):
    list_display = ("created_at", "kind", "file_name", "submitted_by", "provider", "agency", "rows", "added")
    list_filter = ("kind",)
    search_fields = ("file_name", "sha256")
    list_select_related = ("submitted_by", "provider", "agency")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportBatch]:
        return super().get_queryset(request).order_by("-created_at")


@admin.register(Certificate, site=site)
class CertificateAdmin(ReadOnlyAdmin[Certificate]):
    """Compliance certificates officers took, with the code another state checks at /verify/."""

    list_display = ("code", "officer", "period", "status", "counted_hours", "created_at")
    list_filter = ("status", "period")
    search_fields = ("code", "officer__license_number", "officer__last_name")
    list_select_related = ("officer", "period")
    readonly_fields = ("audit_trail",)
