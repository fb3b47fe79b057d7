"""The provider's forms (the kit of ``clee.core.forms``).

Forms check what they can show next to a field (a missing value, a file that is not a PDF, a
split row with Firearms outside Skill Development); the services check everything again and
have the last word.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from clee.core.choices import Delivery
from clee.core.documents import sniff_kind
from clee.core.forms import PortalForm, hours_field
from clee.imports.tables import MAX_BYTES
from clee.officers.models import Officer
from clee.providers.courses import SUBMISSION_DOCUMENTS, DocumentUpload
from clee.providers.models import Course, CourseDocument
from clee.providers.offerings import InstructorSpec
from clee.providers.services import hours_text

DOCUMENT_TYPES = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
ROSTER_TYPES = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def document_upload(upload: UploadedFile | None, kind: str) -> DocumentUpload | None:
    """An uploaded file as a course document, refused unless it is a PDF, PNG or JPEG within
    the size limit (judged by content, as the service judges it)."""
    if upload is None:
        return None
    name = upload.name or "document"
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(f"{name} is {upload.size / 1e6:.1f} MB: the limit is {limit / 1e6:.0f} MB")
    content = upload.read()
    if not content:
        raise ValidationError(f"{name} is empty")
    if sniff_kind(content) is None:
        raise ValidationError(f"{name} is not a PDF, PNG or JPEG file: only those are accepted")
    return DocumentUpload(kind=kind, name=name, content=content)


# Courses ------------------------------------------------------------------------------------

# The documents of a submission: (kind, form field, label, hint).
COURSE_DOCUMENTS: tuple[tuple[str, str, str, str], ...] = (
    (
        CourseDocument.Kind.INSTRUCTOR_RECORD,
        "instructor_record",
        "Instructor record",
        "The instructors' qualifications. PDF, PNG or JPEG.",
    ),
    (
        CourseDocument.Kind.SAMPLE_CERTIFICATE,
        "sample_certificate",
        "Sample certificate",
        "The certificate a student receives. PDF, PNG or JPEG.",
    ),
    (
        CourseDocument.Kind.SYNOPSIS,
        "synopsis_document",
        "Detailed synopsis or agenda",
        "A document with more than the synopsis above, if you have one.",
    ),
    (
        CourseDocument.Kind.OBJECTIVES,
        "objectives_document",
        "Learning objectives document",
        "If the objectives are in a document of their own.",
    ),
    (CourseDocument.Kind.OTHER, "other_document", "Other document", "Anything else POST should read."),
)


class CourseForm(PortalForm):
    """A course submitted for approval: what it is, and the documents POST reads."""

    title = forms.CharField(label="Course title", max_length=200)
    number = forms.CharField(
        label="Course number",
        max_length=30,
        help_text="Your own number for the course; rosters name the course by it.",
    )
    hours = hours_field(
        "Course hours", required=True, help_text="The length of the course in hours, such as 4 or 7.5."
    )
    delivery = forms.ChoiceField(
        label="Delivery",
        choices=Delivery.choices,
        help_text="At most 22 of an officer's 24 hours may be computer-based.",
    )
    synopsis = forms.CharField(
        label="Synopsis",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A detailed summary of the course as it will be delivered.",
    )
    learning_objectives = forms.CharField(
        label="Learning objectives",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What a student can do after the course; one objective per line.",
    )

    def __init__(self, *args: Any, new: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, name, label, hint in COURSE_DOCUMENTS:
            required = new and kind in SUBMISSION_DOCUMENTS
            if not new and kind in (
                CourseDocument.Kind.INSTRUCTOR_RECORD,
                CourseDocument.Kind.SAMPLE_CERTIFICATE,
            ):
                hint = f"{hint} Leave empty to keep the one sent."
            self.fields[name] = forms.FileField(
                label=label,
                required=required,
                help_text=hint,
                widget=forms.FileInput(attrs={"class": "usa-file-input", "accept": DOCUMENT_TYPES}),
                error_messages={"required": f"attach the {label.lower()}"},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for kind, name, _, _ in COURSE_DOCUMENTS:
            upload = self.files.get(self.add_prefix(name)) if name not in self.errors else None
            if isinstance(upload, UploadedFile):
                try:
                    cleaned[name] = document_upload(upload, kind)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def documents(self) -> list[DocumentUpload]:
        """The files attached to this submission."""
        return [
            upload
            for _, name, _, _ in COURSE_DOCUMENTS
            if isinstance(upload := self.cleaned_data.get(name), DocumentUpload)
        ]

    def document_fields(self) -> list[forms.BoundField]:
        return [self[name] for _, name, _, _ in COURSE_DOCUMENTS]

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("title", "number", "hours", "delivery")]


# Offerings ----------------------------------------------------------------------------------


class OfferingForm(PortalForm):
    """An offering's course (when scheduling it), dates and place."""

    course = forms.ModelChoiceField(
        label="Course",
        queryset=Course.objects.none(),
        empty_label="- Select an approved course -",
        help_text="Only courses POST has approved can be offered.",
    )
    starts_on = forms.DateField(
        label="First day",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The course must be approved on this day.",
    )
    ends_on = forms.DateField(
        label="Last day",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The same day for a one-day class.",
    )
    location = forms.CharField(
        label="Place", max_length=200, help_text="Where it is held: building, street, town."
    )

    def __init__(self, *args: Any, courses: QuerySet[Course] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if courses is None:
            del self.fields["course"]
        else:
            course_field = self.fields["course"]
            assert isinstance(course_field, forms.ModelChoiceField)
            course_field.queryset = courses

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", f"the last day is before the first day ({starts_on:%B %-d, %Y})")
        return cleaned


class InstructorForm(PortalForm):
    """An instructor of an offering, named by license number, with the hours taught."""

    license_number = forms.CharField(label="License number", max_length=20, required=False)
    hours_taught = hours_field("Hours taught", required=False)

    def clean_license_number(self) -> str:
        return str(self.cleaned_data.get("license_number") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.filled():
            return cleaned
        number = cleaned.get("license_number")
        if not number:
            if "license_number" not in self.errors:
                self.add_error("license_number", "give the instructor's license number")
        else:
            officer = Officer.objects.filter(license_number=number).first()
            if officer is None:
                self.add_error("license_number", f"no officer has license number {number}")
            cleaned["officer"] = officer
        if cleaned.get("hours_taught") is None and "hours_taught" not in self.errors:
            self.add_error("hours_taught", "give the hours this instructor taught")
        return cleaned


class BaseInstructorFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        first_row: dict[str, int] = {}
        for index, form in enumerate(self.forms, start=1):
            number = form.cleaned_data.get("license_number") if hasattr(form, "cleaned_data") else None
            if not number or not form.filled():
                continue
            if number in first_row:
                form.add_error("license_number", f"{number} is already named on row {first_row[number]}")
            first_row.setdefault(number, index)

    def check_hours(self, course: Course) -> bool:
        """Mark every row teaching more hours than the course has; True when none does."""
        ok = True
        for form in self.forms:
            hours = form.cleaned_data.get("hours_taught") if hasattr(form, "cleaned_data") else None
            if hours is not None and hours > course.hours:
                form.add_error(
                    "hours_taught",
                    f"{hours_text(hours)} hours is more than the course's {hours_text(course.hours)} hours",
                )
                ok = False
        return ok

    def specs(self) -> list[InstructorSpec]:
        return [
            InstructorSpec(
                officer_id=form.cleaned_data["officer"].pk, hours_taught=form.cleaned_data["hours_taught"]
            )
            for form in self.forms
            if form.filled() and form.cleaned_data.get("officer") is not None
        ]


InstructorFormSet = cast(
    type[BaseInstructorFormSet],
    forms.formset_factory(
        InstructorForm, formset=BaseInstructorFormSet, extra=0, max_num=40, validate_max=True
    ),
)
INSTRUCTOR_ROWS = 2


# Rosters ------------------------------------------------------------------------------------


class RosterUploadForm(PortalForm):
    file = forms.FileField(
        label="Roster file",
        help_text="CSV or Excel workbook (.xlsx), one row per officer per completed course, at most 20 MB.",
        widget=forms.FileInput(attrs={"class": "usa-file-input", "accept": ROSTER_TYPES}),
        error_messages={"required": "choose the roster file to upload"},
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        assert isinstance(upload, UploadedFile)
        if upload.size is not None and upload.size > MAX_BYTES:
            raise ValidationError(f"the file is {upload.size / 1e6:.1f} MB: a roster is at most 20 MB")
        return upload
