"""One form for a split of hours over the core areas, on every page that edits one: a course's
split (the provider proposes it, an agency proposes an in-service course's, POST staff decide
it), the training an agency reports on its session form, the lines of a credit request staff
approve, and a recognized catalog entry's split.

A row is one portion: a core area (and subject), its hours, and the topic hours inside them.
The service (``portion_validate``) decides what a row may be; its refusal stands next to the
field at fault. A row left blank is no row (pages offer spare rows, so adding one needs no
script).

The course forms of the provider and of the agency, and the agency's session form, show the
split alike (``portals/includes/split.html``): ``page_split`` reads it from a request (with the
"Add a row" button of a browser without JavaScript), ``split_row`` answers htmx's "Add a row"."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from clee.core.choices import CoreArea, Subject, Topic
from clee.core.errors import ServiceError
from clee.core.forms import PortalForm, hours_field, plain_hours, with_blank
from clee.portals.formsets import blank_row, posted_rows
from clee.providers.courses import PortionSpec, portion_validate

# Each topic's field in a row: ``racial_profiling_hours``, ...
TOPIC_FIELDS = {str(topic.value): f"{topic.value}_hours" for topic in Topic}

# A split on a page with a course's or a session's form: the services call a split
# ``portions``, so their refusals about it stand atop the rows.
SPLIT_PREFIX = "portions"
SPLIT_ROWS = 4  # rows a new split starts with: the four core areas fit
MAX_SPLIT_ROWS = 12
SPLIT_ROW_TEMPLATE = "portals/includes/split_row.html"


class HourSplitForm(PortalForm):
    """One row of a split: hours in one core area (and subject), with topic hours inside them."""

    core_area = forms.ChoiceField(label="Core area", choices=with_blank(CoreArea.choices), required=False)
    subject = forms.ChoiceField(
        label="Subject", choices=[("", "None"), (Subject.FIREARMS.value, "Firearms")], required=False
    )
    hours = hours_field("Hours")
    racial_profiling_hours = hours_field(f"{Topic.RACIAL_PROFILING.label} hours")
    implicit_bias_hours = hours_field(f"{Topic.IMPLICIT_BIAS.label} hours")
    de_escalation_hours = hours_field(f"{Topic.DE_ESCALATION.label} hours")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.filled():
            return cleaned
        if not cleaned.get("core_area") and "core_area" not in self.errors:
            self.add_error("core_area", "Choose the core area of these hours.")
        if cleaned.get("hours") is None and "hours" not in self.errors:
            self.add_error("hours", "Enter the hours in this core area.")
        if self.errors:
            return cleaned
        try:
            portion_validate(self.spec())
        except ServiceError as error:
            # Firearms outside Skill Development is the subject's fault; the rest, the hours'.
            firearms_misplaced = (
                cleaned.get("subject") == Subject.FIREARMS
                and cleaned["core_area"] != CoreArea.SKILL_DEVELOPMENT
            )
            self.refuse(error, aliases={error.field or "": "subject" if firearms_misplaced else "hours"})
        return cleaned

    def spec(self) -> PortionSpec:
        cleaned = self.cleaned_data
        return PortionSpec(
            core_area=cleaned["core_area"],
            subject=cleaned.get("subject") or "",
            hours=cleaned["hours"],
            topics={topic: cleaned[name] for topic, name in TOPIC_FIELDS.items() if cleaned.get(name)},
        )

    def topic_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in TOPIC_FIELDS.values()]


class HourSplitFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The rows of a split; what a service said about them as a whole is among
    ``non_form_errors``."""

    def specs(self) -> list[PortionSpec]:
        """The filled rows, in order (blank rows are left out)."""
        return [
            form.spec()
            for form in self.forms
            if isinstance(form, HourSplitForm) and form.filled() and form.is_valid()
        ]

    def total(self) -> Decimal:
        return sum((spec.hours for spec in self.specs()), Decimal(0))

    def all_errors(self, row_name: str = "Line") -> list[str]:
        """Every error of the rows, each naming its row, for an error summary."""
        messages = [str(error) for error in self.non_form_errors()]
        for number, form in enumerate(self.forms, start=1):
            for name, errors in form.errors.items():
                label = "" if name == "__all__" else f"{form.fields[name].label}: "
                messages.extend(f"{row_name} {number}, {label}{error}" for error in errors)
        return messages


def split_formset(
    data: Any = None,
    *,
    initial: list[dict[str, Any]] | None = None,
    prefix: str,
    spare: int = 0,
    max_rows: int = 30,
) -> HourSplitFormSet:
    """A split's rows: the ``initial`` rows (see ``split_initial``), then ``spare`` blank
    rows; at most ``max_rows``."""
    factory = forms.formset_factory(
        HourSplitForm, formset=HourSplitFormSet, extra=spare, max_num=max_rows, validate_max=True
    )
    formset = factory(data, initial=initial or [], prefix=prefix)
    assert isinstance(formset, HourSplitFormSet)
    return formset


def split_initial(specs: Iterable[PortionSpec]) -> list[dict[str, Any]]:
    """Portions as the rows' initial values (hours as a person writes them)."""
    return [
        {
            "core_area": spec.core_area,
            "subject": spec.subject,
            "hours": plain_hours(spec.hours),
            **{TOPIC_FIELDS[topic]: plain_hours(Decimal(str(hours))) for topic, hours in spec.topics.items()},
        }
        for spec in specs
    ]


def page_split(request: HttpRequest, *, initial: list[dict[str, Any]] | None = None) -> HourSplitFormSet:
    """The split rows of a page's form: as posted; as posted with one blank row more when a
    browser without JavaScript asked for one (``adding_row``); else the ``initial`` rows (see
    ``split_initial``) and a blank one, or ``SPLIT_ROWS`` blank rows (``new_split``)."""
    if adding_row(request):
        names = list(HourSplitForm.base_fields)
        rows = posted_rows(request.POST, SPLIT_PREFIX, names, most=MAX_SPLIT_ROWS - 1)
        return split_formset(initial=[*rows, {}], prefix=SPLIT_PREFIX, max_rows=MAX_SPLIT_ROWS)
    if request.method == "POST":
        return split_formset(request.POST, prefix=SPLIT_PREFIX, max_rows=MAX_SPLIT_ROWS)
    return new_split(initial)


def new_split(initial: list[dict[str, Any]] | None = None) -> HourSplitFormSet:
    """A page's split to fill in: the ``initial`` rows and a blank one, or ``SPLIT_ROWS`` blank
    rows."""
    rows = [*initial, {}] if initial is not None else [{}] * SPLIT_ROWS
    return split_formset(initial=rows, prefix=SPLIT_PREFIX, max_rows=MAX_SPLIT_ROWS)


def adding_row(request: HttpRequest) -> bool:
    """Whether the form was sent by its "Add a row" button (a browser without JavaScript): the
    page comes back with what was typed and one more row, nothing checked or saved."""
    return request.method == "POST" and "add_row" in request.POST


def split_row(request: HttpRequest) -> HttpResponse:
    """One more blank row of a page's split (htmx), and the formset's new row count. The caller
    checks who may ask."""
    return blank_row(
        request,
        prefix=SPLIT_PREFIX,
        form_class=HourSplitForm,
        max_rows=MAX_SPLIT_ROWS,
        focus="core_area",
        template=SPLIT_ROW_TEMPLATE,
    )
