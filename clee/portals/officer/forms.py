"""The officer's forms: a credit request of each kind, with its documents.

The form checks what it can see at once (required fields, numbers, dates, each file's type and
size) so every problem is shown together; ``credit_request_submit`` decides the rest (a future
date, an unrecognized state) and stores the files, all or nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from clee.compliance.models import ReportingPeriod
from clee.compliance.rulebooks import period_pack
from clee.core.documents import sniff_kind
from clee.core.forms import PortalForm, hours_field
from clee.rules import NoPackError
from clee.training.models import CreditRequest
from clee.workflows.credit_requests import REQUIRED_DOCUMENTS, RequestUpload

ACCEPT = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"

US_STATES = (
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"),
    ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"),
    ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
)  # fmt: skip


@dataclass(frozen=True)
class KindGuide:
    """What a kind of request is for, what it earns and what it needs (seeds 000 and 001)."""

    kind: str
    label: str
    summary: str
    credit: str
    documents: tuple[str, ...]


GUIDES: dict[str, KindGuide] = {
    "out_of_state": KindGuide(
        "out_of_state",
        "Out-of-state course",
        "A course approved by another state's POST program or by IADLEST.",
        "Approved Provider credit; a POST representative decides the core areas.",
        ("Certificate of completion", "The other state's affirmation that the course is approved", "Agenda"),
    ),
    "college": KindGuide(
        "college",
        "College course",
        "A law enforcement, criminal justice or administrative-skills course at an accredited college.",
        "2 hours of Approved Provider credit per semester hour, at most 8 hours a reporting period.",
        ("College transcript", "Description of the course"),
    ),
    "military": KindGuide(
        "military",
        "Military training",
        "A military course related to law enforcement, criminal justice or administrative skills.",
        "Licensed Provider credit; the Director of Public Safety (or designee) decides if it is eligible.",
        ("Certificate of completion", "A written statement about the course's content"),
    ),
    "instruction": KindGuide(
        "instruction",
        "Courses taught",
        "Hours you taught in a basic training or CLEE course not reported by its provider.",
        "1 hour of credit for each hour of instruction.",
        (),
    ),
}

# (field name = document kind, label, hint) per kind of request; "other" is always optional.
DOCUMENT_FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "out_of_state": (
        ("certificate", "Certificate of completion", "The certificate the course's provider gave you."),
        (
            "affirmation",
            "The other state's affirmation",
            "A letter or record from that state's POST program (or IADLEST) that the course is approved.",
        ),
        ("agenda", "Agenda", "The course's agenda or outline, with the time spent on each subject."),
    ),
    "college": (
        (
            "transcript",
            "College transcript",
            "An official or unofficial transcript showing the course and grade.",
        ),
        ("agenda", "Course description", "The catalog description or syllabus of the course."),
    ),
    "military": (
        ("certificate", "Certificate of completion", "The certificate or record of the course."),
        (
            "statement",
            "Written statement",
            "In your words: what the course covered and how it relates to law enforcement.",
        ),
    ),
    "instruction": (),
}


def recognized_hint(period: ReportingPeriod | None) -> str:
    """The out-of-state sources on the list POST keeps for the period's dates, and what happens
    to a course from another source (a person at POST decides it)."""
    if period is None:
        return ""
    try:
        rule = period_pack(period).sources.get("out_of_state")
    except NoPackError:
        return ""
    tail = (
        " A course from another source can be sent too: POST staff see that it is not on the list and decide."
    )
    entries = [e for e in (rule.recognized or () if rule else ()) if e.start <= period.ends]
    entries = [e for e in entries if e.until is None or e.until >= period.starts]
    if not entries:
        return f"No out-of-state source is on the recognized list for {period.year}.{tail}"
    states = sorted({code for entry in entries for code in entry.value if code != "IADLEST"})
    iadlest = " and IADLEST-approved courses" if any("IADLEST" in e.value for e in entries) else ""
    return f"Recognized for courses completed in {period.year}: {', '.join(states)}{iadlest}.{tail}"


def _the(label: str) -> str:
    """``Agenda`` -> ``the agenda``; ``The other state's affirmation`` stays as it is, in lower case."""
    lowered = label[:1].lower() + label[1:]
    return lowered if lowered.startswith("the ") else f"the {lowered}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """One or more files of one kind of document, each a PDF, PNG or JPEG within the size limit."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"class": "usa-file-input", "accept": ACCEPT, "multiple": True})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        problems = [problem for upload in files if (problem := upload_problem(upload))]
        if problems:
            raise forms.ValidationError(problems)
        return files


def upload_problem(upload: UploadedFile) -> str | None:
    """Why a file cannot be kept (judged by its content, not its name), or None."""
    name = upload.name or "the file"
    limit = settings.DOCUMENT_MAX_BYTES
    if not upload.size:
        return f"{name} is empty"
    if upload.size > limit:
        return f"{name} is {upload.size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit"
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if sniff_kind(head) is None:
        return f"{name} is not a PDF, PNG or JPEG file"
    return None


class CreditRequestForm(PortalForm):
    """A credit request of one kind; its fields and documents depend on the kind."""

    title = forms.CharField(max_length=200)
    provider_name = forms.CharField(max_length=200)
    state = forms.ChoiceField(choices=())
    completed_on = forms.DateField(
        label="Date completed",
        help_text="The last day of the course. Training counts toward the reporting period of this date.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    hours = hours_field("Hours", required=True)
    semester_hours = forms.DecimalField(
        label="Semester hours",
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.5"),
        max_value=Decimal(30),
        help_text="Each semester hour earns 2 hours of Approved Provider credit; at most 8 count a period.",
    )
    details = forms.CharField(
        label="Anything the reviewer should know",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, kind: str, period: ReportingPeriod | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        labels = {
            "out_of_state": ("Course title", "Training provider", "Hours of training"),
            "college": ("Course title, as on the transcript", "College or university", ""),
            "military": ("Course title", "Military school or unit", "Hours of training"),
            "instruction": (
                "Course you taught",
                "Where you taught it (academy or agency)",
                "Hours you taught",
            ),
        }[kind]
        self.fields["title"].label, self.fields["provider_name"].label, self.fields["hours"].label = labels
        required = {
            "title": "Enter the course's title",
            "provider_name": f"Enter {_the(labels[1])}",
            "state": "Choose the state that approved the course, or IADLEST",
            "completed_on": "Enter the date the course was completed",
            "hours": "Enter the hours",
            "semester_hours": "Enter the semester hours shown on the transcript",
        }
        for name, message in required.items():
            self.fields[name].error_messages["required"] = message
        self.fields["completed_on"].error_messages["invalid"] = "Enter a real date, such as 05/10/2023"
        if kind == "college":
            del self.fields["hours"]
        else:
            del self.fields["semester_hours"]
        if kind == "instruction":
            self.fields["provider_name"].required = False
            self.fields["title"].help_text = "A basic training or CLEE course, with its number if it has one."
            self.fields["hours"].help_text = "Hours of instruction you gave; each earns 1 hour of credit."
        elif kind != "college":
            self.fields["hours"].help_text = "As shown on the certificate."
        if kind == "out_of_state":
            state = self.fields["state"]
            assert isinstance(state, forms.ChoiceField)
            state.label = "State that approved the course"
            state.choices = [("", "- Select -"), ("IADLEST", "IADLEST (National Certification Program)")] + [
                (code, name) for code, name in US_STATES if code != settings.CLEE_JURISDICTION
            ]
            state.help_text = recognized_hint(period)
        else:
            del self.fields["state"]
        for name, label, hint in DOCUMENT_FIELDS[kind]:
            self.fields[name] = DocumentsField(
                label=label,
                help_text=hint,
                required=name in REQUIRED_DOCUMENTS[kind],
                error_messages={"required": f"Add {_the(label)}"},
            )
        self.fields["other"] = DocumentsField(
            label="Other documents" if DOCUMENT_FIELDS[kind] else "Supporting documents",
            required=False,
            help_text="PDF, PNG or JPEG; you may choose several files.",
        )
        for name in [name for name, _, _ in DOCUMENT_FIELDS[kind]] + ["other"]:
            # USWDS's file input script names the control "Drag files here or choose from
            # folder" (aria-label); the label it points to keeps it named for what it is.
            self.fields[name].widget.attrs["aria-labelledby"] = f"id_{name}_label"
        if "semester_hours" in self.fields:
            self.fields["semester_hours"].widget.attrs.update(
                {"class": "usa-input usa-input--small", "step": "0.5"}
            )
        self.dress()  # the fields added here

    def clean_completed_on(self) -> dt.date:
        completed_on: dt.date = self.cleaned_data["completed_on"]
        if completed_on > timezone.localdate():
            raise forms.ValidationError(
                "The completion date is in the future: enter the day the course ended"
            )
        return completed_on

    @property
    def document_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _, _ in DOCUMENT_FIELDS[self.kind]] + [self["other"]]

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        names = ("title", "provider_name", "state", "completed_on", "hours", "semester_hours", "details")
        return [self[name] for name in names if name in self.fields]

    def uploads(self) -> list[RequestUpload]:
        """The cleaned files, as the service takes them."""
        found = []
        for name in [name for name, _, _ in DOCUMENT_FIELDS[self.kind]] + ["other"]:
            for upload in self.cleaned_data.get(name) or []:
                upload.seek(0)
                found.append(RequestUpload(kind=name, name=upload.name or name, content=upload.read()))
        return found


def kind_of(value: str | None) -> str | None:
    """The kind of request asked for in ``?kind=``, or None when it is not one."""
    return value if value in CreditRequest.Kind.values else None
