"""Back office: offerings, written through clee.providers.services; providers and courses
(with their split of hours and documents) to look at: POST staff write them on their own
pages (one back office writes each object)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from clee.accounts.access import acting_user
from clee.core.admin_site import (
    BaseInlineFormSet,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceCheckedForm,
    StaffAdmin,
    StaffInline,
    kept_forms,
    site,
)
from clee.core.choices import Topic
from clee.core.errors import ServiceError
from clee.providers.models import (
    Course,
    CourseDocument,
    CoursePortion,
    Offering,
    OfferingInstructor,
    Provider,
)
from clee.providers.services import (
    InstructorSpec,
    instructors_validate,
    offering_save,
    offering_validate,
)

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
        "number",
        "name",
        "kind",
        "credit_class",
        "agency",
        "state",
        "approved_from",
        "approved_until",
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


# Offerings ------------------------------------------------------------------------------


class InstructorFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def specs(self) -> list[InstructorSpec]:
        return [
            InstructorSpec(
                officer_id=form.cleaned_data["officer"].pk, hours_taught=form.cleaned_data["hours_taught"]
            )
            for form in kept_forms(self)
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.instance.course_id is None:
            return
        try:
            instructors_validate(self.instance.course, self.specs())
        except ServiceError as error:
            raise ValidationError(error.message) from error


class InstructorInline(StaffInline[OfferingInstructor, Offering]):
    model = OfferingInstructor
    formset = InstructorFormSet
    fields = ("officer", "hours_taught")
    autocomplete_fields = ("officer",)
    verbose_name = "instructor"
    verbose_name_plural = "instructors (one hour of credit per hour taught)"


class OfferingForm(ServiceCheckedForm[Offering]):
    class Meta:
        model = Offering
        fields = ("course", "starts_on", "ends_on", "location")

    def service_check(self, candidate: Offering) -> None:
        offering_validate(candidate, ())


@admin.register(Offering, site=site)
class OfferingAdmin(StaffAdmin[Offering]):
    form = OfferingForm
    list_display = ("course", "provider", "starts_on", "ends_on", "location")
    list_filter = ("course__provider__kind", "course__delivery")
    search_fields = ("course__number", "course__title", "course__provider__name", "location")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("course",)
    list_select_related = ("course", "course__provider")
    inlines = (InstructorInline,)
    readonly_fields = ("audit_trail",)

    @admin.display(description="provider", ordering="course__provider__name")
    def provider(self, offering: Offering) -> Provider:
        return offering.course.provider

    def save_model(self, request: HttpRequest, obj: Offering, form: Any, change: bool) -> None:
        """Saved with its instructors, in one service call, by ``save_related``."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        instructors = None
        for formset in formsets:
            if isinstance(formset, InstructorFormSet):
                instructors = formset.specs()
        offering_save(offering=form.instance, instructors=instructors, acting_user=acting_user(request))
