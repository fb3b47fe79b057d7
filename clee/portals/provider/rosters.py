"""The provider's completion rosters: upload, preview (every error by row and column), confirm
(all or nothing), and the rosters sent before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.core.errors import ServiceError
from clee.core.paging import paginate
from clee.imports.report import ImportReport
from clee.imports.services import import_preview
from clee.portals.formsets import error_summary
from clee.portals.provider.forms import RosterUploadForm
from clee.portals.provider.selectors import approved_courses, batch_records, roster_batches
from clee.providers.access import access_own_provider, access_own_roster_upload
from clee.providers.models import Provider, RosterUpload
from clee.training.access import access_own_roster_batch
from clee.training.models import ImportBatch
from clee.workflows.provider_rosters import roster_upload_apply, roster_upload_store, roster_upload_table

PROVIDER = User.Role.PROVIDER
# The preview lists hundreds of rows by pages of this many.
PREVIEW_PAGE = 100
SHOWN = {
    "errors": "Errors",
    "add": "To be recorded",
    "present": "Already on file",
}


@role_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def rosters(request: HttpRequest) -> HttpResponse:
    """Upload a roster (then see its preview), and the rosters sent before."""
    user = acting_user(request)
    provider = access_own_provider(user)
    form = RosterUploadForm()
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        upload = _store(form, provider, user)
        if upload is not None:
            return redirect("provider:roster_preview", upload_id=upload.pk)
    return _rosters_page(request, provider, form)


def _store(form: RosterUploadForm, provider: Provider, user: User) -> RosterUpload | None:
    """The uploaded file kept for its preview, or None with the form's errors."""
    if not form.is_valid():
        return None
    file = form.cleaned_data["file"]
    try:
        return roster_upload_store(
            provider=provider, file_name=file.name or "roster", content=file.read(), acting_user=user
        )
    except ServiceError as error:
        form.refuse(error)
        return None


def _rosters_page(request: HttpRequest, provider: Provider, form: RosterUploadForm) -> HttpResponse:
    errors = error_summary(form)
    context: dict[str, Any] = {
        "provider": provider,
        "form": form,
        "errors": errors,
        "course_numbers": list(approved_courses(provider).values_list("number", flat=True)[:5]),
    }
    context.update(paginate(request, roster_batches(provider), per_page=25))
    return render(request, "portals/provider/rosters.html", context, status=400 if errors else 200)


@role_required(PROVIDER)
@require_GET
def roster_sample(request: HttpRequest) -> HttpResponse:
    """A sample roster to fill in (the rows of docs/samples/roster.csv)."""
    access_own_provider(acting_user(request))
    content = render_to_string("portals/provider/roster_sample.csv")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster-sample.csv"'
    return response


@role_required(PROVIDER)
@require_GET
def roster_preview(request: HttpRequest, upload_id: int) -> HttpResponse:
    """What the uploaded roster would record, what is already on file, and every error."""
    user = acting_user(request)
    upload = access_own_roster_upload(user, upload_id)
    try:
        report = import_preview(
            kind=ImportBatch.Kind.ROSTER,
            table=roster_upload_table(upload),
            actor=user,
            provider=upload.provider,
        )
    except ServiceError as error:
        messages.error(request, f"The roster cannot be checked: {error.message}.")
        return redirect("provider:rosters")
    return _preview_page(request, upload, report)


def _preview_page(
    request: HttpRequest, upload: RosterUpload, report: ImportReport, *, status: int = 200
) -> HttpResponse:
    shown = request.GET.get("show", "")
    lists: dict[str, Sequence[Any]] = {
        "errors": report.errors,
        "add": report.to_add,
        "present": report.already_present,
    }
    if shown not in lists:
        shown = "errors" if report.errors else "add" if report.to_add else "present"
    tabs = [(key, label, len(lists[key])) for key, label in SHOWN.items()]
    by_field = Counter(error.field for error in report.errors)
    context: dict[str, Any] = {
        "upload": upload,
        "report": report,
        "shown": shown,
        "tabs": tabs,
        "error_rows": len({error.row for error in report.errors}),
        "by_field": by_field.most_common(),
        "form": RosterUploadForm(),
        "earlier": _earlier(report, upload.provider),
    }
    context.update(paginate(request, lists[shown], per_page=PREVIEW_PAGE))
    return render(request, "portals/provider/roster_preview.html", context, status=status)


def _earlier(report: ImportReport, provider: Provider) -> ImportBatch | None:
    """The roster of this provider with the very same file, when it was sent before."""
    if report.earlier_batch_id is None:
        return None
    return ImportBatch.objects.filter(pk=report.earlier_batch_id, provider=provider).first()


@role_required(PROVIDER)
@require_POST
def roster_confirm(request: HttpRequest, upload_id: int) -> HttpResponse:
    """Record the previewed roster, all or nothing."""
    user = acting_user(request)
    upload = access_own_roster_upload(user, upload_id)
    try:
        report = roster_upload_apply(upload=upload, sha256=request.POST.get("sha256", ""), acting_user=user)
    except ServiceError as error:
        messages.error(request, f"Nothing was recorded: {error.message}.")
        return redirect("provider:rosters")
    if not report.applied or report.batch is None:
        messages.error(
            request,
            "Nothing was recorded: the roster has errors now (records or courses changed since the "
            "preview). Fix the rows below and upload the file again.",
        )
        return _preview_page(request, upload, report, status=400)
    batch = report.batch
    messages.success(
        request,
        f"{upload.file_name}: {batch.added} completion{'s' if batch.added != 1 else ''} recorded, "
        f"{batch.already_present} already on file.",
    )
    return redirect("provider:roster_batch", batch_id=batch.pk)


@role_required(PROVIDER)
@require_GET
def roster_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """A roster sent before: who sent it, its counts, and the completions it recorded."""
    batch = access_own_roster_batch(acting_user(request), batch_id)
    context: dict[str, Any] = {"batch": batch}
    context.update(paginate(request, batch_records(batch)))
    return render(request, "portals/provider/roster_batch.html", context)
