"""What a page with a formset (a course's split, an offering's instructors) needs around it:
the next blank row for htmx's "Add a row", the rows as posted for a browser without JavaScript
that asks for one more, and the page's error summary, each error naming its row."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def blank_row(
    request: HttpRequest,
    *,
    prefix: str,
    form_class: type[forms.Form],
    max_rows: int,
    focus: str,
    template: str,
) -> HttpResponse:
    """The next blank row of the ``prefix`` formset, with the formset's new row count swapped in
    out of band; 204 (nothing to add) once ``max_rows`` rows are there. An unreadable count
    starts at the first row."""
    try:
        index = int(request.GET.get(f"{prefix}-TOTAL_FORMS", ""))
    except ValueError:
        index = 0
    if not 0 <= index < max_rows:
        return HttpResponse(status=204)
    form = form_class(prefix=f"{prefix}-{index}")
    form.fields[focus].widget.attrs["autofocus"] = True  # htmx focuses the new row
    return render(
        request,
        template,
        {"row": form, "number": index + 1, "total": index + 1, "prefix": prefix, "oob": True},
    )


def posted_rows(data: Any, prefix: str, names: list[str], *, most: int) -> list[dict[str, str]]:
    """The rows of a formset as they were posted (to show them again with one row more when a
    browser without JavaScript asks for another row)."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
    except ValueError:
        total = 0
    return [
        {name: data.get(f"{prefix}-{index}-{name}", "") for name in names}
        for index in range(min(total, most))
    ]


def posted_values(data: Any, form_class: type[forms.Form]) -> dict[str, str]:
    """A form's posted values (files aside), as initial values."""
    return {name: data.get(name, "") for name in form_class.base_fields if name in data}


def error_summary(form: forms.Form, *formsets: tuple[forms.BaseFormSet, str, str]) -> list[dict[str, str]]:  # type: ignore[type-arg]
    """Every error of a page, each linking to its control: the form's, then each formset's
    (given as (formset, what a row is called, id of the formset's fieldset))."""
    items = [{"href": "#main-form", "text": str(error)} for error in form.non_field_errors()]
    items += [
        {"href": f"#{field.id_for_label}", "text": f"{field.label}: {error}"}
        for field in form
        for error in field.errors
    ]
    for formset, row_name, anchor in formsets:
        items += [{"href": f"#{anchor}", "text": str(error)} for error in formset.non_form_errors()]
        for number, row in enumerate(formset.forms, start=1):
            items += [
                {"href": f"#{anchor}", "text": f"{row_name} {number}: {error}"}
                for error in row.non_field_errors()
            ]
            items += [
                {"href": f"#{field.id_for_label}", "text": f"{row_name} {number}, {field.label}: {error}"}
                for field in row
                if not field.is_hidden
                for error in field.errors
            ]
    return items
