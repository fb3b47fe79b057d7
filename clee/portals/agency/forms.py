"""The agency portal's forms: parse and check what the administrator typed; the services
decide the rest (their refusals are shown next to the field they name, by ``PortalForm.refuse``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from clee.core.choices import Delivery
from clee.core.documents import sniff_kind
from clee.core.forms import PortalForm, hours_field
from clee.imports.tables import MAX_BYTES
from clee.portals.agency.selectors import FILTERS, SORT_CHOICES
from clee.providers.models import Course, CourseDocument

INPUT = {"class": "usa-input"}
DATE = {"class": "usa-input", "type": "date"}
SELECT = {"class": "usa-select"}
TEXTAREA = {"class": "usa-textarea"}


def not_in_future(day: dt.date, what: str) -> None:
    if day > timezone.localdate():
        raise forms.ValidationError(f"The {what} cannot be in the future.")


class RosterFilterForm(forms.Form):
    """The roster's search, filter and sort (a GET form: a filtered list has its own address)."""

    q = forms.CharField(
        label="Search by name or license number",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off", "enterkeyhint": "search"}),
    )
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "All commissioned officers"), *((key, label) for key, (label, _) in FILTERS.items())],
        widget=forms.Select(attrs=SELECT),
    )
    sort = forms.ChoiceField(
        label="Sort by", required=False, choices=SORT_CHOICES, widget=forms.Select(attrs=SELECT)
    )

    def values(self) -> tuple[str, str, str]:
        """``(query, status, sort)``; anything unreadable is left out rather than refused."""
        if not self.is_valid():
            return "", "", "name"
        data = self.cleaned_data
        return data["q"].strip(), data["status"], data["sort"] or "name"


class CommissionStartForm(PortalForm):
    """Who the agency commissions: the license number, and two facts an employer has on file and
    a stranger with a roster does not all have, the last name and the date of birth."""

    license_number = forms.CharField(
        label="License number",
        max_length=20,
        help_text="As on the officer's POST license, such as P1000001.",
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off", "spellcheck": "false"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=80,
        help_text="The officer's last name, as on the license.",
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        help_text="From your personnel record: proof that your agency employs the officer.",
        widget=forms.DateInput(attrs={**DATE, "autocomplete": "off"}),
    )
    start = forms.DateField(label="First day of the commission", widget=forms.DateInput(attrs=DATE))

    def clean_start(self) -> dt.date:
        start: dt.date = self.cleaned_data["start"]
        not_in_future(start, "first day of the commission")
        return start


END_REASONS = (
    ("", "- Select -"),
    ("Resigned", "Resigned"),
    ("Retired", "Retired"),
    ("Transferred to another agency", "Transferred to another agency"),
    ("Terminated", "Terminated"),
    ("Deceased", "Deceased"),
    ("Other", "Other (explain below)"),
)


class CommissionEndForm(PortalForm):
    end = forms.DateField(label="Last day of the commission", widget=forms.DateInput(attrs=DATE))
    reason = forms.ChoiceField(label="Reason", choices=END_REASONS, widget=forms.Select(attrs=SELECT))
    details = forms.CharField(
        label="Details",
        required=False,
        max_length=250,
        help_text="Required when the reason is Other.",
        widget=forms.TextInput(attrs=INPUT),
    )

    def clean_end(self) -> dt.date:
        end: dt.date = self.cleaned_data["end"]
        not_in_future(end, "last day of the commission")
        return end

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == "Other" and not data.get("details", "").strip():
            self.add_error("details", "Say why the commission ends.")
        return data

    def reason_text(self) -> str:
        reason, details = self.cleaned_data["reason"], self.cleaned_data["details"].strip()
        return f"{reason}: {details}" if details else reason


LICENSE_SEPARATORS = re.compile(r"[\s,;]+")
MAX_SESSION_OFFICERS = 500


class SessionForm(PortalForm):
    """One training session: an approved in-service course, or training described here (its
    split over the core areas is the page's ``HourSplitFormSet``, clee.portals.split)."""

    course = forms.ModelChoiceField(
        label="Approved in-service course",
        queryset=Course.objects.none(),
        required=False,
        empty_label="None: describe the training below",
        help_text=(
            "Officers of any agency may attend your approved in-service courses and be named here. "
            "Training described below counts only for officers your agency commissioned that day."
        ),
        widget=forms.Select(attrs=SELECT),
    )
    completed_on = forms.DateField(label="Date of the session", widget=forms.DateInput(attrs=DATE))
    license_numbers = forms.CharField(
        label="Officers who attended",
        help_text="Their license numbers, one per line or separated by commas.",
        error_messages={"required": "Enter the license number of at least one officer."},
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 5, "spellcheck": "false"}),
    )
    title = forms.CharField(
        label="Title of the training", required=False, max_length=200, widget=forms.TextInput(attrs=INPUT)
    )
    hours = hours_field(
        "Hours", help_text="The whole session; with an approved course, leave blank for all of its hours."
    )
    delivery = forms.ChoiceField(
        label="Delivery", choices=Delivery.choices, initial=Delivery.LIVE, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args: Any, courses: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if courses is not None:
            self.fields["course"].queryset = courses  # type: ignore[attr-defined]

    def clean_completed_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["completed_on"]
        not_in_future(day, "date of the session")
        return day

    def clean_license_numbers(self) -> list[str]:
        numbers = [n.upper() for n in LICENSE_SEPARATORS.split(self.cleaned_data["license_numbers"]) if n]
        if not numbers:
            raise forms.ValidationError("Enter at least one license number.")
        if len(numbers) > MAX_SESSION_OFFICERS:
            raise forms.ValidationError(
                f"At most {MAX_SESSION_OFFICERS} officers a session: upload a roster file for more."
            )
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        if twice:
            raise forms.ValidationError(f"Listed more than once: {', '.join(twice)}.")
        return numbers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("course") is None:
            if not (data.get("title") or "").strip() and "title" not in self.errors:
                self.add_error("title", "Give the training's title, or choose an approved course.")
            if data.get("hours") is None and "hours" not in self.errors:
                self.add_error("hours", "Give the training's hours.")
        elif (data.get("title") or "").strip():
            self.add_error(
                "course",
                "Choose an approved course or describe the training, not both: an approved course "
                "has its own split of hours.",
            )
        return data


class RosterUploadForm(PortalForm):
    AGENCY, COURSE = "agency", "course"

    file = forms.FileField(
        label="Roster file (CSV or XLSX)",
        help_text="Row 1 names the columns; one row per officer per session.",
        error_messages={"required": "Choose the roster file to upload.", "empty": "The file is empty."},
        widget=forms.ClearableFileInput(attrs={"class": "usa-file-input", "accept": ".csv,.xlsx"}),
    )
    scope = forms.ChoiceField(
        label="Whose training is on the file",
        choices=(
            (
                AGENCY,
                "Training of officers we commission (our course numbers, or courses described by title)",
            ),
            (
                COURSE,
                "Our approved in-service courses, attended by officers of any agency (course numbers only)",
            ),
        ),
        initial=AGENCY,
        widget=forms.RadioSelect,
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is over the {MAX_BYTES // (1024 * 1024)} MB limit.")
        return upload


DOCUMENT_FIELDS = (
    ("doc_synopsis", CourseDocument.Kind.SYNOPSIS, "Synopsis or course outline"),
    ("doc_objectives", CourseDocument.Kind.OBJECTIVES, "Learning objectives"),
    ("doc_instructor_record", CourseDocument.Kind.INSTRUCTOR_RECORD, "Instructor record"),
    ("doc_sample_certificate", CourseDocument.Kind.SAMPLE_CERTIFICATE, "Sample certificate"),
)


class InServiceCourseForm(PortalForm):
    """An in-service course submitted for pre-approval (its proposed split is the page's
    ``HourSplitFormSet``, clee.portals.split)."""

    number = forms.CharField(
        label="Course number",
        max_length=30,
        help_text="Your own number for the course, used on rosters (such as RPD-12).",
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off"}),
    )
    title = forms.CharField(label="Title", max_length=200, widget=forms.TextInput(attrs=INPUT))
    hours = hours_field("Hours", required=True)
    delivery = forms.ChoiceField(
        label="Delivery", choices=Delivery.choices, initial=Delivery.LIVE, widget=forms.Select(attrs=SELECT)
    )
    synopsis = forms.CharField(
        label="Synopsis",
        max_length=5000,
        help_text="What the course covers, for POST's reviewer.",
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 4}),
    )
    learning_objectives = forms.CharField(
        label="Learning objectives",
        max_length=5000,
        help_text="What an officer can do after the course, one objective per line.",
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, _, label in DOCUMENT_FIELDS:
            self.fields[name] = forms.FileField(
                label=label,
                required=False,
                help_text="PDF, PNG or JPEG.",
                widget=forms.ClearableFileInput(
                    attrs={"class": "usa-file-input", "accept": ".pdf,.png,.jpg,.jpeg"}
                ),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        limit = settings.DOCUMENT_MAX_BYTES
        for name, _, _ in DOCUMENT_FIELDS:
            upload = data.get(name)
            if upload is None:
                continue
            if upload.size > limit:
                self.add_error(name, f"The file is over the {limit / 1e6:.0f} MB limit.")
                continue
            head = upload.read(16)
            upload.seek(0)
            if sniff_kind(head) is None:
                self.add_error(name, "Only PDF, PNG and JPEG documents are accepted.")
        return data

    def uploads(self) -> list[tuple[str, str, bytes]]:
        """``(kind, file name, content)`` of each document given."""
        found = []
        for name, kind, _ in DOCUMENT_FIELDS:
            upload = self.cleaned_data.get(name)
            if upload is not None:
                found.append((str(kind), upload.name or f"{kind}.pdf", upload.read()))
        return found
