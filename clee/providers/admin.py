"""Back office: providers and courses (with their split of hours and documents) to look at:
POST staff write them on their own pages (one back office writes each object). Offerings,
whose saving credits their instructors, are written in ``clee.attendance.admin``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from clee.core.admin_site import ReadOnlyAdmin, ReadOnlyInline, site
from clee.core.choices import Topic
from clee.providers.models import Course, CourseDocument, CoursePortion, Provider
from clee.providers.services import PROVIDER_FIELDS

# Providers ------------------------------------------------------------------------------


@admin.register(Provider, site=site)
class ProviderAdmin(ReadOnlyAdmin[Provider]):
    """Providers are added and changed on POST staff's pages (/staff/providers/), through the
    same service and with the same checks: here they are looked at and searched."""

    list_display = ("name", "number", "kind", "credit_class", "state", "approved_from", "approved_until")
    list_filter = ("kind", "credit_class", "state")
    search_fields = ("name", "number")
    list_select_related = ("agency",)
    fields = (
        *PROVIDER_FIELDS,
        "staff_page",
        "created_at",
        "updated_at",
        "audit_trail",
    )
    readonly_fields = fields

    @admin.display(description="changed on")
    def staff_page(self, provider: Provider) -> str:
        url = reverse("staff:provider", args=[provider.pk])
        return format_html('<a href="{}">the provider\'s page in the staff portal</a>', url)


# Courses --------------------------------------------------------------------------------


class PortionInline(ReadOnlyInline[CoursePortion, Course]):
    model = CoursePortion
    fields = ("core_area", "subject", "hours", "topic_hours")
    readonly_fields = fields
    verbose_name = "portion of the course's hours"
    verbose_name_plural = "split of the course's hours over core areas"

    @admin.display(description="topic hours inside them")
    def topic_hours(self, portion: CoursePortion) -> str:
        return "; ".join(f"{Topic(topic).label}: {hours:g}" for topic, hours in portion.topics.items()) or "—"


class DocumentInline(ReadOnlyInline[CourseDocument, Course]):
    """The documents on file, each downloadable by staff only."""

    model = CourseDocument
    fields = ("kind", "file_link", "content_type", "size", "uploaded_at")
    readonly_fields = fields
    verbose_name_plural = "documents on file"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CourseDocument]:
        return super().get_queryset(request).select_related("document")

    @admin.display(description="file")
    def file_link(self, link: CourseDocument) -> str:
        url = reverse("admin:providers_course_document", args=[link.course_id, link.document_id])
        return format_html('<a href="{}">{}</a>', url, link.document.original_name)

    @admin.display(description="type")
    def content_type(self, link: CourseDocument) -> str:
        return link.document.get_content_type_display()

    @admin.display(description="bytes")
    def size(self, link: CourseDocument) -> int:
        return link.document.size

    @admin.display(description="uploaded")
    def uploaded_at(self, link: CourseDocument) -> Any:
        return link.document.uploaded_at


@admin.register(Course, site=site)
class CourseAdmin(ReadOnlyAdmin[Course]):
    """Courses are proposed by their providers and decided on POST staff's pages
    (/staff/courses/), which also move an approved course's window: here they are looked at,
    searched, and their documents downloaded."""

    list_display = (
        "number",
        "title",
        "provider",
        "hours",
        "delivery",
        "status",
        "approved_from",
        "approved_until",
    )
    list_filter = (
        "status",
        "delivery",
        "provider__kind",
        ("portions__core_area", admin.ChoicesFieldListFilter),
    )
    search_fields = ("number", "title", "provider__name", "provider__number")
    list_select_related = ("provider",)
    inlines = (PortionInline, DocumentInline)
    fieldsets = (
        (None, {"fields": ("provider", "number", "title", "hours", "delivery", "staff_page")}),
        ("Content", {"fields": ("synopsis", "learning_objectives")}),
        (
            "Approval",
            {
                "fields": (
                    "status",
                    "approved_from",
                    "approved_until",
                    "decision_reason",
                    "submitted_by",
                    "submitted_at",
                    "decided_by",
                    "decided_at",
                    "audit_trail",
                )
            },
        ),
    )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:course_id>/documents/<int:document_id>/",
                self.admin_site.admin_view(self.document_view),
                name="providers_course_document",
            ),
            *super().get_urls(),
        ]

    def document_view(self, request: HttpRequest, course_id: int, document_id: int) -> FileResponse:
        """A course document, for staff only: documents are never under a public URL."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        link = get_object_or_404(
            CourseDocument.objects.select_related("document"), course_id=course_id, document_id=document_id
        )
        document = link.document
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Course | None = None) -> Any:
        return [name for _, options in self.fieldsets for name in options["fields"]]

    @admin.display(description="decided on")
    def staff_page(self, course: Course) -> str:
        url = reverse("staff:course_review", args=[course.pk])
        return format_html('<a href="{}">the course\'s page in the staff portal</a>', url)
