"""The Director's forms: a decision on a license, a reactivation, the queue's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from clee.compliance.decisions import REASON_MAX
from clee.core.forms import PortalForm
from clee.portals.oversight.forms import PeriodChoiceField


class QueueForm(PortalForm):
    period = PeriodChoiceField(
        queryset=None, to_field_name="year", empty_label=None, label="Reporting period"
    )
    q = forms.CharField(
        required=False, max_length=80, label="Officer", help_text="Last or first name, or license number."
    )

    def __init__(self, *args: Any, periods: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period"]
        assert isinstance(field, PeriodChoiceField)
        field.queryset = periods


class DecisionForm(PortalForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            ("inactivate", "Inactivate the license"),
            ("keep", "Keep the license active"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to inactivate (it goes into the officer's license history); optional to "
        f"keep the license active. At most {REASON_MAX} characters.",
    )

    @property
    def inactivate(self) -> bool:
        return bool(self.cleaned_data.get("decision") == "inactivate")


class ReactivationForm(PortalForm):
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, which make-up training was shown. It goes into the license history.",
    )
