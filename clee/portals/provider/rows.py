"""One more blank row of a formset, asked for by htmx ("Add a row"): the course split's and the
offering's instructors alike."""

from __future__ import annotations

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
