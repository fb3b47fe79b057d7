"""The staff pages' forms (the kit of ``clee.core.forms``).

Forms check what a person typed (dates, numbers, choices, a reason where one is needed); the
services check the rules, and their refusals are put back on the form by ``PortalForm.refuse``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from clee.agencies.models import Agency
from clee.compliance.models import Extension, ReportingPeriod
from clee.core.choices import Delivery, ProviderCredit
from clee.core.forms import (
    DateInput,
    PortalForm,
    PortalModelForm,
    date_field,
    plain_hours,
    radio_field,
    with_blank,
)
from clee.officers.models import Officer
from clee.portals.split import HourSplitFormSet, split_formset, split_initial
from clee.providers.courses import PortionSpec
from clee.providers.models import Course, Provider, RecognizedCourse
from clee.training.models import CreditRequest
from clee.training.services import LineSpec

# Lines: the core areas and hours a reviewer decides ------------------------------------------

# A service's refusal naming one of these is about the lines as a whole.
LINE_FIELDS = ("lines", "portions", "hours")


def record_lines(portions: list[PortionSpec]) -> list[LineSpec]:
    """Portions of hours as a training record's lines (topic hours as numbers)."""
    return [
        LineSpec(
            core_area=spec.core_area,
            subject=spec.subject,
            hours=spec.hours,
            topics={topic: float(hours) for topic, hours in spec.topics.items()},
        )
        for spec in portions
    ]


LINE_SPARE_ROWS = 2


def lines_formset(
    data: Any = None, *, initial: list[PortionSpec] | None = None, prefix: str = "lines"
) -> HourSplitFormSet:
    """The lines a reviewer decides (the split form of every page), then spare empty rows."""
    return split_formset(data, initial=split_initial(initial or []), prefix=prefix, spare=LINE_SPARE_ROWS)


# Decisions --------------------------------------------------------------------------------

APPROVE, DENY = "approve", "deny"


class RequestDecisionForm(PortalForm):
    decision = radio_field("Decision", [(APPROVE, "Approve with the lines above"), (DENY, "Deny")])
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The officer sees it. Required to deny, and to approve credit the rules will not count.",
    )
    delivery = forms.ChoiceField(label="Delivery", choices=Delivery.choices, initial=Delivery.LIVE)
    credit_class = forms.ChoiceField(
        label="Credit class",
        choices=ProviderCredit.choices,
        initial=ProviderCredit.LICENSED,
        help_text="For hours taught only; other kinds earn the class their source earns.",
    )

    recognition_reason = forms.CharField(
        label="Why POST recognizes this course",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Makes a course from a source not on the recognized list for its date count: "
        "kept on the record, and the officer sees it.",
    )

    def __init__(self, *args: Any, request: CreditRequest, preview: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request.kind != CreditRequest.Kind.INSTRUCTION:
            del self.fields["credit_class"]
        if request.kind != CreditRequest.Kind.OUT_OF_STATE:
            del self.fields["recognition_reason"]
        if preview:  # previewing an approval: no decision is being made yet
            self.fields["decision"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == DENY and not data.get("reason", "").strip():
            self.add_error("reason", "Give the reason for the denial: the officer sees it.")
        return data


class CourseDecisionForm(PortalForm):
    decision = radio_field("Decision", [(APPROVE, "Approve with this window and split"), (DENY, "Deny")])
    approved_from = date_field("Approved from", required=False, help_text="Required to approve.")
    approved_until = date_field(
        "Approved until", required=False, help_text="Leave empty for an approval without an end."
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The provider sees it. Required to deny.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == DENY and not data.get("reason", "").strip():
            self.add_error("reason", "Give the reason for the denial: the provider sees it.")
        if data.get("decision") == APPROVE:
            starts, ends = data.get("approved_from"), data.get("approved_until")
            if starts is None and "approved_from" not in self.errors:
                self.add_error("approved_from", "Enter the first day of the approval.")
            elif starts is not None and ends is not None and ends < starts:
                self.add_error("approved_until", f"The approval ends before it starts ({starts:%B %-d, %Y}).")
        return data


class CourseWindowForm(PortalForm):
    """A new approval window for an approved course (ending its approval, or extending it)."""

    approved_from = date_field("Approved from")
    approved_until = date_field(
        "Approved until", required=False, help_text="Leave empty for an approval without an end."
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The provider sees it.",
        error_messages={"required": "Say why the approval window changes: the provider sees it."},
    )


# Extensions and waivers -----------------------------------------------------------------------

GRANT, REFUSE = "grant", "refuse"


class ExtensionDecisionForm(PortalForm):
    decision = radio_field("Decision", [(GRANT, "Grant"), (REFUSE, "Refuse")])
    new_deadline = date_field("New deadline", required=False, help_text="Required to grant.")
    refusal_reason = forms.CharField(
        label="Reason for a refusal", required=False, max_length=300, help_text="Required to refuse."
    )

    def __init__(self, *args: Any, extension: Extension, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"extension-{extension.pk}")
        super().__init__(*args, **kwargs)
        self.extension = extension

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wants_deadline = data.get("decision") == GRANT and data.get("new_deadline") is None
        if wants_deadline and "new_deadline" not in self.errors:
            self.add_error("new_deadline", "Enter the new deadline.")
        if data.get("decision") == REFUSE and not data.get("refusal_reason", "").strip():
            self.add_error("refusal_reason", "Give the reason for the refusal.")
        return data


class PeriodChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.year} (grace deadline {obj.grace_deadline:%B %-d, %Y})"


class ExtensionGrantForm(PortalForm):
    license_number = forms.CharField(
        label="License number",
        max_length=20,
        error_messages={"required": "Enter the officer's license number."},
    )
    period = PeriodChoiceField(
        label="Reporting period",
        queryset=ReportingPeriod.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the reporting period."},
    )
    kind = forms.ChoiceField(label="Kind", choices=Extension.Kind.choices)
    reason = forms.ChoiceField(
        label="Reason",
        choices=with_blank(Extension.Reason.choices),
        error_messages={"required": "Choose the reason for the leave."},
    )
    new_deadline = date_field("New deadline", help_text="After the period's grace deadline.")
    explanation = forms.CharField(
        label="Note",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example the letter or order it rests on.",
    )

    def __init__(self, *args: Any, periods: Any, current: ReportingPeriod | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period_field = self.fields["period"]
        assert isinstance(period_field, forms.ModelChoiceField)
        period_field.queryset = periods
        if current is not None:
            self.initial.setdefault("period", current.pk)

    def clean_license_number(self) -> Officer:
        number = str(self.cleaned_data["license_number"]).strip().upper()
        officer = Officer.objects.filter(license_number=number).first()
        if officer is None:
            raise ValidationError(f"No officer holds license {number}.")
        return officer


# Providers and the catalog ----------------------------------------------------------------------


class ProviderForm(PortalModelForm):
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
        labels = {
            "number": "Provider number",
            "credit_class": "Credit class",
            "agency": "Agency",
            "state": "State",
            "approved_from": "Approved from",
            "approved_until": "Approved until",
        }
        help_texts = {
            "number": "POST's number for the provider, for example LP-0042.",
            "credit_class": "Leave empty for the usual class of the kind: approved for academies, "
            "out-of-state sources and colleges; licensed for in-service and military training.",
            "agency": "For an agency in-service provider only.",
            "state": "Two letters, for a recognized out-of-state source only.",
            "approved_until": "Leave empty for an approval without an end.",
        }
        widgets = {"approved_from": DateInput(), "approved_until": DateInput()}
        error_messages = {
            "number": {"required": "Enter the provider's number."},
            "name": {"required": "Enter the provider's name."},
            "kind": {"required": "Choose the kind of provider."},
            "approved_from": {
                "required": "Enter the first day of the approval.",
                "invalid": "Enter a date as YYYY-MM-DD.",
            },
            "approved_until": {"invalid": "Enter a date as YYYY-MM-DD."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = with_blank(Provider.Kind.choices)
        credit_class = self.fields["credit_class"]
        assert isinstance(credit_class, forms.ChoiceField)
        credit_class.required = False
        credit_class.choices = with_blank(ProviderCredit.choices, "Usual for the kind")
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        # Active agencies, and the provider's own even if it is no longer active.
        agency.queryset = Agency.objects.filter(Q(active=True) | Q(pk=self.instance.agency_id or 0)).order_by(
            "name"
        )
        agency.empty_label = "None"
        self.fields["state"].widget.attrs.update({"maxlength": 2, "class": "usa-input usa-input--xs"})
        self.fields["number"].widget.attrs["class"] = "usa-input usa-input--medium"

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()

    def clean_state(self) -> str:
        return str(self.cleaned_data["state"]).strip().upper()


class CatalogEntryForm(PortalModelForm):
    class Meta:
        model = RecognizedCourse
        fields = (
            "source",
            "provider_name",
            "number",
            "title",
            "hours",
            "delivery",
            "recognized_from",
            "recognized_until",
            "notes",
        )
        error_messages = {
            "source": {"required": "Enter the recognizing state's two letters or IADLEST."},
            "provider_name": {"required": "Enter the provider's name."},
            "title": {"required": "Enter the course's title."},
            "hours": {"required": "Enter the course's hours.", "invalid": "Enter hours as a number."},
            "recognized_from": {
                "required": "Enter the first day of the recognition.",
                "invalid": "Enter a date as YYYY-MM-DD.",
            },
            "recognized_until": {"invalid": "Enter a date as YYYY-MM-DD."},
        }
        labels = {
            "source": "Source",
            "provider_name": "Provider",
            "number": "Course number",
            "recognized_from": "Recognized from",
            "recognized_until": "Recognized until",
        }
        help_texts = {
            "source": "The recognizing state's two letters, or IADLEST.",
            "number": "The course's number at its source.",
            "hours": "The lines below must add up to these hours.",
            "recognized_until": "Leave empty for a recognition without an end.",
        }
        widgets = {
            "recognized_from": DateInput(),
            "recognized_until": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["hours"] = plain_hours(self.instance.hours)

    def clean_source(self) -> str:
        source = str(self.cleaned_data["source"]).strip().upper()
        if source != "IADLEST" and (len(source) != 2 or not source.isalpha()):
            raise ValidationError("Enter the state's two letters (for example MN) or IADLEST.")
        if source == "MO":
            raise ValidationError("A Missouri course is not an out-of-state course.")
        return source


# Filters of the lists (GET forms: a wrong value is ignored, never an error page) -------------


class FilterForm(PortalForm):
    def value(self, name: str) -> Any:
        if not self.is_valid():
            return self.fields[name].initial or ""
        return self.cleaned_data.get(name) or ""


class CourseQueueFilter(FilterForm):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[(s, label) for s, label in Course.Status.choices]
    )
    provider = forms.ModelChoiceField(
        label="Provider", required=False, queryset=Provider.objects.none(), empty_label="All providers"
    )
    kind = forms.ChoiceField(
        label="Provider kind", required=False, choices=with_blank(Provider.Kind.choices, "All kinds")
    )

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelChoiceField)
        provider.queryset = providers


class RequestQueueFilter(FilterForm):
    status = forms.ChoiceField(label="Status", required=False, choices=CreditRequest.Status.choices)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=with_blank(CreditRequest.Kind.choices, "All kinds")
    )
    state = forms.CharField(
        label="State",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "usa-input--small", "autocapitalize": "characters"}),
    )


class ProviderFilter(FilterForm):
    q = forms.CharField(label="Name or number", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=with_blank(Provider.Kind.choices, "All kinds")
    )


class CatalogFilter(FilterForm):
    q = forms.CharField(label="Title, provider or number", required=False, max_length=100)
    source = forms.ChoiceField(label="Source", required=False, choices=[])

    def __init__(self, *args: Any, sources: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [("", "All sources"), *((s, s) for s in sources)]


class MakeupForm(PortalForm):
    """Records completed after a deficient period, to apply to it as make-up training."""

    records = forms.MultipleChoiceField(
        label="Training to apply",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one record to apply."},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=240,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the training makes up for; the officer and the Director see it in the history.",
        error_messages={"required": "Give the reason for applying the training."},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = choices  # type: ignore[attr-defined]

    def record_ids(self) -> list[int]:
        return [int(value) for value in self.cleaned_data["records"]]
