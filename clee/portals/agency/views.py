"""The agency administrator's pages: the roster of commissioned officers (with exports), an
officer's drill-down, commissions, in-service training (one session or a roster file), the
agency's in-service courses, and an overview of the agency's compliance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clee.accounts.access import NOT_FOUND, acting_user, role_required
from clee.accounts.models import User
from clee.agencies.access import access_agency
from clee.compliance.preview import line_counting
from clee.compliance.rosters import roster, roster_with_details
from clee.compliance.selectors import result_is_stale
from clee.core.errors import ServiceError, sentence
from clee.core.paging import paginate
from clee.core.wording import count_text
from clee.imports.report import ImportReport, RowError
from clee.imports.services import import_apply, import_preview
from clee.imports.tables import table_from_upload
from clee.officers.access import access_open_commission
from clee.officers.services import commission_by_agency, commission_end
from clee.portals.agency import selectors
from clee.portals.agency.drafts import draft_drop, draft_load, draft_save
from clee.portals.agency.forms import (
    DOCUMENT_FIELDS,
    CommissionEndForm,
    CommissionStartForm,
    InServiceCourseForm,
    RosterFilterForm,
    RosterUploadForm,
    SessionForm,
)
from clee.portals.exports import csv_response, xlsx_response
from clee.portals.formsets import error_summary, posted_values
from clee.portals.pagecache import agency_roster_fingerprint, cached_page
from clee.portals.periods import page_period, period_switch
from clee.portals.polling import poll_unchanged, shown_token
from clee.portals.split import SPLIT_PREFIX, HourSplitFormSet, adding_row, new_split, page_split, split_row
from clee.providers.courses import DocumentUpload
from clee.providers.models import Provider
from clee.training.models import ImportBatch, TrainingRecord
from clee.workflows.in_service import (
    SPLIT_NAMES,
    TOPIC_NAMES,
    approved_in_service_courses,
    held_in_batch,
    in_service_course_submit,
    in_service_courses,
    in_service_session_report,
)

agency_only = role_required(User.Role.AGENCY_ADMIN)


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, which must fail validation), else None."""
    return request.POST if request.method == "POST" else None


# The roster ------------------------------------------------------------------------------


@agency_only
@require_GET
@cached_page(agency_roster_fingerprint)
def index(request: HttpRequest) -> HttpResponse:
    """The officers the agency commissions now, with their current result; searchable,
    filterable, sortable, 50 a page. An htmx request gets the results part only."""
    user = acting_user(request)
    if user.agency_id is None:
        # Where "/" sends every administrator: say why there is nothing here, not "no such page".
        return render(request, "portals/agency/index.html", {"agency": None})
    agency = access_agency(user)
    period = page_period(request)
    filters = RosterFilterForm(request.GET)
    query, status, sort = filters.values()
    rows = roster(agency, period)
    chosen = selectors.roster_filtered(roster_with_details(rows), query=query, status=status, sort=sort)
    context: dict[str, Any] = {
        "agency": agency,
        "period": period,
        "filters": filters,
        "filtered": bool(query or status),
        "sort": sort,
        "headers": _sort_headers(request, sort),
        **paginate(request, chosen),
        **period_switch(request, period, q=query, status=status, sort=sort),
    }
    context["rows"] = list(selectors.roster_rows(context["page_obj"].object_list))
    # Results being recomputed (read with the page's rows): the list polls until they are current.
    updating_ids = [row.officer_id for row in context["rows"] if row.updating]
    context["updating"] = bool(updating_ids)
    context["shown"] = shown_token("roster", updating_ids)
    if unchanged := poll_unchanged(request, context["shown"]):
        return unchanged
    # Each row links to its officer: the address is put together, not reversed 50 times.
    context["officer_url"] = reverse("agency:index") + "officers/"
    context["officer_query"] = f"?year={period.year}" if period and request.GET.get("year") else ""
    context["export_query"] = context["page_query"]
    if request.headers.get("HX-Request"):
        response = render(request, "portals/agency/_roster_results.html", context)
    else:
        context["figures"] = selectors.roster_figures(rows)
        response = render(request, "portals/agency/index.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _sort_headers(request: HttpRequest, sort: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the address its header links to (this list sorted by it,
    reversed when it is the sort already) and its ``aria-sort``."""
    key, descending = selectors.sort_parts(sort)
    headers = {}
    for column in selectors.SORT_KEYS:
        current = column == key
        kept = request.GET.copy()
        kept.pop("page", None)
        kept["sort"] = f"-{column}" if current and not descending else column
        headers[column] = {
            "url": f"?{kept.urlencode()}",
            "aria": ("descending" if descending else "ascending") if current else "",
        }
    return headers


@agency_only
@require_GET
def export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The filtered roster (every page of it) as CSV or XLSX, formulas neutralised."""
    if file_format not in ("csv", "xlsx"):
        raise Http404(NOT_FOUND)
    agency = access_agency(acting_user(request))
    query, status, sort = RosterFilterForm(request.GET).values()
    rows = selectors.roster_filtered(
        roster_with_details(roster(agency, page_period(request))),
        query=query,
        status=status,
        sort=sort,
    )
    data = selectors.export_rows(selectors.roster_rows(rows.iterator(chunk_size=2000)))
    name = f"officers-{agency.ori}-{timezone.localdate().isoformat()}"
    if file_format == "csv":
        return csv_response(name, selectors.EXPORT_HEADER, data)
    return xlsx_response(name, selectors.EXPORT_HEADER, data, sheet="Officers")


# Officers and commissions ----------------------------------------------------------------


@agency_only
@require_GET
def officer(request: HttpRequest, officer_id: int) -> HttpResponse:
    """One commissioned officer: profile, license, the current period's result with what is
    still needed, and the period's records."""
    commission = access_open_commission(acting_user(request), officer_id)
    period = page_period(request)
    result = selectors.officer_result(commission.officer, period)
    updating = period is not None and result_is_stale(commission.officer_id, period)
    shown = shown_token("officer", commission.officer_id, period.pk if period else None)
    if updating and (unchanged := poll_unchanged(request, shown)):
        return unchanged
    total = None
    if result is not None:
        total = next((r for r in result.requirements if r["key"] == "total"), None)
    return render(
        request,
        "portals/agency/officer.html",
        {
            "agency": commission.agency,
            "commission": commission,
            "officer": commission.officer,
            "period": period,
            "result": result,
            "updating": updating,
            "shown": shown,
            "total": total,
            "records": _counted_records(commission, period),
            "visible_from": commission.records_visible_from,
            **period_switch(request, period),
        },
    )


@dataclass(frozen=True)
class CountedRecord:
    """A record as the drill-down shows it: its status as the rules read it (never a plain
    "Accepted" for training that does not count), and why."""

    record: TrainingRecord
    status: str
    reasons: list[str]


def _counted_records(commission: Any, period: Any) -> list[CountedRecord]:
    """The records the agency may see, each labelled with what of it counts in ``period``."""
    officer = commission.officer
    records = list(selectors.officer_records(commission, period))
    if period is None or not records:
        return [CountedRecord(record, record.get_status_display(), []) for record in records]
    counting = line_counting(officer.pk, period)
    shown = []
    for record in records:
        ids = [line.pk for line in record.lines.all()]
        reasons = sorted({r for i in ids for r in counting.not_counted.get(i, [])}) or sorted(
            {r for i in ids for r in counting.held_back.get(i, [])}
        )
        shown.append(CountedRecord(record, counting.label(record, ids), reasons))
    return shown


@agency_only
@require_http_methods(["GET", "POST"])
def commission_new(request: HttpRequest) -> HttpResponse:
    """Commission an officer by license number, with the last name and date of birth as proof
    that the agency employs them."""
    user = acting_user(request)
    agency = access_agency(user)
    form = CommissionStartForm(_posted(request), initial={"start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commission = commission_by_agency(
                agency=agency,
                license_number=data["license_number"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                start=data["start"],
                acting_user=user,
            )
        except ServiceError as error:
            form.refuse(error, aliases={"officer": "license_number", "agency": ""})
        else:
            messages.success(
                request, f"{commission.officer.full_name} is commissioned from {commission.start:%B %-d, %Y}."
            )
            return redirect("agency:officer", officer_id=commission.officer_id)
    return render(request, "portals/agency/commission_new.html", {"agency": agency, "form": form})


@agency_only
@require_http_methods(["GET", "POST"])
def commission_close(request: HttpRequest, officer_id: int) -> HttpResponse:
    """End the agency's commission of an officer, with its date and reason."""
    user = acting_user(request)
    commission = access_open_commission(user, officer_id)
    form = CommissionEndForm(_posted(request), initial={"end": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            commission_end(
                commission=commission,
                end=form.cleaned_data["end"],
                reason=form.reason_text(),
                acting_user=user,
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            messages.success(
                request,
                f"The commission of {commission.officer.full_name} ended on "
                f"{form.cleaned_data['end']:%B %-d, %Y}.",
            )
            return redirect("agency:index")
    return render(
        request,
        "portals/agency/commission_end.html",
        {"agency": commission.agency, "commission": commission, "officer": commission.officer, "form": form},
    )


# In-service training ---------------------------------------------------------------------

# Roster columns -> the session form's fields, for errors the import reports by column.
SESSION_FIELDS = {
    "license_number": "license_numbers",
    "completion_date": "completed_on",
    "course_number": "course",
    "title": "title",
    "hours": "hours",
    "delivery": "delivery",
}


def _in_service_provider(agency: Any) -> Provider | None:
    return Provider.objects.filter(agency=agency, kind=Provider.Kind.IN_SERVICE).order_by("id").first()


def _recent_batches(agency: Any) -> Any:
    return (
        ImportBatch.objects.filter(
            Q(agency=agency) | Q(provider__agency=agency, provider__kind=Provider.Kind.IN_SERVICE),
            kind=ImportBatch.Kind.ROSTER,
        )
        .select_related("submitted_by")
        .order_by("-created_at", "-id")[:10]
    )


def _training_page(
    request: HttpRequest,
    agency: Any,
    session_form: SessionForm,
    split: HourSplitFormSet,
    upload_form: RosterUploadForm,
    notice: str = "",
) -> HttpResponse:
    errors = error_summary(session_form, (split, "Split row", "split"))
    return render(
        request,
        "portals/agency/training.html",
        {
            "agency": agency,
            "session_form": session_form,
            "split": split,
            "errors": errors,
            "notice": notice,
            "upload_form": upload_form,
            "has_courses": _in_service_provider(agency) is not None,
            "batches": _recent_batches(agency),
        },
    )


@agency_only
@require_http_methods(["GET", "POST"])
def training(request: HttpRequest) -> HttpResponse:
    """Report in-service training: one session on a form, or a roster file (previewed first)."""
    user = acting_user(request)
    agency = access_agency(user)
    today = timezone.localdate()
    courses = approved_in_service_courses(agency, today)
    split = page_split(request)
    upload_form = RosterUploadForm(initial={"scope": RosterUploadForm.AGENCY})
    if adding_row(request):
        # A browser without JavaScript asked for one more split row: the page comes back with
        # what was typed, nothing checked.
        initial = {"completed_on": today, **posted_values(request.POST, SessionForm)}
        form = SessionForm(courses=courses, initial=initial)
        return _training_page(request, agency, form, split, upload_form, notice="A row was added.")
    form = SessionForm(_posted(request), courses=courses, initial={"completed_on": today})
    form_ok, split_ok = form.is_valid(), split.is_valid()
    if request.method == "POST" and form_ok and split_ok:
        data = form.cleaned_data
        try:
            report = in_service_session_report(
                agency=agency,
                license_numbers=data["license_numbers"],
                completed_on=data["completed_on"],
                course=data["course"],
                title=data["title"],
                hours=data["hours"],
                portions=split.specs(),
                delivery=data["delivery"],
                acting_user=user,
            )
        except ServiceError as error:
            form.refuse(error, rows=split, row_fields=(SPLIT_PREFIX,))
        else:
            if report.applied:
                messages.success(request, _applied_message("The session is recorded", report))
                if data["course"] is None and report.to_add:
                    messages.warning(request, HELD_MESSAGE)
                return redirect("agency:training")
            _session_errors(form, split, report.errors)
    return _training_page(request, agency, form, split, upload_form)


def _session_errors(form: SessionForm, split: HourSplitFormSet, errors: list[RowError]) -> None:
    """The import's row errors on the session form's fields (or atop the split's rows, for its
    columns); the same reason on several rows (a course not approved that day, say) is shown
    once."""
    seen: set[tuple[str | None, str]] = set()
    for error in errors:
        field = SESSION_FIELDS.get(error.field)
        reason = sentence(error.reason)
        if (field, reason) in seen:
            continue
        seen.add((field, reason))
        if field is None and error.field in (*SPLIT_NAMES, *TOPIC_NAMES):
            split.non_form_errors().append(reason)
        else:
            form.add_error(field if field in form.fields else None, reason)


HELD_MESSAGE = (
    "Training described by its title is held for POST's review: agency training counts only through "
    "an in-service course POST approved in advance (11 CSR 75-15.060), so it does not count until "
    "POST approves it."
)


def _applied_message(what: str, report: ImportReport) -> str:
    added, present = len(report.to_add), len(report.already_present)
    text = f"{what}: {count_text(added, 'record')} added"
    if present:
        text += f", {present} already on file (not added again)"
    return text + "."


def _roster_scope(agency: Any, scope: str) -> dict[str, Any]:
    """The import's ``agency=`` or ``provider=`` for an upload's scope."""
    if scope == RosterUploadForm.COURSE:
        provider = _in_service_provider(agency)
        if provider is None:
            raise ServiceError("your agency has no in-service courses yet", field="scope")
        return {"provider": provider}
    return {"agency": agency}


@agency_only
@require_POST
def roster_upload(request: HttpRequest) -> HttpResponse:
    """Keep the uploaded roster as a draft and show its preview."""
    user = acting_user(request)
    agency = access_agency(user)
    form = RosterUploadForm(request.POST, request.FILES)
    if form.is_valid():
        scope = form.cleaned_data["scope"]
        try:
            _roster_scope(agency, scope)
        except ServiceError as error:
            form.refuse(error)
        else:
            upload = form.cleaned_data["file"]
            draft_save(
                request.session, user, content=upload.read(), file_name=upload.name or "roster", scope=scope
            )
            return redirect("agency:roster_preview")
    courses = approved_in_service_courses(agency, timezone.localdate())
    session_form = SessionForm(courses=courses, initial={"completed_on": timezone.localdate()})
    return _training_page(request, agency, session_form, new_split(), form)


PREVIEW_LIMIT = 500


@agency_only
@require_http_methods(["GET", "POST"])
def roster_preview(request: HttpRequest) -> HttpResponse:
    """GET: what the draft roster would add, what is already on file, every error by row and
    column. POST: apply it (all or nothing), if it is still the file previewed."""
    user = acting_user(request)
    agency = access_agency(user)
    found = draft_load(request.session, user)
    if found is None:
        messages.info(request, "There is no roster waiting to be confirmed: upload the file again.")
        return redirect("agency:training")
    draft, content = found
    arguments: dict[str, Any] = {
        "kind": "roster",
        "table": table_from_upload(content, draft.file_name),
        "actor": user,
    }
    try:
        scope = _roster_scope(agency, draft.scope)
        if request.method == "POST":
            if request.POST.get("sha256") != draft.sha256:
                messages.error(
                    request, "Another file was uploaded since this preview: check its preview first."
                )
                return redirect("agency:roster_preview")
            report = import_apply(**arguments, **scope)
            if report.applied:
                draft_drop(request.session, user)
                messages.success(request, _applied_message(f"{draft.file_name} is applied", report))
                if report.batch is not None and held_in_batch(report.batch):
                    messages.warning(request, HELD_MESSAGE)
                return redirect("agency:training")
        else:
            report = import_preview(**arguments, **scope)
    except ServiceError as error:
        draft_drop(request.session, user)
        messages.error(request, error.sentence)
        return redirect("agency:training")
    return render(
        request,
        "portals/agency/roster_preview.html",
        {
            "agency": agency,
            "draft": draft,
            "report": report,
            "limit": PREVIEW_LIMIT,
            "errors": report.errors[:PREVIEW_LIMIT],
            "to_add": report.to_add[:PREVIEW_LIMIT],
            "already_present": report.already_present[:PREVIEW_LIMIT],
            "course_scope": draft.scope == RosterUploadForm.COURSE,
        },
    )


@agency_only
@require_POST
def roster_cancel(request: HttpRequest) -> HttpResponseRedirect:
    draft_drop(request.session, acting_user(request))
    messages.info(request, "The roster was not applied; nothing was written.")
    return redirect("agency:training")


SAMPLES = {"in_service_roster.csv", "roster.csv"}


@agency_only
@require_GET
def roster_sample(request: HttpRequest, name: str) -> HttpResponse:
    """A sample roster from ``docs/samples`` (synthetic data)."""
    access_agency(acting_user(request))
    path = Path(settings.BASE_DIR) / "docs" / "samples" / name
    if name not in SAMPLES or not path.is_file():
        raise Http404(NOT_FOUND)
    response = HttpResponse(path.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# In-service courses ----------------------------------------------------------------------


@agency_only
@require_GET
def courses(request: HttpRequest) -> HttpResponse:
    """The agency's in-service courses with their status and POST's decision."""
    agency = access_agency(acting_user(request))
    return render(
        request,
        "portals/agency/courses.html",
        {"agency": agency, "courses": in_service_courses(agency), "provider": _in_service_provider(agency)},
    )


@agency_only
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    """Submit an in-service course to POST for pre-approval."""
    user = acting_user(request)
    agency = access_agency(user)
    split = page_split(request)
    notice = ""
    if adding_row(request):
        # A browser without JavaScript asked for one more split row: the page comes back with
        # what was typed (files cannot be sent back to a browser: they are chosen again).
        form = InServiceCourseForm(initial=posted_values(request.POST, InServiceCourseForm))
        notice = "A row was added. Choose any files again before you submit."
    elif request.method == "POST":
        form = InServiceCourseForm(request.POST, request.FILES)
        form_ok, split_ok = form.is_valid(), split.is_valid()
        if form_ok and split_ok:
            data = form.cleaned_data
            try:
                course = in_service_course_submit(
                    agency=agency,
                    number=data["number"],
                    title=data["title"],
                    hours=data["hours"],
                    delivery=data["delivery"],
                    synopsis=data["synopsis"],
                    learning_objectives=data["learning_objectives"],
                    portions=split.specs(),
                    documents=[DocumentUpload(kind, name, content) for kind, name, content in form.uploads()],
                    acting_user=user,
                )
            except ServiceError as error:
                form.refuse(
                    error, aliases={"file": DOCUMENT_FIELDS[0][0]}, rows=split, row_fields=(SPLIT_PREFIX,)
                )
            else:
                messages.success(
                    request, f"{course.number} {course.title} is submitted to POST for pre-approval."
                )
                return redirect(reverse("agency:courses"))
    else:
        form = InServiceCourseForm()
    errors = error_summary(form, (split, "Split row", "split"))
    return render(
        request,
        "portals/agency/course_new.html",
        {"agency": agency, "form": form, "split": split, "errors": errors, "notice": notice},
    )


@agency_only
@require_GET
def split_row_new(request: HttpRequest) -> HttpResponse:
    """One more blank row of the split of an in-service course or of a session (htmx), and the
    formset's new row count."""
    access_agency(acting_user(request))
    return split_row(request)


# Overview --------------------------------------------------------------------------------


@agency_only
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """How many officers are short in each requirement; hours completed per month."""
    agency = access_agency(acting_user(request))
    period = page_period(request)
    context: dict[str, Any] = {"agency": agency, "period": period, **period_switch(request, period)}
    if period is not None:
        rows = roster(agency, period)
        context.update(
            figures=selectors.roster_figures(rows),
            by_requirement=selectors.short_by_requirement(agency, period),
            by_month=selectors.hours_by_month(agency, period),
        )
    return render(request, "portals/agency/overview.html", context)
