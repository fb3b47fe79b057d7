"""Forms of the people pages: they check what a person typed; the services decide the rest
(their refusals are put back on the field they name by ``clee.core.forms.refuse``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.http import HttpRequest
from django.utils import timezone

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.core.forms import PortalForm
from clee.people.policy import grantable_roles
from clee.people.selectors import invitable_agencies, invitable_providers
from clee.providers.models import Provider
from clee.security.forms import minimum_length

INPUT = {"class": "usa-input"}
SELECT = {"class": "usa-select"}
ROLE_LABELS = {
    User.Role.AGENCY_ADMIN: "Agency administrator",
    User.Role.PROVIDER: "Training provider staff",
    User.Role.POST_STAFF: "POST staff",
}


def password_help() -> str:
    return (
        f"At least {minimum_length()} characters. Any characters, spaces included; a few unrelated words "
        "make a good one. Not a common password, and not your username or this site's name."
    )


class NewPasswordFields(PortalForm):
    """A new password, typed twice (the password rules are the service's to apply)."""

    password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={**INPUT, "autocomplete": "new-password"}),
        error_messages={"required": "Choose a password."},
    )
    password2 = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={**INPUT, "autocomplete": "new-password"}),
        error_messages={"required": "Type the password a second time."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = password_help()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ. Type the same password twice.")
        return cleaned


def username_field(initial: str = "") -> forms.CharField:
    return forms.CharField(
        label="Username",
        max_length=150,
        initial=initial,
        help_text="What you will sign in with: letters, digits and . @ + - _ (no spaces).",
        widget=forms.TextInput(
            attrs={**INPUT, "autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": "Choose a username."},
    )


class AcceptForm(NewPasswordFields):
    """An invitee's own account: their name as they want it shown, a username, a password."""

    first_name = forms.CharField(
        label="First name",
        max_length=150,
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "family-name"}),
    )
    field_order = ["first_name", "last_name", "username", "password1", "password2"]

    def __init__(self, *args: Any, username: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"] = username_field(username)
        self.order_fields(self.field_order)


class OfficerAccountForm(NewPasswordFields):
    """An officer's own account, from a sign-up link or an invitation: a username, a password."""

    def __init__(self, *args: Any, username: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"] = username_field(username)
        self.order_fields(["username", "password1", "password2"])


class InviteForm(PortalForm):
    """Whom to invite, as what, and where: the roles and places are those ``user`` may grant."""

    role = forms.ChoiceField(label="Role", widget=forms.Select(attrs=SELECT))
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    provider = forms.ModelChoiceField(
        label="Training provider",
        queryset=Provider.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    first_name = forms.CharField(label="First name", max_length=150, widget=forms.TextInput(attrs=INPUT))
    last_name = forms.CharField(label="Last name", max_length=150, widget=forms.TextInput(attrs=INPUT))
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation goes here; it becomes the account's address.",
        widget=forms.EmailInput(attrs={**INPUT, "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"invalid": "Enter an email address, such as name@agency.gov."},
    )
    license_number = forms.CharField(
        label="License number, if they are one of the agency's officers",
        max_length=20,
        required=False,
        help_text="Their administrator access then ends the moment their commission with the agency does.",
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        roles = grantable_roles(user)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(role, ROLE_LABELS[User.Role(role)]) for role in roles]
        if len(roles) == 1:  # nothing to choose: the one role is taken whatever was sent
            role_field.initial = roles[0]
            role_field.required = False
            role_field.widget = forms.HiddenInput()
        if user.role == User.Role.POST_STAFF:
            agency_field = self.fields["agency"]
            provider_field = self.fields["provider"]
            assert isinstance(agency_field, forms.ModelChoiceField)
            assert isinstance(provider_field, forms.ModelChoiceField)
            agency_field.queryset = invitable_agencies()
            agency_field.help_text = "Required for an agency administrator: the agency they will administer."
            provider_field.queryset = invitable_providers()
            provider_field.help_text = "Required for a provider's staff member: the provider they work for."
        else:
            del self.fields["agency"]
            del self.fields["provider"]
        if User.Role.AGENCY_ADMIN not in roles:
            del self.fields["license_number"]
        for name, field in self.fields.items():
            if field.required and name != "role":
                field.error_messages["required"] = f"Enter the {str(field.label).lower()}."
        self.fields["role"].error_messages["required"] = "Choose the role of the person invited."

    def clean_role(self) -> str:
        roles = grantable_roles(self.user)
        if len(roles) == 1:
            return str(roles[0])
        return str(self.cleaned_data["role"])

    @property
    def single_role(self) -> bool:
        return isinstance(self.fields["role"].widget, forms.HiddenInput)


class ReasonForm(PortalForm):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="Kept in the account's history, for example “left the agency on May 2”.",
        widget=forms.TextInput(attrs=INPUT),
        error_messages={"required": "Say why: it is kept in the account's history."},
    )


class PeopleFilter(PortalForm):
    STATUS = [("", "Active and deactivated"), ("active", "Active"), ("inactive", "Deactivated")]
    ROLES = [
        ("", "Every role"),
        *[(str(value), str(label)) for value, label in User.Role.choices if value != "director"],
    ]

    q = forms.CharField(
        label="Name, username or email",
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={**INPUT, "spellcheck": "false"}),
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=STATUS, widget=forms.Select(attrs=SELECT)
    )
    role = forms.ChoiceField(label="Role", required=False, choices=ROLES, widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, statewide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not statewide:
            del self.fields["role"]

    def values(self) -> tuple[str, str, str]:
        if not self.is_valid():
            return "", "", ""
        data = self.cleaned_data
        return data["q"].strip(), data["status"], data.get("role", "")


class SignupForm(PortalForm):
    license_number = forms.CharField(
        label="POST license number",
        max_length=20,
        help_text="As printed on your peace officer license, for example P1000001.",
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter your POST license number."},
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={**INPUT, "type": "date", "autocomplete": "bday"}),
        error_messages={
            "required": "Enter your date of birth.",
            "invalid": "Enter your date of birth as a date, such as 1988-04-02.",
        },
    )
    email = forms.EmailField(
        label="Email address",
        help_text="The address your agency has on file for you: the link is sent only there.",
        widget=forms.EmailInput(attrs={**INPUT, "autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": "Enter your email address.", "invalid": "Enter an email address."},
    )

    def clean_date_of_birth(self) -> dt.date:
        born: dt.date = self.cleaned_data["date_of_birth"]
        if born >= timezone.localdate():
            raise forms.ValidationError("Enter a date of birth in the past.")
        return born


class ResetRequestForm(PortalForm):
    email = forms.EmailField(
        label="Email address",
        help_text="The address of your CLEE account.",
        widget=forms.EmailInput(attrs={**INPUT, "autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": "Enter your email address.", "invalid": "Enter an email address."},
    )


class SetPasswordForm(DjangoSetPasswordForm):  # type: ignore[type-arg]
    """Django's form of the reset link's page (the password rules applied) with USWDS inputs;
    the view saves through the service, never ``form.save``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "usa-input"
        self.fields["new_password1"].help_text = password_help()
        self.fields["new_password2"].label = "New password again"


class EmailChangeForm(PortalForm):
    email = forms.EmailField(
        label="New email address",
        widget=forms.EmailInput(attrs={**INPUT, "autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": "Enter the new address.", "invalid": "Enter an email address."},
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        help_text="To confirm it is you.",
        widget=forms.PasswordInput(attrs={**INPUT, "autocomplete": "current-password"}),
        error_messages={"required": "Enter your password."},
    )

    def __init__(self, *args: Any, user: User, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        if not user.has_usable_password():  # an officer who signs in only through single sign-on
            del self.fields["password"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        # Checked as a sign-in is (with the request): wrong tries count toward the lockout.
        if authenticate(self.request, username=self.user.get_username(), password=password) is None:
            raise forms.ValidationError("That is not your password.")
        return password
