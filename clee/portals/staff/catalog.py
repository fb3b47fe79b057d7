"""The catalog of recognized out-of-state courses: what POST recognizes, with the split it
recommends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user
from clee.core.errors import ServiceError
from clee.core.forms import DateInput, PortalModelForm, plain_hours
from clee.core.paging import paginate
from clee.portals.staff.pages import (
    LINE_FIELDS,
    FilterForm,
    ShownLine,
    lines_formset,
    review_errors,
    shown_lines,
    staff_only,
    with_query,
)
from clee.portals.staff.selectors import (
    catalog_list,
    catalog_sources,
)
from clee.providers.access import access_catalog_entry
from clee.providers.catalog import RECOGNIZED_FIELDS, recognized_course_save, recognized_split
from clee.providers.models import RecognizedCourse


class CatalogFilter(FilterForm):
    q = forms.CharField(label="Title, provider or number", required=False, max_length=100)
    source = forms.ChoiceField(label="Source", required=False, choices=[])

    def __init__(self, *args: Any, sources: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [("", "All sources"), *((s, s) for s in sources)]


class CatalogEntryForm(PortalModelForm):
    class Meta:
        model = RecognizedCourse
        # The recommended split is edited as rows of lines, below the form.
        fields = tuple(name for name in RECOGNIZED_FIELDS if name != "recommended_split")
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


@dataclass(frozen=True)
class CatalogRow:
    entry: RecognizedCourse
    lines: list[ShownLine]


@staff_only
@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    filters = CatalogFilter(request.GET or None, sources=catalog_sources())
    entries = catalog_list(search=str(filters.value("q")).strip(), source=filters.value("source"))
    paging = paginate(request, entries)
    rows = [CatalogRow(entry, shown_lines(recognized_split(entry))) for entry in paging["page_obj"]]
    return render(
        request,
        "portals/staff/catalog.html",
        {**paging, "filters": filters, "rows": rows, "searched": bool(request.GET)},
    )


def _catalog_form_page(request: HttpRequest, instance: RecognizedCourse) -> HttpResponse:
    user = acting_user(request)
    adding = instance.pk is None
    if request.method == "POST":
        form = CatalogEntryForm(request.POST, instance=instance)
        split = lines_formset(request.POST, prefix="split")
        if form.is_valid() and split.is_valid():
            try:
                saved = recognized_course_save(entry=form.instance, split=split.specs(), acting_user=user)
            except ServiceError as error:
                form.refuse(error, rows=split, row_fields=LINE_FIELDS)
            else:
                messages.success(request, f"{'Added' if adding else 'Saved'} {saved.source}: {saved.title}.")
                return redirect(with_query(reverse("staff:catalog"), urlencode({"source": saved.source})))
    else:
        form = CatalogEntryForm(instance=instance)
        split = lines_formset(initial=[] if adding else recognized_split(instance), prefix="split")
    return render(
        request,
        "portals/staff/catalog_form.html",
        {
            "form": form,
            "split": split,
            "entry": None if adding else instance,
            "errors": review_errors(form, split),
        },
    )


@staff_only
@require_http_methods(["GET", "POST"])
def catalog_add(request: HttpRequest) -> HttpResponse:
    return _catalog_form_page(request, RecognizedCourse())


@staff_only
@require_http_methods(["GET", "POST"])
def catalog_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    return _catalog_form_page(request, access_catalog_entry(acting_user(request), entry_id))
