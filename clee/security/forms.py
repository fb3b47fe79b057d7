"""Forms of the account security pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.password_validation import MinimumLengthValidator, get_default_password_validators

from clee.core.forms import PortalForm


class CodeForm(PortalForm):
    code = forms.CharField(
        label="Code",
        max_length=40,
        strip=True,
        error_messages={"required": "Enter the code from your authenticator app, or a recovery code."},
        widget=forms.TextInput(
            attrs={
                "class": "usa-input usa-input--medium",
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )


class EnrolForm(PortalForm):
    code = forms.CharField(
        label="Code from your app",
        help_text="6 digits; a new code appears every 30 seconds.",
        max_length=12,
        strip=True,
        error_messages={"required": "Enter the 6-digit code your app shows."},
        widget=forms.TextInput(
            attrs={
                "class": "usa-input usa-input--small",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
            }
        ),
    )


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form (old password, new one twice, the password rules) with USWDS inputs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "usa-input"
        self.fields["new_password1"].help_text = (
            f"At least {minimum_length()} characters. Any characters, spaces included; a few unrelated "
            "words make a good one. Not a common password, and not your username or this site's name."
        )


def minimum_length() -> int:
    """The minimum the password rules set (``AUTH_PASSWORD_VALIDATORS``)."""
    for validator in get_default_password_validators():
        if isinstance(validator, MinimumLengthValidator):
            return int(validator.min_length)
    return 0
