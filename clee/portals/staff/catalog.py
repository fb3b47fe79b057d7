"""The catalog of recognized out-of-state courses: what POST recognizes, with the split it
recommends."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user
from clee.core.errors import ServiceError
from clee.core.paging import paginate
from clee.portals.staff.forms import (
    LINE_FIELDS,
    CatalogEntryForm,
    CatalogFilter,
    lines_formset,
)
from clee.portals.staff.pages import (
    ShownLine,
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
from clee.providers.catalog import recognized_course_save, recognized_split
from clee.providers.models import RecognizedCourse


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
