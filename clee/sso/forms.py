"""Forms of single sign-on: the license confirmation and the invitation list's search."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from clee.core.forms import PortalForm


class LicenseConfirmForm(PortalForm):
    license_number = forms.CharField(
        label="POST license number",
        max_length=40,
        help_text="As printed on your peace officer license, for example P1000001.",
        widget=forms.TextInput(attrs={"class": "usa-input", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter your POST license number."},
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"class": "usa-input", "type": "date", "autocomplete": "bday"}),
        error_messages={
            "required": "Enter your date of birth.",
            "invalid": "Enter your date of birth as a date, such as 1988-04-02.",
        },
    )

    def clean_date_of_birth(self) -> dt.date:
        born: dt.date = self.cleaned_data["date_of_birth"]
        if born >= timezone.localdate():
            raise forms.ValidationError("Enter a date of birth in the past.")
        return born


class InvitationFilterForm(forms.Form):
    SHOW = [("", "All officers"), ("waiting", "Not connected"), ("connected", "Connected")]

    q = forms.CharField(
        label="Name or license number",
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )
    show = forms.ChoiceField(
        label="Show", required=False, choices=SHOW, widget=forms.Select(attrs={"class": "usa-select"})
    )

    def values(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", ""
        return self.cleaned_data["q"].strip(), self.cleaned_data["show"]
