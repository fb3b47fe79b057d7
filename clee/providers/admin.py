"""Back office: providers and courses (with their split of hours and documents), written
through clee.providers.services and clee.providers.courses. Offerings, whose saving credits
their instructors, are ``clee.attendance.admin``'s."""

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
from clee.providers.courses import (
    DocumentUpload,
    PortionSpec,
    course_details_validate,
    course_save,
    course_split_validate,
)
from clee.providers.models import (
    Course,
    CourseDocument,
    CoursePortion,
    Provider,
)
from clee.providers.services import DEFAULT_CREDIT_CLASS, provider_save, provider_validate

# Providers ------------------------------------------------------------------------------


class ProviderForm(ServiceCheckedForm[Provider]):
    class Meta:
        model = Provider
        fields = (
            "number",
            "name",
            "kind",
            "credit_class",
            "agency",
            "state",
            "approved_from",
            "approved_until",
        )
        help_texts = {
            "credit_class": "Leave empty for the usual class of the provider's kind: approved for "
            "licensed academies, out-of-state sources and colleges; licensed for agency in-service "
            "and military training.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["credit_class"].required = False

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()

    def clean_state(self) -> str:
        return str(self.cleaned_data["state"]).strip().upper()

    def clean(self) -> dict[str, Any]:
        kind = self.cleaned_data.get("kind")
        if not self.cleaned_data.get("credit_class") and kind in DEFAULT_CREDIT_CLASS:
            self.cleaned_data["credit_class"] = DEFAULT_CREDIT_CLASS[kind]
        return super().clean()

    def service_check(self, candidate: Provider) -> None:
        provider_validate(candidate)


@admin.register(Provider, site=site)
class ProviderAdmin(StaffAdmin[Provider]):
    form = ProviderForm
    list_display = ("name", "number", "kind", "credit_class", "state", "approved_from", "approved_until")
    list_filter = ("kind", "credit_class", "state")
    search_fields = ("name", "number")
    autocomplete_fields = ("agency",)
    readonly_fields = ("audit_trail", "created_at", "updated_at")
    list_select_related = ("agency",)

    def save_model(self, request: HttpRequest, obj: Provider, form: Any, change: bool) -> None:
        provider_save(provider=obj, acting_user=acting_user(request))


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
