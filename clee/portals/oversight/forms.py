"""Forms of the oversight pages: choosing a period, rule book drafts and the recognized list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet

from clee.agencies.models import Agency
from clee.compliance.impact import DRAFT_MAX_BYTES
from clee.compliance.models import ReportingPeriod
from clee.core.forms import PortalForm, date_field


class PeriodChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.year} ({obj.phase_shown})"


def periods() -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.filter(jurisdiction=settings.CLEE_JURISDICTION).order_by("-year")


class PeriodForm(PortalForm):
    """The period a statewide page shows (``?period=2023``)."""

    period = PeriodChoiceField(
        queryset=ReportingPeriod.objects.none(),
        to_field_name="year",
        empty_label=None,
        label="Reporting period",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period"]
        assert isinstance(field, PeriodChoiceField)
        field.queryset = periods()


class NoncompliantFilterForm(PeriodForm):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), required=False, empty_label="Every agency", label="Agency"
    )
    q = forms.CharField(
        required=False, max_length=80, label="Officer", help_text="Last or first name, or license number."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = Agency.objects.filter(active=True).order_by("name")


class AgencySearchForm(PeriodForm):
    q = forms.CharField(
        required=False, max_length=80, label="Agency", help_text="Part of the name, or the ORI."
    )


class DraftPackForm(PortalForm):
    """A draft rule pack to preview against a period's officers."""

    period = PeriodChoiceField(
        queryset=ReportingPeriod.objects.none(),
        empty_label=None,
        label="Reporting period",
        help_text="Every officer of this period is evaluated under its pack and under the draft.",
    )
    draft = forms.FileField(
        label="Draft rule pack (YAML)",
        help_text="A copy of the period's pack with the values you want to try; at most 256 KB.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period"]
        assert isinstance(field, PeriodChoiceField)
        field.queryset = periods()
        self.fields["draft"].widget.attrs.update({"class": "usa-file-input", "accept": ".yaml,.yml"})

    def clean_draft(self) -> Any:
        upload = self.cleaned_data["draft"]
        if upload.size > DRAFT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // 1024} KB; a draft rule pack may be at most 256 KB."
            )
        if not upload.name.lower().endswith((".yaml", ".yml")):
            raise forms.ValidationError(
                "Choose a YAML file (.yaml or .yml), like the packs in clee/rules/packs/."
            )
        return upload


# Rule book versions and the recognized out-of-state list (clee.portals.oversight.rules) ----------


class DraftUploadForm(PortalForm):
    """A rule book file to start a draft from."""

    book = forms.FileField(
        label="Rule book file (YAML)",
        help_text="A whole rule book, like clee/rules/packs/mo.yaml: every period's rules as dated values; "
        "at most 256 KB.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["book"].widget.attrs["accept"] = ".yaml,.yml"

    def clean_book(self) -> Any:
        upload = self.cleaned_data["book"]
        if not upload.name.lower().endswith((".yaml", ".yml")):
            raise forms.ValidationError("Choose a YAML file (.yaml or .yml), like clee/rules/packs/mo.yaml.")
        if upload.size > DRAFT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // 1024} KB; a rule book may be at most 256 KB."
            )
        return upload


class DraftTextForm(PortalForm):
    """The text of a draft, edited in the page."""

    text = forms.CharField(
        label="Rule book (YAML)",
        strip=False,
        max_length=DRAFT_MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "site-code-input"}),
        help_text="Add a dated entry to a value to change it from a period's first day (January 1); "
        "keep the earlier entries: they decide the earlier periods.",
    )


class SubmitDraftForm(PortalForm):
    effective_from = date_field(
        "Effective date",
        help_text="From this day the version decides every period whose rules it changes.",
    )
    reason = forms.CharField(
        label="Reason for the change",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the version for good: the rule, memo or decision behind the change.",
        error_messages={"required": "Say why the rules change."},
    )


class ReturnDraftForm(PortalForm):
    note = forms.CharField(
        label="What should change",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what should change before the draft comes back."},
    )


class DraftImpactForm(PortalForm):
    period = PeriodChoiceField(
        queryset=ReportingPeriod.objects.none(),
        empty_label=None,
        label="Reporting period",
        help_text="Every officer of the period is evaluated under the rules deciding it now and "
        "under the draft.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period"]
        assert isinstance(field, PeriodChoiceField)
        field.queryset = periods()


class RecognizedAddForm(PortalForm):
    code = forms.CharField(
        label="State or IADLEST",
        max_length=10,
        help_text="The two-letter code of the state whose POST approved the courses (such as MN), "
        "or IADLEST.",
    )
    recognized_from = date_field("Recognized from")
    recognized_until = date_field(
        "Recognized until", required=False, help_text="Leave empty: recognized until further notice."
    )
    reference = forms.CharField(
        label="Citation",
        max_length=300,
        help_text="The memo, reciprocity agreement or rule the recognition rests on.",
    )


class RecognizedEndForm(PortalForm):
    last_day = date_field("Last day recognized")
    reason = forms.CharField(label="Why it ends", max_length=300)
