"""Back office: courses (with their split of hours and documents) and offerings, written
through clee.providers.services; providers to look at (POST staff change them on their
pages)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
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
    ModelForm,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceCheckedForm,
    StaffAdmin,
    StaffInline,
    kept_forms,
    site,
)
from clee.core.choices import Topic
from clee.core.documents import sniff_kind
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
    DocumentUpload,
    InstructorSpec,
    PortionSpec,
    course_details_validate,
    course_save,
    course_split_validate,
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


def topic_hours_field(topic: Topic) -> forms.DecimalField:
    return forms.DecimalField(
        label=f"{topic.label} hours",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
        help_text="inside the portion's hours",
    )


# One field per topic (topic hours are part of the portion's hours, not extra).
TOPIC_FIELDS = {topic: f"{topic}_hours" for topic in Topic.values}


class PortionForm(ModelForm[CoursePortion]):
    racial_profiling_hours = topic_hours_field(Topic.RACIAL_PROFILING)
    implicit_bias_hours = topic_hours_field(Topic.IMPLICIT_BIAS)
    de_escalation_hours = topic_hours_field(Topic.DE_ESCALATION)

    class Meta:
        model = CoursePortion
        fields = ("core_area", "subject", "hours")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for topic, name in TOPIC_FIELDS.items():
            if topic in (self.instance.topics or {}):
                self.initial[name] = Decimal(str(self.instance.topics[topic]))

    def spec(self) -> PortionSpec:
        data = self.cleaned_data
        return PortionSpec(
            core_area=data["core_area"],
            subject=data.get("subject") or "",
            hours=data["hours"],
            topics={topic: data[name] for topic, name in TOPIC_FIELDS.items() if data.get(name)},
        )


class PortionFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Checks the split of the course's hours as a whole: it must account for every hour."""

    def specs(self) -> list[PortionSpec]:
        return [form.spec() for form in kept_forms(self) if isinstance(form, PortionForm)]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        course: Course = self.instance
        try:
            course_split_validate(
                hours=course.hours, portions=self.specs(), approved=course.status == Course.Status.APPROVED
            )
        except ServiceError as error:
            raise ValidationError(error.message) from error


class PortionInline(StaffInline[CoursePortion, Course]):
    model = CoursePortion
    form = PortionForm
    formset = PortionFormSet
    extra = 1
    fields = ("core_area", "subject", "hours", *TOPIC_FIELDS.values())
    verbose_name = "portion of the course's hours"
    verbose_name_plural = "split of the course's hours over core areas (adding up to the course's hours)"


class DocumentUploadForm(ModelForm[CourseDocument]):
    upload = forms.FileField(label="file", help_text="PDF, PNG or JPEG")

    class Meta:
        model = CourseDocument
        fields = ("kind",)

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        limit = settings.DOCUMENT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(f"{upload.size / 1e6:.1f} MB is over the {limit / 1e6:.0f} MB limit")
        self.content = upload.read()
        if sniff_kind(self.content) is None:
            raise ValidationError("only PDF, PNG and JPEG documents are accepted (judged by the content)")
        return upload

    def document_upload(self) -> DocumentUpload:
        return DocumentUpload(
            kind=self.cleaned_data["kind"], name=self.cleaned_data["upload"].name, content=self.content
        )


class DocumentUploadFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def uploads(self) -> list[DocumentUpload]:
        return [form.document_upload() for form in kept_forms(self) if isinstance(form, DocumentUploadForm)]


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


class DocumentUploadInline(StaffInline[CourseDocument, Course]):
    """New documents only: what is on file stays on file."""

    model = CourseDocument
    form = DocumentUploadForm
    formset = DocumentUploadFormSet
    fields = ("kind", "upload")
    can_delete = False
    extra = 1
    verbose_name = "new document"
    verbose_name_plural = "add documents"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CourseDocument]:
        return super().get_queryset(request).none()


class CourseForm(ServiceCheckedForm[Course]):
    class Meta:
        model = Course
        fields = (
            "provider",
            "number",
            "title",
            "hours",
            "delivery",
            "status",
            "approved_from",
            "approved_until",
            "synopsis",
            "learning_objectives",
            "decision_reason",
        )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()

    def service_check(self, candidate: Course) -> None:
        course_details_validate(candidate)


@admin.register(Course, site=site)
class CourseAdmin(StaffAdmin[Course]):
    form = CourseForm
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
    autocomplete_fields = ("provider",)
    list_select_related = ("provider",)
    inlines = (PortionInline, DocumentInline, DocumentUploadInline)
    readonly_fields = ("submitted_by", "submitted_at", "decided_by", "decided_at", "audit_trail")
    fieldsets = (
        (None, {"fields": ("provider", "number", "title", "hours", "delivery")}),
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

    def save_model(self, request: HttpRequest, obj: Course, form: Any, change: bool) -> None:
        """Saved with its portions and documents, in one service call, by ``save_related``."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        portions: list[PortionSpec] | None = None
        uploads: list[DocumentUpload] = []
        for formset in formsets:
            if isinstance(formset, PortionFormSet):
                portions = formset.specs()
            elif isinstance(formset, DocumentUploadFormSet):
                uploads = formset.uploads()
        course_save(
            course=form.instance, portions=portions, documents=uploads, acting_user=acting_user(request)
        )


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
