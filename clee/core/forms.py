"""The form kit of every page (the portals, and the API token, security and people pages): one
form base, one hours field, one way to show a service's refusal.

Every page renders a field with ``portals/includes/field.html`` (or a formset row with
``portals/includes/row_field.html``): a label, a hint with the id
``{auto_id}_helptext``, an error with the id ``{auto_id}_error``, then the control. Django
(5.x) gives a rendered control ``aria-describedby`` naming those two ids and
``aria-invalid="true"`` once it has an error; the kit adds the USWDS classes (and the error
variant of a refused control), and "required" messages that name the field.

Forms check what a person typed; the services check everything again and have the last word:
a refusal (``ServiceError``) is put back on the form by ``PortalForm.refuse`` (or ``refuse``
for a form of Django's own, such as the password forms).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms

from clee.core.errors import ServiceError

if TYPE_CHECKING:
    from django.forms import ModelForm
else:  # django-stubs makes ModelForm generic for the type checker only

    class ModelForm(forms.ModelForm):
        def __class_getitem__(cls, parameters: Any) -> Any:
            return cls


ERROR_CLASS = "usa-input--error"
# Controls whose USWDS class shows an error by the error variant (a file input, a checkbox or a
# radio shows it by its form group).
ERROR_STYLED = {"usa-input", "usa-select", "usa-textarea"}
HOURS_MAX = Decimal("9999.99")


def control_class(widget: forms.Widget) -> str | None:
    """The USWDS class of a control; None for a list of radios or checkboxes, which a
    template lays out itself (``radio_field`` and ``portals/staff/includes/radios.html``)."""
    if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is one too
        return None
    if isinstance(widget, forms.CheckboxInput):
        return "usa-checkbox__input"
    if isinstance(widget, forms.FileInput):
        return "usa-file-input"
    if isinstance(widget, forms.Select):
        return "usa-select"
    if isinstance(widget, forms.Textarea):
        return "usa-textarea"
    if widget.is_hidden:
        return None
    return "usa-input"


def required_message(field: forms.Field) -> str:
    """ "Choose the core area." for a choice, "Title is required." for anything else."""
    label = str(field.label or "This field")
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return f"Choose the {label[:1].lower()}{label[1:]}."
    if isinstance(field, forms.FileField):
        return f"Attach the {label[:1].lower()}{label[1:]}."
    return f"{label} is required."


def refuse(
    form: forms.BaseForm,
    error: ServiceError,
    *,
    aliases: Mapping[str, str] | None = None,
    rows: forms.BaseFormSet | None = None,  # type: ignore[type-arg]
    row_fields: Collection[str] = (),
) -> None:
    """Put a service's refusal, as a sentence, next to the field it names (``aliases`` maps the
    service's names to the form's), atop the rows of ``rows`` when it names one of
    ``row_fields`` (a course's split, a decision's lines), or else above the form."""
    name = (aliases or {}).get(error.field or "", error.field)
    if rows is not None and name in row_fields:
        rows.non_form_errors().append(error.sentence)
        return
    form.add_error(name if name in form.fields else None, error.sentence)


class Kit:
    """What the two bases share (a mixin before Django's form class): USWDS classes and
    "required" messages naming the field once built, the error variant on a control with an
    error after cleaning and after ``add_error``, and ``refuse``."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dress()

    def full_clean(self) -> None:
        assert isinstance(self, forms.BaseForm)
        super().full_clean()  # type: ignore[misc]
        self.mark_errors()

    def add_error(self, field: str | None, error: Any) -> None:
        assert isinstance(self, forms.BaseForm)
        super().add_error(field, error)  # type: ignore[misc]
        self.mark_errors()

    def dress(self) -> None:
        for field in self.fields.values():
            css = control_class(field.widget)
            classes = str(field.widget.attrs.get("class", "")).split()
            if css is not None and css not in classes:
                field.widget.attrs["class"] = " ".join([*classes, css])
            if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
                field.error_messages["required"] = required_message(field)

    def mark_errors(self) -> None:
        """The error variant on each control with an error (and off one without)."""
        errors = getattr(self, "_errors", None) or {}
        for name, field in self.fields.items():
            classes = str(field.widget.attrs.get("class", "")).split()
            if name in errors and ERROR_STYLED & set(classes) and ERROR_CLASS not in classes:
                field.widget.attrs["class"] = " ".join([*classes, ERROR_CLASS])
            elif name not in errors and ERROR_CLASS in classes:
                field.widget.attrs["class"] = " ".join(c for c in classes if c != ERROR_CLASS)

    def filled(self) -> bool:
        """Whether anything was typed or chosen (a blank row of a formset is left out)."""
        assert isinstance(self, forms.BaseForm)
        return any(self[name].data not in (None, "") for name in self.fields)

    def require_when(self, needed: bool, name: str, message: str) -> None:
        """Make ``name`` required for this answer only (a reason to deny, a deadline to grant):
        ``message`` on it when ``needed`` and it was left empty, unless it has an error already.
        For ``clean``."""
        assert isinstance(self, forms.BaseForm)
        value = self.cleaned_data.get(name)
        if needed and name not in self.errors and (value is None or not str(value).strip()):
            self.add_error(name, message)

    def refuse(
        self,
        error: ServiceError,
        *,
        aliases: Mapping[str, str] | None = None,
        rows: forms.BaseFormSet | None = None,  # type: ignore[type-arg]
        row_fields: Collection[str] = (),
    ) -> None:
        """Show a service's refusal (see ``refuse``)."""
        assert isinstance(self, forms.BaseForm)
        refuse(self, error, aliases=aliases, rows=rows, row_fields=row_fields)


class PortalForm(Kit, forms.Form):
    """The base of every portal form."""


class PortalModelForm(Kit, ModelForm[Any]):
    """The base of a portal form that edits one model object."""


# Fields -------------------------------------------------------------------------------------


def hours_field(
    label: str,
    *,
    required: bool = False,
    help_text: str = "",
    allow_zero: bool = False,
    initial: Decimal | None = None,
) -> forms.DecimalField:
    """Hours to the hundredth, more than 0 (or 0 and more with ``allow_zero``), at most
    9999.99. A text box asking for a decimal keyboard: a number input would refuse some
    typing silently, and announces itself poorly to screen readers."""
    return forms.DecimalField(
        label=label,
        required=required,
        initial=initial,
        min_value=Decimal(0) if allow_zero else Decimal("0.01"),
        max_value=HOURS_MAX,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"class": "usa-input usa-input--small", "inputmode": "decimal", "autocomplete": "off"}
        ),
        error_messages={
            "required": f"Enter the {label[:1].lower()}{label[1:]}.",
            "invalid": "Enter hours as a number, such as 2 or 1.5.",
            "min_value": "Hours cannot be negative." if allow_zero else "Hours must be more than 0.",
            "max_value": f"Hours must be at most {HOURS_MAX}.",
            "max_decimal_places": "Give hours to the hundredth at most, such as 1.25.",
            "max_digits": f"Hours must be at most {HOURS_MAX}.",
            "max_whole_digits": f"Hours must be at most {HOURS_MAX}.",
        },
    )


class DateInput(forms.DateInput):
    """The browser's date picker, its value as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        error_messages={"required": f"Enter the {label.lower()}.", "invalid": "Enter a date as YYYY-MM-DD."},
    )


def text_field(
    label: str,
    *,
    max_length: int,
    rows: int | None = None,
    required: bool = True,
    help_text: str = "",
    required_message: str = "",
) -> forms.CharField:
    """Text of at most ``max_length`` characters: a text area of ``rows`` lines, or one line.
    ``required_message`` says what to write when it is left empty (else the kit's message
    naming the field)."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
        error_messages={"required": required_message} if required_message else None,
    )


def radio_field(label: str, choices: list[tuple[str, str]], *, required: bool = True) -> forms.ChoiceField:
    """A choice among a few, as USWDS radio tiles (``portals/staff/includes/radios.html``)."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input usa-radio__input--tile"}),
        error_messages={"required": f"Choose the {label.lower()}."},
    )


def plain_hours(hours: Decimal) -> Decimal:
    """Hours as a person writes them in a field: ``6`` for 6.00, ``2.5`` for 2.50."""
    return hours.quantize(Decimal(1)) if hours == hours.to_integral_value() else hours.normalize()


def with_blank(choices: Iterable[tuple[Any, Any]], label: str = "- Select -") -> list[tuple[str, str]]:
    """Choices led by an empty one (a select that starts on nothing chosen)."""
    return [("", label), *((str(value), str(text)) for value, text in choices if value != "")]
