"""The POST staff pages: the review queues (course submissions and credit requests, oldest
first, documents shown in place), extensions and waivers, providers and the catalog of
recognized out-of-state courses. Views parse input, call a service or a selector, render."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.compliance.access import access_extension
from clee.compliance.calendar import current_period, period_of_year
from clee.compliance.preview import Effect, LineCount, counting_pack, course_counts, extension_effect
from clee.compliance.recognized import recognition_issue
from clee.compliance.selectors import result_is_stale
from clee.compliance.services import extension_decide, extension_grant, extension_refuse
from clee.core.choices import CoreArea, Subject, Topic
from clee.core.errors import ServiceError
from clee.core.paging import paginate
from clee.core.wording import hours_text
from clee.portals.polling import poll_unchanged, shown_token
from clee.portals.split import HourSplitFormSet
from clee.portals.staff.forms import (
    APPROVE,
    GRANT,
    LINE_FIELDS,
    CatalogEntryForm,
    CatalogFilter,
    CourseDecisionForm,
    CourseQueueFilter,
    CourseWindowForm,
    ExtensionDecisionForm,
    ExtensionGrantForm,
    ProviderFilter,
    ProviderForm,
    RequestDecisionForm,
    RequestQueueFilter,
    lines_formset,
    record_lines,
)
from clee.portals.staff.selectors import (
    age_in_days,
    catalog_list,
    catalog_matches,
    catalog_sources,
    college_hours,
    commissioning_agencies,
    course_documents,
    course_prefill,
    course_queue,
    extension_queue,
    extensions_decided,
    officer_result,
    provider_courses,
    provider_list,
    providers_with_courses,
    queue_summaries,
    record_split,
    reporting_periods,
    request_documents,
    request_prefill,
    request_queue,
)
from clee.portals.statewide import statewide_context
from clee.providers.access import access_catalog_entry, access_course, access_provider
from clee.providers.catalog import recognized_course_save, recognized_split
from clee.providers.courses import PortionSpec, course_decide, course_window_change
from clee.providers.models import Course, CourseDocument, Provider, RecognizedCourse
from clee.providers.services import provider_save
from clee.training.access import access_credit_request
from clee.training.models import CreditRequest, RequestDocument
from clee.training.services import LineSpec
from clee.workflows.credit_requests import credit_request_decide, credit_request_preview

staff_only = role_required(User.Role.POST_STAFF)


# Home ---------------------------------------------------------------------------------------


@staff_only
def index(request: HttpRequest) -> HttpResponse:
    context = statewide_context(current_period())
    context["queues"] = queue_summaries()
    return render(request, "portals/staff/index.html", context)


# Shared pieces of the review pages ----------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    item: Any
    age_days: int | None


@dataclass(frozen=True)
class ShownDocument:
    """A document of a submission as the review page shows it: inline and to download."""

    kind: str
    pk: int
    name: str
    content_type: str
    size: int

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


@dataclass(frozen=True)
class ShownLine:
    """A line of a split in words: ``Skill Development, Firearms: 2 h (of them 1 h de-escalation)``."""

    area: str
    hours: Decimal
    topics: str


def shown_documents(links: Iterable[CourseDocument | RequestDocument]) -> list[ShownDocument]:
    """The documents linked to a course or a request, as the review page shows them."""
    return [
        ShownDocument(
            link.get_kind_display(),
            link.document.pk,
            link.document.original_name,
            link.document.content_type,
            link.document.size,
        )
        for link in links
    ]


def shown_lines(parts: list[PortionSpec]) -> list[ShownLine]:
    """Portions of hours in words, for a summary of a split."""
    lines = []
    for part in parts:
        area = CoreArea(part.core_area).label if part.core_area in CoreArea.values else part.core_area
        if part.subject:
            area = f"{area}, {Subject(part.subject).label}"
        topics = ", ".join(
            f"{Topic(topic).label.lower()} {hours.normalize():f} h" for topic, hours in part.topics.items()
        )
        lines.append(ShownLine(area, part.hours, topics))
    return lines


def kept_queue(query: str) -> str:
    """The queue's filters carried from the list to a review page and on to the next item;
    only the filters, never a page number."""
    kept = QueryDict(query, mutable=True)
    kept.pop("page", None)
    return kept.urlencode()


def with_query(url: str, query: str) -> str:
    """``url`` with a query string, if one."""
    return f"{url}?{query}" if query else url


# Course submissions ---------------------------------------------------------------------------


def _course_filters(query: QueryDict | None) -> CourseQueueFilter:
    return CourseQueueFilter(
        query or None, providers=providers_with_courses(), initial={"status": Course.Status.PENDING}
    )


def _course_queue_from(filters: CourseQueueFilter) -> Any:
    provider = filters.value("provider")
    return course_queue(
        status=filters.value("status") or Course.Status.PENDING,
        provider_id=provider.pk if provider else None,
        provider_kind=filters.value("kind"),
    )


@staff_only
@require_GET
def courses(request: HttpRequest) -> HttpResponse:
    filters = _course_filters(request.GET)
    status = filters.value("status") or Course.Status.PENDING
    paging = paginate(request, _course_queue_from(filters))
    rows = [
        QueueRow(
            course, age_in_days(course.submitted_at if status == Course.Status.PENDING else course.decided_at)
        )
        for course in paging["page_obj"]
    ]
    return render(
        request,
        "portals/staff/courses.html",
        {
            **paging,
            "filters": filters,
            "rows": rows,
            "status": status,
            "status_label": Course.Status(status).label,
            "queue": kept_queue(request.GET.urlencode()),
        },
    )


@staff_only
@require_http_methods(["GET", "POST"])
def course_review(request: HttpRequest, course_id: int) -> HttpResponse:
    user = acting_user(request)
    course = access_course(user, course_id)
    posted = request.method == "POST"
    queue = kept_queue((request.POST if posted else request.GET).get("queue", ""))
    window = None
    if course.status == Course.Status.APPROVED:
        window = CourseWindowForm(
            request.POST if posted else None,
            prefix="window",
            initial={"approved_from": course.approved_from, "approved_until": course.approved_until},
        )
    if posted and window is not None:
        if window.is_valid():
            try:
                course_window_change(
                    course=course,
                    approved_from=window.cleaned_data["approved_from"],
                    approved_until=window.cleaned_data["approved_until"],
                    reason=window.cleaned_data["reason"],
                    acting_user=user,
                )
            except ServiceError as error:
                window.refuse(error)
            else:
                messages.success(
                    request, f"The approval window of {course.number} “{course.title}” was changed."
                )
                return redirect("staff:course_review", course_id=course.pk)
        form = CourseDecisionForm()
        split = lines_formset(initial=course_prefill(course), prefix="split")
    elif posted:
        form = CourseDecisionForm(request.POST)
        split = lines_formset(request.POST, prefix="split")
        approve = form.is_valid() and form.cleaned_data["decision"] == APPROVE
        if form.is_valid() and (not approve or split.is_valid()):
            data = form.cleaned_data
            try:
                course_decide(
                    course=course,
                    approve=approve,
                    reason=data["reason"],
                    approved_from=data["approved_from"] if approve else None,
                    approved_until=data["approved_until"] if approve else None,
                    portions=split.specs() if approve else None,
                    acting_user=user,
                )
            except ServiceError as error:
                form.refuse(error, rows=split, row_fields=LINE_FIELDS)
            else:
                verb = "approved" if approve else "denied"
                messages.success(request, f"Course {course.number} “{course.title}” {verb}.")
                return _next_course(request, course, queue)
        course.refresh_from_db()
    else:
        form = CourseDecisionForm(initial={"approved_from": timezone.localdate()})
        split = lines_formset(initial=course_prefill(course), prefix="split")
    documents = shown_documents(course_documents(course))
    pack = counting_pack(timezone.localdate().year)
    counts_year = int(pack.period) if pack is not None else timezone.localdate().year
    counts = course_counts(
        [
            (p.core_area, p.subject, p.hours, p.topics)
            for p in (_valid_specs(split) or course_prefill(course))
        ],
        delivery=str(course.delivery),
        provider_class=str(course.provider.credit_class),
        year=counts_year,
    )
    return render(
        request,
        "portals/staff/course_review.html",
        {
            "course_counts": counts,
            "counts_year": counts_year,
            "counts_warning": _counts_warning(counts),
            "course": course,
            "form": form,
            "split": split,
            "window": window,
            "errors": _errors(window) if window is not None and window.is_bound else _errors(form, split),
            "documents": documents,
            "proposed": shown_lines(course_prefill(course)),
            "age_days": age_in_days(course.submitted_at),
            "queue": queue,
        },
    )


def _valid_specs(split: HourSplitFormSet) -> list[PortionSpec]:
    """The posted split, when it reads (a split with errors shows the provider's instead)."""
    return split.specs() if split.is_bound and split.is_valid() else []


def _counts_warning(counts: list[LineCount]) -> str:
    """A warning when some hours of the course do not count toward what their line names."""
    missed = [line for line in counts if line.misses_own]
    if not missed:
        return ""
    return (
        "Some of these hours will not count toward the requirement their line is for: "
        + "; ".join(f"{line.what}, not toward {', '.join(line.not_toward)}" for line in missed)
        + ". Approve the course this way only if that is intended."
    )


def _next_course(request: HttpRequest, decided: Course, queue: str) -> HttpResponseRedirect:
    """The oldest course still waiting in the reviewer's queue (with its filters), else the queue."""
    filters = _course_filters(QueryDict(queue))
    upcoming = None
    if filters.value("status") in ("", Course.Status.PENDING):
        upcoming = _course_queue_from(filters).exclude(pk=decided.pk).first()
    if upcoming is None:
        messages.info(request, "No more course submissions are waiting in this queue.")
        return redirect(with_query(reverse("staff:courses"), queue))
    query = urlencode({"queue": queue}) if queue else ""
    return redirect(with_query(reverse("staff:course_review", args=[upcoming.pk]), query))


def _errors(form: Any, lines: HourSplitFormSet | None = None) -> list[tuple[str, str]]:
    """The error summary: (anchor, message) for each error of the form and the lines."""
    summary: list[tuple[str, str]] = [("", str(error)) for error in form.non_field_errors()]
    for field in form:
        summary.extend((f"#{field.auto_id}", f"{field.label}: {error}") for error in field.errors)
    if lines is not None and lines.is_bound:
        summary.extend((f"#{lines.prefix}-heading", message) for message in lines.all_errors())
    return summary


# Credit requests ------------------------------------------------------------------------------


def _request_filters(query: QueryDict | None) -> RequestQueueFilter:
    return RequestQueueFilter(query or None, initial={"status": CreditRequest.Status.SUBMITTED})


def _request_queue_from(filters: RequestQueueFilter) -> Any:
    return request_queue(
        status=filters.value("status") or CreditRequest.Status.SUBMITTED,
        kind=filters.value("kind"),
        state=str(filters.value("state")).strip(),
    )


@staff_only
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    filters = _request_filters(request.GET)
    status = filters.value("status") or CreditRequest.Status.SUBMITTED
    paging = paginate(request, _request_queue_from(filters))
    rows = [
        QueueRow(
            item,
            age_in_days(item.created_at if status == CreditRequest.Status.SUBMITTED else item.decided_at),
        )
        for item in paging["page_obj"]
    ]
    return render(
        request,
        "portals/staff/requests.html",
        {
            **paging,
            "filters": filters,
            "rows": rows,
            "status": status,
            "status_label": CreditRequest.Status(status).label,
            "queue": kept_queue(request.GET.urlencode()),
        },
    )


def _chosen_entry(matches: list[RecognizedCourse], chosen: str | None, title: str) -> RecognizedCourse | None:
    """The catalog entry the reviewer chose (``none`` for none); by default the entry whose title
    is the request's, else the first match."""
    if chosen == "none":
        return None
    if chosen:
        return next((entry for entry in matches if str(entry.pk) == chosen), None)
    exact = [entry for entry in matches if entry.title.casefold() == title.strip().casefold()]
    return next(iter(exact or matches), None)


@staff_only
@require_http_methods(["GET", "POST"])
def request_review(request: HttpRequest, request_id: int) -> HttpResponse:
    user = acting_user(request)
    credit_request = access_credit_request(user, request_id)
    posted = request.method == "POST"
    shown = shown_token("request", credit_request.pk)
    unchanged = None if posted else poll_unchanged(request, shown)
    if unchanged is not None and _result_updating(credit_request):
        return unchanged
    queue = kept_queue(request.POST.get("queue", "") if posted else request.GET.get("queue", ""))
    matches = catalog_matches(credit_request)
    entry = _chosen_entry(
        matches, (request.POST if posted else request.GET).get("entry"), credit_request.title
    )
    effect = None
    if posted and "preview" in request.POST:
        # Preview only: what approving with these lines would do; nothing is recorded.
        form = RequestDecisionForm(request.POST, request=credit_request, preview=True)
        lines = lines_formset(request.POST)
        if form.is_valid() and lines.is_valid() and lines.specs():
            effect = _approval_effect(credit_request, record_lines(lines.specs()), form.cleaned_data, user)
        elif lines.is_valid() and not lines.specs():
            lines.non_form_errors().append(
                "Add at least one line of core area and hours to see what approving does."
            )
    elif posted:
        form = RequestDecisionForm(request.POST, request=credit_request)
        lines = lines_formset(request.POST)
        approve = form.is_valid() and form.cleaned_data["decision"] == APPROVE
        if lines.is_valid() and lines.specs() and form.is_valid() and credit_request.status == "submitted":
            effect = _approval_effect(credit_request, record_lines(lines.specs()), form.cleaned_data, user)
        if approve and lines.is_valid() and not lines.specs():
            lines.non_form_errors().append("Add at least one line of core area and hours to approve.")
        elif form.is_valid() and (not approve or lines.is_valid()):
            data = form.cleaned_data
            try:
                credit_request_decide(
                    request=credit_request,
                    approve=approve,
                    reason=data["reason"],
                    lines=record_lines(lines.specs()) if approve else (),
                    delivery=data["delivery"],
                    credit_class=data.get("credit_class") or "licensed",
                    recognition_reason=data.get("recognition_reason") or "",
                    acting_user=user,
                )
            except ServiceError as error:
                form.refuse(error, rows=lines, row_fields=LINE_FIELDS)
            else:
                if approve:
                    text = f"Approved {hours_text(lines.total())} for {credit_request.officer.full_name}"
                    decided = CreditRequest.objects.get(pk=credit_request.pk)
                    if decided.effect_note:
                        messages.warning(
                            request, f"{decided.officer.full_name} is told: {decided.effect_note}"
                        )
                else:
                    text = f"Denied the request of {credit_request.officer.full_name}"
                messages.success(request, f"{text}: “{credit_request.title}”.")
                return _next_request(request, credit_request, queue)
        credit_request.refresh_from_db()
    else:
        delivery = entry.delivery if entry is not None else "live"
        form = RequestDecisionForm(request=credit_request, initial={"delivery": delivery})
        prefill = request_prefill(credit_request, entry)
        lines = lines_formset(initial=prefill)
        if (
            credit_request.status == CreditRequest.Status.SUBMITTED
            and prefill
            and all(p.core_area for p in prefill)
        ):
            effect = _approval_effect(
                credit_request,
                record_lines(prefill),
                {"delivery": delivery, "credit_class": "licensed"},
                user,
            )
    context = _request_context(credit_request, form, lines, matches, entry, queue)
    context["effect"] = effect
    context["shown"] = shown
    return render(request, "portals/staff/request_review.html", context)


def _approval_effect(
    credit_request: CreditRequest, lines: list[LineSpec], data: dict[str, Any], user: User
) -> Effect | None:
    """What approving the request with ``lines`` does (nothing kept); None if it cannot be
    previewed (lines a service refuses say why when the decision is recorded)."""
    try:
        return credit_request_preview(
            request=credit_request,
            lines=lines,
            delivery=data.get("delivery") or "live",
            credit_class=data.get("credit_class") or "licensed",
            recognition_reason=data.get("recognition_reason") or "",
            acting_user=user,
        )
    except ServiceError:
        return None


def _request_context(
    credit_request: CreditRequest,
    form: RequestDecisionForm,
    lines: HourSplitFormSet,
    matches: list[RecognizedCourse],
    entry: RecognizedCourse | None,
    queue: str,
) -> dict[str, Any]:
    documents = shown_documents(request_documents(credit_request))
    recognized, issue = None, ""
    if credit_request.kind == CreditRequest.Kind.OUT_OF_STATE and credit_request.state:
        # The list as it stands now (staff may have added the source since the request came in).
        issue = recognition_issue(credit_request.state, credit_request.completed_on)
        recognized = not issue
    agencies = commissioning_agencies(credit_request.officer_id)
    return {
        "credit_request": credit_request,
        "officer": credit_request.officer,
        "agencies": agencies,
        "form": form,
        "lines": lines,
        "errors": _errors(form, lines),
        "documents": documents,
        "matches": matches,
        "entry": entry,
        "entry_lines": shown_lines(request_prefill(credit_request, entry)) if entry else [],
        "college_hours": college_hours(credit_request) if credit_request.kind == "college" else None,
        "recognized": recognized,
        "recognition_issue": issue,
        "result": officer_result(credit_request.officer_id, credit_request.completed_on.year),
        "updating": _result_updating(credit_request),
        "record_lines": _record_lines(credit_request),
        "age_days": age_in_days(credit_request.created_at),
        "queue": queue,
    }


def _result_updating(credit_request: CreditRequest) -> bool:
    """Whether the officer's result of the request's year is being recomputed."""
    return result_is_stale(credit_request.officer_id, period_of_year(credit_request.completed_on.year))


def _record_lines(credit_request: CreditRequest) -> list[ShownLine]:
    """The lines of the record an approved request became."""
    if credit_request.record_id is None:
        return []
    return shown_lines(record_split(credit_request.record_id))


def _next_request(request: HttpRequest, decided: CreditRequest, queue: str) -> HttpResponseRedirect:
    """The oldest request still waiting in the reviewer's queue (with its filters), else the queue."""
    filters = _request_filters(QueryDict(queue))
    waiting = _request_queue_from(filters)
    upcoming = None
    if filters.value("status") in ("", CreditRequest.Status.SUBMITTED):
        upcoming = waiting.exclude(pk=decided.pk).first()
    if upcoming is None:
        messages.info(request, "No more credit requests are waiting in this queue.")
        return redirect(with_query(reverse("staff:requests"), queue))
    query = urlencode({"queue": queue}) if queue else ""
    return redirect(with_query(reverse("staff:request_review", args=[upcoming.pk]), query))


# Extensions and waivers -----------------------------------------------------------------------


def _extensions_page(
    request: HttpRequest,
    *,
    bound: ExtensionDecisionForm | None = None,
    grant_form: ExtensionGrantForm | None = None,
) -> HttpResponse:
    period = current_period()
    today = timezone.localdate()
    waiting = []
    for extension in extension_queue():
        form = bound if bound is not None and bound.extension.pk == extension.pk else None
        waiting.append(
            (
                extension,
                age_in_days(extension.created_at),
                form or ExtensionDecisionForm(extension=extension),
                extension_effect(
                    extension.officer_id, extension.period.year, extension.period.grace_deadline, today
                ),
            )
        )
    if grant_form is None:
        grant_form = ExtensionGrantForm(periods=reporting_periods(), current=period)
    return render(
        request,
        "portals/staff/extensions.html",
        {
            "waiting": waiting,
            "decided": extensions_decided(),
            "grant_form": grant_form,
            "grant_errors": _errors(grant_form) if grant_form.is_bound else [],
            "decision_errors": _errors(bound) if bound is not None else [],
            "period": period,
        },
    )


@staff_only
@require_GET
def extensions(request: HttpRequest) -> HttpResponse:
    return _extensions_page(request)


@staff_only
@require_POST
def extension_review(request: HttpRequest, extension_id: int) -> HttpResponse:
    user = acting_user(request)
    extension = access_extension(user, extension_id)
    form = ExtensionDecisionForm(request.POST, extension=extension)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == GRANT:
                extension_decide(
                    extension=extension, grant=True, new_deadline=data["new_deadline"], acting_user=user
                )
            else:
                extension_refuse(extension=extension, reason=data["refusal_reason"], acting_user=user)
        except ServiceError as error:
            form.refuse(error, aliases={"reason": "refusal_reason"})
        else:
            verb = "granted" if data["decision"] == GRANT else "refused"
            messages.success(
                request,
                f"{extension.get_kind_display()} for {extension.officer.full_name} "
                f"({extension.period.year}) {verb}.",
            )
            return redirect("staff:extensions")
    return _extensions_page(request, bound=form)


@staff_only
@require_POST
def extension_grant_direct(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ExtensionGrantForm(request.POST, periods=reporting_periods(), current=current_period())
    if form.is_valid():
        data = form.cleaned_data
        officer = data["license_number"]
        try:
            extension = extension_grant(
                officer=officer,
                period=data["period"],
                kind=data["kind"],
                reason=data["reason"],
                explanation=data["explanation"],
                new_deadline=data["new_deadline"],
                acting_user=user,
            )
        except ServiceError as error:
            form.refuse(error, aliases={"officer": "license_number"})
        else:
            messages.success(
                request,
                f"{extension.get_kind_display()} granted to {officer.full_name} for {extension.period.year} "
                f"until {extension.new_deadline:%B %-d, %Y}.",
            )
            return redirect("staff:extensions")
    return _extensions_page(request, grant_form=form)


# Providers ------------------------------------------------------------------------------------


@staff_only
@require_GET
def providers(request: HttpRequest) -> HttpResponse:
    filters = ProviderFilter(request.GET or None)
    found = provider_list(search=str(filters.value("q")).strip(), kind=filters.value("kind"))
    return render(
        request,
        "portals/staff/providers.html",
        {
            **paginate(request, found),
            "filters": filters,
            "searched": bool(request.GET),
        },
    )


@staff_only
@require_GET
def provider(request: HttpRequest, provider_id: int) -> HttpResponse:
    found = access_provider(acting_user(request), provider_id)
    return render(
        request,
        "portals/staff/provider.html",
        {"provider": found, **paginate(request, provider_courses(found))},
    )


def _provider_form_page(request: HttpRequest, instance: Provider) -> HttpResponse:
    user = acting_user(request)
    adding = instance.pk is None
    if request.method == "POST":
        form = ProviderForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                saved = provider_save(provider=form.instance, acting_user=user)
            except ServiceError as error:
                form.refuse(error)
            else:
                messages.success(request, f"{'Added' if adding else 'Saved'} {saved.name} ({saved.number}).")
                return redirect("staff:provider", saved.pk)
    else:
        form = ProviderForm(instance=instance)
    return render(
        request,
        "portals/staff/provider_form.html",
        {"form": form, "provider": None if adding else instance, "errors": _errors(form)},
    )


@staff_only
@require_http_methods(["GET", "POST"])
def provider_add(request: HttpRequest) -> HttpResponse:
    return _provider_form_page(request, Provider())


@staff_only
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    return _provider_form_page(request, access_provider(acting_user(request), provider_id))


# The catalog of recognized out-of-state courses -----------------------------------------------


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
        {"form": form, "split": split, "entry": None if adding else instance, "errors": _errors(form, split)},
    )


@staff_only
@require_http_methods(["GET", "POST"])
def catalog_add(request: HttpRequest) -> HttpResponse:
    return _catalog_form_page(request, RecognizedCourse())


@staff_only
@require_http_methods(["GET", "POST"])
def catalog_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    return _catalog_form_page(request, access_catalog_entry(acting_user(request), entry_id))
